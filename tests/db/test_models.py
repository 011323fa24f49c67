"""Model rules the database itself enforces: unique keys, checks, foreign keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from db.models import AppUser, Credential, Employee, Enrollment, PdpGoal
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def _fails(session, row):
    session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_employee_ref_unique_per_employer(session, world):
    _fails(session, Employee(employer_id=world.id("A"), employee_ref="1", full_name="Dup",
                             hired_on=date(2020, 1, 1)))
    # The same HRIS id at another employer is fine.
    session.add(Employee(employer_id=world.id("C"), employee_ref="2", full_name="Other", hired_on=date(2020, 1, 1)))
    session.flush()


def test_user_email_and_credential_code_unique(session, world):
    _fails(session, AppUser(email="hr@acme.test", display_name="x", role="viewer", organization_id=world.id("A")))
    _fails(session, Credential(university_id=world.id("U"), code="K1", title="Dup", eqf_level=5))


def test_enrollment_natural_key_unique(session, world):
    e = session.get(Enrollment, world.id("E-a1-K1"))
    _fails(session, Enrollment(employee_id=e.employee_id, credential_id=e.credential_id, cohort_id=e.cohort_id,
                               enrolled_on=date(2026, 1, 1)))


@pytest.mark.parametrize("field,value", [("eqf_level", 9), ("eqf_level", 0), ("price", Decimal("-1")),
                                         ("status", "live"), ("delivery_mode", "carrier pigeon")])
def test_credential_checks(session, world, field, value):
    kw = dict(university_id=world.id("U"), code="NEW", title="New", eqf_level=5)
    kw[field] = value
    _fails(session, Credential(**kw))


def test_enrollment_checks(session, world):
    e = session.get(Enrollment, world.id("E-a2-K1"))
    base = dict(employee_id=world.id("a1"), credential_id=e.credential_id, cohort_id=e.cohort_id)
    _fails(session, Enrollment(**base, enrolled_on=date(2026, 1, 10), status="done"))
    _fails(session, Enrollment(**base, enrolled_on=date(2026, 1, 10), status="completed",
                               completed_on=date(2026, 1, 9)))
    _fails(session, Enrollment(**base, enrolled_on=date(2026, 1, 10), score=101))


def test_foreign_keys_enforced(session, world):
    _fails(session, Employee(employer_id=987654, employee_ref="x", full_name="Nobody", hired_on=date(2020, 1, 1)))


def test_pdp_goal_needs_a_target(session, world):
    _fails(session, PdpGoal(pdp_id=world.id("PDP-a1"), title="Vague", due_on=date(2026, 1, 1)))
