"""From a signed-in OIDC identity (the ID token's claims) to an AppUser and its Scope.

The rules, in the order ``sign_in`` applies them:

- An identity is the provider's issuer and subject (``iss`` + ``sub``). The first identity
  that signs in with an account's email claims the account; from then on the account is
  found by that identity, whatever email it sends, and never by another identity sending
  the same email.
- An email finds an account only if the provider vouches for it: ``email_verified`` false
  is refused, and a missing claim is refused unless the deployment trusts that issuer's
  emails (``TRUSTED_EMAIL_ISSUERS``; README "Signing in with a real identity provider").
- Logging out is recorded on the account (``logged_out_through``): every process then
  refuses the ID tokens issued before it, so a copied login cookie stops working.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import AppUser, utcnow
from db.scope import Scope, scope_for_user

# st.login keeps its cookie for 30 days; we end sessions much sooner, measured
# from when the identity provider authenticated the person.
DEFAULT_SESSION_HOURS = 12.0

# Issuers (ID token ``iss``, separated by commas or spaces) whose emails the deployment
# trusts when the provider sends no ``email_verified`` claim.
TRUSTED_EMAIL_ISSUERS_VARIABLE = "TRUSTED_EMAIL_ISSUERS"

# ``iat`` has whole seconds: a token issued in the same second as a logout may come
# after it (a fresh login), so a logout refuses tokens issued more than this before it,
# plus the logged-out token itself whenever it was issued.
LOGOUT_MARGIN_SECONDS = 1.0


def session_max_seconds() -> float:
    return float(os.environ.get("SESSION_MAX_HOURS", DEFAULT_SESSION_HOURS)) * 3600


def trusted_email_issuers() -> frozenset[str]:
    raw = os.environ.get(TRUSTED_EMAIL_ISSUERS_VARIABLE, "")
    return frozenset(_issuer(part) for part in raw.replace(",", " ").split())


def _issuer(value: object) -> str:
    return str(value or "").strip().rstrip("/")


def issued_at(claims: Mapping) -> float | None:
    """When the provider issued this token (``iat``, else ``auth_time``), in Unix seconds."""
    for name in ("iat", "auth_time"):
        try:
            return float(claims[name])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def session_expired(claims: Mapping, *, now: float | None = None, max_age: float | None = None) -> bool:
    """True when the login is older than the session limit.

    Uses ``auth_time`` when the provider sends it, otherwise ``iat`` (issued at).
    A login with neither claim cannot be aged, so it is treated as expired.
    """
    now = time.time() if now is None else now
    max_age = session_max_seconds() if max_age is None else max_age
    started = claims.get("auth_time") or claims.get("iat")
    try:
        started = float(started)
    except (TypeError, ValueError):
        return True
    return now - started > max_age


def email_verified(claims: Mapping) -> bool | None:
    """The provider's ``email_verified`` claim: True, False, or None when it says nothing clear."""
    value = claims.get("email_verified")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"  # some providers send the claim as a string
    return None


def provider_identity(claims: Mapping) -> tuple[str, str] | None:
    issuer, subject = _issuer(claims.get("iss")), str(claims.get("sub") or "").strip()
    return (issuer, subject) if issuer and subject else None


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    email: str
    display_name: str
    role: str
    organization_name: str
    scope: Scope


@dataclass(frozen=True)
class Refused:
    """Why an identity gets no access: a screen title and a finished sentence for the person."""

    title: str
    message: str


def _no_account(email: str) -> Refused:
    return Refused("No access", (
        f"You are signed in as {email or 'an identity without an email address'}, but that identity "
        "has no active account in this dashboard. Ask your organisation's administrator to give you access."
    ))


def _email_not_vouched_for(email: str, *, refused_by_provider: bool) -> Refused:
    why = ("Your identity provider says it has not verified the email address" if refused_by_provider
           else "Your identity provider does not say whether it has verified the email address")
    return Refused("No access", (
        f"{why} {email}, so this dashboard cannot tell that the address is yours. Verify the address "
        "with your provider and sign in again, or ask your organisation's administrator."
    ))


def _claimed_by_another(email: str) -> Refused:
    return Refused("No access", (
        f"The account for {email} is linked to a different sign-in identity, so this one cannot open it. "
        "If your sign-in has changed, ask your organisation's administrator to release the account."
    ))


NO_IDENTITY = Refused("No access", (
    "Your identity provider did not say who you are (its issuer and subject), so this sign-in "
    "cannot be matched to an account. Ask your organisation's administrator."
))
LOGGED_OUT = Refused("Logged out", (
    "This session was logged out. Log out here, then sign in again to continue."
))


