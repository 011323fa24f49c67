"""Outcomes at work, retention and budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from db.models import (
    Employee,
    Enrollment,
    EnrollmentStatus,
    FirstCompletion,
    OutcomeMonthSummary,
    OutcomeSurvey,
    Partnership,
)
from db.scope import Scope, scoped
from services.filters import (
    Filters,
    people_conditions,
    requested_employers,
    resolve_period,
    scoped_enrollments,
    summary_conditions,
)
from services.metrics.counts import employed_on, grouped_counts, rate
from services.metrics.definitions import MIN_GROUP
from services.metrics.paths import is_raw_only, uses_summaries


@dataclass(frozen=True)
class OutcomeChange:
    n: int
    performance_change: float | None
    satisfaction_change: float | None


def outcome_change(session: Session, scope: Scope, filters: Filters, *, today: date) -> OutcomeChange:
    """Mean after-minus-before ratings among completers surveyed about enrollments completed in the period."""
    period = resolve_period(filters, today)
    if uses_summaries(filters, period, "credential"):
        monthly_surveys = OutcomeMonthSummary
        n, perf, sat = session.execute(
            select(func.sum(monthly_surveys.surveys), func.sum(monthly_surveys.performance_change),
                   func.sum(monthly_surveys.satisfaction_change))
            .where(*summary_conditions(scope, filters, monthly_surveys),
                   monthly_surveys.month.in_(period.month_starts()))  # see counts._summary_days
        ).one()
        n = int(n or 0)
        if n < MIN_GROUP:
            return OutcomeChange(n, None, None)
        return OutcomeChange(n, float(perf) / n, float(sat) / n)
    stmt = (
        scoped_enrollments(
            scope, filters, func.count(OutcomeSurvey.id),
            func.avg(OutcomeSurvey.performance_after - OutcomeSurvey.performance_before),
            func.avg(OutcomeSurvey.satisfaction_after - OutcomeSurvey.satisfaction_before),
        )
        .join(OutcomeSurvey, OutcomeSurvey.enrollment_id == Enrollment.id)
        .where(Enrollment.status == EnrollmentStatus.completed,
               Enrollment.completed_on.between(period.start, period.end))
    )
    n, perf, sat = session.execute(stmt).one()
    n = int(n or 0)
    if n < MIN_GROUP:
        return OutcomeChange(n, None, None)
    return OutcomeChange(n, float(perf), float(sat))


@dataclass(frozen=True)
class Retention:
    reference_day: date
    completers: int
    completers_retained: int
    others: int
    others_retained: int

    @property
    def completer_rate(self) -> float | None:
        return None if self.completers < MIN_GROUP else rate(self.completers_retained, self.completers)

    @property
    def other_rate(self) -> float | None:
        return None if self.others < MIN_GROUP else rate(self.others_retained, self.others)


def retention(session: Session, scope: Scope, filters: Filters, *, today: date) -> Retention:
    """12-month retention: of the people employed 12 months before the period's end, the
    share still employed at its end, for those who had completed a credential by then
    and for those who had not."""
    end = min(resolve_period(filters, today).end, today)
    ref = end - timedelta(days=365)
    completed_by_ref = (
        select(Enrollment.employee_id)
        .where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on <= ref)
    )
    if filters.credential_ids is not None:
        completed_by_ref = completed_by_ref.where(Enrollment.credential_id.in_(sorted(filters.credential_ids)))
    # Grouped by (completer, still employed): each row's membership test runs once, not once per count.
    stays = case((employed_on(end), 1), else_=0).label("stays")
    stmt = select().where(*people_conditions(scope, filters), employed_on(ref))
    if filters.credential_ids is None and not is_raw_only():
        # Any credential: each person's first completion is kept (db/summaries/).
        is_completer = case((FirstCompletion.completed_on <= ref, 1), else_=0).label("completer")
        stmt = stmt.select_from(Employee).outerjoin(FirstCompletion, FirstCompletion.employee_id == Employee.id)
    else:
        is_completer = case((Employee.id.in_(completed_by_ref), 1), else_=0).label("completer")
    counts = {(int(c), int(k)): int(n) for c, k, n in session.execute(
        stmt.add_columns(is_completer, stays, func.count()).group_by(is_completer, stays)
    ).all()}
    completers = counts.get((1, 0), 0) + counts.get((1, 1), 0)
    others = counts.get((0, 0), 0) + counts.get((0, 1), 0)
    return Retention(ref, completers, counts.get((1, 1), 0), others, counts.get((0, 1), 0))


@dataclass(frozen=True)
class Budget:
    annual_budget: float
    budget_for_period: float
    spend: float

    @property
    def used(self) -> float | None:
        return rate(self.spend, self.budget_for_period)


def budget(session: Session, scope: Scope, filters: Filters, *, today: date) -> Budget:
    """Partnership budgets in scope, pro rata for the period's days, against spend on its enrollments."""
    period = resolve_period(filters, today)
    ids = requested_employers(scope, filters.employer_ids)
    stmt = scoped(select(func.coalesce(func.sum(Partnership.annual_budget), 0)), scope, Partnership).where(
        Partnership.status != "ended", Partnership.starts_on <= period.end,
        or_(Partnership.ends_on.is_(None), Partnership.ends_on >= period.start),
    )
    if ids is not None:
        stmt = stmt.where(Partnership.employer_id.in_(sorted(ids)))
    annual = float(session.execute(stmt).scalar_one() or 0)
    spend = float(grouped_counts(session, scope, filters, today=today).iloc[0].spend)
    return Budget(annual, annual * period.days / 365.0 if filters.period is not None else annual, spend)


