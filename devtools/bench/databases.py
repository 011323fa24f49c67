"""The benchmark databases, built once per key and reused; who the bench signs in as.

A key is (employees, seed, Alembic head, hash of the seed code). On SQLite a database is a
file under ``database_dir``; when DATABASE_URL points at PostgreSQL it is a database named
``bench_<key>`` on that server (the role needs CREATEDB).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from devtools.bench.settings import DEFAULT_DATABASE_DIR, ROOT, SEED, log, redact


def schema_head() -> str:
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    return "+".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def seed_code_hash() -> str:
    """Hash of the code that decides what a seeded database holds: seed/ and the data model."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "seed").glob("*.py")) + [ROOT / "db" / "models.py"]:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def db_key(employees: int, seed: int = SEED) -> str:
    return f"e{employees}-s{seed}-{schema_head()}-{seed_code_hash()}"


@dataclass
class BenchDatabase:
    scale: str
    employees: int
    seed: int
    key: str
    url: str
    backend: str
    seeded_on: date | None = None
    enrollments: int | None = None
    built: bool = False
    build_seconds: float | None = None

    def summary(self) -> dict:
        fields = asdict(self)
        fields["url"] = redact(self.url)
        fields["seeded_on"] = self.seeded_on.isoformat() if self.seeded_on else None
        return fields


def _manage(args: list[str], url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("AS_OF_DATE", None)  # the seed dates its data from the real day; read back afterwards
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    process = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n"
                           f"{process.stdout[-2000:]}\n{process.stderr[-4000:]}")


def _seed(url: str, employees: int, seed: int) -> None:
    """An empty database at ``url`` migrated and seeded, in child processes (so seeding does not count
    in this process's memory)."""
    _manage(["db", "upgrade"], url)
    _manage(["seed", "--employees", str(employees), "--seed", str(seed)], url)


