"""Imports on PostgreSQL write their new rows with COPY (db/copying.py): the same rows as the
executemany INSERTs SQLite keeps, in the import's one transaction (a later failure undoes the COPY)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from db import copying
from db.models import AuditEvent, Department, Employee, Enrollment, Partnership, PartnershipStatus
from services.imports import ImportFailed, enrollments, pipeline, planning
from tests.services import imports_helpers
from tests.services.imports_helpers import EMPLOYEES, ENR, errors, rows_of, run, snapshot

world = imports_helpers.world  # the shared fixture, bound here so pytest finds it

NEW_ENROLLMENTS = ENR.replace("sponsor\n", "sponsor,last_activity_on\n") + (
    "10,K1,K1-26Q1,2026-01-05,in_progress,,,,450.50,employee,2026-02-01\n"
    "11,K1,K1-26Q1,2026-01-06,completed,2026-03-27,,88.5,0,employer,2026-03-27\n"
    "3,K1,K1-26Q1,2026-01-07,withdrawn,,2026-01-20,,1200,public fund,\n")


@pytest.fixture
def copies(monkeypatch) -> list[tuple[str, int]]:
    """(table, rows) of every COPY the imports make."""
    made: list[tuple[str, int]] = []
    real = copying.copy_rows

    def counting(connection, table, rows, written=None):
        made.append((table.name, len(rows)))
        real(connection, table, rows, written)

    monkeypatch.setattr(planning, "copy_rows", counting)
    return made


def _enrollment_rows(session) -> list[tuple]:
    fields = ("employee_id", "credential_id", "cohort_id", "enrolled_on", "status", "completed_on", "withdrawn_on",
              "score", "cost", "sponsor", "last_activity_on")
    return sorted(tuple(row[name] for name in fields) for row in rows_of(session, Enrollment))


def test_an_import_writes_the_same_rows_on_either_backend_and_copies_on_postgresql(session, world, copies):
    plan = run(session, world, "hr@a", "employees", EMPLOYEES)
    assert plan.ok and plan.applied, errors(plan)
    plan = run(session, world, "hr@a", "enrollments", NEW_ENROLLMENTS)
    assert plan.ok and plan.applied, errors(plan)
    assert (plan.created, plan.updated) == (3, 0)
    people = dict(session.execute(select(Employee.employee_ref, Employee.id)
                                  .where(Employee.employer_id == world.id("A"))).all())
    k1, cohort = world.id("K1"), world.id("C-K1")
    new = [row for row in _enrollment_rows(session) if row[0] in (people["10"], people["11"], people["3"])
           and row[1] == k1]
    assert new == sorted([
        (people["10"], k1, cohort, date(2026, 1, 5), "in_progress", None, None, None, Decimal("450.50"), "employee",
         date(2026, 2, 1)),
        (people["11"], k1, cohort, date(2026, 1, 6), "completed", date(2026, 3, 27), None, 88.5, Decimal("0.00"),
         "employer", date(2026, 3, 27)),
        (people["3"], k1, cohort, date(2026, 1, 7), "withdrawn", None, date(2026, 1, 20), None, Decimal("1200.00"),
         "public_fund", None),
    ])
    ed = session.get(Employee, people["10"])
    assert (ed.full_name, ed.email, ed.hired_on, ed.left_on) == ("Ed Ten", "ed@acme.test", date(2024, 5, 1), None)
    if session.get_bind().dialect.name == "postgresql":
        assert ("employee", 2) in copies and ("department", 1) in copies and ("enrollment", 3) in copies
    else:
        assert copies == []


def test_copy_fills_python_defaults_and_converts_enums_booleans_and_decimals(session, world):
    session.rollback()
    planning.insert_rows(session, Partnership, [
        {"university_id": world.id("U2"), "employer_id": world.id("A"), "starts_on": date(2026, 1, 1),
         "status": PartnershipStatus.paused, "annual_budget": Decimal("1234.5"), "shares_individual_records": True},
    ], None, "partnerships")
    planning.insert_rows(session, AuditEvent, [
        {"actor_email": "x@test", "action": "test.copy", "entity": "Partnership", "after": '{"a": 1}'},
    ], None, "events")
    session.commit()
    partnership = session.execute(select(Partnership).where(Partnership.university_id == world.id("U2"),
                                                            Partnership.employer_id == world.id("A"))).scalar_one()
    assert (partnership.status, partnership.annual_budget, partnership.shares_individual_records,
            partnership.ends_on, partnership.seats_committed) == ("paused", Decimal("1234.50"), True, None, 0)
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "test.copy")).scalar_one()
    occurred = event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - occurred).total_seconds()) < 60  # the default_factory's utcnow
    assert (event.after, event.before, event.entity_id) == ('{"a": 1}', None, None)


def test_a_failure_after_the_rows_are_written_leaves_nothing(session, world, monkeypatch):
    real = enrollments.update_rows

    def then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(enrollments, "update_rows", then_fail)
    run(session, world, "hr@a", "employees", EMPLOYEES)
    before = snapshot(session)
    with pytest.raises(RuntimeError, match="disk full"):
        run(session, world, "hr@a", "enrollments", NEW_ENROLLMENTS)
    assert snapshot(session) == before


def test_a_database_error_after_the_copy_rolls_it_back(session, world, monkeypatch):
    run(session, world, "hr@a", "employees", EMPLOYEES)
    before = snapshot(session)
    someone = rows_of(session, Employee)[0]

    def duplicate_employee(session, *args, **kwargs):  # the database refuses a row after the COPY
        session.execute(Employee.__table__.insert(), [someone])

    monkeypatch.setattr(pipeline, "bump_data_version", duplicate_employee)
    with pytest.raises(ImportFailed, match="nothing was written"):
        run(session, world, "hr@a", "enrollments", NEW_ENROLLMENTS)
    assert snapshot(session) == before


def test_progress_is_reported_per_chunk_as_with_executemany(session, world, monkeypatch):
    monkeypatch.setattr(planning, "CHUNK", 2)
    monkeypatch.setattr(copying, "CHUNK", 2)
    session.rollback()
    said: list[tuple[float, str]] = []
    planning.insert_rows(session, Department, [{"employer_id": world.id("B"), "name": f"Team {i}"} for i in range(5)],
                         lambda share, text: said.append((round(share, 3), text)), "departments")
    session.commit()
    assert said == [(0.66, "Wrote 2 departments"), (0.82, "Wrote 4 departments"), (0.9, "Wrote 5 departments")]
    names = session.scalars(select(Department.name).where(Department.employer_id == world.id("B"),
                                                          Department.name.like("Team %"))).all()
    assert sorted(names) == [f"Team {i}" for i in range(5)]
