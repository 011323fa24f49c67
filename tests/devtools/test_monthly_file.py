"""devtools/bench/monthly_file.py: one month of one employer's HRIS activity, on a small seeded database."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from db import migrate
from db.engine import make_engine
from db.models import Cohort, Credential, Employee, Enrollment
from db.scope import scope_for_user
from devtools import bench
from devtools.bench.monthly_file import month_before, monthly_average, write_monthly_csv
from seed.demo import seed_database
from services.identity import find_user
from services.imports.enrollments import REACHABLE

# The seeded day: the file covers 20 May to 19 June 2026, when the second quarter's first cohorts end.
TODAY = date(2026, 6, 20)
FIRST, LAST = date(2026, 5, 20), date(2026, 6, 19)
EMPLOYEES = 400


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> bench.BenchDatabase:
    path = tmp_path_factory.mktemp("monthly") / "seeded.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = make_engine(url)
    seed_database(engine, employees=EMPLOYEES, seed=7, today=TODAY)
    engine.dispose()
    return bench.BenchDatabase("small", EMPLOYEES, 7, "test", url, "sqlite", seeded_on=TODAY)


@pytest.fixture(scope="module")
def monthly(database, tmp_path_factory):
    """(the file written, its rows, the HR manager's employer id, the stored enrollments by import key)."""
    users = bench.bench_users(database.url)
    path = tmp_path_factory.mktemp("monthly-file") / "monthly.csv"
    engine = make_engine(database.url)
    with Session(engine) as session:
        scope = scope_for_user(session, find_user(session, users.hr_manager))
        written = write_monthly_csv(session, scope, scope.organization_id, path, month_end=TODAY)
        stored = {(row[0], row[1], row[2]): row[3:] for row in session.execute(
            select(Employee.employee_ref, Credential.code, Cohort.code, Enrollment.status,
                   Enrollment.last_activity_on, Enrollment.enrolled_on)
            .join(Employee, Employee.id == Enrollment.employee_id)
            .join(Credential, Credential.id == Enrollment.credential_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(Employee.employer_id == scope.organization_id)).all()}
        average = monthly_average(session, scope.organization_id)
    engine.dispose()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return written, rows, stored, average


def test_the_month_ends_the_day_before_and_starts_a_month_earlier():
    assert month_before(date(2026, 12, 1)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert month_before(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert month_before(date(2026, 6, 20)) == (FIRST, LAST)
    assert month_before(date(2026, 3, 31)) == (date(2026, 2, 28), date(2026, 3, 30))


def test_the_file_holds_about_a_months_new_enrollments_and_updates(monthly):
    written, rows, stored, average = monthly
    assert written.month == FIRST
    assert list(rows[0]) == bench.import_speed.CSV_COLUMNS
    new = [row for row in rows if (row["employee_ref"], row["credential_code"], row["cohort"]) not in stored]
    assert len(new) == written.created and len(rows) - len(new) == written.updated
    assert average > 0 and 0.8 * average <= written.created <= average
    assert written.updated > 0
    for row in new:  # enrolled in the month, in cohorts starting in it
        assert FIRST <= date.fromisoformat(row["enrolled_on"]) <= LAST
        assert row["status"] in ("enrolled", "in_progress", "withdrawn")
    days = [date.fromisoformat(row[name]) for row in rows for name in
            ("enrolled_on", "completed_on", "withdrawn_on", "last_activity_on") if row[name]]
    assert max(days) <= LAST < TODAY


def test_updates_move_statuses_forward_or_add_later_activity(monthly):
    _written, rows, stored, _average = monthly
    updates = [(row, stored[(row["employee_ref"], row["credential_code"], row["cohort"])]) for row in rows
               if (row["employee_ref"], row["credential_code"], row["cohort"]) in stored]
    results = {"completed": 0, "failed": 0, "withdrawn": 0, "activity": 0}
    for row, (status, activity, enrolled) in updates:
        assert status in ("enrolled", "in_progress")
        assert row["status"] in REACHABLE[status] and row["enrolled_on"] == enrolled.isoformat()
        if row["status"] == "in_progress":
            assert activity is None or date.fromisoformat(row["last_activity_on"]) > activity
            results["activity"] += 1
        else:
            assert row["status"] in ("completed", "failed", "withdrawn")
            results[row["status"]] += 1
    assert results["completed"] > 0 and results["activity"] > 0


def _enrollments(database) -> int:
    engine = make_engine(database.url)
    with Session(engine) as session:
        count = session.execute(select(func.count(Enrollment.id))).scalar_one()
    engine.dispose()
    return count


def test_every_row_imports_and_the_measure_says_so(database, monkeypatch):
    monkeypatch.setenv("AS_OF_DATE", TODAY.isoformat())  # dates after the seeded day would be refused
    users = bench.bench_users(database.url)
    before = _enrollments(database)
    result = bench.measure_monthly_import(database, users)
    assert result["errors"] == [] and result["note"] is None, result
    assert result["month"] == FIRST.isoformat() and result["rows_per_s"] > 0
    assert result["created"] > 0 and result["updated"] > 0
    assert result["rows"] == result["created"] + result["updated"] and result["written"] == result["created"]
    assert (result["as"], result["database"]) == (users.hr_manager, "small")
    assert _enrollments(database) == before  # the import went into a throw-away copy


def test_the_runner_measures_it_unless_imports_are_skipped(database):
    from devtools.bench import runner

    users = bench.bench_users(database.url)
    assert runner._measure_monthly_import(runner.Options(skip_import=True), database, users) is None
