"""Summary tables: pre-aggregated enrollment events, kept exact by rebuilding the
rows of every employer whose enrollments or employees changed.

Call ``refresh(session, employer_ids)`` inside the transaction of any write that
adds, changes or removes enrollments or employees (imports, the seed, status
changes), before commit. ``refresh(session)`` rebuilds everything.
tests/db/test_summaries.py checks the tables against the raw rows after random writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, delete, func, insert, literal, select, union_all
from sqlmodel import Session

from db.models import (
    CompletionDaysSummary,
    Employee,
    Enrollment,
    EnrollmentMonthSummary,
    EnrollmentStatus,
    LearnerQuarterSummary,
)
from db.sqlfuncs import days_between, month_start, quarter_start

S = EnrollmentStatus
SUMMARY_TABLES = (EnrollmentMonthSummary, CompletionDaysSummary, LearnerQuarterSummary)


def _base(employer_ids: list[int] | None):
    stmt = (
        select()
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
    )
    return stmt if employer_ids is None else stmt.where(Employee.employer_id.in_(employer_ids))


def _keys():
    return [Employee.employer_id.label("employer_id"),
            func.coalesce(Employee.department_id, 0).label("department_id"),
            Enrollment.credential_id.label("credential_id")]


def refresh(session: Session, employer_ids: Iterable[int] | None = None) -> None:
    """Rebuild the summary rows of these employers (all employers when None)."""
    ids = None if employer_ids is None else sorted(set(employer_ids))
    if ids is not None and not ids:
        return
    for table in SUMMARY_TABLES:
        stmt = delete(table)
        if ids is not None:
            stmt = stmt.where(table.employer_id.in_(ids))
        session.execute(stmt)

    zero = literal(0)
    events = union_all(
        _base(ids).with_only_columns(
            *_keys(), month_start(Enrollment.enrolled_on).label("month"), literal(1).label("enrolled"),
            Enrollment.cost.label("spend"), zero.label("completed"), zero.label("failed"), zero.label("withdrawn")),
        _base(ids).where(Enrollment.status.in_([S.completed, S.failed]), Enrollment.completed_on.is_not(None))
        .with_only_columns(
            *_keys(), month_start(Enrollment.completed_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"),
            case((Enrollment.status == S.completed, 1), else_=0).label("completed"),
            case((Enrollment.status == S.failed, 1), else_=0).label("failed"), zero.label("withdrawn")),
        _base(ids).where(Enrollment.status == S.withdrawn, Enrollment.withdrawn_on.is_not(None))
        .with_only_columns(
            *_keys(), month_start(Enrollment.withdrawn_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"), zero.label("completed"), zero.label("failed"), literal(1).label("withdrawn")),
    ).subquery()
    group = [events.c.employer_id, events.c.department_id, events.c.credential_id, events.c.month]
    session.execute(insert(EnrollmentMonthSummary).from_select(
        ["employer_id", "department_id", "credential_id", "month", "enrolled", "spend",
         "completed", "failed", "withdrawn"],
        select(*group, func.sum(events.c.enrolled), func.sum(events.c.spend),
               func.sum(events.c.completed), func.sum(events.c.failed), func.sum(events.c.withdrawn))
        .group_by(*group),
    ))

    days = days_between(Enrollment.enrolled_on, Enrollment.completed_on)
    month = month_start(Enrollment.completed_on)
    k = _keys()
    session.execute(insert(CompletionDaysSummary).from_select(
        ["employer_id", "department_id", "credential_id", "month", "days", "completions"],
        _base(ids).where(Enrollment.status == S.completed, Enrollment.completed_on.is_not(None))
        .with_only_columns(*k, month, days, func.count())
        .group_by(k[0], k[1], k[2], month, days),
    ))

    quarter = quarter_start(Enrollment.enrolled_on)
    session.execute(insert(LearnerQuarterSummary).from_select(
        ["employer_id", "department_id", "quarter", "learners"],
        _base(ids).with_only_columns(k[0], k[1], quarter, func.count(func.distinct(Enrollment.employee_id)))
        .group_by(k[0], k[1], quarter),
    ))
