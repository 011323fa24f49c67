"""The summaries built from enrollments (and their outcome surveys): what each holds, as a SELECT.

Each ``*_select(rows, *conditions)`` gives the rows of one table for ``rows``' people, narrowed by
extra conditions on Enrollment (some enrollments, or a span of days): a full rebuild inserts it,
an incremental refresh adds the difference it makes (db/summaries/incremental.py).
"""

from __future__ import annotations

from sqlalchemy import case, func, insert, literal, select, union_all
from sqlmodel import Session

from db.models import (
    CompletionDaysSummary,
    Enrollment,
    EnrollmentMonthSummary,
    EnrollmentStatus,
    FirstCompletion,
    LearnerQuarterSummary,
    OutcomeMonthSummary,
    OutcomeSurvey,
    SurveyedQuarterSummary,
)
from db.sqlfuncs import days_between, month_start, quarter_start
from db.summaries.rows import Rows, base, keys

MONTH_COLUMNS = ["employer_id", "department_id", "credential_id", "month", "enrolled", "spend", "completed",
                 "failed", "withdrawn"]
DAYS_COLUMNS = ["employer_id", "department_id", "credential_id", "month", "days", "completions"]
LEARNER_COLUMNS = ["employer_id", "department_id", "quarter", "learners"]
FIRST_COLUMNS = ["employee_id", "employer_id", "department_id", "completed_on"]
SURVEYED_COLUMNS = ["employer_id", "department_id", "quarter", "people"]
OUTCOME_COLUMNS = ["employer_id", "department_id", "credential_id", "month", "surveys", "performance_change",
                   "satisfaction_change"]
_FINISHED = (Enrollment.status.in_([EnrollmentStatus.completed, EnrollmentStatus.failed]),
             Enrollment.completed_on.is_not(None))
_COMPLETED = (Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None))


def month_select(rows: Rows, *conditions):
    """Enrollment events per month: enrolled (and spend), completed, failed, withdrawn."""
    zero = literal(0)
    events = union_all(
        base(rows).where(*conditions).with_only_columns(
            *keys(), month_start(Enrollment.enrolled_on).label("month"), literal(1).label("enrolled"),
            Enrollment.cost.label("spend"), zero.label("completed"), zero.label("failed"), zero.label("withdrawn")),
        base(rows).where(*conditions, *_FINISHED).with_only_columns(
            *keys(), month_start(Enrollment.completed_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"),
            case((Enrollment.status == EnrollmentStatus.completed, 1), else_=0).label("completed"),
            case((Enrollment.status == EnrollmentStatus.failed, 1), else_=0).label("failed"), zero.label("withdrawn")),
        base(rows).where(*conditions, Enrollment.status == EnrollmentStatus.withdrawn,
                         Enrollment.withdrawn_on.is_not(None)).with_only_columns(
            *keys(), month_start(Enrollment.withdrawn_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"), zero.label("completed"), zero.label("failed"), literal(1).label("withdrawn")),
    ).subquery()
    group = [events.c.employer_id, events.c.department_id, events.c.credential_id, events.c.month]
    return select(*group, func.sum(events.c.enrolled), func.sum(events.c.spend), func.sum(events.c.completed),
                  func.sum(events.c.failed), func.sum(events.c.withdrawn)).group_by(*group)


def days_select(rows: Rows, *conditions):
    """Completions per number of days from enrolling to completing."""
    days = days_between(Enrollment.enrolled_on, Enrollment.completed_on)
    month = month_start(Enrollment.completed_on)
    k = keys()
    return (base(rows).where(*conditions, *_COMPLETED).with_only_columns(*k, month, days, func.count())
            .group_by(k[0], k[1], k[2], month, days))


def learner_select(rows: Rows, *conditions):
    """Distinct people who started an enrollment, per quarter."""
    quarter = quarter_start(Enrollment.enrolled_on)
    k = keys()
    return (base(rows).where(*conditions)
            .with_only_columns(k[0], k[1], quarter, func.count(func.distinct(Enrollment.employee_id)))
            .group_by(k[0], k[1], quarter))


def first_select(rows: Rows, *conditions):
    """Each person's first completion."""
    k = keys()
    return (base(rows).where(*conditions, *_COMPLETED)
            .with_only_columns(Enrollment.employee_id, k[0], k[1], func.min(Enrollment.completed_on))
            .group_by(Enrollment.employee_id, k[0], k[1]))


def outcome_select(rows: Rows, *conditions):
    """Outcome surveys of completed enrollments, per completion month: how many, summed changes."""
    k = keys()
    month = month_start(Enrollment.completed_on)
    return (base(rows).join(OutcomeSurvey, OutcomeSurvey.enrollment_id == Enrollment.id)
            .where(*conditions, *_COMPLETED)
            .with_only_columns(*k, month, func.count(),
                               func.sum(OutcomeSurvey.performance_after - OutcomeSurvey.performance_before),
                               func.sum(OutcomeSurvey.satisfaction_after - OutcomeSurvey.satisfaction_before))
            .group_by(k[0], k[1], k[2], month))


def surveyed_select(rows: Rows, *conditions):
    """Distinct people with an outcome survey of an enrollment completed in each quarter."""
    k = keys()
    quarter = quarter_start(Enrollment.completed_on)
    return (base(rows).join(OutcomeSurvey, OutcomeSurvey.enrollment_id == Enrollment.id)
            .where(*conditions, *_COMPLETED)
            .with_only_columns(k[0], k[1], quarter, func.count(func.distinct(Enrollment.employee_id)))
            .group_by(k[0], k[1], quarter))


def build_enrollments(session: Session, rows: Rows) -> None:
    for table, columns, select_ in ((EnrollmentMonthSummary, MONTH_COLUMNS, month_select),
                                    (CompletionDaysSummary, DAYS_COLUMNS, days_select),
                                    (LearnerQuarterSummary, LEARNER_COLUMNS, learner_select),
                                    (FirstCompletion, FIRST_COLUMNS, first_select)):
        session.execute(insert(table).from_select(columns, select_(rows)))


def build_outcomes(session: Session, rows: Rows) -> None:
    session.execute(insert(OutcomeMonthSummary).from_select(OUTCOME_COLUMNS, outcome_select(rows)))
    session.execute(insert(SurveyedQuarterSummary).from_select(SURVEYED_COLUMNS, surveyed_select(rows)))
