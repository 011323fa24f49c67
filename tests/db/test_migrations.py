"""Migrations build the schema from nothing, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db import migrate
from db.engine import make_engine
from db.models import metadata
from tests.conftest import PG_URL, reset_postgres_schema


def _check_fresh_upgrade(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, metadata) == [], "models and migrations differ: run manage.py db revision"
        # Every foreign key column has an index.
        insp = inspect(engine)
        for table in metadata.sorted_tables:
            indexed = {tuple(ix["column_names"]) for ix in insp.get_indexes(table.name)}
            indexed |= {tuple(u["column_names"]) for u in insp.get_unique_constraints(table.name)}
            indexed.add(tuple(insp.get_pk_constraint(table.name)["constrained_columns"]))
            for fk in table.foreign_keys:
                col = fk.parent.name
                assert any(cols[0] == col for cols in indexed), f"{table.name}.{col} has no index"
    finally:
        engine.dispose()
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_empty_sqlite(tmp_path):
    _check_fresh_upgrade(f"sqlite:///{tmp_path / 'fresh.db'}")


def test_upgrade_empty_postgresql():
    import pytest

    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    reset_postgres_schema(PG_URL)
    try:
        _check_fresh_upgrade(PG_URL)
    finally:
        reset_postgres_schema(PG_URL)
        migrate.upgrade(PG_URL)
