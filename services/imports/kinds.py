"""The kinds of file an import takes, their columns (``KINDS`` is the source of truth, documented for
people in docs/imports.md), and what of them a user may import."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    AssessmentSource,
    AssessmentSupervision,
    DeliveryMode,
    EnrollmentStatus,
    Organization,
    OrgKind,
    PdpGoalStatus,
    QualificationCycle,
    Sponsor,
    Stackability,
)
from db.scope import Scope, visible
from services import permissions
from services.codesign.rules import MAX_ELEMENT_TEXT

DEFAULT_PROFICIENCY = 3


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text | email | int | decimal | float | date | choice | skills
    required: bool = False
    help: str = ""
    example: str = ""
    max_length: int | None = None
    lo: Any = None
    hi: Any = None
    places: int | None = None  # decimals allowed (money 2, ECTS 1)
    choices: tuple[str, ...] = ()
    label: str = ""  # for choice messages: "'x' is not a <label> (...)"
    default: Any = None  # for new rows when the column is absent or the cell is empty
    aliases: tuple[str, ...] = ()
    past: bool = False  # a date of something that has happened: not after today

    @property
    def format(self) -> str:
        if self.type == "date":
            return "date YYYY-MM-DD, not after today" if self.past else "date YYYY-MM-DD"
        if self.type == "int":
            return f"whole number {self.lo}–{self.hi}" if self.hi is not None else f"whole number ≥ {self.lo}"
        if self.type in ("decimal", "float"):
            return self._number_format()
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        if self.type == "skills":
            return "skill[:level]; skill[:level]; …"
        if self.type == "email":
            return "email address"
        return f"text, at most {self.max_length} characters" if self.max_length else "text"

    def _number_format(self) -> str:
        bounds = f" {self.lo}–{self.hi}" if self.hi is not None and self.type == "float" else \
            (f" ≥ {self.lo}" if self.lo is not None else "")
        return f"number{bounds}" + (f", at most {self.places} decimal{'s' if self.places > 1 else ''}"
                                    if self.places else "")


def _choices(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


EMPLOYEE_REF = Column("employee_ref", required=True, max_length=64, example="E1001", aliases=("employee_id",),
                      help="the employee's id in your HRIS")
CREDENTIAL_CODE = Column("credential_code", required=True, max_length=30, example="DATA-101",
                         aliases=("credential",), help="code of a credential you can see")
COHORT = Column("cohort", required=True, max_length=40, example="DATA-101-26Q1", aliases=("cohort_code",),
                help="code of a cohort (run) of that credential")


def _values(enum) -> str:
    return ", ".join(member.value for member in enum)


# The Council Recommendation's elements (Annex I) beyond the columns above. Read as text and cleaned by
# services/codesign/validation, the studio's rules (services/imports/credentials.py), so both refuse alike.
EUROPEAN_COLUMNS = (
    Column("issuer_country", max_length=6, example="GB", aliases=("country",),
           help="country or region of the issuer: an ISO 3166 code (GB, IE, ES-CT)"),
    Column("qualification_cycle", max_length=40, example="",
           help=f"cycle of the QF-EHEA, where it applies: {_values(QualificationCycle)}"),
    Column("assessment_type", max_length=MAX_ELEMENT_TEXT, default="",
           example="Project report and oral presentation, marked against the learning outcomes",
           help="type of assessment (mandatory before review)"),
    Column("quality_assurance", max_length=MAX_ELEMENT_TEXT, default="",
           example="Internal quality assurance of the university, subject to external review",
           help="type of quality assurance (mandatory before review)"),
    Column("prerequisites", max_length=MAX_ELEMENT_TEXT, default="", example="", help="prerequisites to enrol"),
    Column("assessment_supervision", max_length=40, example="supervised_identity_check",
           help=f"supervision and identity verification during assessment: {_values(AssessmentSupervision)}"),
    Column("stackability", max_length=20, example="stand_alone", help=f"{_values(Stackability)}"),
    Column("stacks_towards", max_length=MAX_ELEMENT_TEXT, default="", example="",
           help="the credential or qualification it stacks towards"),
    Column("further_information", max_length=MAX_ELEMENT_TEXT, default="", example=""),
)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    side: str  # "employer" or "university": whose data it is
    entity: str  # model name in the audit event
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {column.name: column.default for column in self.columns}

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    Kind("credentials", "Credentials", "university", "Credential", ("code",), (
        Column("code", required=True, max_length=30, example="DATA-101",
               help="unique code; letters, digits, '.', '_' and '-'"),
        Column("title", required=True, max_length=200, example="Data analysis for managers"),
        Column("level", "int", required=True, lo=1, hi=8, example="5", aliases=("eqf_level", "eqf"),
               help="EQF level"),
        Column("credits", "decimal", lo=Decimal(0), hi=Decimal("9999.9"), places=1, default=Decimal(0),
               example="5", aliases=("ects", "ects_credits"), help="ECTS credits"),
        Column("hours", "int", lo=0, hi=100_000, default=0, example="125", aliases=("learning_hours",),
               help="learning hours"),
        Column("delivery_mode", "choice", choices=_choices(DeliveryMode), label="delivery mode", default="online",
               example="online", aliases=("delivery", "mode")),
        Column("price", "decimal", lo=Decimal(0), hi=Decimal("9999999999.99"), places=2, default=Decimal(0),
               example="1200.00", help="list price per learner"),
        Column("skills", "skills", example="analyse big data:3; lead a team",
               help=f"skills with proficiency 1–5 (default {DEFAULT_PROFICIENCY}); new skill names are added "
                    "to the vocabulary"),
        Column("summary", max_length=5000, default="", example="", help="description"),
        *EUROPEAN_COLUMNS,
    )),
    Kind("employees", "Employees", "employer", "Employee", ("employee_ref",), (
        EMPLOYEE_REF,
        Column("name", required=True, max_length=200, example="Ann Example", aliases=("full_name",)),
        Column("email", "email", max_length=254, example="ann@example.com"),
        Column("department", max_length=120, example="Operations",
               help="created for your organisation if it does not exist"),
        Column("job_title", max_length=120, example="Analyst"),
        Column("location", max_length=120, example="Leeds"),
        Column("manager_ref", max_length=64, example="E1000",
               help="employee_ref of the manager (in the file or already imported)"),
        Column("hired_on", "date", required=True, past=True, example="2021-09-01", aliases=("hire_date", "start_date")),
        Column("left_on", "date", example="", aliases=("leave_date", "end_date"),
               help="empty while employed"),
    )),
    Kind("enrollments", "Enrollments", "employer", "Enrollment", ("employee_ref", "credential_code", "cohort"), (
        EMPLOYEE_REF, CREDENTIAL_CODE, COHORT,
        Column("enrolled_on", "date", required=True, past=True, example="2026-01-12", aliases=("enrolment_date",)),
        Column("status", "choice", required=True, choices=_choices(EnrollmentStatus), label="status",
               example="in_progress"),
        Column("completed_on", "date", example="", past=True,
               help="required for completed and failed (the day the result was known), else empty"),
        Column("withdrawn_on", "date", example="", past=True, help="required for withdrawn, else empty"),
        Column("score", "float", lo=0, hi=100, example="", help="0–100"),
        Column("cost", "decimal", lo=Decimal(0), hi=Decimal("9999999999.99"), places=2, default=Decimal(0),
               example="950.00"),
        Column("sponsor", "choice", choices=_choices(Sponsor), label="sponsor", default="employer",
               example="employer"),
        Column("last_activity_on", "date", example="2026-02-03", past=True, help="last day with learning activity"),
        Column("cohort_start", "date", example="",
               help="with cohort_end: creates a cohort that does not exist yet (university side only)"),
        Column("cohort_end", "date", example=""),
    )),
    Kind("assessments", "Skill assessments", "employer", "SkillAssessment",
         ("employee_ref", "skill", "assessed_on", "source"), (
        EMPLOYEE_REF,
        Column("skill", required=True, max_length=200, example="analyse big data",
               help="a skill name of the vocabulary"),
        Column("level", "int", required=True, lo=0, hi=5, example="2"),
        Column("assessed_on", "date", required=True, past=True, example="2026-01-15"),
        Column("source", "choice", choices=_choices(AssessmentSource), label="source", default="manager",
               example="manager"),
    )),
    Kind("pdp_goals", "PDP goals", "employer", "PdpGoal", ("employee_ref", "period", "title"), (
        EMPLOYEE_REF,
        Column("period", required=True, max_length=20, example="2026", help="the plan, e.g. 2026"),
        Column("title", required=True, max_length=200, example="Lead the data team", aliases=("goal",)),
        Column("skill", max_length=200, example="lead a team", help="target skill (vocabulary name)"),
        Column("target_level", "int", lo=1, hi=5, example="4", help="needs a skill"),
        Column("credential_code", max_length=30, example="", help="target credential"),
        Column("due_on", "date", required=True, example="2026-12-31"),
        Column("status", "choice", choices=_choices(PdpGoalStatus), label="goal status", default="planned",
               example="planned"),
    )),
    Kind("surveys", "Outcome surveys", "employer", "OutcomeSurvey", ("employee_ref", "credential_code", "cohort"), (
        EMPLOYEE_REF, CREDENTIAL_CODE, COHORT,
        Column("surveyed_on", "date", required=True, past=True, example="2026-06-01"),
        Column("performance_before", "int", required=True, lo=1, hi=5, example="3"),
        Column("performance_after", "int", required=True, lo=1, hi=5, example="4"),
        Column("satisfaction_before", "int", required=True, lo=1, hi=5, example="3"),
        Column("satisfaction_after", "int", required=True, lo=1, hi=5, example="4"),
    )),
]}


def kinds_for(scope: Scope) -> list[str]:
    """The kinds this user may import (none for viewers)."""
    sides = permissions.importable_sides(scope)
    return [name for name, spec in KINDS.items() if spec.side in sides]


def universities(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Universities the scope may choose as the owner of imported credentials."""
    return [tuple(row) for row in session.execute(
        select(Organization.id, Organization.name).where(Organization.kind == OrgKind.university,
                                                         visible(scope, Organization))
        .order_by(Organization.name)).all()]


def template(kind: str) -> pd.DataFrame:
    """A template for ``kind``: the canonical headers and one example row."""
    spec = KINDS[kind]
    return pd.DataFrame([[column.example for column in spec.columns]],
                        columns=[column.name for column in spec.columns])


def columns_frame(kind: str) -> pd.DataFrame:
    """The columns of a ``kind`` file for people, read from the specification rows are checked against
    (``KINDS``), so the Import page's reference cannot drift from the code."""
    return pd.DataFrame([{
        "column": column.name, "required": "yes" if column.required else "no", "format": column.format,
        "also_accepted": ", ".join(column.aliases), "example": column.example,
        "default_for_new_records": "" if column.default in (None, "") else str(column.default),
        "meaning": column.help,
    } for column in KINDS[kind].columns])
