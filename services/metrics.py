"""The metrics layer: every figure the product shows, computed by SQL aggregation
through the access scope. Definitions live in docs/metrics.md; keep both in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from db.models import (
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    Organization,
    Partnership,
)
from db.scope import Scope, scoped, visible

ACTIVE_STATUSES = (EnrollmentStatus.enrolled.value, EnrollmentStatus.in_progress.value)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. A filter narrows the scope, never widens it."""

    employer_ids: frozenset[int] | None = None


def employed_on(day: date):
    """Employees on the payroll on ``day`` (hired on or before, not yet left)."""
    return and_(Employee.hired_on <= day, or_(Employee.left_on.is_(None), Employee.left_on > day))


def _completed_by(day: date):
    return and_(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on <= day)


def _employer_filter(scope: Scope, filters: Filters):
    ids = scope.employers(filters.employer_ids)
    return Employee.employer_id.in_(sorted(ids)) if ids is not None else None


@dataclass(frozen=True)
class Headline:
    headcount: int
    enrollments: int
    completions: int
    active_learners: int
    employers: int


def headline(session: Session, scope: Scope, *, today: date, filters: Filters = Filters()) -> Headline:
    """The four headline figures of the overview, for everything in scope up to ``today``."""
    emp_where = [visible(scope, Employee)]
    if (f := _employer_filter(scope, filters)) is not None:
        emp_where.append(f)

    headcount, employers = session.exec(
        select(
            func.count(Employee.id).filter(employed_on(today)),
            func.count(func.distinct(Employee.employer_id)),
        ).where(*emp_where)
    ).one()

    enr = session.exec(
        select(
            func.count(Enrollment.id),
            func.count(Enrollment.id).filter(_completed_by(today)),
            func.count(func.distinct(Enrollment.employee_id)).filter(Enrollment.status.in_(ACTIVE_STATUSES)),
        )
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*emp_where, Enrollment.enrolled_on <= today)
    ).one()
    return Headline(
        headcount=headcount or 0,
        enrollments=enr[0] or 0,
        completions=enr[1] or 0,
        active_learners=enr[2] or 0,
        employers=employers or 0,
    )


def _per_group(session: Session, scope: Scope, group_cols, join_group, *, today: date, filters: Filters):
    """Headcount and enrollment counts per group, both aggregated in the database."""
    emp_where = [visible(scope, Employee)]
    if (f := _employer_filter(scope, filters)) is not None:
        emp_where.append(f)
    people = (
        select(*group_cols, func.count(Employee.id).filter(employed_on(today)).label("headcount"))
        .select_from(Employee)
    )
    people = join_group(people).where(*emp_where).group_by(*group_cols)
    learning = (
        select(
            *group_cols,
            func.count(Enrollment.id).label("enrollments"),
            func.count(Enrollment.id).filter(_completed_by(today)).label("completions"),
            func.count(func.distinct(Enrollment.employee_id))
            .filter(Enrollment.status.in_(ACTIVE_STATUSES))
            .label("active_learners"),
        )
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
    )
    learning = join_group(learning).where(*emp_where, Enrollment.enrolled_on <= today).group_by(*group_cols)
    keys = [c.key for c in group_cols]
    a = pd.DataFrame(session.exec(people).all(), columns=[*keys, "headcount"])
    b = pd.DataFrame(session.exec(learning).all(), columns=[*keys, "enrollments", "completions", "active_learners"])
    out = a.merge(b, on=keys, how="left").fillna({"enrollments": 0, "completions": 0, "active_learners": 0})
    for col in ("headcount", "enrollments", "completions", "active_learners"):
        out[col] = out[col].astype("int64")
    return out


def by_employer(session: Session, scope: Scope, *, today: date, filters: Filters = Filters()) -> pd.DataFrame:
    """One row per employer in scope: partnership status, headcount, enrollments, completions, active learners."""
    cols = [Organization.name.label("employer"), Organization.sector.label("sector")]
    out = _per_group(
        session, scope, cols,
        lambda s: s.join(Organization, Organization.id == Employee.employer_id),
        today=today, filters=filters,
    )
    status = pd.DataFrame(
        session.exec(
            scoped(
                select(Organization.name, func.max(Partnership.status))
                .join(Partnership, Partnership.employer_id == Organization.id)
                .group_by(Organization.name),
                scope, Partnership,
            )
        ).all(),
        columns=["employer", "partnership"],
    )
    out = out.merge(status, on="employer", how="left")
    return out.sort_values("headcount", ascending=False, ignore_index=True)


def by_department(session: Session, scope: Scope, *, today: date, filters: Filters = Filters()) -> pd.DataFrame:
    """One row per department in scope (employer, department, and the same counts)."""
    cols = [Organization.name.label("employer"), Department.name.label("department")]
    out = _per_group(
        session, scope, cols,
        lambda s: s.join(Organization, Organization.id == Employee.employer_id).outerjoin(
            Department, Department.id == Employee.department_id
        ),
        today=today, filters=filters,
    )
    out["department"] = out["department"].fillna("(no department)")
    return out.sort_values(["employer", "headcount"], ascending=[True, False], ignore_index=True)
