"""One person's record as the Person page shows it: profile, PDP goals, enrollments and results, badges,
assessed skill levels against their targets, and what is due next.

Who sees what (db/scope.py): the person must be in the user's scope (an HR manager's own employer, an
officer's partners, an admin everyone). Their PDP goals, skill assessments and targets are HR records: shown
only to those who may see the employer's records by name (``Scope.sees_records_of``); for the others the
record says they are withheld and why. Enrollments and badges follow the normal scope, like the learner list.
Survey answers are on no one's page. Every query reads this one person's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db.models import (
    Cohort,
    Credential,
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    Organization,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    SeatReservation,
    Skill,
    SkillAssessment,
)
from db.scope import AccessDenied, Scope, visible
from services.metrics import goal_state
from services.people.finding import PersonNotFound

GOAL_COLUMNS = ["goal_id", "period", "plan_status", "goal", "skill", "target_level", "credential", "due_on", "status",
                "state"]
ENROLLMENT_COLUMNS = ["code", "title", "cohort", "status", "enrolled_on", "completed_on", "withdrawn_on", "score",
                      "ends_on"]
BADGE_COLUMNS = ["code", "title", "completed_on"]
LEVEL_COLUMNS = ["skill", "assessed_on", "level", "source"]
TARGET_COLUMNS = ["skill", "target_level"]
DUE_COLUMNS = ["what", "item", "on", "when"]
HR_RECORDS = "PDP goals, skill assessments and targets"
OPEN_GOALS = (PdpGoalStatus.planned, PdpGoalStatus.in_progress)
LEARNING = (EnrollmentStatus.enrolled, EnrollmentStatus.in_progress)


@dataclass(frozen=True)
class PersonRecord:
    employee_id: int
    profile: dict
    records_shown: bool      # the HR records (goals, assessments, targets) are in this record
    withheld: str | None     # why they are not, in a sentence (None when they are)
    goals: pd.DataFrame
    enrollments: pd.DataFrame
    badges: pd.DataFrame
    levels: pd.DataFrame     # assessed levels over time
    targets: pd.DataFrame    # the highest target level per skill of open or achieved goals
    due: pd.DataFrame        # open goals, learning in progress and seats held, soonest first

    @property
    def open_goals(self) -> int | None:
        """Planned or in progress (None when the goals are withheld)."""
        return int(self.goals["status"].isin(list(OPEN_GOALS)).sum()) if self.records_shown else None

    @property
    def completed(self) -> int:
        return int((self.enrollments["status"] == EnrollmentStatus.completed).sum())


def _person(session: Session, scope: Scope, employee_id: int) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise PersonNotFound("That person does not exist.")
    if session.scalar(select(Employee.id).where(Employee.id == employee_id, visible(scope, Employee))) is None:
        raise AccessDenied("That person is outside your access.")
    return employee


def _profile(session: Session, employee: Employee) -> dict:
    manager = aliased(Employee)
    employer, department, manager_name = session.execute(
        select(Organization.name, Department.name, manager.full_name)
        .select_from(Employee)
        .join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        # The manager as recorded in the same employer (a link to another employer's person names nobody).
        .outerjoin(manager, (manager.id == Employee.manager_id) & (manager.employer_id == Employee.employer_id))
        .where(Employee.id == employee.id)).one()
    return {"full_name": employee.full_name, "employee_ref": employee.employee_ref, "employer": employer,
            "employer_id": employee.employer_id, "department": department, "job_title": employee.job_title,
            "location": employee.location, "manager": manager_name, "hired_on": employee.hired_on,
            "left_on": employee.left_on, "pseudonymised_on": employee.pseudonymised_on}


def _goals(session: Session, employee_id: int, today: date) -> pd.DataFrame:
    rows = session.execute(
        select(PdpGoal.id, Pdp.period, Pdp.status, PdpGoal.title, Skill.name, PdpGoal.target_level, Credential.code,
               PdpGoal.due_on, PdpGoal.status, goal_state(today))
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .outerjoin(Skill, Skill.id == PdpGoal.skill_id)
        .outerjoin(Credential, Credential.id == PdpGoal.credential_id)
        .where(Pdp.employee_id == employee_id)
        .order_by(Pdp.period.desc(), PdpGoal.status.in_([PdpGoalStatus.achieved, PdpGoalStatus.dropped]),
                  PdpGoal.due_on, PdpGoal.id)).all()
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def _enrollments(session: Session, scope: Scope, employee_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(Credential.code, Credential.title, Cohort.code, Enrollment.status, Enrollment.enrolled_on,
               Enrollment.completed_on, Enrollment.withdrawn_on, Enrollment.score, Cohort.ends_on)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.employee_id == employee_id, visible(scope, Enrollment))
        .order_by(Enrollment.enrolled_on.desc(), Enrollment.id)).all()
    return pd.DataFrame(rows, columns=ENROLLMENT_COLUMNS)


def _badges(session: Session, scope: Scope, employee: Employee) -> pd.DataFrame:
    """The completions that issue a badge, as services/badges.completed_enrollments counts them: completed, with
    a result date, of a credential in scope; none for a pseudonymised person."""
    if employee.pseudonymised_on is not None:
        return pd.DataFrame(columns=BADGE_COLUMNS)
    rows = session.execute(
        select(Credential.code, Credential.title, Enrollment.completed_on)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .where(Enrollment.employee_id == employee.id, Enrollment.status == EnrollmentStatus.completed,
               Enrollment.completed_on.is_not(None), visible(scope, Enrollment), visible(scope, Credential))
        .order_by(Enrollment.completed_on, Enrollment.id)).all()
    return pd.DataFrame(rows, columns=BADGE_COLUMNS)


def _levels(session: Session, employee_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(Skill.name, SkillAssessment.assessed_on, SkillAssessment.level, SkillAssessment.source)
        .join(Skill, Skill.id == SkillAssessment.skill_id)
        .where(SkillAssessment.employee_id == employee_id)
        .order_by(Skill.name, SkillAssessment.assessed_on, SkillAssessment.id)).all()
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)


def _targets(session: Session, employee_id: int) -> pd.DataFrame:
    """As services/metrics/upskilling._goal_targets, for one person: the highest target level per skill of
    their goals that are not dropped."""
    rows = session.execute(
        select(Skill.name, func.max(PdpGoal.target_level))
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Skill, Skill.id == PdpGoal.skill_id)
        .where(Pdp.employee_id == employee_id, PdpGoal.target_level.is_not(None),
               PdpGoal.status != PdpGoalStatus.dropped)
        .group_by(Skill.name).order_by(Skill.name)).all()
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def when(on: date, today: date) -> str:
    """How far ``on`` is from today, in words: "in 12 days", "today", "3 days overdue"."""
    days = (on - today).days
    if days == 0:
        return "today"
    plural = "" if abs(days) == 1 else "s"
    return f"in {days} day{plural}" if days > 0 else f"{-days} day{plural} overdue"


def _seats(session: Session, scope: Scope, employee_id: int, today: date) -> list[tuple]:
    """Seats held for the person in cohorts that have not ended."""
    return session.execute(
        select(Credential.code, Credential.title, Cohort.code, Cohort.starts_on)
        .select_from(SeatReservation)
        .join(Cohort, Cohort.id == SeatReservation.cohort_id)
        .join(Credential, Credential.id == Cohort.credential_id)
        .where(SeatReservation.employee_id == employee_id, visible(scope, SeatReservation), Cohort.ends_on >= today)
        .order_by(Cohort.starts_on, SeatReservation.id)).all()


def _due(session: Session, scope: Scope, employee_id: int, goals: pd.DataFrame, enrollments: pd.DataFrame,
         today: date) -> pd.DataFrame:
    items = [("Goal", goal.goal, goal.due_on) for goal in goals.itertuples() if goal.status in OPEN_GOALS]
    items += [("Learning", f"{e.code} {e.title} (cohort {e.cohort} ends)", e.ends_on)
              for e in enrollments.itertuples() if e.status in LEARNING]
    items += [("Seat reserved", f"{code} {title} (cohort {cohort} starts)", starts_on)
              for code, title, cohort, starts_on in _seats(session, scope, employee_id, today)]
    items.sort(key=lambda item: item[2])
    return pd.DataFrame([(what, item, on, when(on, today)) for what, item, on in items], columns=DUE_COLUMNS)


def withheld_note(employer: str) -> str:
    """Why the HR records are not shown (in the words of services/sharing.withheld_note)."""
    return (f"{employer} keeps its people's {HR_RECORDS} to its own HR; its HR manager can share them on the "
            "Privacy page.")


def person_record(session: Session, scope: Scope, *, employee_id: int, today: date) -> PersonRecord:
    """The record of ``employee_id`` as ``scope`` may see it (AccessDenied, PersonNotFound otherwise)."""
    employee = _person(session, scope, employee_id)
    profile = _profile(session, employee)
    shown = scope.sees_records_of(employee.employer_id)
    if shown:
        goals, levels, targets = _goals(session, employee.id, today), _levels(session, employee.id), _targets(
            session, employee.id)
    else:
        goals, levels, targets = (pd.DataFrame(columns=GOAL_COLUMNS), pd.DataFrame(columns=LEVEL_COLUMNS),
                                  pd.DataFrame(columns=TARGET_COLUMNS))
    enrollments = _enrollments(session, scope, employee.id)
    return PersonRecord(
        employee_id=employee.id, profile=profile, records_shown=shown,
        withheld=None if shown else withheld_note(profile["employer"]),
        goals=goals, enrollments=enrollments, badges=_badges(session, scope, employee), levels=levels,
        targets=targets, due=_due(session, scope, employee.id, goals, enrollments, today))


__all__ = ["PersonRecord", "person_record", "when", "withheld_note"]
