"""The access log: every individual-level view or download (learner lists, PDP goals, badges, a person's
page or export) is recorded with who, when, which filters and the people it showed.

One entry per employer whose people were shown, so an HR manager reads exactly the entries about their
own employer's people (db/scope.py: admins read all, nobody else any). Reading goes through ``visible``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from db.models import AccessLogEntry, AccessLogSubject, Employee
from db.scope import Scope, visible


def record(session: Session, scope: Scope, *, view: str, filters: str, people: Iterable[int]) -> list[AccessLogEntry]:
    """Log that ``scope``'s user was shown the records of ``people`` (employee ids) in ``view``.

    ``filters`` is the readable description of the selection (period, departments, credentials). Nothing
    is logged when nobody was shown. The caller commits (with the view's other writes, if any).
    """
    wanted = sorted(set(people))
    if not wanted:
        return []
    by_employer: dict[int, list[int]] = defaultdict(list)
    for employee_id, employer_id in session.execute(
            select(Employee.id, Employee.employer_id).where(Employee.id.in_(wanted))).all():
        by_employer[employer_id].append(employee_id)
    entries = []
    for employer_id, employee_ids in sorted(by_employer.items()):
        entry = AccessLogEntry(actor_email=scope.email, actor_role=str(scope.role), employer_id=employer_id,
                               view=view, filters=filters, rows=len(employee_ids))
        session.add(entry)
        session.flush()
        session.execute(insert(AccessLogSubject), [{"entry_id": entry.id, "employee_id": employee_id}
                                                   for employee_id in employee_ids])
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class AccessRecord:
    occurred_at: datetime
    actor_email: str
    actor_role: str
    view: str
    filters: str
    rows: int


def entries_about(session: Session, scope: Scope, *, employee_id: int) -> list[AccessRecord]:
    """The entries (visible to ``scope``) that showed this person, newest first."""
    stmt = (select(AccessLogEntry).join(AccessLogSubject, AccessLogSubject.entry_id == AccessLogEntry.id)
            .where(AccessLogSubject.employee_id == employee_id, visible(scope, AccessLogEntry))
            .order_by(AccessLogEntry.occurred_at.desc(), AccessLogEntry.id.desc()))
    return [AccessRecord(e.occurred_at, e.actor_email, e.actor_role, e.view, e.filters, e.rows)
            for e in session.scalars(stmt)]
