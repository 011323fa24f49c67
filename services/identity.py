"""From a signed-in OIDC identity to an AppUser and its Scope."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from db.models import AppUser, utcnow
from db.scope import Scope, scope_for_user

# st.login keeps its cookie for 30 days; we end sessions much sooner, measured
# from when the identity provider authenticated the person.
DEFAULT_SESSION_HOURS = 12.0


def session_max_seconds() -> float:
    return float(os.environ.get("SESSION_MAX_HOURS", DEFAULT_SESSION_HOURS)) * 3600


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


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    email: str
    display_name: str
    role: str
    organization_name: str
    scope: Scope


def find_user(session: Session, email: str | None) -> AppUser | None:
    """The active AppUser for an identity's email, or None (no access)."""
    if not email:
        return None
    user = session.exec(select(AppUser).where(AppUser.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        return None
    return user


def sign_in(session: Session, email: str | None, *, record_login: bool = True) -> SignedIn | None:
    from db.models import Organization

    user = find_user(session, email)
    if user is None:
        return None
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
