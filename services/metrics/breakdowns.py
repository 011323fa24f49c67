"""Enrollment counts broken down by credential, cohort, department, employer and quarter.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import (
    Cohort,
    Credential,
    Employee,
    EmployeeMonthSummary,
    Enrollment,
    Organization,
    Partnership,
)
from db.scope import Scope, scoped
from services.filters import Filters, resolve_period, scoped_enrollments
from services.frames import frame
from services.metrics.counts import (
    COUNT_COLUMNS,
    _count_columns,
    _touches,
    add_rates,
    grouped_counts,
    monthly_totals,
    typed_counts,
)
from services.metrics.headcounts import from_summary, headcount_by_employer, heads_statement
from services.metrics.paths import is_raw_only, uses_summaries
from services.metrics.summary import as_float
from services.periods import Period, quarters_back
from services.population import cell_groups, employee_choice, table_choice


def by_credential(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    group = (Credential.code.label("code"), Credential.title.label("title"))
    df = grouped_counts(session, scope, filters, today=today, group=group,
                        joins=[(Credential, Credential.id == Enrollment.credential_id)], fast="credential")
    # Learners (distinct people) are not broken down by credential.
    df = df.drop(columns=["learners"])
    return df.sort_values(["enrollments", "code"], ascending=[False, True], ignore_index=True)


def by_cohort(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    group = (Cohort.code.label("cohort"), Credential.code.label("code"), Cohort.starts_on.label("starts_on"))
    joins = [(Cohort, Cohort.id == Enrollment.cohort_id), (Credential, Credential.id == Enrollment.credential_id)]
    df = None if is_raw_only() else _by_cohort_ids(session, scope, filters, today)
    if df is None:
        df = grouped_counts(session, scope, filters, today=today, group=group, joins=joins, fast=None)
    return df.sort_values(["starts_on", "cohort"], ignore_index=True)


def _by_cohort_ids(session: Session, scope: Scope, filters: Filters, today: date) -> pd.DataFrame | None:
    """The counts grouped by the enrollments' cohort and credential ids, named afterwards: each
    enrollment row is not joined to its cohort and credential, and the groups are keyed by integers.
    None when two id pairs share one name (cohort and credential code, start), which the named
    grouping would merge: then only that grouping gives the same rows."""
    period = resolve_period(filters, today)
    ids = (Enrollment.cohort_id.label("cohort_id"), Enrollment.credential_id.label("credential_id"))
    counts = (scoped_enrollments(scope, filters, *ids, *_count_columns(period))
              .where(_touches(period)).group_by(*ids).subquery())
    stmt = (select(Cohort.code, Credential.code, Cohort.starts_on,
                   *[counts.c[column] for column in COUNT_COLUMNS])
            .select_from(counts)
            .join(Cohort, Cohort.id == counts.c.cohort_id)
            .join(Credential, Credential.id == counts.c.credential_id))
    keys = ["cohort", "code", "starts_on"]
    df = frame(session.execute(stmt), [*keys, *COUNT_COLUMNS])
    if df.duplicated(keys).any():
        return None
    # In the named grouping's order, so that the final sort breaks ties the same way.
    return typed_counts(df.sort_values(keys, ignore_index=True))


def _with_headcount(session: Session, scope: Scope, filters: Filters, today: date, group, joins,
                    fast: str, heads: pd.DataFrame | None = None) -> pd.DataFrame:
    """Enrollment counts per group (``grouped_counts``) beside the group's headcount: people on
    the payroll during the period, groups with people but no enrollments included (``heads``:
    the headcount per group, already read)."""
    counts = grouped_counts(session, scope, filters, today=today, group=group, joins=joins, fast=fast)
    keys = [c.key for c in group]
    if heads is None:
        stmt = heads_statement(scope, filters, resolve_period(filters, today), group, joins, on_summary=False)
        heads = frame(session.execute(stmt), [*keys, "headcount"])
    out = heads.merge(counts, on=keys, how="outer")
    for col in COUNT_COLUMNS[:-1] + ["headcount"]:
        out[col] = out[col].fillna(0).astype("int64")
    out["spend"] = out["spend"].fillna(0.0)
    return out


def by_department(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Counts per employer and department cell (services/population.py: a department of
    MIN_GROUP people or more, or "Other departments"), with headcount and participation rate."""
    group, joins = cell_groups(Employee.employer_id, employee_choice())
    period = resolve_period(filters, today)
    heads = None
    if from_summary(period):  # the same cells, from the monthly hires and leavers
        months = EmployeeMonthSummary
        summary_group, summary_joins = cell_groups(months.employer_id, table_choice(months))
        stmt = heads_statement(scope, filters, period, summary_group, summary_joins, on_summary=True)
        heads = frame(session.execute(stmt), ["employer", "department", "headcount"])
    out = add_rates(_with_headcount(session, scope, filters, today, group, joins, "department", heads))
    out["participation_rate"] = (out["learners"] / out["headcount"].where(out["headcount"] > 0)).astype("Float64")
    return out.sort_values(["employer", "department"], ignore_index=True)


