"""Erasure: one person's name, email, HRIS id and free text replaced by a pseudonym, their records kept.

What changes (``pseudonymise``):
- Employee: ``full_name`` → "Erased person 1A2B3C", ``employee_ref`` → "erased-1a2b3c…" (unique per employer,
  as the HRIS id must be), ``email``, ``job_title`` and ``location`` emptied (a title or an office can name one
  person in a small team), ``pseudonymised_on`` set.
- PDP goal titles (free text) → "Goal text erased".
- AuditEvent before/after JSON of the employer: the person's name, email and HRIS id wherever they appear
  (a goal's "employee_ref", a goal title about them), replaced by the pseudonym.
- AccessLogEntry.filters of the employer (a search typed on a list may hold the name): the same.
What stays: every id, date, status, score, level, rating and department, so figures over past periods (and
the summary tables, which hold only ids and counts) do not change; the access log's list of who saw the
person (by employee id); the link to their manager.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import AccessLogEntry, AppUser, AuditEvent, Employee, Pdp, PdpGoal
from db.scope import Scope
from services import audit
from services.formatting import fmt
from services.people.export import about_person, goal_ids
from services.people.finding import person

GOAL_TITLE = "Goal text erased"
# HRIS ids shorter than this are replaced in free text only where a JSON key names them ("employee_ref"):
# "1" or "42" inside a filter description is not a person.
MIN_REF_IN_TEXT = 4


class EraseRefused(ValueError):
    """The confirmation did not match, or the person was erased already: nothing changed."""


@dataclass(frozen=True)
class Erased:
    employee_id: int
    pseudonym: str  # the new full name
    pseudonym_ref: str  # the new HRIS id
    goals: int  # goal titles erased
    audit_events: int  # events whose before/after were rewritten
    access_entries: int  # access-log filter texts rewritten
    app_account_kept: bool  # an app user has this person's email: an admin removes it on the Users page


@dataclass(frozen=True)
class _Identity:
    name: str
    email: str | None
    ref: str
    pseudonym: str
    pseudonym_ref: str

    def replace(self, text: str) -> str:
        """``text`` with the name, email and (long) HRIS id replaced, in any case."""
        for old, new in ((self.email, self.pseudonym_ref), (self.name, self.pseudonym)):
            if old and old.strip():
                text = re.sub(rf"(?<!\w){re.escape(old.strip())}(?!\w)", new, text, flags=re.IGNORECASE)
        if len(self.ref) >= MIN_REF_IN_TEXT:
            text = re.sub(rf"(?<![\w-]){re.escape(self.ref)}(?![\w-])", self.pseudonym_ref, text)
        return text

    def scrub(self, value, *, key: str = "", goal: bool = False):
        """A JSON value with the person's identifiers (and, in an event about their goals, its title) replaced."""
        if isinstance(value, dict):
            return {name: self.scrub(item, key=name, goal=goal) for name, item in value.items()}
        if isinstance(value, list):
            return [self.scrub(item, key=key, goal=goal) for item in value]
        if not isinstance(value, str):
            return value
        if goal and key == "title":
            return GOAL_TITLE
        if key == "employee_ref" and value.strip() == self.ref:
            return self.pseudonym_ref
        return self.replace(value)


def _new_pseudonym(session: Session, employer_id: int) -> tuple[str, str]:
    while True:
        token = secrets.token_hex(8)
        ref = f"erased-{token}"
        taken = session.scalar(select(Employee.id).where(Employee.employer_id == employer_id,
                                                         Employee.employee_ref == ref))
        if taken is None:
            return f"Erased person {token[:6].upper()}", ref


def _rewrite(text: str | None, identity: _Identity, *, goal: bool) -> str | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return identity.replace(text)
    return json.dumps(identity.scrub(value, goal=goal), default=str, sort_keys=True)


def _mentions(column, identity: _Identity):
    needles = [needle for needle in (identity.name, identity.email, identity.ref) if needle]
    return or_(*(func.lower(column).like(f"%{needle.lower()}%") for needle in needles))


def _scrub_audit(session: Session, employee: Employee, identity: _Identity) -> int:
    goals = list(session.scalars(goal_ids(employee.id)))
    events = session.scalars(select(AuditEvent).where(
        or_(about_person(employee.id, goals),
            (AuditEvent.organization_id == employee.employer_id)
            & or_(_mentions(AuditEvent.before, identity), _mentions(AuditEvent.after, identity))))).all()
    changed = 0
    for event in events:
        goal = event.entity == "PdpGoal" and event.entity_id in goals
        before, after = _rewrite(event.before, identity, goal=goal), _rewrite(event.after, identity, goal=goal)
        if (before, after) != (event.before, event.after):
            event.before, event.after = before, after
            changed += 1
    return changed


def _scrub_access_log(session: Session, employee: Employee, identity: _Identity) -> int:
    entries = session.scalars(select(AccessLogEntry).where(AccessLogEntry.employer_id == employee.employer_id,
                                                           _mentions(AccessLogEntry.filters, identity))).all()
    changed = 0
    for entry in entries:
        filters = identity.replace(entry.filters)
        if filters != entry.filters:
            entry.filters = filters
            changed += 1
    return changed


def pseudonymise(session: Session, employee: Employee, *, actor: str, reason: str, today: date) -> Erased:
    """Replace ``employee``'s identifying data by a pseudonym and audit it (without the erased data).
    In the caller's transaction: the caller commits. Access is the caller's check."""
    pseudonym, pseudonym_ref = _new_pseudonym(session, employee.employer_id)
    identity = _Identity(employee.full_name, employee.email, employee.employee_ref, pseudonym, pseudonym_ref)
    app_account = bool(employee.email) and session.scalar(
        select(AppUser.id).where(func.lower(AppUser.email) == employee.email.strip().lower())) is not None
    events = _scrub_audit(session, employee, identity)
    entries = _scrub_access_log(session, employee, identity)
    goals = session.execute(update(PdpGoal).where(
        PdpGoal.pdp_id.in_(select(Pdp.id).where(Pdp.employee_id == employee.id)))
        .values(title=GOAL_TITLE)).rowcount
    employee.full_name, employee.employee_ref = pseudonym, pseudonym_ref
    employee.email = employee.job_title = employee.location = None
    employee.pseudonymised_on = today
    session.add(employee)
    audit.record(session, actor_email=actor, action="person.pseudonymise", entity="Employee", entity_id=employee.id,
                 organization_id=employee.employer_id,
                 after={"reason": reason, "pseudonym": pseudonym, "employee_ref": pseudonym_ref,
                        "pseudonymised_on": today, "goal_titles": goals})
    return Erased(employee.id, pseudonym, pseudonym_ref, goals, events, entries, app_account)


def erase(session: Session, scope: Scope, *, employee_id: int, confirm_ref: str, today: date) -> Erased:
    """Erase one person on request, once ``confirm_ref`` repeats their HRIS id; commit.
    AccessDenied for anyone but the person's employer's HR managers and admins; EraseRefused otherwise."""
    employee = person(session, scope, employee_id=employee_id, erase=True)
    if employee.pseudonymised_on is not None:
        raise EraseRefused(f"This person was pseudonymised on {fmt(employee.pseudonymised_on, 'date')}; "
                           "there is nothing left to erase.")
    if (confirm_ref or "").strip() != employee.employee_ref:
        raise EraseRefused("Type the person's HRIS id exactly to confirm. Nothing was changed.")
    erased = pseudonymise(session, employee, actor=scope.email, reason="erasure request", today=today)
    bump_data_version(session)
    session.commit()
    return erased
