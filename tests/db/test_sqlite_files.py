"""The SQLite database holds personal data: its file, its WAL and shared-memory files and its folder are the
owner's alone (db/engine.make_engine), whatever the umask, for a new database and for one made before."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from db import engine as db_engine
from db.engine import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    """The usual umask (022: new files readable by everyone), so the test does not depend on the runner's."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def files_of(db: Path) -> dict[str, int]:
    """The modes of the database and its -wal, -shm and -journal files that exist now."""
    return {p.name: mode(p) for p in db.parent.iterdir() if p.name.startswith(db.name)}


def test_a_new_database_and_its_folder_are_owner_only(tmp_path):
    db = tmp_path / "new" / "data" / "app.db"
    with umask(0o022):
        engine = make_engine(f"sqlite:///{db}")
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            with engine.connect() as conn:  # open: the WAL and shared-memory files exist
                conn.execute(text("SELECT x FROM t")).all()
                modes = files_of(db)
        finally:
            engine.dispose()
    assert {"app.db", "app.db-wal", "app.db-shm"} <= set(modes)
    assert {name: m for name, m in modes.items() if m & 0o077} == {}
    assert mode(db.parent) & 0o077 == 0
    assert mode(db.parent.parent) & 0o077 == 0  # every folder it created


def test_an_existing_database_is_made_owner_only_when_the_app_starts(tmp_path):
    db = tmp_path / "app.db"
    os.chmod(tmp_path, 0o755)
    older = sqlite3.connect(db)  # made before the fix, with its WAL files left open
    try:
        older.execute("PRAGMA journal_mode=WAL")
        older.execute("CREATE TABLE t (x INTEGER)")
        older.commit()
        for name in files_of(db):
            os.chmod(tmp_path / name, 0o644)
        engine = make_engine(f"sqlite:///{db}")
        engine.dispose()
        assert {name: m for name, m in files_of(db).items() if m & 0o077} == {}
        assert mode(tmp_path) == 0o755  # a folder it did not create (say /tmp) is left alone
    finally:
        older.close()


def test_the_default_data_folder_is_made_owner_only(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(db_engine, "DEFAULT_SQLITE_PATH", folder / "microcred.db")
    make_engine(db_engine.database_url()).dispose()
    assert mode(folder) == 0o700
    assert mode(folder / "microcred.db") == 0o600


def test_an_in_memory_database_needs_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    assert list(tmp_path.iterdir()) == []

