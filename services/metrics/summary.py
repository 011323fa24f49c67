"""The headline figures of a period (the KPI cards).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from db.scope import Scope
from services.filters import Filters, resolve_period
from services.metrics.counts import days_to_complete, grouped_counts, percentile_from_counts, rate
from services.metrics.headcounts import headcount
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

