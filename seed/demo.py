"""Deterministic demo and benchmark data.

``seed_database(engine, employees=N, seed=S, today=D)`` writes one university
(Northbridge University), eight employer partners of different sizes and
sectors (above ``LONG_TAIL_ABOVE`` employees about a hundred, in a long tail of
sizes: ``seed.partners``), a skills vocabulary, a catalogue of micro-credentials with learning
outcomes, skills, co-designing partners and pathways, cohorts over the last
eight quarters and the next one's (no enrollments yet), enrollments with realistic outcomes, skill assessments, PDPs
with goals, outcome surveys, the demo users (``DEMO_USERS``), one audit event
and the data version row, then rebuilds the summary tables (``db.summaries``).

Everything is drawn from one ``random.Random(seed)`` and dated relative to
``today``: the same seed and day give byte-identical data (``digest`` checks
that). Timestamps in the data (``created_at``/``updated_at``) are derived from
the data's own dates, not the wall clock; only the audit event's
``occurred_at`` and the data version's ``updated_at`` record when the seed ran.

Rows are generated as plain dicts with ids assigned here and written with
SQLAlchemy Core ``executemany`` in chunks (one COPY per table on PostgreSQL,
db/copying.py), in one transaction, so 250,000
employees (about a million enrollments) take minutes, not hours. The same code
runs on SQLite and PostgreSQL; on PostgreSQL the id sequences are moved past
the ids written here so later ORM inserts work.

This module runs the steps in order; the data and the steps live beside it:
``organisations``, ``catalogue`` and ``demo_users`` (the data), ``reference``
(organisations, catalogue, cohorts), ``people``, ``learning`` (with
``enrollments`` and ``pdps``), ``history`` (users, co-design record), ``rows``
(the writer), ``run`` (the state the steps share) and ``digest``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from db import summaries
from db.models import AuditEvent, DataVersion, Organization, metadata
from seed.demo_users import DEMO_USERS
from seed.digest import digest
from seed.history import write_design_history, write_users
from seed.learning import write_learning
from seed.next_cohorts import write_next_cohorts
from seed.partners import LONG_TAIL_ABOVE
from seed.people import write_people
from seed.quality_reviews import write_quality_reviews
from seed.reference import write_cohorts, write_curriculum, write_organisations
from seed.rows import Writer
from seed.run import SeedRun

__all__ = ["DEMO_USERS", "digest", "is_empty", "seed_database"]

SQLITE_CACHE_KIB = 256 * 1024  # page cache while seeding (SQLite only), restored afterwards


def _clear(conn: Connection) -> int:
    """Delete every row (children first); return the next data version number."""
    data_version = DataVersion.__table__
    old = conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar()
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())
    return (old or 0) + 1


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial id sequence past the ids written explicitly."""
    for table in metadata.sorted_tables:
        primary_key = list(table.primary_key.columns)
        if len(primary_key) != 1 or primary_key[0].name != "id":
            continue
        name = table.name
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:t, 'id'), "
            f"COALESCE((SELECT max(id) FROM \"{name}\"), 1), "
            f"(SELECT max(id) FROM \"{name}\") IS NOT NULL)"
        ), {"t": name})


def _write_data(run: SeedRun, writer: Writer) -> None:
    """Every step, in the order of the random stream (each step's draws follow the previous step's)."""
    write_organisations(run, writer)
    write_curriculum(run, writer)
    write_cohorts(run, writer)
    writer.flush()
    write_people(run, writer)
    write_learning(run, writer)
    write_users(run, writer)
    write_design_history(run, writer)
    write_quality_reviews(run, writer)  # its own random stream: the rows above and below are the same without it
    # After every other row, from a random stream of its own: the rows above are the same without it.
    write_next_cohorts(run, writer)
    writer.flush()


def _record_seed(conn: Connection, writer: Writer, run: SeedRun, version: int) -> None:
    """Count the summary rows, then write the seed's audit event (with the counts) and the data version."""
    for table in summaries.SUMMARY_TABLES:
        writer.counts[table.__tablename__] = conn.execute(select(func.count()).select_from(table.__table__)).scalar()
    counts = {name: count for name, count in writer.counts.items() if name not in ("auditevent", "dataversion")}
    now = datetime.now(timezone.utc)
    writer.rows(AuditEvent).append(dict(
        id=1, occurred_at=now, actor_email="system:seed", organization_id=None, action="seed",
        entity="database", entity_id=None, before=None,
        after=json.dumps({"seed": run.seed, "employees": run.employee_count, "today": run.today.isoformat(),
                          "counts": counts}, sort_keys=True),
    ))
    writer.rows(DataVersion).append(dict(id=1, version=version, updated_at=now))
    writer.flush()


def seed_database(
    engine: Engine, *, employees: int = 2000, seed: int = 7, reset: bool = False, today: date | None = None,
    long_tail_above: int = LONG_TAIL_ABOVE,
) -> dict[str, int]:
    """Write the demo data (one transaction); return the rows written per table.

    With ``reset`` every row of every table is deleted first. Without it the
    database must be empty (ids would collide otherwise). Above ``long_tail_above``
    employees the people are spread over about a hundred employers (``seed.partners``).
    """
    if employees < 1:
        raise ValueError("employees must be at least 1")
    run = SeedRun(employees=employees, seed=seed, today=today or date.today(), long_tail_above=long_tail_above)
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a bigger page cache for this connection: index inserts stop thrashing
            cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            version = _clear(conn) if reset else 1
            writer = Writer(conn)
            _write_data(run, writer)
            # The dashboards read the summary tables: build them in the same transaction.
            summaries.refresh(Session(bind=conn))
            _record_seed(conn, writer, run, version)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
    return {table.name: writer.counts[table.name] for table in metadata.sorted_tables}


def is_empty(engine: Engine) -> bool:
    """True when the database has no organisations (nothing seeded or imported yet)."""
    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(Organization.__table__)).scalar()
