"""Run Alembic from Python, so manage.py, the Makefile and tests share one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(INI))
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    before = _revision(url)
    command.upgrade(alembic_config(url), revision)
    if revision == "head" and _revision(url) != before:
        _rebuild_summaries(url)


def _engine(url: str | None):
    from db.engine import get_engine, make_engine

    return (make_engine(url), True) if url else (get_engine(), False)


def _revision(url: str | None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine, own = _engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if own:
            engine.dispose()


def _rebuild_summaries(url: str | None) -> None:
    """After a migration, rebuild the summary tables of a database that has data: new
    tables start empty, and a migration may change what they hold."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from db import summaries
    from db.models import Employee

    engine, own = _engine(url)
    try:
        with Session(engine) as session:
            if session.execute(select(func.count()).select_from(Employee).limit(1)).scalar():
                summaries.refresh(session)
                session.commit()
    finally:
        if own:
            engine.dispose()


def downgrade(url: str | None = None, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def current(url: str | None = None) -> None:
    command.current(alembic_config(url), verbose=True)
