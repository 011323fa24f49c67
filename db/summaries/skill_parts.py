"""The summaries of skills: PDP targets and gaps, skills gained, assessed levels around completions.

``gain_pairs`` and ``assessed_levels`` are also the metrics layer's raw path (services/metrics), so a
figure and its summary share one definition.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, insert, literal, or_, select, union_all
from sqlmodel import Session

from db.models import (
    AssessmentLevelSummary,
    CredentialSkill,
    Employee,
    Enrollment,
    EnrollmentStatus,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    SkillAssessment,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillTargetSummary,
)
from db.sqlfuncs import month_start, quarter_start
from db.summaries.rows import Rows, base


def _clip(x):
    """max(x, 0) in SQL."""
    return case((x > 0, x), else_=0)


def _targets(rows: Rows):
    """The highest target level per (employee, skill) among PDP goals not dropped,
    with the employee's summary keys (the definition in services/metrics.skill_gaps)."""
    return (
        select(Pdp.employee_id, PdpGoal.skill_id, Employee.employer_id,
               func.coalesce(Employee.department_id, 0).label("department_id"),
               func.max(PdpGoal.target_level).label("target"))
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(*rows.people(), PdpGoal.skill_id.is_not(None), PdpGoal.target_level.is_not(None),
               PdpGoal.status != PdpGoalStatus.dropped)
        .group_by(Pdp.employee_id, PdpGoal.skill_id, Employee.employer_id, Employee.department_id)
        .subquery()
    )


def _assessments(people_conditions, *columns):
    return (select(*columns).select_from(SkillAssessment)
            .join(Employee, Employee.id == SkillAssessment.employee_id).where(*people_conditions))


def gain_pairs(*, people_conditions=(), enrollment_conditions=(), start=None, end=None):
    """(employee, skill, day) for each skill gained: a completed credential's skills on its
    completion day, or an assessment higher than that person's previous one. The metrics
    layer's raw path and the quarterly summary both use this one definition."""
    done = [Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None)]
    if start is not None:
        done.append(Enrollment.completed_on >= start)
    if end is not None:
        done.append(Enrollment.completed_on <= end)
    via_credential = (
        select(Enrollment.employee_id.label("employee_id"), CredentialSkill.skill_id.label("skill_id"),
               Enrollment.completed_on.label("day"))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(CredentialSkill, CredentialSkill.credential_id == Enrollment.credential_id)
        .where(*people_conditions, *enrollment_conditions, *done)
    )
    prev_level = func.lag(SkillAssessment.level).over(
        partition_by=(SkillAssessment.employee_id, SkillAssessment.skill_id),
        order_by=(SkillAssessment.assessed_on, SkillAssessment.id))
    steps = _assessments(people_conditions, SkillAssessment.employee_id, SkillAssessment.skill_id,
                         SkillAssessment.assessed_on.label("day"), SkillAssessment.level, prev_level.label("prev"))
    if end is not None:
        steps = steps.where(SkillAssessment.assessed_on <= end)
    steps = steps.subquery()
    gained = [steps.c.level > steps.c.prev]
    if start is not None:
        gained.append(steps.c.day >= start)
    via_assessment = select(steps.c.employee_id, steps.c.skill_id, steps.c.day).where(*gained)
    # UNION ALL: every reader counts distinct pairs, so de-duplicating here would sort twice.
    return union_all(via_credential, via_assessment).subquery()


def build_targets(session: Session, rows: Rows) -> None:
    targets = _targets(rows)
    pair = lambda q: and_(q.c.employee_id == targets.c.employee_id, q.c.skill_id == targets.c.skill_id)  # noqa: E731

    # Targets and the gap from the first assessment.
    first = _assessments(
        rows.people(), SkillAssessment.employee_id, SkillAssessment.skill_id, SkillAssessment.level,
        func.row_number().over(partition_by=(SkillAssessment.employee_id, SkillAssessment.skill_id),
                               order_by=(SkillAssessment.assessed_on, SkillAssessment.id)).label("rn"),
    ).subquery()
    first = select(first.c.employee_id, first.c.skill_id, first.c.level).where(first.c.rn == 1).subquery()
    keys = [targets.c.employer_id, targets.c.department_id, targets.c.skill_id]
    session.execute(insert(SkillTargetSummary).from_select(
        ["employer_id", "department_id", "skill_id", "people", "target_total", "gap_start"],
        select(*keys, func.count(), func.sum(targets.c.target),
               func.sum(_clip(targets.c.target - func.coalesce(first.c.level, 0))))
        .select_from(targets).outerjoin(first, pair(first)).group_by(*keys),
    ))

    # The gap's change in each month: from the level at the previous month's end to this one's.
    # The targets join the assessments before the window functions: joining two windowed
    # subqueries gets a quadratic plan on SQLite.
    month = month_start(SkillAssessment.assessed_on)
    ranked = (
        select(*keys, SkillAssessment.employee_id, month.label("month"), SkillAssessment.level, targets.c.target,
               func.row_number().over(
                   partition_by=(SkillAssessment.employee_id, SkillAssessment.skill_id, month),
                   order_by=(SkillAssessment.assessed_on.desc(), SkillAssessment.id.desc())).label("rn"))
        .select_from(targets)
        .join(SkillAssessment, and_(SkillAssessment.employee_id == targets.c.employee_id,
                                    SkillAssessment.skill_id == targets.c.skill_id))
        .subquery()
    )
    month_end = select(
        ranked.c.employer_id, ranked.c.department_id, ranked.c.skill_id, ranked.c.month, ranked.c.level,
        ranked.c.target,
        func.lag(ranked.c.level).over(partition_by=(ranked.c.employee_id, ranked.c.skill_id),
                                      order_by=ranked.c.month).label("prev"),
    ).where(ranked.c.rn == 1).subquery()
    change = (_clip(month_end.c.target - month_end.c.level)
              - _clip(month_end.c.target - func.coalesce(month_end.c.prev, 0)))
    mkeys = [month_end.c.employer_id, month_end.c.department_id, month_end.c.skill_id, month_end.c.month]
    session.execute(insert(SkillGapChangeSummary).from_select(
        ["employer_id", "department_id", "skill_id", "month", "gap_change"],
        select(*mkeys, func.sum(change)).group_by(*mkeys).having(func.sum(change) != 0),
    ))


