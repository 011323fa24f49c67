"""What the history says about credentials, for the ranking: completions, days to complete and completion rate
(the metrics' own definitions, services/metrics/counts.py), and the budget left in a partnership this year.
Aggregated in SQL: the history is the large part of the data."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, or_, select
from sqlmodel import Session

from db.models import Credential, Employee, Enrollment, Partnership, PartnershipStatus
from db.scope import Scope, scoped
from services.filters import Filters
from services.metrics.counts import days_to_complete, grouped_counts, percentile_from_counts

HISTORY_COLUMNS = ["credential_id", "completions", "finished", "median_days", "completion_rate"]


def credential_history(session: Session, scope: Scope, *, credential_ids: list[int], today: date) -> pd.DataFrame:
    """Per credential, over the enrollments in scope to date: completions, finished (completed, failed or
    withdrawn), the median days to complete and the completion rate, unsuppressed (the ranking suppresses)."""
    ids = sorted(set(credential_ids))
    if not ids:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    counts = grouped_counts(session, scope, Filters(credential_ids=frozenset(ids)), today=today,
                            group=(Enrollment.credential_id,), fast=None).set_index("credential_id")
    rows = []
    for credential_id in ids:
        days = days_to_complete(session, scope, Filters(credential_ids=frozenset({credential_id})), today=today)
        completions = int(days["completions"].sum()) if not days.empty else 0
        finished = 0
        if credential_id in counts.index:
            row = counts.loc[credential_id]
            finished = int(row["completed"] + row["failed"] + row["withdrawn"])
        rate = float(counts.loc[credential_id, "completion_rate"]) if finished else None
        rows.append((credential_id, completions, finished, percentile_from_counts(days, 0.5), rate))
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def budgets_left(session: Session, scope: Scope, *, employer_id: int, university_ids: list[int],
                 today: date) -> dict[int, float]:
    """Per university: the annual budget of the employer's partnerships with it that run this calendar year (not
    ended), less the cost of the employer's enrollments in its credentials started this calendar year."""
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    ids = sorted(set(university_ids))
    if not ids:
        return {}
    annual = scoped(select(Partnership.university_id, func.sum(Partnership.annual_budget))
                    .where(Partnership.employer_id == employer_id, Partnership.university_id.in_(ids),
                           Partnership.status != PartnershipStatus.ended, Partnership.starts_on <= end,
                           or_(Partnership.ends_on.is_(None), Partnership.ends_on >= start))
                    .group_by(Partnership.university_id), scope, Partnership)
    spent = scoped(select(Credential.university_id, func.sum(Enrollment.cost))
                   .join(Employee, Employee.id == Enrollment.employee_id)
                   .join(Credential, Credential.id == Enrollment.credential_id)
                   .where(Employee.employer_id == employer_id, Credential.university_id.in_(ids),
                          Enrollment.enrolled_on.between(start, end))
                   .group_by(Credential.university_id), scope, Enrollment)
    used = {int(university): float(cost or 0) for university, cost in session.execute(spent).all()}
    return {int(university): float(budget or 0) - used.get(int(university), 0.0)
            for university, budget in session.execute(annual).all()}
