"""From an OIDC identity to an AppUser: unknown, deactivated, expired sessions."""

from __future__ import annotations

import pytest

from services.identity import find_user, session_expired, sign_in
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def test_email_matches_case_insensitively(session, world):
    who = sign_in(session, "  HR@Acme.TEST ")
    assert who is not None and who.role == "hr_manager" and who.organization_name == "Acme"
    assert who.scope.employer_ids == frozenset({world.id("A")})


def test_unknown_and_deactivated_identities_get_nothing(session, world):
    assert sign_in(session, "stranger@example.com") is None
    assert sign_in(session, "gone@acme.test") is None
    assert sign_in(session, None) is None and sign_in(session, "") is None


def test_sign_in_records_last_login(session, world):
    sign_in(session, "hr@acme.test")
    assert find_user(session, "hr@acme.test").last_login_at is not None


def test_session_limit_from_token_claims():
    now = 1_800_000_000
    assert not session_expired({"iat": now - 3600}, now=now, max_age=12 * 3600)
    assert session_expired({"iat": now - 13 * 3600}, now=now, max_age=12 * 3600)
    # auth_time (when the person actually authenticated) wins over iat.
    assert session_expired({"iat": now, "auth_time": now - 13 * 3600}, now=now, max_age=12 * 3600)
    assert session_expired({}, now=now, max_age=12 * 3600)
    assert session_expired({"iat": "not a time"}, now=now, max_age=12 * 3600)