def find_user(session: Session, email: str | None) -> AppUser | None:
    """The active AppUser for an email, or None: for the command line, which signs in nobody."""
    if not email:
        return None
    user = session.exec(select(AppUser).where(AppUser.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        return None
    return user


def _account_for(session: Session, claims: Mapping, trusted: frozenset[str]) -> AppUser | Refused:
    """The account an identity opens (active or not), or why it opens none. Writes nothing."""
    identity = provider_identity(claims)
    email = str(claims.get("email") or "").strip().lower()
    verified = email_verified(claims)
    if identity is None:
        return NO_IDENTITY
    if verified is False:
        return _email_not_vouched_for(email, refused_by_provider=True)
    claimed = session.exec(select(AppUser).where(
        AppUser.identity_issuer == identity[0], AppUser.identity_subject == identity[1])).first()
    if claimed is not None:
        return claimed
    if not email:
        return _no_account(email)
    if verified is None and identity[0] not in trusted:
        return _email_not_vouched_for(email, refused_by_provider=False)
    user = session.exec(select(AppUser).where(AppUser.email == email)).first()
    if user is None:
        return _no_account(email)
    if user.identity_subject is not None:  # claimed, and not by this identity (looked up above)
        return _claimed_by_another(email)
    return user


def _claim(session: Session, user: AppUser, identity: tuple[str, str]) -> bool:
    """Link an unclaimed account to ``identity``; False if another identity got there first."""
    try:
        session.execute(update(AppUser).where(AppUser.id == user.id, AppUser.identity_subject.is_(None))
                        .values(identity_issuer=identity[0], identity_subject=identity[1]))
        session.commit()
    except IntegrityError:  # the identity already claims another account
        session.rollback()
    session.refresh(user)
    return (user.identity_issuer, user.identity_subject) == identity


def _logged_out(user: AppUser, claims: Mapping) -> bool:
    if user.logged_out_through is None:
        return False
    issued = issued_at(claims)
    return issued is None or issued <= user.logged_out_through.timestamp()


def sign_in(
    session: Session, claims: Mapping, *, trusted_issuers: Iterable[str] | None = None,
    record_login: bool = True,
) -> SignedIn | Refused:
    """The signed-in user for an identity's claims, or why it is refused (checked on every run)."""
    from db.models import Organization

    trusted = trusted_email_issuers() if trusted_issuers is None else frozenset(map(_issuer, trusted_issuers))
    user = _account_for(session, claims, trusted)
    if isinstance(user, Refused):
        return user
    if not user.is_active:
        return _no_account(user.email)
    if _logged_out(user, claims):
        return LOGGED_OUT
    if user.identity_subject is None and not _claim(session, user, provider_identity(claims)):
        return _claimed_by_another(user.email)
    scope = scope_for_user(session, user)
    if record_login:
        user.last_login_at = utcnow()
        session.add(user)
        session.commit()
    org = session.get(Organization, user.organization_id)
    return SignedIn(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        organization_name=org.name,
        scope=scope,
    )


def record_logout(
    session: Session, claims: Mapping, *, trusted_issuers: Iterable[str] | None = None,
    now: float | None = None,
) -> bool:
    """Refuse from now on, in every process, the tokens of the account these claims open that
    were issued before this logout. False when the claims open no account (nothing to end)."""
    trusted = trusted_email_issuers() if trusted_issuers is None else frozenset(map(_issuer, trusted_issuers))
    user = _account_for(session, claims, trusted)
    if isinstance(user, Refused):
        return False
    now = time.time() if now is None else now
    through = datetime.fromtimestamp(max(issued_at(claims) or 0.0, now - LOGOUT_MARGIN_SECONDS), timezone.utc)
    # Only ever later: two logouts at once (two processes) keep the later one.
    session.execute(update(AppUser).where(
        AppUser.id == user.id,
        or_(AppUser.logged_out_through.is_(None), AppUser.logged_out_through < through),
    ).values(logged_out_through=through))
    session.commit()
    return True


def release_identity(session: Session, *, email: str) -> bool:
    """Unlink an account from the identity that claimed it (the person's sign-in changed);
    the next identity signing in with its verified email claims it. False if no such account."""
    user = session.exec(select(AppUser).where(AppUser.email == email.strip().lower())).first()
    if user is None:
        return False
    user.identity_issuer = user.identity_subject = None
    session.add(user)
    session.commit()
    return True
