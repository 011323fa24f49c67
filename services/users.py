"""User management (admins): list, add, change role, activate or deactivate."""

from __future__ import annotations

import re

import pandas as pd
from sqlmodel import Session, select

from db.engine import bump_data_version
from db.models import AppUser, Organization, OrgKind, Role
from db.scope import Scope, scoped
from services import audit, permissions
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
    session.add(user)
    session.flush()
    audit.record(session, actor_email=scope.email, action="user.add", entity="AppUser", entity_id=user.id,
                 organization_id=org.id, after={"email": email, "role": role, "organization": org.name})
    bump_data_version(session)
    session.commit()
    return user


def update_user(
    session: Session, scope: Scope, *, user_id: int, role: str | None = None, is_active: bool | None = None
) -> AppUser:
    permissions.require_user_admin(scope)
    user = session.get(AppUser, user_id)
    if user is None:
        raise UserError("That user no longer exists.")
    if permissions.locks_self_out(scope, user.id, role=role, is_active=is_active):
        raise UserError("You cannot deactivate yourself or remove your own admin role.")
    before = {"role": user.role, "is_active": user.is_active}
    if role is not None:
        _check(session, role, user.organization_id)
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    after = {"role": user.role, "is_active": user.is_active}
    if after == before:
        return user
    session.add(user)
    audit.record(session, actor_email=scope.email, action="user.update", entity="AppUser", entity_id=user.id,
                 organization_id=user.organization_id, before=before, after=after)
    bump_data_version(session)
    session.commit()
    return user


def organizations(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    return list(session.exec(
        scoped(select(Organization.id, Organization.name, Organization.kind).order_by(Organization.name),
               scope, Organization)
    ).all())
