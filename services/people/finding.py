"""Finding the one person a request is about: by employer and HRIS id (the command line) or by a search
of HRIS ids and names (the People page), always within the user's scope."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlmodel import Session

from db.models import Employee, Organization, OrgKind
from db.scope import AccessDenied, Scope, answers_person_requests, require_person_rights, visible


class PersonNotFound(LookupError):
    """No such employer or person (or not one the user may see): the message says which."""


def employer_by_code(session: Session, *, code: str) -> Organization:
    """The employer whose code or name is ``code`` (any case)."""
    key = (code or "").strip().lower()
    employer = session.scalars(select(Organization).where(
        Organization.kind == OrgKind.employer,
        or_(func.lower(Organization.code) == key, func.lower(Organization.name) == key))).first()
    if not key or employer is None:
        raise PersonNotFound(f"No employer with code or name '{code}'.")
    return employer


def person(session: Session, scope: Scope, *, employee_id: int, erase: bool = False) -> Employee:
    """The employee ``employee_id`` if ``scope`` may answer their requests (AccessDenied otherwise)."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise PersonNotFound("That person does not exist.")
    require_person_rights(scope, employee.employer_id, erase=erase)
    return employee


def person_by_ref(session: Session, scope: Scope, *, employer_code: str, employee_ref: str,
                  erase: bool = False) -> Employee:
    """The employer's person with HRIS id ``employee_ref`` (exact, as the employer's system writes it)."""
    employer = employer_by_code(session, code=employer_code)
    require_person_rights(scope, employer.id, erase=erase)
    employee_id = session.scalars(select(Employee.id).where(
        Employee.employer_id == employer.id, Employee.employee_ref == (employee_ref or "").strip())).first()
    if employee_id is None:
        raise PersonNotFound(f"{employer.name} has nobody with HRIS id '{employee_ref}'.")
    return person(session, scope, employee_id=employee_id, erase=erase)


def search(session: Session, scope: Scope, *, text: str, limit: int = 50) -> list[tuple[int, str]]:
    """(employee id, "Name (HRIS id) · Employer") of the people in scope whose HRIS id or name contains
    ``text``; exact HRIS ids first. Nothing for an empty search or a user who answers no requests."""
    if not answers_person_requests(scope):
        return []
    return search_visible(session, scope, text=text, limit=limit)


def search_visible(session: Session, scope: Scope, *, text: str, limit: int = 50) -> list[tuple[int, str]]:
    """As ``search``, for everyone the user may see by name (the Person page: officers too, for their
    partners' people)."""
    wanted = (text or "").strip().lower()
    if not wanted:
        return []
    like = f"%{wanted.replace('%', '').replace('_', '')}%"
    exact = func.lower(Employee.employee_ref) == wanted
    rows = session.execute(
        select(Employee.id, Employee.full_name, Employee.employee_ref, Organization.name)
        .join(Organization, Organization.id == Employee.employer_id)
        .where(visible(scope, Employee), or_(exact, func.lower(Employee.full_name).like(like),
                                             func.lower(Employee.employee_ref).like(like)))
        .order_by(exact.desc(), Employee.full_name, Employee.id).limit(limit)).all()
    return [(employee_id, f"{name} ({ref}) · {employer}") for employee_id, name, ref, employer in rows]


__all__ = ["AccessDenied", "PersonNotFound", "employer_by_code", "person", "person_by_ref", "search",
           "search_visible"]
