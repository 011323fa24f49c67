"""Headcount: employees on the payroll on at least one day of the period, per employer or per
department cell, from the hires and leavers summary (db/summary_tables.EmployeeMonthSummary) when
the period is whole months, else from the employee rows. Both give the same numbers
(tests/db/test_summaries.py).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Employee, EmployeeMonthSummary, Organization
from db.scope import Scope
from services.filters import Filters, people_conditions, resolve_period, summary_conditions
from services.frames import frame
from services.metrics.counts import employed_during, figure_key, joined
from services.metrics.paths import is_raw_only, month_aligned
from services.metrics.reuse import remembered
from services.periods import Period


def from_summary(period: Period) -> bool:
    """Whether the period's headcounts come from the monthly hires and leavers (whole months only)."""
    return not is_raw_only() and month_aligned(period)


def heads_statement(scope: Scope, filters: Filters, period: Period, group, joins, *, on_summary: bool):
    """SELECT group..., headcount: ``group`` and ``joins`` written for EmployeeMonthSummary rows when
    ``on_summary``, else for Employee rows. Summary groups with nobody on the payroll are left out, as
    the employee rows leave them out."""
    if not on_summary:
        stmt = select(*group, func.count(Employee.id).label("headcount")).select_from(Employee)
        return (joined(stmt, joins).where(*people_conditions(scope, filters), employed_during(period))
                .group_by(*group))
    months = EmployeeMonthSummary
    # Hired by the period's last day, less gone (left_on) by its first: earlier months' leavers and those
    # whose left_on is that very day.
    heads = (func.coalesce(func.sum(months.hires), 0)
             - func.coalesce(func.sum(months.leavers).filter(months.month < period.start), 0)
             - func.coalesce(func.sum(months.leavers_on_first).filter(months.month == period.start), 0))
    stmt = joined(select(*group, heads.label("headcount")).select_from(months), joins)
    return (stmt.where(*summary_conditions(scope, filters, months), months.month <= period.end)
            .group_by(*group).having(heads > 0))


def headcount_by_employer(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Employees on the payroll during the period per employer (employer_id, employer, sector, headcount):
    read once per build (services/metrics/reuse.py) for the headline headcount and the partners table."""
    period = resolve_period(filters, today)

    def read() -> pd.DataFrame:
        if from_summary(period):
            return _heads_from_months(employer_months(session, scope, filters), period)
        group = (Employee.employer_id, Organization.name, Organization.sector)
        stmt = heads_statement(scope, filters, period, group, [(Organization, Organization.id == Employee.employer_id)],
                               on_summary=False)
        return frame(session.execute(stmt), HEAD_COLUMNS)

    return remembered(("headcount_by_employer", scope, *figure_key(filters, period)), read)


HEAD_COLUMNS = ["employer_id", "employer", "sector", "headcount"]
MONTH_MOVES = ["hires", "leavers", "leavers_on_first"]


def employer_months(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Hires and leavers per employer and month over all months, in the scope and filters (the period
    aside): every whole-month period's headcounts are sums of these rows, so a page's or the pack's
    periods share one read (services/metrics/reuse.py)."""
    def read() -> pd.DataFrame:
        months = EmployeeMonthSummary
        group = (months.employer_id, Organization.name, Organization.sector, months.month)
        stmt = (select(*group, *[func.sum(getattr(months, name)) for name in MONTH_MOVES])
                .join(Organization, Organization.id == months.employer_id)
                .where(*summary_conditions(scope, filters, months)).group_by(*group))
        return frame(session.execute(stmt), ["employer_id", "employer", "sector", "month", *MONTH_MOVES])

    return remembered(("employer_months", scope, filters.with_period(None)), read)


def _heads_from_months(months: pd.DataFrame, period: Period) -> pd.DataFrame:
    """``heads_statement``'s summary sum in pandas: hired by the period's last day, less gone by its first
    (earlier months' leavers and those who left on that very day); employers with nobody left out."""
    if months.empty:
        return frame([], HEAD_COLUMNS)
    counted = months.assign(
        headcount=months["hires"].where(months["month"] <= period.end, 0)
        - months["leavers"].where(months["month"] < period.start, 0)
        - months["leavers_on_first"].where(months["month"] == period.start, 0))
    sums = counted.groupby("employer_id", as_index=False)["headcount"].sum().astype("int64")
    heads = months.drop_duplicates("employer_id")[["employer_id", "employer", "sector"]].merge(sums, on="employer_id")
    return heads[heads["headcount"] > 0].sort_values("employer_id", ignore_index=True)[HEAD_COLUMNS]


def headcount(session: Session, scope: Scope, filters: Filters, *, today: date) -> tuple[int, int]:
    """(employees on the payroll during the period, employers they belong to)."""
    heads = headcount_by_employer(session, scope, filters, today=today)
    return int(heads["headcount"].sum()), int((heads["headcount"] > 0).sum())
