"""Upskilling: skill gaps against PDP targets, skills gained, assessed levels.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from db import summaries
from db.models import (
    AssessmentLevelSummary,
    Department,
    Employee,
    Organization,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    Skill,
    SkillAssessment,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillTargetSummary,
)
from db.scope import Scope
from db.sqlfuncs import quarter_start
from services.filters import Filters, enrollment_conditions, people_conditions, resolve_period, summary_conditions
from services.frames import frame
from services.metrics.counts import joined, rate
from services.metrics.paths import is_raw_only, month_end
from services.periods import Period, is_quarter, quarters_back


def _goal_targets(scope: Scope, filters: Filters):
    """Subquery: the highest target level per (employee, skill) among open or achieved PDP goals."""
    return (
        select(Pdp.employee_id, PdpGoal.skill_id, func.max(PdpGoal.target_level).label("target"))
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(*people_conditions(scope, filters), PdpGoal.skill_id.is_not(None), PdpGoal.target_level.is_not(None),
               PdpGoal.status != PdpGoalStatus.dropped)
        .group_by(Pdp.employee_id, PdpGoal.skill_id)
        .subquery()
    )


def skill_gaps(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Per department and skill: people with a target, mean gap now, gap at the start, gap closed %."""
    as_of = min(resolve_period(filters, today).end, today)
    if _skill_levels_summarised(session, as_of):
        df = _summary_skill_gaps(session, scope, filters, as_of)
    else:
        df = _raw_skill_gaps(session, scope, filters, as_of)
    df[["gap_now", "gap_start"]] = df[["gap_now", "gap_start"]].astype("float64")
    df["people"] = df["people"].astype("int64")
    df["mean_gap"] = df["gap_now"] / df["people"]
    closed = (df["gap_start"] - df["gap_now"]) / df["gap_start"].where(df["gap_start"] > 0)
    df["gap_closed"] = closed.astype("Float64")
    return df.sort_values(["employer", "department", "skill"], ignore_index=True)


GAP_COLUMNS = ["employer", "department", "skill", "people", "gap_now", "gap_start"]


def _skill_levels_summarised(session: Session, as_of: date) -> bool:
    """The gap summary holds levels at month ends; a day inside a month matches it when
    nobody was assessed between that day and the month's end (true of today, unless
    assessments are dated in the future)."""
    if is_raw_only():
        return False
    last_day = month_end(as_of)
    if as_of == last_day:
        return True
    later = select(SkillAssessment.id).where(SkillAssessment.assessed_on > as_of,
                                             SkillAssessment.assessed_on <= last_day).limit(1)
    return session.execute(later).first() is None


def _department_skill_groups(table):
    """The (employer, department, skill) names of a summary table's rows, and the joins they need."""
    group = [Organization.name.label("employer"),
             func.coalesce(Department.name, "(no department)").label("department"), Skill.name.label("skill")]
    joins = [(Organization, Organization.id == table.employer_id),
             (Department, Department.id == table.department_id, "outer"),
             (Skill, Skill.id == table.skill_id)]
    return group, joins


def _summary_skill_gaps(session: Session, scope: Scope, filters: Filters, as_of: date) -> pd.DataFrame:
    targets_table, changes_table = SkillTargetSummary, SkillGapChangeSummary
    group, joins = _department_skill_groups(targets_table)
    sums = (func.sum(targets_table.people), func.sum(targets_table.target_total), func.sum(targets_table.gap_start))
    stmt = joined(select(*group, *sums).select_from(targets_table), joins)
    stmt = stmt.where(*summary_conditions(scope, filters, targets_table)).group_by(*group)
    targets = frame(session.execute(stmt),
                    ["employer", "department", "skill", "people", "target_total", "gap_start"])
    group, joins = _department_skill_groups(changes_table)
    stmt = joined(select(*group, func.sum(changes_table.gap_change)).select_from(changes_table), joins)
    stmt = stmt.where(*summary_conditions(scope, filters, changes_table), changes_table.month <= as_of)
    changes = frame(session.execute(stmt.group_by(*group)),
                    ["employer", "department", "skill", "change"])
    df = targets.merge(changes, on=["employer", "department", "skill"], how="left")
    df["gap_now"] = df["target_total"].astype("int64") + df["change"].fillna(0).astype("int64")
    return df[GAP_COLUMNS]


def _level_of(targets, *, first: bool = False, as_of: date | None = None):
    """Correlated lookup of a target pair's first, or latest by ``as_of``, assessed level
    (an index seek per pair; joining windowed subqueries gets a quadratic plan on SQLite)."""
    assessment = SkillAssessment
    order = (assessment.assessed_on, assessment.id) if first else (assessment.assessed_on.desc(), assessment.id.desc())
    stmt = select(assessment.level).where(assessment.employee_id == targets.c.employee_id,
                                          assessment.skill_id == targets.c.skill_id)
    if as_of is not None:
        stmt = stmt.where(assessment.assessed_on <= as_of)
    return func.coalesce(stmt.order_by(*order).limit(1).scalar_subquery(), 0)


