"""The bench's load test times real page runs, on a copy of the database it is given.

Its sessions sign in through the development identity provider. The bench's page runs (AppTest) have
by then linked the accounts to the test issuer; a load test on the database itself was refused ("No
access") and timed nothing, without an error, in the 2 December 2026 run.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from db import migrate
from db.engine import make_engine
from db.models import AppUser
from devtools.apptest import TEST_ISSUER
from devtools.bench.databases import BenchDatabase, bench_users
from devtools.bench.load_test import run_load
from devtools.stack import CHROMIUM


@pytest.fixture(scope="module")
def linked_database(tmp_path_factory) -> BenchDatabase:
    """A small seeded database whose bench accounts are linked to the test issuer, as after page runs."""
    from seed.demo import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed_database(engine, employees=300, seed=7)
        with Session(engine) as session:
            session.exec(update(AppUser).values(identity_issuer=TEST_ISSUER, identity_subject=AppUser.email))
            session.commit()
    finally:
        engine.dispose()
    return BenchDatabase(scale="small", employees=300, seed=7, key="test", url=url, backend="sqlite")


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM}")
def test_the_load_test_times_page_runs_of_signed_in_sessions_and_leaves_the_database_alone(linked_database):
    users = bench_users(linked_database.url)

    # In a thread of its own: the suite's Playwright (sync API) keeps an event loop running in this one,
    # and the load test starts its own with asyncio.run, as the bench's command does.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(run_load, linked_database, users, sessions=2, seconds=8, think_s=0.5, browsers=1,
                             processes=1).result()

    assert result["errors"] == 0, result["error_examples"]
    assert result["connected"] == 2 and result["browsers_signed_in"] == 1
    assert result["page_loads"] >= 4 and result["p95_s"] > 0
    assert result["browser"]["page_loads"] >= 1
    engine = make_engine(linked_database.url)
    try:
        with Session(engine) as session:  # the sign-ins wrote to the copy only
            issuers = set(session.exec(select(AppUser.identity_issuer).where(
                AppUser.email.in_([users.officer, users.hr_manager]))).all())
    finally:
        engine.dispose()
    assert issuers == {TEST_ISSUER}
