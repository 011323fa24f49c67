"""The headline figures of a period (the KPI cards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Employee, Organization
from db.scope import Scope
from services.filters import Filters, people_conditions, resolve_period
from services.metrics.counts import (
    days_to_complete,
    employed_during,
    figure_key,
    grouped_counts,
    percentile_from_counts,
    rate,
)
from services.metrics.reuse import remembered
from services.periods import Period


@dataclass(frozen=True)
class Summary:
    period: Period
    enrollments: int
    completed: int
    failed: int
    withdrawn: int
    active: int
    learners: int
    headcount: int
    spend: float
    completion_rate: float | None
    withdrawal_rate: float | None
    participation_rate: float | None
    cost_per_completion: float | None
    median_days_to_complete: float | None
    p80_days_to_complete: float | None
    employers: int = 0

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "period"}
        d["period"] = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                       "label": self.period.label}
        return d


def headcount_by_employer(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Employees on the payroll during the period per employer (employer_id, employer, sector, headcount):
    read once per build (services/metrics/reuse.py) for the headline headcount and the partners table."""
    period = resolve_period(filters, today)

    def read() -> pd.DataFrame:
        stmt = (select(Employee.employer_id, Organization.name, Organization.sector, func.count(Employee.id))
                .join(Organization, Organization.id == Employee.employer_id)
                .where(*people_conditions(scope, filters), employed_during(period))
                .group_by(Employee.employer_id, Organization.name, Organization.sector))
        return pd.DataFrame(session.execute(stmt).all(), columns=["employer_id", "employer", "sector", "headcount"])

    return remembered(("headcount_by_employer", scope, *figure_key(filters, period)), read)


def headcount(session: Session, scope: Scope, filters: Filters, *, today: date) -> tuple[int, int]:
    """(employees on the payroll during the period, employers they belong to)."""
    heads = headcount_by_employer(session, scope, filters, today=today)
    return int(heads["headcount"].sum()), int((heads["headcount"] > 0).sum())


def summary(session: Session, scope: Scope, filters: Filters, *, today: date) -> Summary:
    period = resolve_period(filters, today)
    row = grouped_counts(session, scope, filters, today=today).iloc[0]
    heads, employers = headcount(session, scope, filters, today=today)
    dist = days_to_complete(session, scope, filters, today=today)
    return Summary(
        period=period,
        enrollments=int(row.enrollments),
        completed=int(row.completed),
        failed=int(row.failed),
        withdrawn=int(row.withdrawn),
        active=int(row.active),
        learners=int(row.learners),
        headcount=heads,
        spend=float(row.spend),
        completion_rate=as_float(row.completion_rate),
        withdrawal_rate=as_float(row.withdrawal_rate),
        participation_rate=rate(int(row.learners), heads),
        cost_per_completion=rate(float(row.spend), int(row.completed)),
        median_days_to_complete=percentile_from_counts(dist, 0.5),
        p80_days_to_complete=percentile_from_counts(dist, 0.8),
        employers=employers,
    )


def as_float(x):
    return None if pd.isna(x) else float(x)

