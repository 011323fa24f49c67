"""Shared fixtures and helpers of the import tests (test_imports*.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import (
    Cohort,
    Credential,
    CredentialSkill,
    Department,
    Employee,
    Enrollment,
    EnrollmentMonthSummary,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    Skill,
    SkillAssessment,
)
from db.scope import Scope
from services import imports
from tests.world import build_world

DATA_TABLES = (Employee, Department, Enrollment, Cohort, Credential, CredentialSkill, Skill, SkillAssessment, Pdp,
               PdpGoal, OutcomeSurvey, EnrollmentMonthSummary)


@pytest.fixture
def world(session):
    return build_world(session)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def run(session, world, who, kind, text, *, name="file.csv", **kw):
    """Import ``text`` (str: CSV, or bytes) as ``who`` (a world user label, or None for the system scope)."""
    scope = Scope.system() if who is None else world.scope(session, who)
    data = text if isinstance(text, bytes) else csv_bytes(text)
    return imports.import_file(session, scope, kind, data, name, **kw)


def errors(plan) -> list[str]:
    return [str(e) for e in plan.errors]


def rows_of(session, model) -> list[dict]:
    session.expire_all()
    cols = model.__table__.columns
    return [dict(r._mapping) for r in session.execute(select(*cols).order_by(*model.__table__.primary_key.columns))]


def snapshot(session) -> dict:
    return {m.__name__: rows_of(session, m) for m in DATA_TABLES}


def count(session, model, *where) -> int:
    session.rollback()  # a fresh snapshot: rows written by another connection (the CLI) become visible
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


EMPLOYEES = """employee_ref,name,email,department,job_title,location,manager_ref,hired_on,left_on
1,Ann One,,Operations,,,,2020-01-01,
10,Ed Ten,ed@acme.test,Finance,Analyst,Leeds,1,2024-05-01,
11,Flo Eleven,,Finance,Analyst,York,10,2024-06-01,
"""


ENR = "employee_ref,credential_code,cohort,enrolled_on,status,completed_on,withdrawn_on,score,cost,sponsor\n"
