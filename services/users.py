"""User management (admins): list, add, change role, activate or deactivate.

A change is made to the role and access the administrator was shown (``expected_role``,
``expected_active``): if another administrator changed either meanwhile, it is refused
(``UserConflict``) and nothing is saved, so no one's change is silently overwritten.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import bump_data_version
from db.models import AppUser, Organization, OrgKind, Role
from db.scope import Scope, scoped
from services import audit, permissions
from services.formatting import fmt
from services.permissions import ROLE_ORG_KINDS

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

ROLE_LABELS = {
    Role.admin: "An administrator",
    Role.partnership_officer: "A partnership officer",
    Role.hr_manager: "An HR manager",
    Role.viewer: "A viewer",
}
KIND_LABELS = {OrgKind.university: "a university", OrgKind.employer: "an employer"}


class UserError(ValueError):
    """A user change that was refused, with a message for the person who asked."""


class UserConflict(UserError):
    """Another administrator changed the user after it was shown: nothing was saved. ``role`` and
    ``is_active`` are the user's now; ``changed_by``/``changed_at`` name the other change when the
    audit trail has it."""

    def __init__(self, message: str, *, role: str, is_active: bool, changed_by: str | None = None,
                 changed_at: datetime | None = None):
        super().__init__(message)
        self.role, self.is_active = role, is_active
        self.changed_by, self.changed_at = changed_by, changed_at


def list_users(session: Session, scope: Scope) -> pd.DataFrame:
    rows = session.exec(
        scoped(
            select(AppUser.id, AppUser.email, AppUser.display_name, AppUser.role, Organization.name,
                   AppUser.is_active, AppUser.last_login_at)
            .join(Organization, Organization.id == AppUser.organization_id)
            .order_by(Organization.name, AppUser.email),
            scope, AppUser,
        )
    ).all()
    return pd.DataFrame(rows, columns=["id", "email", "name", "role", "organization", "active", "last_login"])


def _check(session: Session, role: str, organization_id: int) -> Organization:
    """The organisation, when ``role`` exists and fits its kind; UserError otherwise."""
    try:
        chosen_role = Role(role)
    except ValueError:
        raise UserError(f"Unknown role '{role}'.") from None
    org = session.get(Organization, organization_id)
    if org is None:
        raise UserError("Choose an existing organisation.")
    if not permissions.role_fits(chosen_role, OrgKind(org.kind)):
        kinds = " or ".join(KIND_LABELS[kind] for kind in sorted(ROLE_ORG_KINDS[chosen_role]))
        raise UserError(f"{ROLE_LABELS[chosen_role]} must belong to {kinds}.")
    return org


def add_user(
    session: Session, scope: Scope, *, email: str, display_name: str, role: str, organization_id: int
) -> AppUser:
    permissions.require_user_admin(scope)
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise UserError("Enter a valid email address.")
    if not display_name or len(display_name) > 200:
        raise UserError("Enter a name of 1 to 200 characters.")
    org = _check(session, role, organization_id)
    if session.exec(select(AppUser).where(AppUser.email == email)).first():
        raise UserError(f"A user with the email {email} already exists.")
    user = AppUser(email=email, display_name=display_name, role=role, organization_id=org.id)
    try:
        session.add(user)
        session.flush()
    except IntegrityError:  # another administrator added the same email since the check above
        session.rollback()
        raise UserError(f"A user with the email {email} already exists.") from None
    audit.record(session, actor_email=scope.email, action="user.add", entity="AppUser", entity_id=user.id,
                 organization_id=org.id, after={"email": email, "role": role, "organization": org.name})
    bump_data_version(session)
    session.commit()
    return user


def describe(role: str, is_active: bool) -> str:
    """'a viewer, active': how a user's role and access read in a sentence."""
    article_and_role = ROLE_LABELS.get(role, f"The role '{role}'")
    return f"{article_and_role[0].lower()}{article_and_role[1:]}, {'active' if is_active else 'deactivated'}"


def _conflict(session: Session, user: AppUser, expected_role: str, expected_active: bool) -> UserConflict:
    """What another administrator changed, read from the user's row and the audit trail as they are now."""
    event = audit.last_change(session, entity="AppUser", entity_id=user.id, action="user.update")
    now, shown = describe(user.role, user.is_active), describe(expected_role, expected_active)
    if event is None:
        who, when, changed_by, changed_at = "Someone", "", None, None
    else:
        who, changed_by, changed_at = event.actor_email, event.actor_email, event.occurred_at
        when = f" on {fmt(event.occurred_at, 'datetime')} (UTC)"
    return UserConflict(
        f"{who} changed {user.email}{when} after you opened it: it was {shown}, it is now {now}. "
        "Nothing was saved: check the user and choose again.",
        role=user.role, is_active=user.is_active, changed_by=changed_by, changed_at=changed_at)


def _current(session: Session, user_id: int) -> AppUser | None:
    """The user as stored now (not as this session last saw it)."""
    return session.exec(select(AppUser).where(AppUser.id == user_id).execution_options(populate_existing=True)).first()


def update_user(
    session: Session, scope: Scope, *, user_id: int, expected_role: str, expected_active: bool,
    role: str | None = None, is_active: bool | None = None,
) -> AppUser:
    """Change a user's role and/or access. ``expected_role``/``expected_active`` are what the administrator
    was shown: refused (UserConflict) when the user is no longer so."""
    permissions.require_user_admin(scope)
    expected_active = bool(expected_active)
    user = _current(session, user_id)
    if user is None:
        raise UserError("That user no longer exists.")
    if (user.role, user.is_active) != (expected_role, expected_active):
        raise _conflict(session, user, expected_role, expected_active)
    if permissions.locks_self_out(scope, user.id, role=role, is_active=is_active):
        raise UserError("You cannot deactivate yourself or remove your own admin role.")
    if role is not None:
        _check(session, role, user.organization_id)
    before = {"role": user.role, "is_active": user.is_active}
    after = {"role": before["role"] if role is None else role,
             "is_active": before["is_active"] if is_active is None else bool(is_active)}
    if after == before:
        return user
    # Conditional update: another administrator's change between the check above and this write makes
    # it match no row.
    result = session.execute(
        update(AppUser).where(AppUser.id == user.id, AppUser.role == expected_role,
                              AppUser.is_active == expected_active).values(**after)
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict(session, _current(session, user_id), expected_role, expected_active)
    audit.record(session, actor_email=scope.email, action="user.update", entity="AppUser", entity_id=user.id,
                 organization_id=user.organization_id, before=before, after=after)
    bump_data_version(session)
    session.commit()
    return _current(session, user_id)


def organizations(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    return list(session.exec(
        scoped(select(Organization.id, Organization.name, Organization.kind).order_by(Organization.name),
               scope, Organization)
    ).all())
