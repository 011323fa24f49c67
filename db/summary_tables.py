"""The summary tables: exact aggregates of the learning records that the dashboards read
instead of scanning every row. db/summaries/ rebuilds them inside every write that changes
what they hold; tests/db/test_summaries.py checks they equal the raw rows. Part of the one
model: ``db.models`` re-exports every class here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Field, SQLModel

from db.models import money


class EnrollmentMonthSummary(SQLModel, table=True):
    """Enrollment events per employer, department, credential and month: the dashboards
    read these instead of scanning every enrollment. Rebuilt per employer by
    db/summaries.refresh after every write that touches enrollments or employees."""

    __tablename__ = "enrollment_month_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)  # 0 = no department
    credential_id: int = Field(foreign_key="credential.id", primary_key=True, index=True)
    month: date = Field(primary_key=True, index=True)  # first day of the month
    enrolled: int = 0  # enrolled_on in the month
    spend: Decimal = money(default=Decimal("0"))  # cost of those enrollments
    completed: int = 0  # completed_on in the month, status completed
    failed: int = 0  # completed_on in the month, status failed
    withdrawn: int = 0  # withdrawn_on in the month


class CompletionDaysSummary(SQLModel, table=True):
    """How many completions took each number of days, per employer, department, credential and month."""

    __tablename__ = "completion_days_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", primary_key=True, index=True)
    month: date = Field(primary_key=True, index=True)
    days: int = Field(primary_key=True)
    completions: int = 0


class LearnerQuarterSummary(SQLModel, table=True):
    """Distinct people who started an enrollment, per employer, department and quarter
    (additive over departments and employers, since a person is in one of each)."""

    __tablename__ = "learner_quarter_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    quarter: date = Field(primary_key=True, index=True)  # first day of the quarter
    learners: int = 0


class SkillTargetSummary(SQLModel, table=True):
    """PDP skill targets per employer, department and skill: how many people have one,
    the sum of their target levels, and the gap from their first assessed level."""

    __tablename__ = "skill_target_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    people: int = 0  # (employee, skill) pairs with a target
    target_total: int = 0  # sum of targets = the gap before any assessment
    gap_start: int = 0  # sum of max(target - first assessed level, 0)


class SkillGapChangeSummary(SQLModel, table=True):
    """How the summed skill gap of targeted (employee, skill) pairs changed in each month:
    the gap at a month's end is target_total plus the changes of every month up to it."""

    __tablename__ = "skill_gap_change_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    month: date = Field(primary_key=True, index=True)
    gap_change: int = 0


class SkillGainQuarterSummary(SQLModel, table=True):
    """Distinct (employee, skill) pairs gained per employer, department and quarter."""

    __tablename__ = "skill_gain_quarter_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    quarter: date = Field(primary_key=True, index=True)
    skills_gained: int = 0


class AssessmentLevelSummary(SQLModel, table=True):
    """Assessed levels before enrolling and after completing, for enrollments completed in
    each quarter, per employer, department and skill (sums, so means can be combined)."""

    __tablename__ = "assessment_level_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    quarter: date = Field(primary_key=True, index=True)
    side: str = Field(primary_key=True, max_length=6)  # before | after
    level_total: int = 0
    assessments: int = 0
    people: int = 0  # distinct people within this row's department


class PdpGoalMonthSummary(SQLModel, table=True):
    """PDP goals per employer, department, credential, status and the month they are due:
    goal states on any day come from these plus the goals due around that day."""

    __tablename__ = "pdp_goal_month_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    credential_id: int = Field(primary_key=True)  # 0 = a goal without a credential
    status: str = Field(primary_key=True, max_length=20)
    month: date = Field(primary_key=True, index=True)  # first day of the month due
    goals: int = 0


class OutcomeMonthSummary(SQLModel, table=True):
    """Outcome surveys of enrollments completed in each month, per employer, department and
    credential: how many, and the summed after-minus-before ratings (means combine exactly)."""

    __tablename__ = "outcome_month_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", primary_key=True, index=True)
    month: date = Field(primary_key=True, index=True)  # first day of the completion month
    surveys: int = 0
    performance_change: int = 0
    satisfaction_change: int = 0


class SurveyedQuarterSummary(SQLModel, table=True):
    """Distinct people with an outcome survey of an enrollment completed in each quarter, per employer and
    department (additive over departments and employers): the size of a survey figure's group, which
    OutcomeMonthSummary cannot give (one person may answer several surveys)."""

    __tablename__ = "surveyed_quarter_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)  # 0 = no department
    quarter: date = Field(primary_key=True, index=True)  # first day of the completion quarter
    people: int = 0


class EmployeeMonthSummary(SQLModel, table=True):
    """Hires and leavers per employer, department and month. The headcount of whole months (people on the
    payroll on at least one day of them) is the people hired by the last day less those gone by the first:
    gone = left_on on or before it (left_on >= hired_on always), so the leavers of earlier months and the
    leavers whose left_on is that first day. Read instead of every employee row."""

    __tablename__ = "employee_month_summary"

    employer_id: int = Field(foreign_key="organization.id", primary_key=True)
    department_id: int = Field(primary_key=True)  # 0 = no department
    month: date = Field(primary_key=True, index=True)  # first day of the month
    hires: int = 0  # hired_on in the month
    leavers: int = 0  # left_on in the month
    leavers_on_first: int = 0  # of those, left_on on the month's first day


class FirstCompletion(SQLModel, table=True):
    """Each employee's first completed credential (retention splits people by it): one row
    per person who completed any, rather than a scan of every enrollment per question."""

    __tablename__ = "first_completion"

    employee_id: int = Field(foreign_key="employee.id", primary_key=True)
    employer_id: int = Field(foreign_key="organization.id", index=True)
    department_id: int = 0
    completed_on: date = Field(index=True)

SUMMARY_TABLES = (
    EnrollmentMonthSummary,
    CompletionDaysSummary,
    LearnerQuarterSummary,
    SkillTargetSummary,
    SkillGapChangeSummary,
    SkillGainQuarterSummary,
    AssessmentLevelSummary,
    PdpGoalMonthSummary,
    OutcomeMonthSummary,
    SurveyedQuarterSummary,
    EmployeeMonthSummary,
    FirstCompletion,
)
