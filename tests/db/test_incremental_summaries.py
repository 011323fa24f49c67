"""The incremental refresh of an enrollment write (db/summaries/incremental.py) leaves every summary
table exactly as a full rebuild would, after random inserts and forward updates of enrollments.

Each example starts from the test world plus random stored enrollments, assessments and surveys
(summaries rebuilt in full), then writes a random batch the way an import does: new rows stamped
with the write's time, updates of stored rows (a status moving forward, other dates, cost).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db import summaries
from db.models import Cohort, Employee, Enrollment, OutcomeSurvey, SkillAssessment, utcnow
from tests.world import build_world

PEOPLE = ["a1", "a2", "a3", "b1", "b2", "c1"]
COHORTS = ["C-K1", "C-K4", "C-K6"]
START = date(2025, 1, 1)

stored = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE), "cohort": st.sampled_from(COHORTS),
    "start": st.integers(0, 500), "length": st.integers(0, 150), "cost": st.integers(0, 2000),
    "status": st.sampled_from(["enrolled", "in_progress", "completed", "failed", "withdrawn"]),
    "survey": st.booleans(),
})
update = st.fixed_dictionaries({
    "which": st.integers(0, 50),
    "status": st.sampled_from(["in_progress", "completed", "failed", "withdrawn"]),
    "shift": st.integers(-40, 40),  # days the enrolling day moves
    "length": st.integers(0, 150), "cost": st.integers(0, 2000),
})
assessment = st.tuples(st.sampled_from(PEOPLE), st.sampled_from(["s1", "s2"]), st.integers(0, 700),
                       st.integers(0, 5))


def _cohort(session, world, code, i, enrolled, ends):
    """A fresh run of the cohort's credential for each row (keeps the natural key unique)."""
    base = session.get(Cohort, world.id(code))
    run = Cohort(credential_id=base.credential_id, code=f"X{i}-{code}", starts_on=enrolled, ends_on=ends, seats=9)
    session.add(run)
    session.flush()
    return run


def _dates(status, enrolled, length):
    end = enrolled + timedelta(days=length)
    return {"completed_on": end if status in ("completed", "failed") else None,
            "withdrawn_on": end if status == "withdrawn" else None}


def _snapshot(session):
    out = {}
    for table in summaries.SUMMARY_TABLES:
        columns = list(table.__table__.columns)
        rows = session.execute(select(*columns).order_by(*columns)).all()
        out[table.__tablename__] = [tuple(round(v, 2) if isinstance(v, (Decimal, float)) else v for v in row)
                                    for row in rows]
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(stored, max_size=10), assessments=st.lists(assessment, max_size=10),
       new=st.lists(stored, max_size=8), updates=st.lists(update, max_size=6))
def test_an_enrollment_write_keeps_the_summaries_as_a_rebuild_would(session, rows, assessments, new, updates):
    from tests.conftest import clear_all

    session.rollback()
    clear_all(session.get_bind())
    world = build_world(session)
    for person, skill, day, level in assessments:
        session.add(SkillAssessment(employee_id=world.id(person), skill_id=world.id(skill), level=level,
                                    assessed_on=START + timedelta(days=day)))
    for i, row in enumerate(rows):
        enrolled = START + timedelta(days=row["start"])
        cohort = _cohort(session, world, row["cohort"], i, enrolled, enrolled + timedelta(days=row["length"] + 1))
        enrollment = Enrollment(employee_id=world.id(row["person"]), credential_id=cohort.credential_id,
                                cohort_id=cohort.id, enrolled_on=enrolled, status=row["status"],
                                cost=Decimal(row["cost"]), **_dates(row["status"], enrolled, row["length"]))
        session.add(enrollment)
        if row["survey"] and row["status"] == "completed":
            session.flush()
            session.add(OutcomeSurvey(employee_id=enrollment.employee_id, enrollment_id=enrollment.id,
                                      surveyed_on=enrollment.completed_on, performance_before=2, performance_after=4,
                                      satisfaction_before=3, satisfaction_after=2))
    session.flush()
    summaries.refresh(session)
    session.commit()

    stored_rows = session.execute(select(Enrollment).order_by(Enrollment.id)).scalars().all()
    targets = {stored_rows[u["which"] % len(stored_rows)].id: u for u in updates} if stored_rows else {}
    written_at = utcnow()
    changes = summaries.EnrollmentChanges.before(session, updating=list(targets))
    for i, row in enumerate(new, start=len(rows)):
        enrolled = START + timedelta(days=row["start"])
        cohort = _cohort(session, world, row["cohort"], i, enrolled, enrolled + timedelta(days=row["length"] + 1))
        session.add(Enrollment(employee_id=world.id(row["person"]), credential_id=cohort.credential_id,
                               cohort_id=cohort.id, enrolled_on=enrolled, status=row["status"],
                               cost=Decimal(row["cost"]), updated_at=written_at,
                               **_dates(row["status"], enrolled, row["length"])))
    for enrollment_id, u in targets.items():
        enrollment = session.get(Enrollment, enrollment_id)
        enrollment.enrolled_on += timedelta(days=u["shift"])
        enrollment.status, enrollment.cost, enrollment.updated_at = u["status"], Decimal(u["cost"]), written_at
        for name, value in _dates(u["status"], enrollment.enrolled_on, u["length"]).items():
            setattr(enrollment, name, value)
    session.flush()
    changes.after(session, written_at=written_at)
    incremental = _snapshot(session)
    summaries.refresh(session)
    assert incremental == _snapshot(session)
    session.rollback()


def test_a_write_of_nothing_changes_nothing(session):
    world = build_world(session)
    before = _snapshot(session)
    changes = summaries.EnrollmentChanges.before(session, updating=[])
    changes.after(session, written_at=utcnow())
    assert _snapshot(session) == before and world.id("a1")
    assert session.execute(select(Employee.id)).first() is not None


def test_an_enrollments_import_keeps_the_summaries_as_a_rebuild_would(session):
    """Through the import itself: new rows (one completed, surveyed later) and updates of stored ones (a2's
    running K1 completes; its enrolling day moves), as HR of Acme."""
    from services import imports
    from tests.services.imports_helpers import csv_bytes

    world = build_world(session)
    summaries.refresh(session)
    session.commit()
    text = ("employee_ref,credential_code,cohort,enrolled_on,status,completed_on,withdrawn_on,score,cost,sponsor\n"
            "2,K1,K1-26Q1,2026-01-08,completed,2026-04-22,,81,1000,employer\n"
            "1,K4,K4-25Q1,2025-01-06,completed,2025-04-02,,90,600,employer\n"
            "3,K1,K1-26Q1,2026-01-09,withdrawn,,2026-02-11,,450,employee\n")
    plan = imports.import_file(session, world.scope(session, "hr@a"), "enrollments", csv_bytes(text), "file.csv")
    assert plan.ok and plan.applied and (plan.created, plan.updated) == (2, 1), [str(e) for e in plan.errors]
    incremental = _snapshot(session)
    summaries.refresh(session)
    assert incremental == _snapshot(session)
    learners = {row[2]: row[3] for row in incremental["learner_quarter_summary"] if row[0] == world.id("A")}
    assert learners[date(2025, 1, 1)] == 2  # a1 joins a3 in 2025Q1
