"""Summary tables: pre-aggregated learning records, kept exact inside every write.

Call ``refresh(session, employer_ids)`` inside the transaction of any write that adds, changes
or removes enrollments or employees (the seed, status changes), before commit; it rebuilds the
rows of those employers (``refresh(session)``: everything). A write of many enrollment rows
(imports) uses ``EnrollmentChanges`` instead, whose cost follows the rows written (incremental.py).
tests/db/test_summaries.py and test_incremental_summaries.py check the tables against the raw rows.

The parts: enrollment_parts.py (events, completion days, learners, first completions, outcome
surveys), skill_parts.py (targets and gaps, skills gained, assessed levels), people_parts.py (PDP
goals, hires and leavers); rows.py says which rows a refresh rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    AssessmentLevelSummary,
    CompletionDaysSummary,
    Employee,
    EmployeeMonthSummary,
    Enrollment,
    EnrollmentMonthSummary,
    FirstCompletion,
    LearnerQuarterSummary,
    OutcomeMonthSummary,
    PdpGoalMonthSummary,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillTargetSummary,
    SurveyedQuarterSummary,
)
from db.summaries.enrollment_parts import build_enrollments, build_outcomes
from db.summaries.incremental import EnrollmentChanges
from db.summaries.people_parts import build_goals, build_people
from db.summaries.rows import Rows, clear
from db.summaries.skill_parts import assessed_levels, build_gains, build_levels, build_targets, gain_pairs

__all__ = ["AFTER_ASSESSMENTS", "AFTER_CREDENTIAL_SKILLS", "AFTER_GOALS", "AFTER_SURVEYS",
           "PARTS", "SUMMARY_TABLES", "EnrollmentChanges", "assessed_levels", "gain_pairs", "refresh",
           "refresh_for_credentials"]

# The summary tables in parts that are rebuilt together, and what each part is built from.
PARTS = {
    "enrollments": (EnrollmentMonthSummary, CompletionDaysSummary, LearnerQuarterSummary,
                    FirstCompletion),  # enrollments
    "targets": (SkillTargetSummary, SkillGapChangeSummary),  # PDP goals, assessments
    "gains": (SkillGainQuarterSummary,),  # completed enrollments, credential skills, assessments
    "levels": (AssessmentLevelSummary,),  # completed enrollments, credential skills, assessments
    "goals": (PdpGoalMonthSummary,),  # PDP goals
    "outcomes": (OutcomeMonthSummary, SurveyedQuarterSummary),  # completed enrollments, outcome surveys
    "people": (EmployeeMonthSummary,),  # employees (hires, leavers)
}
SUMMARY_TABLES = tuple(t for tables in PARTS.values() for t in tables)
# What each kind of write can change (moving people between departments changes every part).
AFTER_ASSESSMENTS = ("targets", "gains", "levels")
AFTER_GOALS = ("targets", "goals")
AFTER_CREDENTIAL_SKILLS = ("gains", "levels")
AFTER_SURVEYS = ("outcomes",)
_BUILDERS = {"enrollments": build_enrollments, "targets": build_targets, "gains": build_gains,
             "levels": build_levels, "goals": build_goals, "outcomes": build_outcomes, "people": build_people}


def refresh(session: Session, employer_ids: Iterable[int] | None = None, *,
            employee_ids: Iterable[int] | None = None, parts: Iterable[str] = PARTS) -> None:
    """Rebuild summary rows: of these employers (every employer when None), or, given
    ``employee_ids``, only of those people's departments (for writes that move nobody
    between departments). ``parts`` names what the write can change (see PARTS)."""
    if employee_ids is not None:
        rows = Rows.of_people(session, employee_ids)
        if not rows.departments:
            return
    elif employer_ids is not None:
        rows = Rows(employers=tuple(sorted(set(employer_ids))))
        if not rows.employers:
            return
    else:
        rows = Rows()
    parts = set(parts)
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(f"Unknown summary parts: {sorted(unknown)}")
    for part in PARTS:
        if part in parts:
            clear(session, PARTS[part], rows)
            _BUILDERS[part](session, rows)


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
