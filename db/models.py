"""The domain model: every table of the product, in one module.

Conventions
- Status-like columns are short strings checked by a named CHECK constraint
  (not native enums) so SQLite and PostgreSQL share one migration path.
- Dates are ``date``; timestamps are timezone-aware UTC (SQLModel's UTCDateTime).
- Money is ``Numeric(12, 2)``.
- Every foreign key is indexed, and so are the status/date columns the
  dashboards filter by.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, MetaData, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints, so Alembic produces the same names on SQLite and PostgreSQL
# and batch migrations on SQLite can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def money(**kw) -> Decimal:
    return Field(sa_type=Numeric(12, 2), **kw)


# --- Vocabularies -----------------------------------------------------------


class OrgKind(StrEnum):
    university = "university"
    employer = "employer"


class PartnershipStatus(StrEnum):
    active = "active"
    paused = "paused"
    ended = "ended"


class Role(StrEnum):
    admin = "admin"
    partnership_officer = "partnership_officer"
    hr_manager = "hr_manager"
    viewer = "viewer"


class CredentialStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    published = "published"
    retired = "retired"


class DeliveryMode(StrEnum):
    online = "online"
    blended = "blended"
    on_campus = "on_campus"
    workplace = "workplace"


class QualificationCycle(StrEnum):
    """The cycle of the Qualifications Framework of the European Higher Education Area, where it applies."""

    short_cycle = "short_cycle"
    first_cycle = "first_cycle"
    second_cycle = "second_cycle"
    third_cycle = "third_cycle"


class AssessmentSupervision(StrEnum):
    """Supervision and identity verification during the assessment (Council Recommendation, Annex I)."""

    unsupervised_no_identity_check = "unsupervised_no_identity_check"
    supervised_no_identity_check = "supervised_no_identity_check"
    supervised_identity_check = "supervised_identity_check"


class Stackability(StrEnum):
    stand_alone = "stand_alone"
    stackable = "stackable"


class EnrollmentStatus(StrEnum):
    enrolled = "enrolled"
    in_progress = "in_progress"
    completed = "completed"
    failed = "failed"
    withdrawn = "withdrawn"


class Sponsor(StrEnum):
    employer = "employer"
    employee = "employee"
    university = "university"
    public_fund = "public_fund"


class AssessmentSource(StrEnum):
    self = "self"
    manager = "manager"
    assessment = "assessment"


class ProposalStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Decision(StrEnum):
    """One organisation's answer to a change proposal (ProposalDecision)."""

    accepted = "accepted"
    rejected = "rejected"


class SkillStatus(StrEnum):
    """A skill of the shared vocabulary (accepted), or one an employer proposed and the university has yet to
    accept (proposed) or did not accept (rejected)."""

    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"


class PdpStatus(StrEnum):
    draft = "draft"
    active = "active"
    closed = "closed"


class PdpGoalStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    achieved = "achieved"
    dropped = "dropped"


# --- Organisations and people ----------------------------------------------


