"""Enrollment outcome counts per group, from the raw rows or the monthly summary, and the
distribution of days to complete.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from db.models import (
    CompletionDaysSummary,
    Credential,
    Employee,
    Enrollment,
    EnrollmentMonthSummary,
    EnrollmentStatus,
    LearnerQuarterSummary,
    Organization,
)
from db.scope import Scope
from db.sqlfuncs import days_between
from services.filters import Filters, resolve_period, scoped_enrollments, summary_conditions
from services.frames import frame
from services.metrics.paths import uses_summaries
from services.metrics.reuse import remembered
from services.periods import Period
from services.population import cell_groups, table_choice


def employed_on(day: date):
    """Employees on the payroll on ``day`` (hired on or before, not yet left)."""
    return and_(Employee.hired_on <= day, or_(Employee.left_on.is_(None), Employee.left_on > day))


def employed_during(period: Period):
    """Employees on the payroll on at least one day of the period."""
    return and_(Employee.hired_on <= period.end, or_(Employee.left_on.is_(None), Employee.left_on > period.start))


def _count_columns(period: Period):
    """The per-period counts, as aggregate columns usable with any GROUP BY."""
    in_p = lambda col: and_(col >= period.start, col <= period.end)  # noqa: E731
    status = Enrollment.status
    completed, failed, withdrawn = EnrollmentStatus.completed, EnrollmentStatus.failed, EnrollmentStatus.withdrawn
    outcome_by_end = or_(
        and_(status.in_([completed, failed]), Enrollment.completed_on <= period.end),
        and_(status == withdrawn, Enrollment.withdrawn_on <= period.end),
    )
    return [
        func.count(Enrollment.id).filter(in_p(Enrollment.enrolled_on)).label("enrollments"),
        func.count(Enrollment.id).filter(status == completed, in_p(Enrollment.completed_on)).label("completed"),
        func.count(Enrollment.id).filter(status == failed, in_p(Enrollment.completed_on)).label("failed"),
        func.count(Enrollment.id).filter(status == withdrawn, in_p(Enrollment.withdrawn_on)).label("withdrawn"),
        func.count(Enrollment.id).filter(Enrollment.enrolled_on <= period.end, ~outcome_by_end).label("active"),
        func.count(func.distinct(Enrollment.employee_id)).filter(in_p(Enrollment.enrolled_on)).label("learners"),
        func.coalesce(func.sum(case((in_p(Enrollment.enrolled_on), Enrollment.cost), else_=0)), 0).label("spend"),
    ]


COUNT_COLUMNS = ["enrollments", "completed", "failed", "withdrawn", "active", "learners", "spend"]


def _touches(period: Period):
    """Enrollments that can contribute to a count in the period (lets indexes prune)."""
    return and_(
        Enrollment.enrolled_on <= period.end,
        or_(
            Enrollment.enrolled_on >= period.start,
            Enrollment.completed_on.is_(None) & Enrollment.withdrawn_on.is_(None),
            Enrollment.completed_on >= period.start,
            Enrollment.withdrawn_on >= period.start,
        ),
    )


def rate(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    outcomes = df["completed"] + df["failed"] + df["withdrawn"]
    df["completion_rate"] = (df["completed"] / outcomes.where(outcomes > 0)).astype("Float64")
    df["withdrawal_rate"] = (df["withdrawn"] / outcomes.where(outcomes > 0)).astype("Float64")
    return df


def grouped_counts(session: Session, scope: Scope, filters: Filters, *, today: date, group=(), joins=(),
                   fast: str | None = "") -> pd.DataFrame:
    """Enrollment counts per group (or one row with no group), aggregated in SQL.

    ``fast`` names the same grouping on the summary tables ("" = no group,
    "credential", "employer", "department", None = raw only); it is used when
    the period and filters allow (see ``uses_summaries``) and gives the same numbers.
    """
    period = resolve_period(filters, today)
    if not group and not joins:  # the one-row totals are asked for again and again (services/metrics/reuse.py)
        return remembered(("grouped_counts", scope, *figure_key(filters, period), fast),
                          lambda: _grouped_counts(session, scope, filters, period, (), (), fast))
    return _grouped_counts(session, scope, filters, period, group, joins, fast)


def figure_key(filters: Filters, period: Period) -> tuple:
    """What a figure over ``period`` depends on besides the scope: the filters and the period's days
    (not its label, so a quarter named by by_quarter and by the pack is one key)."""
    return filters.with_period(None), period.start, period.end


def _grouped_counts(session: Session, scope: Scope, filters: Filters, period: Period, group, joins,
                    fast: str | None) -> pd.DataFrame:
    if fast is not None and uses_summaries(filters, period, fast):
        return _summary_counts(session, scope, filters, period, fast)
    stmt = scoped_enrollments(scope, filters, *group, *_count_columns(period)).where(_touches(period))
    stmt = joined(stmt, joins)
    if group:
        stmt = stmt.group_by(*group)
    keys = [c.key for c in group]
    df = frame(session.execute(stmt), [*keys, *COUNT_COLUMNS])
    return typed_counts(df)


def joined(stmt, joins):
    """Apply (target, on[, "outer"]) joins to a statement."""
    for target, on, *outer in joins:
        stmt = stmt.outerjoin(target, on) if outer else stmt.join(target, on)
    return stmt


def typed_counts(df: pd.DataFrame) -> pd.DataFrame:
    for col in COUNT_COLUMNS[:-1]:
        if col in df:
            df[col] = df[col].fillna(0).astype("int64")
    df["spend"] = df["spend"].fillna(0).astype("float64")
    return add_rates(df)


def _summary_groups(kind: str, table):
    if kind == "credential":
        return [Credential.code.label("code"), Credential.title.label("title")], [
            (Credential, Credential.id == table.credential_id)]
    if kind == "employer":
        return [Organization.name.label("employer"), Organization.sector.label("sector")], [
            (Organization, Organization.id == table.employer_id)]
    if kind == "department":
        group, joins = cell_groups(table.employer_id, table_choice(table))
        return list(group), joins
    return [], []


MONTH_TOTALS = ["enrolled", "completed", "failed", "withdrawn", "spend"]


def monthly_totals(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The monthly summary's counts and spend per month, over all its months, in the scope and filters
    (the period aside): any period's totals are sums of these rows, so a page's or the pack's periods
    (this quarter, the previous one, a year ago, the series) share one read (services/metrics/reuse.py)."""
    return remembered(("monthly_totals", scope, filters.with_period(None)),
                      lambda: _read_monthly_totals(session, scope, filters))