def _describe(database: BenchDatabase) -> BenchDatabase:
    """Read the seeded day and the enrollment count back from the database."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            database.enrollments = connection.execute(text("SELECT count(*) FROM enrollment")).scalar_one()
            after = connection.execute(text(
                "SELECT after FROM auditevent WHERE action = 'seed' ORDER BY id DESC LIMIT 1")).scalar()
    finally:
        engine.dispose()
    try:
        database.seeded_on = date.fromisoformat(json.loads(after)["today"])
    except (TypeError, ValueError, KeyError):
        database.seeded_on = date.today()
    return database


def _sqlite_database(scale: str, employees: int, seed: int, directory: Path) -> BenchDatabase:
    directory.mkdir(parents=True, exist_ok=True)
    key = db_key(employees, seed)
    path = directory / f"bench-{key}.db"
    database = BenchDatabase(scale, employees, seed, key, f"sqlite:///{path}", "sqlite")
    # Files of the same scale and seed under an older key are stale: remove them.
    for old in directory.glob(f"bench-e{employees}-s{seed}-*"):
        if not old.name.startswith(path.name):
            log(f"removing stale benchmark database {old.name}")
            old.unlink(missing_ok=True)
    if path.exists():
        log(f"{scale}: reusing {path}")
        return _describe(database)
    building = path.with_name(path.name + ".building")
    for leftover in directory.glob(building.name + "*"):
        leftover.unlink()
    log(f"{scale}: building {path.name} ({employees:,} employees; a large one takes minutes)")
    started = time.perf_counter()
    _seed(f"sqlite:///{building}", employees, seed)
    connection = sqlite3.connect(building)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    os.replace(building, path)
    database.built, database.build_seconds = True, round(time.perf_counter() - started, 1)
    log(f"{scale}: built in {database.build_seconds:.0f} s")
    return _describe(database)


def _postgresql_admin(url: str):
    """An AUTOCOMMIT engine on the server's maintenance database (CREATE/DROP DATABASE)."""
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _build_postgresql(admin, server_url: str, building: str, name: str, employees: int, seed: int) -> float:
    """Seed the empty database ``building``, analyse it and rename it ``name``; the seconds it took."""
    started = time.perf_counter()
    build_url = make_url(server_url).set(database=building).render_as_string(hide_password=False)
    _seed(build_url, employees, seed)
    # Planner statistics, as autovacuum would gather them on a live server.
    engine = create_engine(build_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    return round(time.perf_counter() - started, 1)


def _postgresql_database(scale: str, employees: int, seed: int, server_url: str) -> BenchDatabase:
    key = db_key(employees, seed)
    name = "bench_" + re.sub(r"[^a-z0-9]+", "_", key.lower())
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    database = BenchDatabase(scale, employees, seed, key, url, "postgresql")
    admin = _postgresql_admin(server_url)
    try:
        with admin.connect() as connection:
            names = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
            stale = sorted(other for other in names
                           if other.startswith(f"bench_e{employees}_s{seed}_") and other != name)
            if stale:
                log(f"stale benchmark databases on the server (drop them when done): {', '.join(stale)}")
            if name in names:
                log(f"{scale}: reusing database {name}")
                return _describe(database)
            building = name + "_building"
            connection.execute(text(f'DROP DATABASE IF EXISTS "{building}"'))
            connection.execute(text(f'CREATE DATABASE "{building}"'))
        log(f"{scale}: building database {name} ({employees:,} employees)")
        database.build_seconds = _build_postgresql(admin, server_url, building, name, employees, seed)
        database.built = True
        log(f"{scale}: built in {database.build_seconds:.0f} s")
        return _describe(database)
    finally:
        admin.dispose()


def bench_database(scale: str, employees: int, *, seed: int = SEED, directory: Path = DEFAULT_DATABASE_DIR,
                   server_url: str | None = None) -> BenchDatabase:
    """The seeded database for a scale: reused when its key matches, else built."""
    server_url = server_url if server_url is not None else os.environ.get("DATABASE_URL")
    if server_url and make_url(server_url).get_backend_name() == "postgresql":
        return _postgresql_database(scale, employees, seed, server_url)
    return _sqlite_database(scale, employees, seed, Path(directory))


@contextmanager
def _sqlite_copy(database: BenchDatabase) -> Iterator[str]:
    from db.engine import get_engine

    source = make_url(database.url).database
    with tempfile.TemporaryDirectory(prefix="bench-copy-", dir=Path(source).parent) as directory:
        destination = Path(directory) / "copy.db"
        with sqlite3.connect(source) as original, sqlite3.connect(destination) as copy:
            original.backup(copy)
        original.close()
        copy.close()
        url = f"sqlite:///{destination}"
        try:
            yield url
        finally:
            get_engine(url).dispose()


@contextmanager
def _postgresql_copy(database: BenchDatabase) -> Iterator[str]:
    from db.engine import get_engine

    name = make_url(database.url).database
    copy = f"{name}_import_{os.getpid()}"
    get_engine(database.url).dispose()  # a template database must have no other connections
    admin = _postgresql_admin(database.url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
        url = make_url(database.url).set(database=copy).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            get_engine(url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
    finally:
        admin.dispose()


def database_copy(database: BenchDatabase):
    """A throw-away copy of a benchmark database (for the import), as a context manager giving its URL;
    removed afterwards."""
    return _sqlite_copy(database) if database.backend == "sqlite" else _postgresql_copy(database)


@dataclass(frozen=True)
class BenchUsers:
    officer: str
    hr_manager: str          # HR manager of the largest employer
    hr_employer: str         # that employer's code
    primer: str              # HR manager of the smallest employer: a cheap first run (see measure_pages)

    def email(self, role: str) -> str:
        return {"officer": self.officer, "hr_manager": self.hr_manager}[role]


def bench_users(url: str) -> BenchUsers:
    from seed.demo import DEMO_USERS

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            sizes = dict(connection.execute(text(
                "SELECT o.code, count(e.id) FROM organization o LEFT JOIN employee e ON e.employer_id = o.id "
                "WHERE o.kind = 'employer' GROUP BY o.code")).all())
    finally:
        engine.dispose()
    hr_managers = {user["org_code"]: user["email"] for user in DEMO_USERS
                   if user["role"] == "hr_manager" and user["is_active"]}
    ranked = sorted((code for code in sizes if code in hr_managers), key=lambda code: (sizes[code], code))
    officer = next(user["email"] for user in DEMO_USERS if user["role"] == "partnership_officer" and user["is_active"])
    return BenchUsers(officer=officer, hr_manager=hr_managers[ranked[-1]], hr_employer=ranked[-1],
                      primer=hr_managers[ranked[0]])


@contextmanager
def app_environment(database: BenchDatabase) -> Iterator[None]:
    """DATABASE_URL and AS_OF_DATE (the day the data was seeded) for in-process runs."""
    saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "AS_OF_DATE")}
    os.environ["DATABASE_URL"] = database.url
    os.environ["AS_OF_DATE"] = (database.seeded_on or date.today()).isoformat()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
