"""The learning step: enrollments, skill assessments, PDPs with goals and outcome surveys, one employee at a
time (``seed.enrollments`` and ``seed.pdps``), then extra seats for the cohorts that filled up."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, update

from db.models import Cohort
from seed.enrollments import Enrolling
from seed.learners import Learner, LearningRecords
from seed.pdps import Planning
from seed.rows import CHUNK, Writer
from seed.run import ENROLLMENTS_PER_EMPLOYEE, QUARTERS, SeedRun


def write_learning(run: SeedRun, writer: Writer) -> None:
    records = LearningRecords(run, writer)
    credentials = {credential["id"]: credential for credential in run.credentials}
    eligible = [_eligible_quarters(run, hired, left)
                for hired, left in zip(run.employee_hired, run.employee_left, strict=True)]
    rate = _enrollment_rate(run, eligible)
    for index in range(run.employee_count):
        learner = Learner(run, index, eligible[index])
        Enrolling(records, learner, rate, credentials).run_slots()
        Planning(records, learner).write()  # last year's (closed) and this year's
        if len(records.enrollments) >= CHUNK:  # the other buffers grow more slowly
            writer.flush()
    writer.flush()
    _grow_full_cohorts(run, writer)


def _eligible_quarters(run: SeedRun, hired: date, left: date | None) -> list[int]:
    """The quarters somebody was employed through enrollment (hired before, still there after the start)."""
    quarters = run.quarter_starts
    return [quarter for quarter in range(QUARTERS)
            if hired <= quarters[quarter] - timedelta(days=18)
            and (left is None or left > quarters[quarter] + timedelta(days=10))]


def _enrollment_rate(run: SeedRun, eligible: list[list[int]]) -> float:
    """The per-person rate that makes the total land near the target.

    Exposure is the share of the window each person could enrol in (leavers are less keen); 0.88 because 12%
    never enrol; 1.2 makes up for slots that come to nothing (two per quarter at most, credential already taken,
    pathway order, left before the start, the paused partner).
    """
    exposure = 0.0
    for quarters, left in zip(eligible, run.employee_left, strict=True):
        exposure += len(quarters) / QUARTERS * (0.6 if left else 1.0)
    return ENROLLMENTS_PER_EMPLOYEE * run.employee_count / max(exposure * 0.88, 1.0) * 1.2


def _grow_full_cohorts(run: SeedRun, writer: Writer) -> None:
    """Cohorts that filled up were given extra seats."""
    grown = [dict(b_id=cohort_id, b_seats=(count * 21 // 20 + 4) // 5 * 5)
             for cohort_id, count in enumerate(run.cohort_enrollments)
             if cohort_id and count > run.cohort_seats[cohort_id]]
    if grown:
        table = Cohort.__table__
        statement = update(table).where(table.c.id == bindparam("b_id")).values(seats=bindparam("b_seats"))
        for i in range(0, len(grown), CHUNK):
            writer.conn.execute(statement, grown[i : i + CHUNK])
