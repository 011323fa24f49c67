"""Summary tables: pre-aggregated enrollment events, kept exact by rebuilding the
rows of every employer whose enrollments or employees changed.

Call ``refresh(session, employer_ids)`` inside the transaction of any write that
adds, changes or removes enrollments or employees (imports, the seed, status
changes), before commit. ``refresh(session)`` rebuilds everything.
tests/db/test_summaries.py checks the tables against the raw rows after random writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, union_all
from sqlmodel import Session

from db.models import (
    AssessmentLevelSummary,
    CompletionDaysSummary,
    CredentialSkill,
    Employee,
    EmployeeMonthSummary,
    Enrollment,
    EnrollmentMonthSummary,
    EnrollmentStatus,
    FirstCompletion,
    LearnerQuarterSummary,
    OutcomeMonthSummary,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    PdpGoalMonthSummary,
    PdpGoalStatus,
    SkillAssessment,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillTargetSummary,
)
from db.sqlfuncs import days_between, month_start, quarter_start

# The summary tables in parts that are rebuilt together, and what each part is built from.
PARTS = {
    "enrollments": (EnrollmentMonthSummary, CompletionDaysSummary, LearnerQuarterSummary,
                    FirstCompletion),  # enrollments
    "targets": (SkillTargetSummary, SkillGapChangeSummary),  # PDP goals, assessments
    "gains": (SkillGainQuarterSummary,),  # completed enrollments, credential skills, assessments
    "levels": (AssessmentLevelSummary,),  # completed enrollments, credential skills, assessments
    "goals": (PdpGoalMonthSummary,),  # PDP goals
    "outcomes": (OutcomeMonthSummary,),  # completed enrollments, outcome surveys
    "people": (EmployeeMonthSummary,),  # employees (hires, leavers)
}
SUMMARY_TABLES = tuple(t for tables in PARTS.values() for t in tables)
# What each kind of write can change (moving people between departments changes every part).
AFTER_ENROLLMENTS = ("enrollments", "gains", "levels", "outcomes")
AFTER_ASSESSMENTS = ("targets", "gains", "levels")
AFTER_GOALS = ("targets", "goals")
AFTER_CREDENTIAL_SKILLS = ("gains", "levels")
AFTER_SURVEYS = ("outcomes",)


@dataclass(frozen=True)
class _Rows:
    """Which summary rows a refresh rebuilds: all, some employers', or some departments'."""

    employers: tuple[int, ...] | None = None
    departments: tuple[tuple[int, int], ...] | None = None  # (employer, department or 0)

    def people(self) -> list:
        """Conditions on Employee selecting the people whose rows these are."""
        if self.departments is not None:
            return [self._either(Employee.department_id, Employee.employer_id, Employee.department_id.is_(None))]
        return [] if self.employers is None else [Employee.employer_id.in_(self.employers)]

    def of(self, table) -> list:
        if self.departments is not None:
            return [self._either(table.department_id, table.employer_id, table.department_id == 0)]
        return [] if self.employers is None else [table.employer_id.in_(self.employers)]

    def _either(self, department, employer, no_department):
        # Department ids are unique across employers; "no department" needs the employer too.
        # (Plain columns rather than row values, so the indexes serve.)
        named = sorted({d for _, d in self.departments if d})
        bare = sorted({e for e, d in self.departments if not d})
        return or_(department.in_(named), and_(no_department, employer.in_(bare)))


def _base(rows: _Rows):
    return select().select_from(Enrollment).join(Employee, Employee.id == Enrollment.employee_id).where(*rows.people())


def _keys():
    return [Employee.employer_id.label("employer_id"),
            func.coalesce(Employee.department_id, 0).label("department_id"),
            Enrollment.credential_id.label("credential_id")]


def refresh(session: Session, employer_ids: Iterable[int] | None = None, *,
            employee_ids: Iterable[int] | None = None, parts: Iterable[str] = PARTS) -> None:
    """Rebuild summary rows: of these employers (every employer when None), or, given
    ``employee_ids``, only of those people's departments (for writes that move nobody
    between departments). ``parts`` names what the write can change (see PARTS)."""
    if employee_ids is not None:
        ids = sorted(set(employee_ids))
        if not ids:
            return
        pairs = session.execute(
            select(Employee.employer_id, func.coalesce(Employee.department_id, 0))
            .where(Employee.id.in_(ids)).distinct()
        ).all()
        rows = _Rows(departments=tuple(sorted((int(e), int(d)) for e, d in pairs)))
    elif employer_ids is not None:
        rows = _Rows(employers=tuple(sorted(set(employer_ids))))
        if not rows.employers:
            return
    else:
        rows = _Rows()
    parts = set(parts)
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(f"Unknown summary parts: {sorted(unknown)}")
    for part in PARTS:
        if part in parts:
            _clear(session, PARTS[part], rows)
            _BUILDERS[part](session, rows)


def _clear(session: Session, tables, rows: _Rows) -> None:
    for table in tables:
        session.execute(delete(table).where(*rows.of(table)))


def _build_enrollments(session: Session, rows: _Rows) -> None:
    zero = literal(0)
    events = union_all(
        _base(rows).with_only_columns(
            *_keys(), month_start(Enrollment.enrolled_on).label("month"), literal(1).label("enrolled"),
            Enrollment.cost.label("spend"), zero.label("completed"), zero.label("failed"), zero.label("withdrawn")),
        _base(rows).where(Enrollment.status.in_([EnrollmentStatus.completed, EnrollmentStatus.failed]),
                          Enrollment.completed_on.is_not(None))
        .with_only_columns(
            *_keys(), month_start(Enrollment.completed_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"),
            case((Enrollment.status == EnrollmentStatus.completed, 1), else_=0).label("completed"),
            case((Enrollment.status == EnrollmentStatus.failed, 1), else_=0).label("failed"), zero.label("withdrawn")),
        _base(rows).where(Enrollment.status == EnrollmentStatus.withdrawn, Enrollment.withdrawn_on.is_not(None))
        .with_only_columns(
            *_keys(), month_start(Enrollment.withdrawn_on).label("month"), zero.label("enrolled"),
            literal(0).label("spend"), zero.label("completed"), zero.label("failed"), literal(1).label("withdrawn")),
    ).subquery()
    group = [events.c.employer_id, events.c.department_id, events.c.credential_id, events.c.month]
    session.execute(insert(EnrollmentMonthSummary).from_select(
        ["employer_id", "department_id", "credential_id", "month", "enrolled", "spend",
         "completed", "failed", "withdrawn"],
        select(*group, func.sum(events.c.enrolled), func.sum(events.c.spend),
               func.sum(events.c.completed), func.sum(events.c.failed), func.sum(events.c.withdrawn))
        .group_by(*group),
    ))

    days = days_between(Enrollment.enrolled_on, Enrollment.completed_on)
    month = month_start(Enrollment.completed_on)
    k = _keys()
    session.execute(insert(CompletionDaysSummary).from_select(
        ["employer_id", "department_id", "credential_id", "month", "days", "completions"],
        _base(rows).where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None))
        .with_only_columns(*k, month, days, func.count())
        .group_by(k[0], k[1], k[2], month, days),
    ))

    quarter = quarter_start(Enrollment.enrolled_on)
    session.execute(insert(LearnerQuarterSummary).from_select(
        ["employer_id", "department_id", "quarter", "learners"],
        _base(rows).with_only_columns(k[0], k[1], quarter, func.count(func.distinct(Enrollment.employee_id)))
        .group_by(k[0], k[1], quarter),
    ))

    session.execute(insert(FirstCompletion).from_select(
        ["employee_id", "employer_id", "department_id", "completed_on"],
        _base(rows).where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None))
        .with_only_columns(Enrollment.employee_id, k[0], k[1], func.min(Enrollment.completed_on))
        .group_by(Enrollment.employee_id, k[0], k[1]),
    ))

# --- Skills: PDP targets, gaps, gains and assessed levels ----------------------------------


def _clip(x):
    """max(x, 0) in SQL."""
    return case((x > 0, x), else_=0)


def _targets(rows: _Rows):
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


def _build_targets(session: Session, rows: _Rows) -> None:
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


def _build_gains(session: Session, rows: _Rows) -> None:
    """Distinct (employee, skill) pairs gained per quarter."""
    pairs = gain_pairs(people_conditions=rows.people())
    quarter = quarter_start(pairs.c.day).label("quarter")
    distinct_pairs = select(pairs.c.employee_id, pairs.c.skill_id, quarter).distinct().subquery()
    dkeys = [Employee.employer_id, func.coalesce(Employee.department_id, 0), distinct_pairs.c.quarter]
    session.execute(insert(SkillGainQuarterSummary).from_select(
        ["employer_id", "department_id", "quarter", "skills_gained"],
        select(*dkeys, func.count()).select_from(distinct_pairs)
        .join(Employee, Employee.id == distinct_pairs.c.employee_id).group_by(*dkeys),
    ))


def _build_levels(session: Session, rows: _Rows) -> None:
    """Assessed levels on each side of completed enrollments."""
    levels = assessed_levels(people_conditions=rows.people())
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
    done = _base(_Rows()).with_only_columns(
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


def _build_goals(session: Session, rows: _Rows) -> None:
    month = month_start(PdpGoal.due_on)
    keys = [Employee.employer_id, func.coalesce(Employee.department_id, 0), func.coalesce(PdpGoal.credential_id, 0),
            PdpGoal.status, month]
    session.execute(insert(PdpGoalMonthSummary).from_select(
        ["employer_id", "department_id", "credential_id", "status", "month", "goals"],
        select(*keys, func.count()).select_from(PdpGoal).join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id).where(*rows.people()).group_by(*keys),
    ))


def _build_outcomes(session: Session, rows: _Rows) -> None:
    S_ = OutcomeSurvey
    k = _keys()
    month = month_start(Enrollment.completed_on)
    session.execute(insert(OutcomeMonthSummary).from_select(
        ["employer_id", "department_id", "credential_id", "month", "surveys", "performance_change",
         "satisfaction_change"],
        _base(rows).join(S_, S_.enrollment_id == Enrollment.id)
        .where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None))
        .with_only_columns(*k, month, func.count(), func.sum(S_.performance_after - S_.performance_before),
                           func.sum(S_.satisfaction_after - S_.satisfaction_before))
        .group_by(k[0], k[1], k[2], month),
    ))


def _build_people(session: Session, rows: _Rows) -> None:
    department = func.coalesce(Employee.department_id, 0)
    hired, left = month_start(Employee.hired_on), month_start(Employee.left_on)
    events = union_all(
        select(Employee.employer_id.label("employer_id"), department.label("department_id"), hired.label("month"),
               func.count().label("hires"), literal(0).label("leavers"), literal(0).label("leavers_on_first"))
        .where(*rows.people()).group_by(Employee.employer_id, department, hired),
        select(Employee.employer_id, department, left, literal(0), func.count(),
               func.count().filter(Employee.left_on == left))
        .where(*rows.people(), Employee.left_on.is_not(None)).group_by(Employee.employer_id, department, left),
    ).subquery()
    group = [events.c.employer_id, events.c.department_id, events.c.month]
    session.execute(insert(EmployeeMonthSummary).from_select(
        ["employer_id", "department_id", "month", "hires", "leavers", "leavers_on_first"],
        select(*group, func.sum(events.c.hires), func.sum(events.c.leavers), func.sum(events.c.leavers_on_first))
        .group_by(*group),
    ))


_BUILDERS = {"enrollments": _build_enrollments, "targets": _build_targets, "gains": _build_gains,
             "levels": _build_levels, "goals": _build_goals, "outcomes": _build_outcomes, "people": _build_people}


def refresh_for_credentials(session: Session, credential_ids: Iterable[int]) -> None:
    """After a change to credentials' skills: rebuild what depends on them for every
    employer with enrollments in them (none, for drafts nobody has taken)."""
    ids = sorted(set(credential_ids))
    if not ids:
        return
    employers = session.execute(
        select(Employee.employer_id).join(Enrollment, Enrollment.employee_id == Employee.id)
        .where(Enrollment.credential_id.in_(ids)).distinct()
    ).scalars().all()
    refresh(session, employers, parts=AFTER_CREDENTIAL_SKILLS)
