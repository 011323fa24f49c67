"""Reading the access log, and describing a view in words for it.

services/access_log.py writes the log (one entry per employer whose people a view showed); this module reads
it for the Privacy page and its download: newest first, narrowed by a date range and a person, each entry with
the people it showed. Rows come through ``visible``: admins read every entry, an HR manager those about their
own employer's people, nobody else any (db/scope.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

import pandas as pd
from sqlalchemy import func, or_, select
from sqlmodel import Session

from db.models import AccessLogEntry, AccessLogSubject, Cohort, Credential, Department, Employee, Organization
from db.scope import Scope, visible
from services.filters import Filters, resolve_period
from services.formatting import fmt, label

COLUMNS = ["occurred_at", "actor_email", "actor_role", "employer", "view", "filters", "rows", "people_shown"]
MAX_EXPORT_ROWS = 100_000


def _names(session: Session, column, name, ids: frozenset[int] | None) -> str | None:
    if ids is None:
        return None
    found = session.scalars(select(name).where(column.in_(sorted(ids))).order_by(name)).all()
    return ", ".join(found) or "none"


def describe_view(session: Session, filters: Filters, *, today: date, statuses: Iterable[str] | None = None,
                  states: Iterable[str] | None = None, search: str = "", page: int | None = None,
                  as_of: bool = False) -> str:
    """The selection a list showed, in words for the access log: period, the filters chosen, the search, the page.
    ``as_of``: the list is of today's state whatever the period (PDP goals), so the day is named instead."""
    period = resolve_period(filters, today)
    parts = [f"As of {fmt(today, 'date')}" if as_of else
             f"Period {period.label or 'chosen'} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})"]
    for heading, column, name, ids in (
        ("employers", Organization.id, Organization.name, filters.employer_ids),
        ("departments", Department.id, Department.name, filters.department_ids),
        ("credentials", Credential.id, Credential.code, filters.credential_ids),
        ("cohorts", Cohort.id, Cohort.code, filters.cohort_ids),
    ):
        names = _names(session, column, name, ids)
        if names is not None:
            parts.append(f"{heading} {names}")
    if statuses:
        parts.append(f"status {', '.join(label(status) for status in sorted(statuses))}")
    if states:
        parts.append(f"goal state {', '.join(label(state) for state in sorted(states))}")
    if search.strip():
        parts.append(f"search “{search.strip()}”")
    if page is not None:
        parts.append(f"page {fmt(page)}")
    return "; ".join(parts)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _matching(scope: Scope, since: date | None, until: date | None, person: str):
    stmt = select(AccessLogEntry).where(visible(scope, AccessLogEntry))
    if since is not None:
        stmt = stmt.where(AccessLogEntry.occurred_at >= _start_of(since))
    if until is not None:
        stmt = stmt.where(AccessLogEntry.occurred_at < _start_of(until + timedelta(days=1)))
    if person.strip():
        like = f"%{person.strip().lower()}%"
        people = select(AccessLogSubject.entry_id).join(Employee, Employee.id == AccessLogSubject.employee_id).where(
            visible(scope, Employee),
            or_(func.lower(Employee.full_name).like(like), func.lower(Employee.employee_ref).like(like)))
        stmt = stmt.where(AccessLogEntry.id.in_(people))
    return stmt


def _people(session: Session, scope: Scope, entry_ids: list[int]) -> dict[int, list[str]]:
    """Each entry's people, "Name (employee id)", in name order."""
    people: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(entry_ids), 1000):
        rows = session.execute(
            select(AccessLogSubject.entry_id, Employee.full_name, Employee.employee_ref)
            .join(Employee, Employee.id == AccessLogSubject.employee_id)
            .where(AccessLogSubject.entry_id.in_(entry_ids[start:start + 1000]), visible(scope, AccessLogSubject))
            .order_by(Employee.full_name, Employee.employee_ref)
        ).all()
        for entry_id, name, ref in rows:
            people[entry_id].append(f"{name} ({ref})")
    return people


def entry_count(session: Session, scope: Scope, *, since: date | None = None, until: date | None = None,
                person: str = "") -> int:
    stmt = _matching(scope, since, until, person)
    return int(session.execute(stmt.with_only_columns(func.count(AccessLogEntry.id))).scalar_one())


def entries(session: Session, scope: Scope, *, since: date | None = None, until: date | None = None,
            person: str = "", limit: int = 50, offset: int = 0) -> tuple[int, pd.DataFrame]:
    """(how many match, one page of) access-log entries the user may read, newest first. ``person`` finds the
    entries that showed someone whose name or employee id contains it; ``since``/``until`` are days (UTC)."""
    stmt = _matching(scope, since, until, person)
    total = entry_count(session, scope, since=since, until=until, person=person)
    rows = session.execute(
        stmt.with_only_columns(AccessLogEntry.id, AccessLogEntry.occurred_at, AccessLogEntry.actor_email,
                               AccessLogEntry.actor_role, Organization.name, AccessLogEntry.view,
                               AccessLogEntry.filters, AccessLogEntry.rows)
        .join(Organization, Organization.id == AccessLogEntry.employer_id)
        .order_by(AccessLogEntry.occurred_at.desc(), AccessLogEntry.id.desc())
        .limit(limit).offset(offset)
    ).all()
    people = _people(session, scope, [row[0] for row in rows])
    frame = pd.DataFrame([(*row[1:], "; ".join(people.get(row[0], []))) for row in rows], columns=COLUMNS)
    return total, frame
