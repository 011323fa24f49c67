"""Logging out is recorded in the database, so every process refuses the logged-out login.

Two engines on one database stand for two `streamlit run` processes: the logout happens
in one, the copied cookie (the same claims) comes back through the other.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session

from db.engine import make_engine
from devtools.apptest import signed_in_claims
from services.identity import LOGGED_OUT, Refused, SignedIn, find_user, record_logout, sign_in
from tests.world import build_world

LOGOUT_AT = 1_800_000_000.7  # Unix seconds with a fraction, as time.time() gives


@pytest.fixture
def world(session):
    return build_world(session)


class Process:
    """Another app process: its own engine, and a new session per script run (as dashboard.py)."""

    def __init__(self, engine):
        self.engine = engine

    def run(self, claims: dict, *, first: bool = False):
        with Session(self.engine) as session:
            return sign_in(session, claims, record_login=first)

    def log_out(self, claims: dict, *, now: float) -> bool:
        with Session(self.engine) as session:
            return record_logout(session, claims, now=now)


@pytest.fixture
def other_process(db_url, world):
    engine = make_engine(db_url)
    yield Process(engine)
    engine.dispose()


def login(email: str = "hr@acme.test", *, issued_at: float) -> dict:
    return signed_in_claims(email, subject="hr-subject", issued_at=issued_at)


def test_a_logged_out_login_is_refused_in_another_process(session, other_process):
    cookie = login(issued_at=LOGOUT_AT - 600)
    assert isinstance(other_process.run(cookie, first=True), SignedIn)

    assert record_logout(session, cookie, now=LOGOUT_AT)

    assert other_process.run(cookie) == LOGGED_OUT
    assert sign_in(session, cookie) == LOGGED_OUT
    assert LOGGED_OUT.title == "Logged out" and "sign in again" in LOGGED_OUT.message


def test_a_fresh_login_right_after_the_logout_is_accepted(session, other_process):
    record_logout(session, login(issued_at=LOGOUT_AT - 600), now=LOGOUT_AT)
    # iat has whole seconds: a login just after the logout has the logout's own second.
    assert isinstance(other_process.run(login(issued_at=int(LOGOUT_AT))), SignedIn)
    assert isinstance(other_process.run(login(issued_at=int(LOGOUT_AT) + 5)), SignedIn)


def test_every_login_issued_before_the_logout_is_refused(session, other_process):
    """Another browser's cookie from a second before, and the logged-out login itself even
    when it was issued within the logout's second."""
    logged_out = login(issued_at=int(LOGOUT_AT))
    record_logout(session, logged_out, now=LOGOUT_AT)
    assert other_process.run(logged_out) == LOGGED_OUT
    assert other_process.run(login(issued_at=int(LOGOUT_AT) - 1)) == LOGGED_OUT
    assert other_process.run(login(issued_at=LOGOUT_AT - 3600)) == LOGGED_OUT


def test_a_login_without_an_issue_time_cannot_outlive_a_logout(session, world):
    record_logout(session, login(issued_at=LOGOUT_AT - 60), now=LOGOUT_AT)
    undated = {key: value for key, value in login(issued_at=0).items() if key != "iat"}
    assert sign_in(session, undated) == LOGGED_OUT


def test_a_later_logout_is_never_undone_by_an_earlier_one(session, other_process):
    record_logout(session, login(issued_at=LOGOUT_AT - 60), now=LOGOUT_AT)
    other_process.log_out(login(issued_at=LOGOUT_AT - 600), now=LOGOUT_AT - 300)  # a slow process
    assert sign_in(session, login(issued_at=LOGOUT_AT - 100)) == LOGGED_OUT


def test_a_logout_ends_only_the_account_the_identity_opens(session, world):
    """Someone whose provider sends the HR manager's email under another subject cannot
    log the HR manager out: the identity opens no account, so nothing is recorded."""
    sign_in(session, login(issued_at=LOGOUT_AT - 600))
    impostor = signed_in_claims("hr@acme.test", subject="impostor", issued_at=LOGOUT_AT - 10)
    assert record_logout(session, impostor, now=LOGOUT_AT) is False
    assert not record_logout(session, signed_in_claims("stranger@example.com"), now=LOGOUT_AT)
    assert find_user(session, "hr@acme.test").logged_out_through is None
    assert isinstance(sign_in(session, login(issued_at=LOGOUT_AT - 600)), SignedIn)
    assert isinstance(sign_in(session, impostor), Refused)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_a_logout_holds_whatever_the_servers_time_zone(session, other_process, monkeypatch, zone):
    """The logout time is compared in UTC (db.models keeps aware UTC datetimes): read as local
    time, east of UTC the copied cookie would come back in, west of it a fresh login would be refused."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        cookie = login(issued_at=LOGOUT_AT - 60)
        record_logout(session, cookie, now=LOGOUT_AT)
        assert other_process.run(cookie) == LOGGED_OUT
        assert isinstance(other_process.run(login(issued_at=LOGOUT_AT + 60)), SignedIn)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