def by_employer(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Counts per employer in scope, with headcount and partnership status."""
    group = (Organization.name.label("employer"), Organization.sector.label("sector"))
    # The same per-employer headcount as the headline one (summary), read once per build.
    heads = headcount_by_employer(session, scope, filters, today=today)[["employer", "sector", "headcount"]]
    if heads.duplicated(["employer", "sector"]).any():  # two employers of one name and sector: one row, as before
        heads = heads.groupby(["employer", "sector"], as_index=False, dropna=False)["headcount"].sum()
    out = _with_headcount(session, scope, filters, today, group,
                          [(Organization, Organization.id == Employee.employer_id)], "employer", heads)
    status = pd.DataFrame(
        session.execute(
            scoped(
                select(Organization.name, func.max(Partnership.status))
                .join(Partnership, Partnership.employer_id == Organization.id)
                .group_by(Organization.name),
                scope, Partnership,
            )
        ).all(),
        columns=["employer", "partnership"],
    )
    out = add_rates(out.merge(status, on="employer", how="left"))
    return out.sort_values(["headcount", "employer"], ascending=[False, True], ignore_index=True)


def by_quarter(session: Session, scope: Scope, filters: Filters, *, today: date, quarters: int = 8) -> pd.DataFrame:
    """Enrollments, completions and completion rate for each of the last ``quarters`` quarters,
    from the first quarter with any activity (no empty quarters before the data starts)."""
    end = resolve_period(filters, today).end
    series = quarters_back(end, quarters)
    # When one quarter's counts come from the summary, every quarter's do: one read serves them all.
    if uses_summaries(filters.with_period(series[0]), series[0]):
        counts = _summary_quarters(session, scope, filters, series)
    else:
        counts = [grouped_counts(session, scope, filters.with_period(q), today=today).iloc[0] for q in series]
    rows = [{"quarter": q.label, "start": q.start, "enrollments": int(c.enrollments),
             "completed": int(c.completed), "failed": int(c.failed), "withdrawn": int(c.withdrawn),
             "completion_rate": as_float(c.completion_rate)} for q, c in zip(series, counts, strict=True)]
    df = pd.DataFrame(rows)
    active = (df[["enrollments", "completed", "failed", "withdrawn"]].sum(axis=1) > 0).cummax()
    return df[active].reset_index(drop=True) if active.any() else df.iloc[0:0]


QUARTER_COUNTS = ["enrollments", "completed", "failed", "withdrawn"]


def _summary_quarters(session: Session, scope: Scope, filters: Filters, series: list[Period]) -> list[pd.Series]:
    """Each quarter's counts (those ``by_quarter`` shows) from the monthly totals (counts.monthly_totals,
    read once for a page or the pack), the months summed per quarter: the same sums as one read per quarter."""
    months = monthly_totals(session, scope, filters).rename(columns={"enrolled": "enrollments"})
    counts = []
    for quarter in series:
        inside = months[(months["month"] >= quarter.start) & (months["month"] <= quarter.end)]
        sums = {column: int(inside[column].sum()) for column in QUARTER_COUNTS}
        outcomes = sums["completed"] + sums["failed"] + sums["withdrawn"]
        counts.append(pd.Series(sums | {"completion_rate": sums["completed"] / outcomes if outcomes else None}))
    return counts
