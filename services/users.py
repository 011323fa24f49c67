"""User management (admins): list, add, change role, activate or deactivate."""

from __future__ import annotations

import re

import pandas as pd
from sqlmodel import Session, select

from db.engine import bump_data_version
from db.models import AppUser, Organization, OrgKind, Role
from db.scope import AccessDenied, Scope, scoped
from services import audit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# A role only makes sense at one kind of organisation (admins and viewers at either).
ROLE_ORG_KINDS = {
    Role.admin: {OrgKind.university, OrgKind.employer},
    Role.partnership_officer: {OrgKind.university},
    Role.hr_manager: {OrgKind.employer},
    Role.viewer: {OrgKind.university, OrgKind.employer},
}
ROLE_LABELS = {
    Role.admin: "An administrator",
    Role.partnership_officer: "A partnership officer",
    Role.hr_manager: "An HR manager",
    Role.viewer: "A viewer",
}
KIND_LABELS = {OrgKind.university: "a university", OrgKind.employer: "an employer"}


class UserError(ValueError):
    """A user change that was refused, with a message for the person who asked."""


def _require_admin(scope: Scope) -> None:
    if not scope.sees_all:
        raise AccessDenied("Only administrators manage users.")


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
    try:
        role_e = Role(role)
    except ValueError:
        raise UserError(f"Unknown role '{role}'.") from None
    org = session.get(Organization, organization_id)
    if org is None:
        raise UserError("Choose an existing organisation.")
    if OrgKind(org.kind) not in ROLE_ORG_KINDS[role_e]:
        kinds = " or ".join(KIND_LABELS[k] for k in sorted(ROLE_ORG_KINDS[role_e]))
        raise UserError(f"{ROLE_LABELS[role_e]} must belong to {kinds}.")
    return org


def add_user(
    session: Session, scope: Scope, *, email: str, display_name: str, role: str, organization_id: int
) -> AppUser:
    _require_admin(scope)
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
    _require_admin(scope)
    user = session.get(AppUser, user_id)
    if user is None:
        raise UserError("That user no longer exists.")
    if user.id == scope.user_id and (is_active is False or (role and role != Role.admin)):
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