def _read_monthly_totals(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    monthly = EnrollmentMonthSummary
    stmt = (select(monthly.month, *[func.sum(getattr(monthly, column)) for column in MONTH_TOTALS])
            .where(*summary_conditions(scope, filters, monthly)).group_by(monthly.month))
    return frame(session.execute(stmt), ["month", *MONTH_TOTALS])


def _summary_totals(session: Session, scope: Scope, filters: Filters, period: Period) -> pd.DataFrame:
    """The one-row counts of ``_summary_counts`` from the monthly totals: sums over the period's months,
    and the enrollments still open at its end (enrolled by then, less the outcomes by then)."""
    months = monthly_totals(session, scope, filters)
    inside = months[(months["month"] >= period.start) & (months["month"] <= period.end)]
    upto = months[months["month"] <= period.end]
    outcomes = ["completed", "failed", "withdrawn"]
    row = {"enrollments": int(inside["enrolled"].sum()), **{name: int(inside[name].sum()) for name in outcomes},
           "active": int(upto["enrolled"].sum()) - int(upto[outcomes].to_numpy().sum()),
           "learners": int(_summary_learners(session, scope, filters, period, "")["learners"].iloc[0]),
           "spend": float(sum(inside["spend"], 0))}
    return typed_counts(pd.DataFrame([row])[COUNT_COLUMNS])


def _summary_learners(session: Session, scope: Scope, filters: Filters, period: Period, kind: str) -> pd.DataFrame:
    """Distinct learners of the period's quarter per group (one row when ``kind`` is "")."""
    quarterly = LearnerQuarterSummary
    group, joins = _summary_groups(kind, quarterly)
    stmt = select(*group, func.coalesce(func.sum(quarterly.learners), 0).label("learners")).select_from(quarterly)
    stmt = joined(stmt, joins)
    stmt = stmt.where(*summary_conditions(scope, filters, quarterly), quarterly.quarter == period.start)
    if group:
        stmt = stmt.group_by(*group)
    return frame(session.execute(stmt), [*[c.key for c in group], "learners"])


def _summary_counts(session: Session, scope: Scope, filters: Filters, period: Period, kind: str) -> pd.DataFrame:
    if not kind:
        return _summary_totals(session, scope, filters, period)
    monthly = EnrollmentMonthSummary
    in_p = monthly.month.between(period.start, period.end)
    outcomes = monthly.completed + monthly.failed + monthly.withdrawn
    group, joins = _summary_groups(kind, monthly)
    stmt = select(
        *group,
        func.coalesce(func.sum(monthly.enrolled).filter(in_p), 0).label("enrollments"),
        func.coalesce(func.sum(monthly.completed).filter(in_p), 0).label("completed"),
        func.coalesce(func.sum(monthly.failed).filter(in_p), 0).label("failed"),
        func.coalesce(func.sum(monthly.withdrawn).filter(in_p), 0).label("withdrawn"),
        (func.coalesce(func.sum(monthly.enrolled), 0) - func.coalesce(func.sum(outcomes), 0)).label("active"),
        func.coalesce(func.sum(monthly.spend).filter(in_p), 0).label("spend"),
    ).select_from(monthly)
    stmt = joined(stmt, joins)
    stmt = stmt.where(*summary_conditions(scope, filters, monthly), monthly.month <= period.end)
    if group:
        stmt = stmt.group_by(*group)
    keys = [c.key for c in group]
    cols = ["enrollments", "completed", "failed", "withdrawn", "active", "spend"]
    df = frame(session.execute(stmt), [*keys, *cols])
    if kind == "credential":
        df["learners"] = pd.NA  # people are not kept per credential; that table does not show them
    else:
        df = df.merge(_summary_learners(session, scope, filters, period, kind), on=keys, how="left")
    df = df[[*keys, *COUNT_COLUMNS]]
    if kind == "credential":
        df["learners"] = df["learners"].astype("Int64")
        for col in COUNT_COLUMNS[:-1]:
            if col != "learners":
                df[col] = df[col].fillna(0).astype("int64")
        df["spend"] = df["spend"].fillna(0).astype("float64")
        return add_rates(df)
    return typed_counts(df)


def _summary_days(session: Session, scope: Scope, filters: Filters, period: Period) -> pd.DataFrame:
    completion_days = CompletionDaysSummary
    stmt = (
        select(completion_days.days, func.sum(completion_days.completions).label("completions"))
        .where(*summary_conditions(scope, filters, completion_days),
               # First days of the months, not a range: then SQLite, which has no statistics, reads the
               # period's months by their index for a scope of many employers rather than every row of
               # every one of them by the key (officer, large bench: 0.14 s -> 0.056 s).
               completion_days.month.in_(period.month_starts()))
        .group_by(completion_days.days)
        .order_by(completion_days.days)
    )
    df = frame(session.execute(stmt), ["days", "completions"])
    df["completions"] = df["completions"].astype("int64")
    return df


def days_to_complete(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """How many completions took each number of days (enrolled_on → completed_on)."""
    period = resolve_period(filters, today)
    return remembered(("days_to_complete", scope, *figure_key(filters, period)),
                      lambda: _days_to_complete(session, scope, filters, period))


def _days_to_complete(session: Session, scope: Scope, filters: Filters, period: Period) -> pd.DataFrame:
    if uses_summaries(filters, period, "credential"):
        return _summary_days(session, scope, filters, period)
    days = days_between(Enrollment.enrolled_on, Enrollment.completed_on).label("days")
    stmt = (
        scoped_enrollments(scope, filters, days, func.count(Enrollment.id).label("completions"))
        .where(Enrollment.status == EnrollmentStatus.completed,
               Enrollment.completed_on.between(period.start, period.end))
        .group_by(days)
        .order_by(days)
    )
    return frame(session.execute(stmt), ["days", "completions"])


def percentile_from_counts(dist: pd.DataFrame, q: float) -> float | None:
    """The q-quantile of a value/count table, interpolated like numpy's default ("linear")."""
    if dist.empty or dist["completions"].sum() == 0:
        return None
    values = dist.sort_values("days")
    cum = values["completions"].cumsum().to_numpy()
    n = int(cum[-1])
    pos = q * (n - 1)  # 0-based position in the sorted list
    lo, hi = int(pos), min(int(pos) + 1, n - 1)

    def at(i: int) -> float:
        return float(values["days"].to_numpy()[(cum > i).argmax()])

    return at(lo) + (at(hi) - at(lo)) * (pos - lo)

