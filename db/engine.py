"""The one engine per process, chosen by DATABASE_URL (default: SQLite under data/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, event, update
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "microcred.db"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str) -> Engine:
    """Create an engine with the settings this product relies on for either backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            # Foreign keys are off by default in SQLite; WAL lets readers and a writer overlap.
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: DATABASE_URL), created once."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def bump_data_version(session: Session) -> None:
    """Mark that data changed, so every app process drops its cached figures."""
    from db.models import DataVersion, utcnow

    result = session.exec(
        update(DataVersion).where(DataVersion.id == 1).values(
            version=DataVersion.version + 1, updated_at=utcnow()
        )
    )
    if result.rowcount == 0:
        session.add(DataVersion(id=1, version=1))


def data_version(session: Session) -> int:
    from db.models import DataVersion

    row = session.get(DataVersion, 1)
    return row.version if row else 0
