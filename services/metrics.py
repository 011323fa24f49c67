"""The metrics layer: every figure the product shows, computed by SQL aggregation
through the access scope. Definitions live in docs/metrics.md; keep both in step.

Each function takes a Session, a Scope and Filters and returns plain numbers or
small DataFrames (one row per group shown, never one per enrollment).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from db import summaries
from db.models import (
    AssessmentLevelSummary,
    Cohort,
    CompletionDaysSummary,
    EnrollmentMonthSummary,
    FirstCompletion,
    OutcomeMonthSummary,
    LearnerQuarterSummary,
    PdpGoalMonthSummary,
    Credential,
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    Organization,
    OutcomeSurvey,
    Partnership,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    Skill,
    SkillAssessment,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillTargetSummary,
)
from db.scope import Scope, scoped, visible
from db.sqlfuncs import days_between, quarter_start
from services.periods import Period, is_quarter, quarters_back

S = EnrollmentStatus
ACTIVE_STATUSES = (S.enrolled.value, S.in_progress.value)
# Groups with fewer people than this are not shown, so no individual can be recognised.
MIN_GROUP = 5
SUPPRESSED = "fewer than 5"
AT_RISK_DAYS = 30  # PDP goal due within this many days and not started
STALLED_DAYS = 30  # learner with no recorded activity for this long, past the cohort mid-point


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Every filter narrows the scope, never widens it.

    ``None`` means "no filter"; an empty set means "nothing".
    """

    period: Period | None = None
    employer_ids: frozenset[int] | None = None
    department_ids: frozenset[int] | None = None
    credential_ids: frozenset[int] | None = None
    cohort_ids: frozenset[int] | None = None

    def with_period(self, period: Period) -> Filters:
        return Filters(period, self.employer_ids, self.department_ids, self.credential_ids, self.cohort_ids)


def _in(column, ids: frozenset[int] | None):
    return None if ids is None else column.in_(sorted(ids))


def people_conditions(scope: Scope, f: Filters) -> list:
    """Conditions on Employee: the scope, then the employer and department filters."""
    conds = [visible(scope, Employee)]
    ids = scope.employers(f.employer_ids)
    for cond in (_in(Employee.employer_id, ids) if f.employer_ids is not None else None,
                 _in(Employee.department_id, f.department_ids)):
        if cond is not None:
            conds.append(cond)
    return conds


def _enrollment_conditions(scope: Scope, f: Filters) -> list:
    """Conditions for enrollments joined to their employee (scoped through the employee)."""
    conds = people_conditions(scope, f)
    for cond in (_in(Enrollment.credential_id, f.credential_ids), _in(Enrollment.cohort_id, f.cohort_ids)):
        if cond is not None:
            conds.append(cond)
    return conds


def scoped_enrollments(scope: Scope, f: Filters, *columns):
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*_enrollment_conditions(scope, f))
    )


def employed_on(day: date):
    """Employees on the payroll on ``day`` (hired on or before, not yet left)."""
    return and_(Employee.hired_on <= day, or_(Employee.left_on.is_(None), Employee.left_on > day))


def employed_during(p: Period):
    """Employees on the payroll on at least one day of the period."""
    return and_(Employee.hired_on <= p.end, or_(Employee.left_on.is_(None), Employee.left_on > p.start))


# --- Enrollment outcome counts ----------------------------------------------


def _count_columns(p: Period):
    """The per-period counts, as aggregate columns usable with any GROUP BY."""
    in_p = lambda col: and_(col >= p.start, col <= p.end)  # noqa: E731
    outcome_by_end = or_(
        and_(Enrollment.status.in_([S.completed, S.failed]), Enrollment.completed_on <= p.end),
        and_(Enrollment.status == S.withdrawn, Enrollment.withdrawn_on <= p.end),
    )
    return [
        func.count(Enrollment.id).filter(in_p(Enrollment.enrolled_on)).label("enrollments"),
        func.count(Enrollment.id).filter(Enrollment.status == S.completed, in_p(Enrollment.completed_on)).label("completed"),
        func.count(Enrollment.id).filter(Enrollment.status == S.failed, in_p(Enrollment.completed_on)).label("failed"),
        func.count(Enrollment.id).filter(Enrollment.status == S.withdrawn, in_p(Enrollment.withdrawn_on)).label("withdrawn"),
        func.count(Enrollment.id).filter(Enrollment.enrolled_on <= p.end, ~outcome_by_end).label("active"),
        func.count(func.distinct(Enrollment.employee_id)).filter(in_p(Enrollment.enrolled_on)).label("learners"),
        func.coalesce(func.sum(case((in_p(Enrollment.enrolled_on), Enrollment.cost), else_=0)), 0).label("spend"),
    ]


COUNT_COLUMNS = ["enrollments", "completed", "failed", "withdrawn", "active", "learners", "spend"]


def _touches(p: Period):
    """Enrollments that can contribute to a count in the period (lets indexes prune)."""
    return and_(
        Enrollment.enrolled_on <= p.end,
        or_(
            Enrollment.enrolled_on >= p.start,
            Enrollment.completed_on.is_(None) & Enrollment.withdrawn_on.is_(None),
            Enrollment.completed_on >= p.start,
            Enrollment.withdrawn_on >= p.start,
        ),
    )


