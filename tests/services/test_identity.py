"""From an OIDC identity to an AppUser: unknown, deactivated, unverified, claimed; expired sessions.

Logouts are in tests/services/test_identity_logout.py.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from devtools.apptest import TEST_ISSUER, signed_in_claims
from services.identity import Refused, SignedIn, find_user, session_expired, sign_in, trusted_email_issuers
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def claims(email: str, **identity) -> dict:
    return signed_in_claims(email, **identity)


def refusal(outcome) -> str:
    assert isinstance(outcome, Refused), f"expected a refusal, got {outcome}"
    return outcome.message


def test_email_matches_case_insensitively(session, world):
    who = sign_in(session, claims("  HR@Acme.TEST "))
    assert isinstance(who, SignedIn) and who.role == "hr_manager" and who.organization_name == "Acme"
    assert who.scope.employer_ids == frozenset({world.id("A")})


def test_unknown_and_deactivated_identities_get_nothing(session, world):
    for email in ("stranger@example.com", "gone@acme.test", ""):
        message = refusal(sign_in(session, claims(email, subject="subject-of-" + email)))
        assert "has no active account" in message and "Ask your organisation's administrator" in message
    assert "stranger@example.com" in refusal(sign_in(session, claims("stranger@example.com")))


def test_sign_in_records_last_login(session, world):
    sign_in(session, claims("hr@acme.test"))
    assert find_user(session, "hr@acme.test").last_login_at is not None


def test_session_limit_from_token_claims():
    now = 1_800_000_000
    assert not session_expired({"iat": now - 3600}, now=now, max_age=12 * 3600)
    assert session_expired({"iat": now - 13 * 3600}, now=now, max_age=12 * 3600)
    # auth_time (when the person actually authenticated) wins over iat.
    assert session_expired({"iat": now, "auth_time": now - 13 * 3600}, now=now, max_age=12 * 3600)
    assert session_expired({}, now=now, max_age=12 * 3600)
    assert session_expired({"iat": "not a time"}, now=now, max_age=12 * 3600)


# --- email_verified ---------------------------------------------------------------------


@pytest.mark.parametrize("verified", [False, "false", "FALSE"])
def test_an_email_the_provider_has_not_verified_is_refused(session, world, verified):
    message = refusal(sign_in(session, {**claims("hr@acme.test"), "email_verified": verified},
                              trusted_issuers=[TEST_ISSUER]))
    assert "has not verified the email address hr@acme.test" in message
    assert find_user(session, "hr@acme.test").identity_subject is None, "a refused identity claims nothing"


def test_a_missing_email_verified_is_refused_unless_the_issuer_is_trusted(session, world):
    unstated = claims("hr@acme.test", verified=None)
    message = refusal(sign_in(session, unstated, trusted_issuers=[]))
    assert "does not say whether it has verified the email address hr@acme.test" in message
    assert isinstance(sign_in(session, unstated, trusted_issuers=["https://other.example"]), Refused)
    # Trusted issuers are compared without a trailing slash.
    assert isinstance(sign_in(session, unstated, trusted_issuers=[TEST_ISSUER + "/"]), SignedIn)
    assert isinstance(sign_in(session, claims("hr@acme.test", verified="true"), trusted_issuers=[]), SignedIn)


def test_trusted_issuers_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("TRUSTED_EMAIL_ISSUERS", raising=False)
    assert trusted_email_issuers() == frozenset()  # the safe default: trust no provider's bare emails
    monkeypatch.setenv("TRUSTED_EMAIL_ISSUERS", "http://127.0.0.1:9400/, https://idp.example.org  https://b.test")
    assert trusted_email_issuers() == {"http://127.0.0.1:9400", "https://idp.example.org", "https://b.test"}


def test_an_identity_without_issuer_or_subject_is_refused(session, world):
    for missing in ("iss", "sub"):
        incomplete = {key: value for key, value in claims("hr@acme.test").items() if key != missing}
        assert "did not say who you are" in refusal(sign_in(session, incomplete))


# --- iss + sub ---------------------------------------------------------------------------


def test_the_first_sign_in_claims_the_account_for_its_issuer_and_subject(session, world):
    assert find_user(session, "hr@acme.test").identity_subject is None
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="subject-1")), SignedIn)
    user = find_user(session, "hr@acme.test")
    assert (user.identity_issuer, user.identity_subject) == (TEST_ISSUER, "subject-1")
    # The same identity keeps signing in.
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="subject-1")), SignedIn)


def test_another_subject_with_the_same_email_is_refused(session, world):
    """A provider that lets people set their own email: someone sets the HR manager's."""
    sign_in(session, claims("hr@acme.test", subject="the-hr-manager"))
    message = refusal(sign_in(session, claims("hr@acme.test", subject="someone-else")))
    assert "linked to a different sign-in identity" in message
    # Nor from another issuer with the same subject string.
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="the-hr-manager",
                                              issuer="https://other.example")), Refused)
    user = find_user(session, "hr@acme.test")
    assert (user.identity_issuer, user.identity_subject) == (TEST_ISSUER, "the-hr-manager")


def test_a_changed_email_still_opens_the_claimed_account_never_the_new_emails(session, world):
    sign_in(session, claims("hr@acme.test", subject="person-7"))
    # person-7's provider now sends the HR manager of Beta's address (unclaimed so far).
    who = sign_in(session, claims("hr@beta.test", subject="person-7"))
    assert isinstance(who, SignedIn)
    assert (who.email, who.organization_name) == ("hr@acme.test", "Acme")
    assert find_user(session, "hr@beta.test").identity_subject is None, "hr@beta.test stays unclaimed"
    # Even an unverified new email: the account is found by the subject, not the email.
    assert isinstance(sign_in(session, claims("anything@else.test", subject="person-7", verified=None),
                              trusted_issuers=[]), SignedIn)


def test_a_claimed_identity_of_a_deactivated_account_gets_nothing(session, world):
    sign_in(session, claims("hr@acme.test", subject="person-8"))
    user = find_user(session, "hr@acme.test")
    user.is_active = False
    session.add(user)
    session.commit()
    assert "has no active account" in refusal(sign_in(session, claims("viewer@acme.test", subject="person-8")))


def test_two_processes_racing_to_claim_one_account_give_it_to_one_identity(engine, world):
    """Both resolve the unclaimed account; only the first write claims it."""
    with Session(engine) as first, Session(engine) as second:
        # ``second`` read the account before the claim: its identity map keeps the unclaimed row.
        assert find_user(second, "viewer@acme.test").identity_subject is None
        assert isinstance(sign_in(first, claims("viewer@acme.test", subject="first")), SignedIn)
        assert "linked to a different sign-in identity" in refusal(
            sign_in(second, claims("viewer@acme.test", subject="second")))
    with Session(engine) as third:
        assert find_user(third, "viewer@acme.test").identity_subject == "first"


def test_a_released_account_is_claimed_by_the_next_verified_identity(session, world, db_url, monkeypatch, capsys):
    """`manage.py users --release EMAIL`: the person's sign-in changed (a new provider, a new subject)."""
    import manage

    sign_in(session, claims("hr@acme.test", subject="old-subject"))
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="new-subject")), Refused)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert manage.main(["users", "--release", "HR@acme.test"]) == 0
    assert "Released HR@acme.test" in capsys.readouterr().out
    assert manage.main(["users", "--release", "nobody@acme.test"]) == 1
    session.expire_all()
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="new-subject")), SignedIn)
    assert isinstance(sign_in(session, claims("hr@acme.test", subject="old-subject")), Refused)