def _raw_skill_gaps(session: Session, scope: Scope, filters: Filters, as_of: date) -> pd.DataFrame:
    targets = _goal_targets(scope, filters)
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
    return frame(session.execute(stmt), GAP_COLUMNS)


def gap_closed_overall(gaps: pd.DataFrame) -> float | None:
    start, now = gaps["gap_start"].sum(), gaps["gap_now"].sum()
    return rate(start - now, start)


def _skill_gain_pairs(scope: Scope, filters: Filters, period: Period):
    """(employee, skill, day) for each skill gained in the period (definition: db/summaries.gain_pairs)."""
    return summaries.gain_pairs(people_conditions=people_conditions(scope, filters),
                                enrollment_conditions=enrollment_conditions(scope, filters),
                                start=period.start, end=period.end)


def skills_summarised(filters: Filters) -> bool:
    """Skill gains and assessed levels are kept per quarter, without credentials or cohorts."""
    return not is_raw_only() and filters.credential_ids is None and filters.cohort_ids is None


def _summary_gains(session: Session, scope: Scope, filters: Filters, quarters: list[Period]) -> dict[date, int]:
    gains = SkillGainQuarterSummary
    stmt = (select(gains.quarter, func.sum(gains.skills_gained))
            .where(*summary_conditions(scope, filters, gains), gains.quarter.in_([q.start for q in quarters]))
            .group_by(gains.quarter))
    return {q: int(n) for q, n in session.execute(stmt).all()}


def skills_gained(session: Session, scope: Scope, filters: Filters, *, today: date) -> int:
    """Distinct (employee, skill) pairs gained in the period."""
    period = resolve_period(filters, today)
    if skills_summarised(filters) and is_quarter(period):
        return _summary_gains(session, scope, filters, [period]).get(period.start, 0)
    pairs = _skill_gain_pairs(scope, filters, period)
    inner = select(pairs.c.employee_id, pairs.c.skill_id).distinct().subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def skills_gained_by_quarter(session: Session, scope: Scope, filters: Filters, *, today: date,
                             quarters: int = 8) -> pd.DataFrame:
    """Skills gained in each of the last ``quarters`` quarters, in one pass over the rows."""
    shown = quarters_back(resolve_period(filters, today).end, quarters)
    if skills_summarised(filters):
        counts = _summary_gains(session, scope, filters, shown)
    else:
        pairs = _skill_gain_pairs(scope, filters, Period(shown[0].start, shown[-1].end))
        quarter = quarter_start(pairs.c.day).label("quarter")
        distinct_pairs = select(quarter, pairs.c.employee_id, pairs.c.skill_id).distinct().subquery()
        counts = {as_date(start): int(gained) for start, gained in session.execute(
            select(distinct_pairs.c.quarter, func.count()).group_by(distinct_pairs.c.quarter)).all()}
    return pd.DataFrame([{"quarter": quarter.label, "skills_gained": counts.get(quarter.start, 0)}
                         for quarter in shown])


def as_date(x) -> date:
    """SQLite hands back computed dates as text."""
    return x if isinstance(x, date) else date.fromisoformat(str(x)[:10])


def _summary_assessment_levels(session: Session, scope: Scope, filters: Filters, period: Period) -> pd.DataFrame:
    levels_table = AssessmentLevelSummary
    sums = (func.sum(levels_table.level_total), func.sum(levels_table.assessments), func.sum(levels_table.people))
    stmt = (select(Skill.name, levels_table.side, *sums)
            .join(Skill, Skill.id == levels_table.skill_id)
            .where(*summary_conditions(scope, filters, levels_table), levels_table.quarter == period.start)
            .group_by(Skill.name, levels_table.side))
    df = frame(session.execute(stmt), ["skill", "side", "total", "n", "people"])
    df["mean_level"] = df["total"].astype("float64") / df["n"].astype("float64")
    return df[["skill", "side", "mean_level", "people"]]


def _raw_assessment_levels(session: Session, scope: Scope, filters: Filters, period: Period) -> pd.DataFrame:
    levels = summaries.assessed_levels(people_conditions=people_conditions(scope, filters),
                                       enrollment_conditions=enrollment_conditions(scope, filters),
                                       start=period.start, end=period.end)
    stmt = (
        select(Skill.name, levels.c.side, func.avg(levels.c.level), func.count(func.distinct(levels.c.employee_id)))
        .join(Skill, Skill.id == levels.c.skill_id)
        .group_by(Skill.name, levels.c.side)
    )
    return frame(session.execute(stmt), ["skill", "side", "mean_level", "people"])


def assessment_levels(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Per skill, mean assessed level before enrolling and after completing, among
    enrollments completed in the period (each enrollment's latest assessment on each side)."""
    period = resolve_period(filters, today)
    if skills_summarised(filters) and is_quarter(period):
        df = _summary_assessment_levels(session, scope, filters, period)
    else:
        df = _raw_assessment_levels(session, scope, filters, period)
    df["mean_level"] = df["mean_level"].astype("float64")
    df["people"] = df["people"].astype("int64")
    return df.sort_values(["skill", "side"], ignore_index=True)