def rate(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _add_rates(df: pd.DataFrame) -> pd.DataFrame:
    outcomes = df["completed"] + df["failed"] + df["withdrawn"]
    df["completion_rate"] = (df["completed"] / outcomes.where(outcomes > 0)).astype("Float64")
    df["withdrawal_rate"] = (df["withdrawn"] / outcomes.where(outcomes > 0)).astype("Float64")
    return df


def resolve_period(f: Filters, today: date) -> Period:
    if f.period is not None:
        return f.period
    return Period(date(1900, 1, 1), today, "to date")


def grouped_counts(session: Session, scope: Scope, f: Filters, *, today: date, group=(), joins=(),
                   fast: str | None = "") -> pd.DataFrame:
    """Enrollment counts per group (or one row with no group), aggregated in SQL.

    ``fast`` names the same grouping on the summary tables ("" = no group,
    "credential", "employer", "department", None = raw only); it is used when
    the period and filters allow (see ``uses_summaries``) and gives the same numbers.
    """
    p = resolve_period(f, today)
    if fast is not None and uses_summaries(f, p, fast):
        return _summary_counts(session, scope, f, p, fast)
    stmt = scoped_enrollments(scope, f, *group, *_count_columns(p)).where(_touches(p))
    stmt = _joined(stmt, joins)
    if group:
        stmt = stmt.group_by(*group)
    keys = [c.key for c in group]
    df = pd.DataFrame(session.execute(stmt).all(), columns=[*keys, *COUNT_COLUMNS])
    return _typed(df)


def _joined(stmt, joins):
    """Apply (target, on[, "outer"]) joins to a statement."""
    for target, on, *outer in joins:
        stmt = stmt.outerjoin(target, on) if outer else stmt.join(target, on)
    return stmt


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for col in COUNT_COLUMNS[:-1]:
        if col in df:
            df[col] = df[col].fillna(0).astype("int64")
    df["spend"] = df["spend"].fillna(0).astype("float64")
    return _add_rates(df)


# --- The fast path: summary tables (db/summaries.py) ----------------------------------


def _month_aligned(p: Period) -> bool:
    return p.start.day == 1 and (p.end + timedelta(days=1)).day == 1


_RAW_ONLY: ContextVar[bool] = ContextVar("metrics_raw_only", default=False)


@contextmanager
def raw_only():
    """Compute from the raw rows only (tests compare both paths; the bench times both)."""
    token = _RAW_ONLY.set(True)
    try:
        yield
    finally:
        _RAW_ONLY.reset(token)


def uses_summaries(f: Filters, p: Period, kind: str = "") -> bool:
    """Whether counts for this period and these filters come from the summary tables.

    They hold whole months per employer, department and credential: cohort filters
    and periods that cut a month need the raw rows. People counts (learners) are
    kept per quarter without credentials, so they need a whole quarter and no
    credential filter, except in the per-credential table, which has none.
    """
    if _RAW_ONLY.get() or f.cohort_ids is not None or not _month_aligned(p):
        return False
    return kind == "credential" or (is_quarter(p) and f.credential_ids is None)


def _summary_conditions(scope: Scope, f: Filters, table) -> list:
    conds = [visible(scope, table)]
    if f.employer_ids is not None:
        conds.append(table.employer_id.in_(sorted(scope.employers(f.employer_ids))))
    if f.department_ids is not None:
        conds.append(table.department_id.in_(sorted(f.department_ids)))
    if f.credential_ids is not None and hasattr(table, "credential_id"):
        conds.append(table.credential_id.in_(sorted(f.credential_ids)))
    return conds


def _summary_groups(kind: str, table):
    if kind == "credential":
        return [Credential.code.label("code"), Credential.title.label("title")], [
            (Credential, Credential.id == table.credential_id)]
    if kind == "employer":
        return [Organization.name.label("employer"), Organization.sector.label("sector")], [
            (Organization, Organization.id == table.employer_id)]
    if kind == "department":
        return [Organization.name.label("employer"),
                func.coalesce(Department.name, "(no department)").label("department")], [
            (Organization, Organization.id == table.employer_id),
            (Department, Department.id == table.department_id, "outer")]
    return [], []


def _summary_counts(session: Session, scope: Scope, f: Filters, p: Period, kind: str) -> pd.DataFrame:
    T, L = EnrollmentMonthSummary, LearnerQuarterSummary
    in_p = T.month.between(p.start, p.end)
    outcomes = T.completed + T.failed + T.withdrawn
    group, joins = _summary_groups(kind, T)
    stmt = select(
        *group,
        func.coalesce(func.sum(T.enrolled).filter(in_p), 0).label("enrollments"),
        func.coalesce(func.sum(T.completed).filter(in_p), 0).label("completed"),
        func.coalesce(func.sum(T.failed).filter(in_p), 0).label("failed"),
        func.coalesce(func.sum(T.withdrawn).filter(in_p), 0).label("withdrawn"),
        (func.coalesce(func.sum(T.enrolled), 0) - func.coalesce(func.sum(outcomes), 0)).label("active"),
        func.coalesce(func.sum(T.spend).filter(in_p), 0).label("spend"),
    ).select_from(T)
    stmt = _joined(stmt, joins)
    stmt = stmt.where(*_summary_conditions(scope, f, T), T.month <= p.end)
    if group:
        stmt = stmt.group_by(*group)
    keys = [c.key for c in group]
    cols = ["enrollments", "completed", "failed", "withdrawn", "active", "spend"]
    df = pd.DataFrame(session.execute(stmt).all(), columns=[*keys, *cols])
    if kind == "credential":
        df["learners"] = pd.NA  # people are not kept per credential; that table does not show them
    else:
        lgroup, ljoins = _summary_groups(kind, L)
        lstmt = select(*lgroup, func.coalesce(func.sum(L.learners), 0).label("learners")).select_from(L)
        lstmt = _joined(lstmt, ljoins)
        lstmt = lstmt.where(*_summary_conditions(scope, f, L), L.quarter == p.start)
        if lgroup:
            lstmt = lstmt.group_by(*lgroup)
        learners = pd.DataFrame(session.execute(lstmt).all(), columns=[*keys, "learners"])
        df = df.merge(learners, on=keys, how="left") if keys else df.assign(learners=learners["learners"].iloc[0])
    if not keys and df.empty:
        df = pd.DataFrame([{c: 0 for c in cols} | {"learners": 0}])
    df = df[[*keys, *COUNT_COLUMNS]]
    if kind == "credential":
        df["learners"] = df["learners"].astype("Int64")
        for col in COUNT_COLUMNS[:-1]:
            if col != "learners":
                df[col] = df[col].fillna(0).astype("int64")
        df["spend"] = df["spend"].fillna(0).astype("float64")
        return _add_rates(df)
    return _typed(df)


def _summary_days(session: Session, scope: Scope, f: Filters, p: Period) -> pd.DataFrame:
    D = CompletionDaysSummary
    stmt = (
        select(D.days, func.sum(D.completions).label("completions"))
        .where(*_summary_conditions(scope, f, D), D.month.between(p.start, p.end))
        .group_by(D.days)
        .order_by(D.days)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["days", "completions"])
    df["completions"] = df["completions"].astype("int64")
    return df


# --- Time to complete --------------------------------------------------------


def days_to_complete(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    """How many completions took each number of days (enrolled_on → completed_on)."""
    p = resolve_period(f, today)
    if uses_summaries(f, p, "credential"):
        return _summary_days(session, scope, f, p)
    days = days_between(Enrollment.enrolled_on, Enrollment.completed_on).label("days")
    stmt = (
        scoped_enrollments(scope, f, days, func.count(Enrollment.id).label("completions"))
        .where(Enrollment.status == S.completed, Enrollment.completed_on.between(p.start, p.end))
        .group_by(days)
        .order_by(days)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["days", "completions"])


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


# --- Summary -------------------------------------------------------------------


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


def headcount(session: Session, scope: Scope, f: Filters, *, today: date) -> tuple[int, int]:
    """(employees on the payroll during the period, employers they belong to)."""
    p = resolve_period(f, today)
    row = session.execute(
        select(func.count(Employee.id), func.count(func.distinct(Employee.employer_id)))
        .where(*people_conditions(scope, f), employed_during(p))
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def summary(session: Session, scope: Scope, f: Filters, *, today: date) -> Summary:
    p = resolve_period(f, today)
    row = grouped_counts(session, scope, f, today=today).iloc[0]
    heads, employers = headcount(session, scope, f, today=today)
    dist = days_to_complete(session, scope, f, today=today)
    return Summary(
        period=p,
        enrollments=int(row.enrollments),
        completed=int(row.completed),
        failed=int(row.failed),
        withdrawn=int(row.withdrawn),
        active=int(row.active),
        learners=int(row.learners),
        headcount=heads,
        spend=float(row.spend),
        completion_rate=_none(row.completion_rate),
        withdrawal_rate=_none(row.withdrawal_rate),
        participation_rate=rate(int(row.learners), heads),
        cost_per_completion=rate(float(row.spend), int(row.completed)),
        median_days_to_complete=percentile_from_counts(dist, 0.5),
        p80_days_to_complete=percentile_from_counts(dist, 0.8),
        employers=employers,
    )


def _none(x):
    return None if pd.isna(x) else float(x)


# --- Breakdowns ----------------------------------------------------------------


def by_credential(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    group = (Credential.code.label("code"), Credential.title.label("title"))
    df = grouped_counts(session, scope, f, today=today, group=group,
                        joins=[(Credential, Credential.id == Enrollment.credential_id)], fast="credential")
    # Learners (distinct people) are not broken down by credential.
    df = df.drop(columns=["learners"])
    return df.sort_values(["enrollments", "code"], ascending=[False, True], ignore_index=True)


def by_cohort(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    group = (Cohort.code.label("cohort"), Credential.code.label("code"), Cohort.starts_on.label("starts_on"))
    df = grouped_counts(session, scope, f, today=today, group=group, joins=[
        (Cohort, Cohort.id == Enrollment.cohort_id),
        (Credential, Credential.id == Enrollment.credential_id),
    ], fast=None)
    return df.sort_values(["starts_on", "cohort"], ignore_index=True)


def _with_headcount(session: Session, scope: Scope, f: Filters, today: date, group, joins, fast: str) -> pd.DataFrame:
    """Enrollment counts per group (``grouped_counts``) beside the group's headcount: people on
    the payroll during the period, groups with people but no enrollments included."""
    counts = grouped_counts(session, scope, f, today=today, group=group, joins=joins, fast=fast)
    keys = [c.key for c in group]
    stmt = select(*group, func.count(Employee.id).label("headcount")).select_from(Employee)
    stmt = _joined(stmt, joins).where(*people_conditions(scope, f), employed_during(resolve_period(f, today)))
    heads = pd.DataFrame(session.execute(stmt.group_by(*group)).all(), columns=[*keys, "headcount"])
    out = heads.merge(counts, on=keys, how="outer")
    for col in COUNT_COLUMNS[:-1] + ["headcount"]:
        out[col] = out[col].fillna(0).astype("int64")
    out["spend"] = out["spend"].fillna(0.0)
    return out


def by_department(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    """Counts per employer and department, with headcount and participation rate."""
    group = (Organization.name.label("employer"), func.coalesce(Department.name, "(no department)").label("department"))
    joins = [(Organization, Organization.id == Employee.employer_id),
             (Department, Department.id == Employee.department_id, "outer")]
    out = _add_rates(_with_headcount(session, scope, f, today, group, joins, "department"))
    out["participation_rate"] = (out["learners"] / out["headcount"].where(out["headcount"] > 0)).astype("Float64")
    return out.sort_values(["employer", "department"], ignore_index=True)


def by_employer(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    """Counts per employer in scope, with headcount and partnership status."""
    group = (Organization.name.label("employer"), Organization.sector.label("sector"))
    out = _with_headcount(session, scope, f, today, group,
                          [(Organization, Organization.id == Employee.employer_id)], "employer")
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
    out = _add_rates(out.merge(status, on="employer", how="left"))
    return out.sort_values(["headcount", "employer"], ascending=[False, True], ignore_index=True)


def by_quarter(session: Session, scope: Scope, f: Filters, *, today: date, quarters: int = 8) -> pd.DataFrame:
    """Enrollments, completions and completion rate for each of the last ``quarters`` quarters,
    from the first quarter with any activity (no empty quarters before the data starts)."""
    end = resolve_period(f, today).end
    rows = []
    for q in quarters_back(end, quarters):
        c = grouped_counts(session, scope, f.with_period(q), today=today).iloc[0]
        rows.append({"quarter": q.label, "start": q.start, "enrollments": int(c.enrollments),
                     "completed": int(c.completed), "failed": int(c.failed), "withdrawn": int(c.withdrawn),
                     "completion_rate": _none(c.completion_rate)})
    df = pd.DataFrame(rows)
    active = (df[["enrollments", "completed", "failed", "withdrawn"]].sum(axis=1) > 0).cummax()
    return df[active].reset_index(drop=True) if active.any() else df.iloc[0:0]


# --- Small-group suppression -----------------------------------------------------


def suppress_small_groups(df: pd.DataFrame, *, n_col: str, columns: list[str]) -> pd.DataFrame:
    """Blank the figures of groups with fewer than MIN_GROUP people; flag them.

    Pages show SUPPRESSED for such rows; exports write an empty cell and the flag.
    """
    out = df.copy()
    small = out[n_col] < MIN_GROUP
    out["suppressed"] = small
    for col in columns:
        out[col] = out[col].astype("object").where(~small, None)
    return out


# --- Upskilling ------------------------------------------------------------------


def _goal_targets(scope: Scope, f: Filters):
    """Subquery: the highest target level per (employee, skill) among open or achieved PDP goals."""
    return (
        select(Pdp.employee_id, PdpGoal.skill_id, func.max(PdpGoal.target_level).label("target"))
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(*people_conditions(scope, f), PdpGoal.skill_id.is_not(None), PdpGoal.target_level.is_not(None),
               PdpGoal.status != PdpGoalStatus.dropped)
        .group_by(Pdp.employee_id, PdpGoal.skill_id)
        .subquery()
    )


def skill_gaps(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    """Per department and skill: people with a target, mean gap now, gap at the start, gap closed %."""
    as_of = min(resolve_period(f, today).end, today)
    if _skill_levels_summarised(session, as_of):
        df = _summary_skill_gaps(session, scope, f, as_of)
    else:
        df = _raw_skill_gaps(session, scope, f, as_of)
    df[["gap_now", "gap_start"]] = df[["gap_now", "gap_start"]].astype("float64")
    df["people"] = df["people"].astype("int64")
    df["mean_gap"] = df["gap_now"] / df["people"]
    df["gap_closed"] = ((df["gap_start"] - df["gap_now"]) / df["gap_start"].where(df["gap_start"] > 0)).astype("Float64")
    return df.sort_values(["employer", "department", "skill"], ignore_index=True)


GAP_COLUMNS = ["employer", "department", "skill", "people", "gap_now", "gap_start"]


def _skill_levels_summarised(session: Session, as_of: date) -> bool:
    """The gap summary holds levels at month ends; a day inside a month matches it when
    nobody was assessed between that day and the month's end (true of today, unless
    assessments are dated in the future)."""
    if _RAW_ONLY.get():
        return False
    month_end = _month_end(as_of)
    if as_of == month_end:
        return True
    later = select(SkillAssessment.id).where(SkillAssessment.assessed_on > as_of,
                                             SkillAssessment.assessed_on <= month_end).limit(1)
    return session.execute(later).first() is None


def _summary_skill_gaps(session: Session, scope: Scope, f: Filters, as_of: date) -> pd.DataFrame:
    T, C = SkillTargetSummary, SkillGapChangeSummary
    names = lambda table: (  # noqa: E731
        [Organization.name.label("employer"), func.coalesce(Department.name, "(no department)").label("department"),
         Skill.name.label("skill")],
        [(Organization, Organization.id == table.employer_id),
         (Department, Department.id == table.department_id, "outer"),
         (Skill, Skill.id == table.skill_id)])
    group, joins = names(T)
    targets = pd.DataFrame(session.execute(_joined(
        select(*group, func.sum(T.people), func.sum(T.target_total), func.sum(T.gap_start)).select_from(T), joins)
        .where(*_summary_conditions(scope, f, T)).group_by(*group)).all(),
        columns=["employer", "department", "skill", "people", "target_total", "gap_start"])
    group, joins = names(C)
    changes = pd.DataFrame(session.execute(_joined(
        select(*group, func.sum(C.gap_change)).select_from(C), joins)
        .where(*_summary_conditions(scope, f, C), C.month <= as_of).group_by(*group)).all(),
        columns=["employer", "department", "skill", "change"])
    df = targets.merge(changes, on=["employer", "department", "skill"], how="left")
    df["gap_now"] = df["target_total"].astype("int64") + df["change"].fillna(0).astype("int64")
    return df[GAP_COLUMNS]


def _level_of(targets, *, first: bool = False, as_of: date | None = None):
    """Correlated lookup of a target pair's first, or latest by ``as_of``, assessed level
    (an index seek per pair; joining windowed subqueries gets a quadratic plan on SQLite)."""
    A = SkillAssessment
    order = (A.assessed_on, A.id) if first else (A.assessed_on.desc(), A.id.desc())
    stmt = select(A.level).where(A.employee_id == targets.c.employee_id, A.skill_id == targets.c.skill_id)
    if as_of is not None:
        stmt = stmt.where(A.assessed_on <= as_of)
    return func.coalesce(stmt.order_by(*order).limit(1).scalar_subquery(), 0)


def _raw_skill_gaps(session: Session, scope: Scope, f: Filters, as_of: date) -> pd.DataFrame:
    targets = _goal_targets(scope, f)
    current = _level_of(targets, as_of=as_of)
    start = _level_of(targets, first=True)
    gap_now = case((targets.c.target > current, targets.c.target - current), else_=0)
    gap_start = case((targets.c.target > start, targets.c.target - start), else_=0)
    dept = func.coalesce(Department.name, "(no department)").label("department")
    stmt = (
        select(
            Organization.name.label("employer"), dept, Skill.name.label("skill"),
            func.count().label("people"),
            func.sum(gap_now).label("gap_now"),
            func.sum(gap_start).label("gap_start"),
        )
        .select_from(targets)
        .join(Employee, Employee.id == targets.c.employee_id)
        .join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .join(Skill, Skill.id == targets.c.skill_id)
        .group_by(Organization.name, dept, Skill.name)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=GAP_COLUMNS)


def gap_closed_overall(gaps: pd.DataFrame) -> float | None:
    start, now = gaps["gap_start"].sum(), gaps["gap_now"].sum()
    return rate(start - now, start)


def _skill_gain_pairs(scope: Scope, f: Filters, p: Period):
    """(employee, skill, day) for each skill gained in the period (definition: db/summaries.gain_pairs)."""
    enrollment_conds = [c for c in (_in(Enrollment.credential_id, f.credential_ids),
                                    _in(Enrollment.cohort_id, f.cohort_ids)) if c is not None]
    return summaries.gain_pairs(people_conditions=people_conditions(scope, f),
                                enrollment_conditions=enrollment_conds, start=p.start, end=p.end)


def _skills_summarised(f: Filters) -> bool:
    """Skill gains and assessed levels are kept per quarter, without credentials or cohorts."""
    return not _RAW_ONLY.get() and f.credential_ids is None and f.cohort_ids is None


def _summary_gains(session: Session, scope: Scope, f: Filters, quarters: list[Period]) -> dict[date, int]:
    G = SkillGainQuarterSummary
    stmt = (select(G.quarter, func.sum(G.skills_gained))
            .where(*_summary_conditions(scope, f, G), G.quarter.in_([q.start for q in quarters]))
            .group_by(G.quarter))
    return {q: int(n) for q, n in session.execute(stmt).all()}


def skills_gained(session: Session, scope: Scope, f: Filters, *, today: date) -> int:
    """Distinct (employee, skill) pairs gained in the period."""
    p = resolve_period(f, today)
    if _skills_summarised(f) and is_quarter(p):
        return _summary_gains(session, scope, f, [p]).get(p.start, 0)
    pairs = _skill_gain_pairs(scope, f, p)
    inner = select(pairs.c.employee_id, pairs.c.skill_id).distinct().subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def skills_gained_by_quarter(session: Session, scope: Scope, f: Filters, *, today: date, quarters: int = 8) -> pd.DataFrame:
    """Skills gained in each of the last ``quarters`` quarters, in one pass over the rows."""
    qs = quarters_back(resolve_period(f, today).end, quarters)
    if _skills_summarised(f):
        counts = _summary_gains(session, scope, f, qs)
    else:
        pairs = _skill_gain_pairs(scope, f, Period(qs[0].start, qs[-1].end))
        q = quarter_start(pairs.c.day).label("quarter")
        distinct_pairs = select(q, pairs.c.employee_id, pairs.c.skill_id).distinct().subquery()
        counts = {_as_date(q): int(n) for q, n in session.execute(
            select(distinct_pairs.c.quarter, func.count()).group_by(distinct_pairs.c.quarter)).all()}
    return pd.DataFrame([{"quarter": q.label, "skills_gained": counts.get(q.start, 0)} for q in qs])


def _as_date(x) -> date:
    """SQLite hands back computed dates as text."""
    return x if isinstance(x, date) else date.fromisoformat(str(x)[:10])


def assessment_levels(session: Session, scope: Scope, f: Filters, *, today: date) -> pd.DataFrame:
    """Per skill, mean assessed level before enrolling and after completing, among
    enrollments completed in the period (each enrollment's latest assessment on each side)."""
    p = resolve_period(f, today)
    if _skills_summarised(f) and is_quarter(p):
        L = AssessmentLevelSummary
        stmt = (select(Skill.name, L.side, func.sum(L.level_total), func.sum(L.assessments), func.sum(L.people))
                .join(Skill, Skill.id == L.skill_id)
                .where(*_summary_conditions(scope, f, L), L.quarter == p.start)
                .group_by(Skill.name, L.side))
        df = pd.DataFrame(session.execute(stmt).all(), columns=["skill", "side", "total", "n", "people"])
        df["mean_level"] = df["total"].astype("float64") / df["n"].astype("float64")
        df = df[["skill", "side", "mean_level", "people"]]
    else:
        enrollment_conds = [c for c in (_in(Enrollment.credential_id, f.credential_ids),
                                        _in(Enrollment.cohort_id, f.cohort_ids)) if c is not None]
        levels = summaries.assessed_levels(people_conditions=people_conditions(scope, f),
                                           enrollment_conditions=enrollment_conds, start=p.start, end=p.end)
        stmt = (
            select(Skill.name, levels.c.side, func.avg(levels.c.level), func.count(func.distinct(levels.c.employee_id)))
            .join(Skill, Skill.id == levels.c.skill_id)
            .group_by(Skill.name, levels.c.side)
        )
        df = pd.DataFrame(session.execute(stmt).all(), columns=["skill", "side", "mean_level", "people"])
    df["mean_level"] = df["mean_level"].astype("float64")
    df["people"] = df["people"].astype("int64")
    return df.sort_values(["skill", "side"], ignore_index=True)


@dataclass(frozen=True)
class OutcomeChange:
    n: int
    performance_change: float | None
    satisfaction_change: float | None


def outcome_change(session: Session, scope: Scope, f: Filters, *, today: date) -> OutcomeChange:
    """Mean after-minus-before ratings among completers surveyed about enrollments completed in the period."""
    p = resolve_period(f, today)
    if uses_summaries(f, p, "credential"):
        O = OutcomeMonthSummary
        n, perf, sat = session.execute(
            select(func.sum(O.surveys), func.sum(O.performance_change), func.sum(O.satisfaction_change))
            .where(*_summary_conditions(scope, f, O), O.month.between(p.start, p.end))
        ).one()
        n = int(n or 0)
        if n < MIN_GROUP:
            return OutcomeChange(n, None, None)
        return OutcomeChange(n, float(perf) / n, float(sat) / n)
    stmt = (
        scoped_enrollments(
            scope, f, func.count(OutcomeSurvey.id),
            func.avg(OutcomeSurvey.performance_after - OutcomeSurvey.performance_before),
            func.avg(OutcomeSurvey.satisfaction_after - OutcomeSurvey.satisfaction_before),
        )
        .join(OutcomeSurvey, OutcomeSurvey.enrollment_id == Enrollment.id)
        .where(Enrollment.status == S.completed, Enrollment.completed_on.between(p.start, p.end))
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


def retention(session: Session, scope: Scope, f: Filters, *, today: date) -> Retention:
    """12-month retention: of the people employed 12 months before the period's end, the
    share still employed at its end, for those who had completed a credential by then
    and for those who had not."""
    end = min(resolve_period(f, today).end, today)
    ref = end - timedelta(days=365)
    completed_by_ref = (
        select(Enrollment.employee_id)
        .where(Enrollment.status == S.completed, Enrollment.completed_on <= ref)
    )
    if f.credential_ids is not None:
        completed_by_ref = completed_by_ref.where(Enrollment.credential_id.in_(sorted(f.credential_ids)))
    # Grouped by (completer, still employed): each row's membership test runs once, not once per count.
    stays = case((employed_on(end), 1), else_=0).label("stays")
    stmt = select().where(*people_conditions(scope, f), employed_on(ref))
    if f.credential_ids is None and not _RAW_ONLY.get():
        # Any credential: each person's first completion is kept (db/summaries.py).
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


def budget(session: Session, scope: Scope, f: Filters, *, today: date) -> Budget:
    """Partnership budgets in scope, pro rata for the period's days, against spend on its enrollments."""
    p = resolve_period(f, today)
    ids = scope.employers(f.employer_ids)
    stmt = scoped(select(func.coalesce(func.sum(Partnership.annual_budget), 0)), scope, Partnership).where(
        Partnership.status != "ended", Partnership.starts_on <= p.end,
        or_(Partnership.ends_on.is_(None), Partnership.ends_on >= p.start),
    )
    if ids is not None:
        stmt = stmt.where(Partnership.employer_id.in_(sorted(ids)))
    annual = float(session.execute(stmt).scalar_one() or 0)
    spend = float(grouped_counts(session, scope, f, today=today).iloc[0].spend)
    return Budget(annual, annual * p.days / 365.0 if f.period is not None else annual, spend)


# --- PDPs --------------------------------------------------------------------------


def goal_state(today: date):
    """SQL CASE naming each goal's state on ``today``: achieved, dropped, overdue, at_risk, on_track."""
    open_ = PdpGoal.status.in_([PdpGoalStatus.planned, PdpGoalStatus.in_progress])
    return case(
        (PdpGoal.status == PdpGoalStatus.achieved, literal("achieved")),
        (PdpGoal.status == PdpGoalStatus.dropped, literal("dropped")),
        (and_(open_, PdpGoal.due_on < today), literal("overdue")),
        (and_(PdpGoal.status == PdpGoalStatus.planned, PdpGoal.due_on <= today + timedelta(days=AT_RISK_DAYS)),
         literal("at_risk")),
        else_=literal("on_track"),
    )


GOAL_STATES = ["achieved", "on_track", "at_risk", "overdue", "dropped"]


def goal_states(session: Session, scope: Scope, f: Filters, *, today: date) -> dict[str, int]:
    """How many PDP goals are in each state today (goals of PDPs in scope and filters)."""
    if _RAW_ONLY.get():
        return _raw_goal_states(session, scope, f, today)
    # Goals due before this month are overdue if open; goals due after the month of
    # today + AT_RISK_DAYS are on track if open: both come from the summary. Goals due
    # in between are classified one by one (a few weeks of goals, by the due_on index).
    G = PdpGoalMonthSummary
    first = today.replace(day=1)
    last = _month_end(today + timedelta(days=AT_RISK_DAYS))
    open_ = G.status.in_([PdpGoalStatus.planned, PdpGoalStatus.in_progress])
    state = case(
        (G.status.in_([PdpGoalStatus.achieved, PdpGoalStatus.dropped]), G.status),
        (G.month < first, literal("overdue")),
        else_=literal("on_track"),
    )
    stmt = (select(state, func.sum(G.goals))
            .where(*_summary_conditions(scope, f, G), or_(~open_, G.month < first, G.month > last))
            .group_by(state))
    counts = {s: int(n) for s, n in session.execute(stmt).all()}
    near = _raw_goal_states(session, scope, f, today, due=(first, last))
    return {s: counts.get(s, 0) + near[s] for s in GOAL_STATES}


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _raw_goal_states(session: Session, scope: Scope, f: Filters, today: date,
                     due: tuple[date, date] | None = None) -> dict[str, int]:
    """Goal states from the goal rows; ``due`` limits them to open goals due in that range."""
    state = goal_state(today).label("state")
    stmt = (
        select(state, func.count(PdpGoal.id))
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(*people_conditions(scope, f))
        .group_by(state)
    )
    if f.credential_ids is not None:
        stmt = stmt.where(PdpGoal.credential_id.in_(sorted(f.credential_ids)))
    if due is not None:
        stmt = stmt.where(PdpGoal.due_on.between(*due),
                          PdpGoal.status.in_([PdpGoalStatus.planned, PdpGoalStatus.in_progress]))
    counts = dict(session.execute(stmt).all())
    return {s: int(counts.get(s, 0)) for s in GOAL_STATES}


# --- Alerts ------------------------------------------------------------------------


def at_risk_learners(session: Session, scope: Scope, f: Filters, *, today: date, limit: int = 200) -> tuple[int, pd.DataFrame]:
    """Learners still enrolled or in progress, past their cohort's mid-point, with no
    recorded activity for STALLED_DAYS days. Returns (how many, the first ``limit``)."""
    last = func.coalesce(Enrollment.last_activity_on, Enrollment.enrolled_on)
    midpoint_passed = days_between(Cohort.starts_on, literal(today)) * 2 >= days_between(Cohort.starts_on, Cohort.ends_on)
    where = [
        Enrollment.status.in_(ACTIVE_STATUSES),
        Cohort.starts_on <= today,
        midpoint_passed,
        last <= today - timedelta(days=STALLED_DAYS),
    ]
    base = scoped_enrollments(scope, f).join(Cohort, Cohort.id == Enrollment.cohort_id).where(*where)
    total = session.execute(base.with_only_columns(func.count(Enrollment.id))).scalar_one()
    rows = session.execute(
        base.with_only_columns(
            Employee.full_name, Organization.name, func.coalesce(Department.name, "(no department)"),
            Credential.code, Cohort.code, Enrollment.status, last,
        )
        .join(Credential, Credential.id == Enrollment.credential_id)
        .join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .order_by(last, Employee.full_name)
        .limit(limit)
    ).all()
    df = pd.DataFrame(rows, columns=["employee", "employer", "department", "credential", "cohort", "status", "last_activity"])
    return int(total), df


@dataclass(frozen=True)
class Alerts:
    """The alert figures, always as of ``as_of`` (today): statuses are stored as they are now,
    so a past date cannot be reconstructed, and the Overview, the PDP page and the review say so."""

    as_of: date
    learners_at_risk: int
    overdue_goals: int
    at_risk: pd.DataFrame  # the first learners at risk, longest without activity first


def alerts(session: Session, scope: Scope, f: Filters, *, today: date, limit: int = 50) -> Alerts:
    """The one definition of "learners at risk" and "overdue PDP goals" for every page and the pack.

    The period filter does not apply (both are states today); the other filters do."""
    now = Filters(None, f.employer_ids, f.department_ids, f.credential_ids, f.cohort_ids)
    n_risk, risky = at_risk_learners(session, scope, now, today=today, limit=limit)
    overdue = goal_states(session, scope, now, today=today)["overdue"]
    return Alerts(as_of=today, learners_at_risk=n_risk, overdue_goals=overdue, at_risk=risky)


# --- The figures as one JSON-ready document (CLI, exports) -----------------------

BREAKDOWN_FIELDS = ["enrollments", "completed", "failed", "withdrawn", "active", "completion_rate", "withdrawal_rate"]


def _records(df: pd.DataFrame, keys: list[str], fields: list[str]) -> list[dict]:
    """Plain JSON records (NaN and NA become null, numpy numbers plain numbers)."""
    import json

    cols = keys + fields + (["suppressed"] if "suppressed" in df else [])
    return json.loads(df[cols].to_json(orient="records", date_format="iso"))


def figures(session: Session, scope: Scope, f: Filters, *, today: date) -> dict:
    """Every headline figure plus per-credential and per-department breakdowns.

    Department rows with fewer than MIN_GROUP people have their figures blanked
    (``"suppressed": true``), as on the pages.
    """
    s = summary(session, scope, f, today=today)
    doc = s.as_dict()
    by_cred = by_credential(session, scope, f, today=today)
    doc["by_credential"] = _records(by_cred, ["code", "title"], BREAKDOWN_FIELDS)
    dept_fields = ["headcount", "learners", *BREAKDOWN_FIELDS, "participation_rate"]
    by_dept = suppress_small_groups(by_department(session, scope, f, today=today), n_col="headcount",
                                    columns=[c for c in dept_fields if c != "headcount"])
    doc["by_department"] = _records(by_dept, ["employer", "department"], dept_fields)
    return doc


# Short definitions, shown as help on the pages and as the appendix of the review
# pack. The full rules (edge cases) are in docs/metrics.md.
DEFINITIONS: dict[str, str] = {
    "Headcount": "Employees on the payroll on at least one day of the period.",
    "Enrollments": "Enrollments started in the period (enrolled_on in the period).",
    "Completions": "Enrollments completed in the period (status completed, completed_on in the period).",
    "Failed": "Enrollments failed in the period (status failed, result date in the period).",
    "Withdrawn": "Withdrawals in the period (withdrawn_on in the period), including before the cohort started.",
    "Active learners": "Enrollments still enrolled or in progress on the period's last day.",
    "Completion rate": "Completed ÷ (completed + failed + withdrawn), outcomes dated in the period.",
    "Withdrawal rate": "Withdrawn ÷ (completed + failed + withdrawn), outcomes dated in the period.",
    "Participation": "People who started an enrollment in the period ÷ headcount.",
    "Median days to complete": "Median of completed_on − enrolled_on over completions in the period.",
    "80th percentile days": "80% of completions in the period took at most this many days.",
    "Spend": "Sum of the cost of enrollments started in the period.",
    "Cost per completion": "Spend ÷ completions in the period.",
    "Skills gained": "Distinct employee–skill pairs gained in the period, through a completed credential's "
                     "skills or an assessment higher than the person's previous one.",
    "Skill gap": "PDP target level minus the latest assessed level (0 if never assessed), never below 0.",
    "Gap closed": "(Starting gap − gap now) ÷ starting gap, over employee–skill pairs with a PDP target.",
    "Outcome change": "Mean after − before rating (1–5) of job performance and satisfaction among "
                      "completers surveyed; shown only with 5 or more answers.",
    "12-month retention": "Of people employed 12 months before the period's end, the share still employed at "
                          "its end; completers (completed a credential by then) against the others.",
    "Budget used": "Spend ÷ the partnerships' annual budgets pro rata for the period's days.",
    "PDP goal states": "Achieved; overdue (open, past due); at risk (not started, due within 30 days); "
                       "on track (other open goals); dropped.",
    "Learners at risk": "Enrolled or in progress, past the cohort's mid-point, no recorded activity for 30 days "
                        "or more; counted as of today.",
    "Overdue PDP goals": "Goals planned or in progress whose due date has passed; counted as of today.",
    "Suppression": "Groups of fewer than 5 people show “fewer than 5” instead of figures.",
}
