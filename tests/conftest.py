"""Shared fixtures: a migrated database per backend, cleaned before each test.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import migrate  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.models import metadata  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session", autouse=True)
def _badge_key_in_a_temporary_folder(tmp_path_factory):
    """No test writes a badge signing key into the checkout or the real user data folder: the whole run (and
    the processes it starts, such as the browser tests' app) uses one in a temporary folder. Tests of the key's
    place set BADGE_SIGNING_KEY (or remove it) themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BADGE_SIGNING_KEY", str(tmp_path_factory.mktemp("badge-key") / "badge-signing-key.json"))
        # Likewise the European Digital Credentials' development seal (services/edc/seal.py).
        patch.setenv("EDC_SEAL_KEY", str(tmp_path_factory.mktemp("edc-seal") / "edc-seal-key.pem"))
        patch.delenv("EDC_SEAL_CERT", raising=False)
        yield


def reset_postgres_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = PG_URL
        reset_postgres_schema(url)
    migrate.upgrade(url)
    return url


def clear_all(engine) -> None:
    """Every table empty (children first) and, on PostgreSQL, every id sequence back at its start: what
    TRUNCATE ... RESTART IDENTITY gives, at less than half its cost on the few rows a test leaves."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            sequences = conn.execute(text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"))
            for (name,) in sequences.all():
                conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    clear_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def chromium():
    """One Playwright driver and one headless Chromium for the whole test session:
    Playwright's sync API allows a single running instance per process."""
    from devtools.stack import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
