"""Permissions: who may do what. One module for the actions a role may take; which rows a user may
see stays in db/scope.py. Each section below holds the rules of one area and stands on its own."""

from __future__ import annotations

from db.models import OrgKind, Role
from db.scope import AccessDenied, Scope

# --- Imports ---

IMPORTING_ROLES = (Role.admin, Role.partnership_officer, Role.hr_manager)


def may_import(scope: Scope) -> bool:
    """Whether the user may import anything at all (viewers read only)."""
    return not scope.read_only and scope.role in IMPORTING_ROLES


def importable_sides(scope: Scope) -> tuple[str, ...]:
    """Whose data the user may import: the employer side its own people's records only; the university
    side and administrators also credentials. Empty when the user may not import."""
    if not may_import(scope):
        return ()
    if scope.is_employer_side:
        return ("employer",)
    return ("employer", "university")


def require_import(scope: Scope, side: str) -> None:
    """AccessDenied unless the user may import data of ``side`` ("employer" or "university")."""
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if scope.role not in IMPORTING_ROLES:
        raise AccessDenied("Only HR managers, partnership officers and administrators import data.")
    if side == "university" and scope.role == Role.hr_manager:
        raise AccessDenied("Only partnership officers and administrators import credentials.")


def import_university_id(scope: Scope, university_id: int | None) -> int | None:
    """The university a credentials import writes into: a partnership officer's own (another one is
    refused); an administrator's choice (None while not chosen)."""
    if scope.role == Role.partnership_officer:
        if university_id is not None and university_id != scope.organization_id:
            raise AccessDenied("That organisation is outside your access.")
        return scope.organization_id
    return university_id


def import_employer_id(scope: Scope, employer_id: int | None) -> int | None:
    """The employer an import writes into: an employer-side user's own unless another is chosen, a
    chosen one only within the user's write access (AccessDenied otherwise); None when the university
    side has not chosen one."""
    if employer_id is None:
        if not scope.is_employer_side:
            return None
        employer_id = scope.organization_id
    scope.require_employer(employer_id, write=True)
    return employer_id


def chooses_import_target(scope: Scope, side: str) -> bool:
    """Whether the user picks the organisation an import of ``side`` goes into (the others' is their own)."""
    if side == "employer":
        return not scope.is_employer_side
    return scope.sees_all


def may_create_cohorts_by_import(scope: Scope) -> bool:
    """Cohorts are the university side's: only it creates them from an enrollments file."""
    return not scope.is_employer_side


# --- User management ---

# A role only makes sense at one kind of organisation (admins and viewers at either).
ROLE_ORG_KINDS = {
    Role.admin: {OrgKind.university, OrgKind.employer},
    Role.partnership_officer: {OrgKind.university},
    Role.hr_manager: {OrgKind.employer},
    Role.viewer: {OrgKind.university, OrgKind.employer},
}


def require_user_admin(scope: Scope) -> None:
    """AccessDenied unless the user may manage users (administrators only)."""
    if not scope.sees_all:
        raise AccessDenied("Only administrators manage users.")


def role_fits(role: Role, org_kind: OrgKind) -> bool:
    """Whether a user of ``role`` may belong to an organisation of ``org_kind``."""
    return org_kind in ROLE_ORG_KINDS[role]


def locks_self_out(scope: Scope, user_id: int, *, role: str | None, is_active: bool | None) -> bool:
    """Whether a change would deactivate the administrator making it or take away their own admin
    role (refused, so an administrator cannot lock themself out)."""
    return user_id == scope.user_id and (is_active is False or bool(role and role != Role.admin))