class Organization(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("kind", OrgKind), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20, index=True)
    sector: str | None = Field(default=None, max_length=80)
    country: str | None = Field(default=None, max_length=2)
    # The awarding body's legal identifier (e.g. a registration number), as a European Digital Credential names it.
    legal_identifier: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class Partnership(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("university_id", "employer_id", "starts_on"),
        CheckConstraint(_in("status", PartnershipStatus), name="status"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("seats_committed >= 0 AND annual_budget >= 0", name="non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    university_id: int = Field(foreign_key="organization.id", index=True)
    employer_id: int = Field(foreign_key="organization.id", index=True)
    starts_on: date
    ends_on: date | None = None
    status: str = Field(default=PartnershipStatus.active, max_length=20, index=True)
    annual_budget: Decimal = money(default=Decimal("0"))
    seats_committed: int = 0
    # The employer's HR manager lets this university's officers see its people's HR records
    # (PDP goals, assessments, survey answers) by name; off, officers see them in aggregate only.
    shares_individual_records: bool = False


class AppUser(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role"),
        UniqueConstraint("identity_issuer", "identity_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-case: identity providers differ in the case they send.
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=30)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # The provider identity (ID token ``iss`` + ``sub``) that claimed the account at its first
    # sign-in; from then on only that identity opens it, whatever email it later sends.
    identity_issuer: str | None = Field(default=None, max_length=500)
    identity_subject: str | None = Field(default=None, max_length=255)
    # Logging out refuses, in every process, each ID token issued (``iat``) at or before this.
    logged_out_through: datetime | None = None


class Department(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("employer_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=120)


class Employee(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("employer_id", "employee_ref"),
        CheckConstraint("left_on IS NULL OR left_on >= hired_on", name="dates"),
        # Covers the department cells' joins (services/population.py), which read an employer's people per
        # cell with their department and dates: from the index alone (1.19 s to about 0.5 s at 250,000 people).
        Index("ix_employee_employer_department_dates", "employer_id", "department_id", "hired_on", "left_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="organization.id", index=True)
    employee_ref: str = Field(max_length=64)  # the employer's HRIS id
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    job_title: str | None = Field(default=None, max_length=120)
    location: str | None = Field(default=None, max_length=120)
    manager_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    hired_on: date = Field(index=True)
    left_on: date | None = Field(default=None, index=True)
    # Set when the person's name, email, HRIS id and free text were replaced by a pseudonym
    # (an erasure request or the retention rule); their records stay for past aggregates.
    pseudonymised_on: date | None = Field(default=None, index=True)


# --- Curriculum -------------------------------------------------------------


class Skill(SQLModel, table=True):
    """The skills vocabulary every organisation shares, which the universities keep: a skill an employer
    proposes is seen only by that employer and its partner universities, and used nowhere, until a
    partnership officer accepts it (services/codesign/vocabulary.py)."""

    __table_args__ = (CheckConstraint(_in("status", SkillStatus), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    category: str | None = Field(default=None, max_length=80)
    esco_uri: str | None = Field(default=None, max_length=300)
    # The seed, credential imports and the university's own additions are accepted as they are written.
    status: str = Field(default=SkillStatus.accepted, max_length=20, index=True,
                        sa_column_kwargs={"server_default": SkillStatus.accepted.value})
    proposed_by_id: int | None = Field(default=None, foreign_key="organization.id", index=True)  # the employer
    proposer_email: str | None = Field(default=None, max_length=254)
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = None


class Credential(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("status", CredentialStatus), name="status"),
        CheckConstraint(_in("delivery_mode", DeliveryMode), name="delivery_mode"),
        CheckConstraint("eqf_level BETWEEN 1 AND 8", name="eqf_level"),
        CheckConstraint(
            "ects_credits >= 0 AND learning_hours >= 0 AND price >= 0", name="non_negative"
        ),
        CheckConstraint(f"qualification_cycle IS NULL OR {_in('qualification_cycle', QualificationCycle)}",
                        name="qualification_cycle"),
        CheckConstraint(f"assessment_supervision IS NULL OR {_in('assessment_supervision', AssessmentSupervision)}",
                        name="assessment_supervision"),
        CheckConstraint(f"stackability IS NULL OR {_in('stackability', Stackability)}", name="stackability"),
    )

    id: int | None = Field(default=None, primary_key=True)
    university_id: int = Field(foreign_key="organization.id", index=True)
    code: str = Field(max_length=30, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    eqf_level: int
    ects_credits: Decimal = Field(sa_type=Numeric(5, 1), default=Decimal("0"))
    learning_hours: int = 0
    delivery_mode: str = Field(default=DeliveryMode.online, max_length=20)
    price: Decimal = money(default=Decimal("0"))
    status: str = Field(default=CredentialStatus.draft, max_length=20, index=True)
    # The elements of the Council Recommendation on micro-credentials (2022, Annex I) beyond the ones above;
    # services/codesign/completeness.py says which are mandatory. delivery_mode is the form of participation.
    issuer_country: str | None = Field(default=None, max_length=6)  # ISO 3166 country or region code
    qualification_cycle: str | None = Field(default=None, max_length=20)
    assessment_type: str = Field(default="", sa_type=Text)
    quality_assurance: str = Field(default="", sa_type=Text)
    prerequisites: str = Field(default="", sa_type=Text)
    assessment_supervision: str | None = Field(default=None, max_length=40)
    stackability: str | None = Field(default=None, max_length=20)
    stacks_towards: str = Field(default="", sa_type=Text)
    further_information: str = Field(default="", sa_type=Text)
    # The yearly quality review (services/codesign/quality_review.py): not content, so not versioned.
    last_reviewed_on: date | None = None
    next_review_on: date | None = Field(default=None, index=True)
    # Content version: bumped on every saved change; also the optimistic lock.
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LearningOutcome(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("credential_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    position: int
    text: str = Field(sa_type=Text)


class CredentialSkill(SQLModel, table=True):
    __table_args__ = (CheckConstraint("proficiency BETWEEN 1 AND 5", name="proficiency"),)

    credential_id: int = Field(foreign_key="credential.id", primary_key=True, index=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    proficiency: int


class CredentialPartner(SQLModel, table=True):
    """An employer co-designing a credential with the university."""

    credential_id: int = Field(foreign_key="credential.id", primary_key=True, index=True)
    employer_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)
    joined_on: date | None = None


class Pathway(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    university_id: int = Field(foreign_key="organization.id", index=True)
    code: str = Field(max_length=30, unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)


class PathwayStep(SQLModel, table=True):
    """One credential at a position in a pathway's ordered stack."""

    __table_args__ = (UniqueConstraint("pathway_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    pathway_id: int = Field(foreign_key="pathway.id", index=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    position: int


class Cohort(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("credential_id", "code"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("seats >= 0", name="seats"),
    )

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    code: str = Field(max_length=40)
    starts_on: date = Field(index=True)
    ends_on: date
    seats: int = 0


# --- Learning records -------------------------------------------------------


class Enrollment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("employee_id", "credential_id", "cohort_id"),
        CheckConstraint(_in("status", EnrollmentStatus), name="status"),
        CheckConstraint(_in("sponsor", Sponsor), name="sponsor"),
        CheckConstraint("completed_on IS NULL OR completed_on >= enrolled_on", name="completed_after"),
        CheckConstraint("withdrawn_on IS NULL OR withdrawn_on >= enrolled_on", name="withdrawn_after"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        CheckConstraint("cost >= 0", name="cost"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    enrolled_on: date = Field(index=True)
    status: str = Field(default=EnrollmentStatus.enrolled, max_length=20, index=True)
    # Last day with recorded learning activity: feeds the at-risk alert.
    last_activity_on: date | None = None
    # Set for both outcomes "completed" and "failed" (the day the result was known).
    completed_on: date | None = Field(default=None, index=True)
    withdrawn_on: date | None = Field(default=None, index=True)
    score: float | None = None
    cost: Decimal = money(default=Decimal("0"))
    sponsor: str = Field(default=Sponsor.employer, max_length=20)
    updated_at: datetime = Field(default_factory=utcnow)


class SeatReservation(SQLModel, table=True):
    """A planned enrollment: a seat held in a cohort for one person, usually for a PDP goal, until they
    enrol (an Enrollment then takes the seat) or the reservation is released. A cohort's seats taken are
    its people with an enrollment that is not withdrawn, or a reservation (services/seats.py)."""

    __table_args__ = (UniqueConstraint("cohort_id", "employee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    pdp_goal_id: int | None = Field(default=None, foreign_key="pdpgoal.id", index=True)
    reserved_by: str = Field(max_length=254)
    reserved_at: datetime = Field(default_factory=utcnow)


class SkillAssessment(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 5", name="level"),
        CheckConstraint(_in("source", AssessmentSource), name="source"),
        # Each (employee, skill)'s history in date order: latest/first levels and gains read it.
        Index("ix_skillassessment_employee_skill_day", "employee_id", "skill_id", "assessed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id")
    skill_id: int = Field(foreign_key="skill.id", index=True)
    level: int
    assessed_on: date = Field(index=True)
    source: str = Field(default=AssessmentSource.manager, max_length=20)


class Pdp(SQLModel, table=True):
    """A Personal Development Plan of one employee for one period (e.g. "2026")."""

    __table_args__ = (
        UniqueConstraint("employee_id", "period"),
        CheckConstraint(_in("status", PdpStatus), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    period: str = Field(max_length=20)
    manager_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    status: str = Field(default=PdpStatus.active, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PdpGoal(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("status", PdpGoalStatus), name="status"),
        CheckConstraint("skill_id IS NOT NULL OR credential_id IS NOT NULL", name="target"),
        CheckConstraint("target_level IS NULL OR target_level BETWEEN 1 AND 5", name="target_level"),
        # Open goals due in a few weeks (metrics/goals.py goal_states) seek on both columns; it also serves
        # every lookup by status alone, so it replaces the single-column status index.
        Index("ix_pdpgoal_status_due_on", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pdp_id: int = Field(foreign_key="pdp.id", index=True)
    title: str = Field(max_length=200)
    skill_id: int | None = Field(default=None, foreign_key="skill.id", index=True)
    credential_id: int | None = Field(default=None, foreign_key="credential.id", index=True)
    target_level: int | None = None
    due_on: date = Field(index=True)
    status: str = Field(default=PdpGoalStatus.planned, max_length=20)
    updated_at: datetime = Field(default_factory=utcnow)


class OutcomeSurvey(SQLModel, table=True):
    """Job performance and satisfaction before and after a credential (1-5)."""

    __table_args__ = (
        CheckConstraint(
            "performance_before BETWEEN 1 AND 5 AND performance_after BETWEEN 1 AND 5 "
            "AND satisfaction_before BETWEEN 1 AND 5 AND satisfaction_after BETWEEN 1 AND 5",
            name="ratings",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True, unique=True)
    surveyed_on: date = Field(index=True)
    performance_before: int
    performance_after: int
    satisfaction_before: int
    satisfaction_after: int


# --- Bookkeeping ------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the values before and after (JSON text)."""

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    actor_email: str = Field(max_length=254)
    # The organisation whose data changed; scopes who may read the event.
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=60)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)


class AccessLogEntry(SQLModel, table=True):
    """One individual-level view or download (a learner list, PDP goals, badges, a person's page):
    who, when, what scope and filters, how many rows. One entry per employer whose people it showed,
    so an HR manager reads the entries about their own employer's people and no other's."""

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    actor_email: str = Field(max_length=254)
    actor_role: str = Field(max_length=30)
    employer_id: int = Field(foreign_key="organization.id", index=True)
    view: str = Field(max_length=60)  # e.g. "learner list", "learner list download"
    filters: str = Field(default="", sa_type=Text)  # readable: the period, departments, credentials chosen
    rows: int = 0


class AccessLogSubject(SQLModel, table=True):
    """The people an access-log entry showed: answers "who has seen my records?" exactly."""

    entry_id: int = Field(foreign_key="accesslogentry.id", primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", primary_key=True, index=True)


class DataVersion(SQLModel, table=True):
    """One row whose counter every write bumps: the cache key shared by all app processes."""

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


# The summary tables live beside db/summaries.py's rules in their own module; the co-design record, the
# review meeting's record and the yearly quality reviews in db/codesign_tables.py, db/meeting_tables.py and
# db/quality_tables.py. They are part of this model (one metadata, one schema), so every
# table is still importable from here.
from db.codesign_tables import (  # noqa: E402,F401
    Approval,
    ChangeProposal,
    CredentialRevision,
    ProposalComment,
    ProposalDecision,
)
from db.meeting_tables import ActionSide, ActionStatus, ReviewAction  # noqa: E402,F401
from db.quality_tables import CredentialReview, ReviewOutcome  # noqa: E402,F401
from db.summary_tables import (  # noqa: E402,F401
    AssessmentLevelSummary,
    CompletionDaysSummary,
    EmployeeMonthSummary,
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