def build_gains(session: Session, rows: Rows) -> None:
    """Distinct (employee, skill) pairs gained per quarter (in ``rows``' span of quarters, if any)."""
    pairs = gain_pairs(people_conditions=rows.people(), start=rows.since, end=rows.until)
    quarter = quarter_start(pairs.c.day).label("quarter")
    distinct_pairs = select(pairs.c.employee_id, pairs.c.skill_id, quarter).distinct().subquery()
    dkeys = [Employee.employer_id, func.coalesce(Employee.department_id, 0), distinct_pairs.c.quarter]
    session.execute(insert(SkillGainQuarterSummary).from_select(
        ["employer_id", "department_id", "quarter", "skills_gained"],
        select(*dkeys, func.count()).select_from(distinct_pairs)
        .join(Employee, Employee.id == distinct_pairs.c.employee_id).group_by(*dkeys),
    ))


def build_levels(session: Session, rows: Rows) -> None:
    """Assessed levels on each side of completed enrollments (completed in ``rows``' span, if any)."""
    levels = assessed_levels(people_conditions=rows.people(), start=rows.since, end=rows.until)
    lkeys = [levels.c.employer_id, levels.c.department_id, levels.c.skill_id,
             quarter_start(levels.c.completed_on), levels.c.side]
    session.execute(insert(AssessmentLevelSummary).from_select(
        ["employer_id", "department_id", "skill_id", "quarter", "side", "level_total", "assessments", "people"],
        select(*lkeys, func.sum(levels.c.level), func.count(), func.count(func.distinct(levels.c.employee_id)))
        .group_by(*lkeys),
    ))


def assessed_levels(*, people_conditions=(), enrollment_conditions=(), start=None, end=None):
    """For each completed enrollment and each skill of its credential, the latest assessed
    level before enrolling and the latest after completing (one row per side present)."""
    done = base(Rows()).with_only_columns(
        Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.enrolled_on,
        Enrollment.completed_on, Employee.employer_id, func.coalesce(Employee.department_id, 0).label("department_id"),
    ).where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None),
            *people_conditions, *enrollment_conditions)
    if start is not None:
        done = done.where(Enrollment.completed_on >= start)
    if end is not None:
        done = done.where(Enrollment.completed_on <= end)
    done = done.subquery()
    side = case((SkillAssessment.assessed_on <= done.c.enrolled_on, literal("before")), else_=literal("after"))
    ranked = (
        select(
            done.c.employer_id, done.c.department_id, done.c.employee_id, done.c.completed_on,
            CredentialSkill.skill_id, side.label("side"), SkillAssessment.level,
            func.row_number().over(
                partition_by=(done.c.id, CredentialSkill.skill_id, side),
                order_by=(SkillAssessment.assessed_on.desc(), SkillAssessment.id.desc()),
            ).label("rn"),
        )
        .select_from(done)
        .join(CredentialSkill, CredentialSkill.credential_id == done.c.credential_id)
        .join(SkillAssessment, and_(SkillAssessment.employee_id == done.c.employee_id,
                                    SkillAssessment.skill_id == CredentialSkill.skill_id))
        .where(or_(SkillAssessment.assessed_on <= done.c.enrolled_on,
                   SkillAssessment.assessed_on >= done.c.completed_on))
        .subquery()
    )
    return select(*[c for c in ranked.c if c.key != "rn"]).where(ranked.c.rn == 1).subquery()
