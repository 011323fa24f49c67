"""The one engine per process, chosen by DATABASE_URL (default: SQLite under data/)."""

from __future__ import annotations

import logging
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
# SQLite's companions of a database file: they hold the same personal data.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: str) -> Engine:
    """Create an engine with the settings this product relies on for either backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            private_sqlite_file(Path(parsed.database))
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


def private_sqlite_file(path: Path) -> None:
    """Make ``path`` (a SQLite database, which holds personal data) the owner's alone: folders it creates are
    0700 (and the default data/ folder is tightened), the file is created 0600 before SQLite opens it, and an
    existing file and its -wal/-shm/-journal files are set to 0600. SQLite gives the files it creates later
    the database file's mode. A folder chosen by the deployment (say /tmp) is left as it is."""
    path = path.absolute()
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in missing + ([path.parent] if path.parent == DEFAULT_SQLITE_PATH.parent else []):
        _chmod(folder, 0o700)  # mkdir gives 0777 less the umask; chmod gives exactly 0700
    try:  # an empty file is an empty SQLite database
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)):
        if file.exists():
            _chmod(file, 0o600)


def _chmod(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o777 == mode:
        return
    try:
        path.chmod(mode)
    except OSError as exc:  # not the owner: the app still runs, and says so
        log.warning("could not make %s owner-only (mode %o): %s", path, mode, exc)


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
