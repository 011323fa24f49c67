"""Importing ``IMPORT_ROWS`` new enrollment rows into a throw-away copy of the large database (rows/s)."""

from __future__ import annotations

import csv
import random
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from devtools.bench.databases import BenchDatabase, BenchUsers, database_copy
from devtools.bench.settings import IMPORT_ROWS, SEED

CSV_COLUMNS = ["employee_ref", "credential_code", "cohort", "enrolled_on", "status", "completed_on",
               "withdrawn_on", "score", "cost", "sponsor", "last_activity_on"]


def import_function() -> Callable | None:
    """The enrollment import of services/imports/, or None while that module (or its
    ``import_file``) does not exist; then the report says "import: not available"."""
    try:
        from services import imports
    except ImportError:
        return None
    if not hasattr(imports, "import_file"):
        return None
    return measure_import


def _candidates(session, scope, employer_id: int):
    """(employee id -> reference, the cohorts ``scope`` may see, the (employee, cohort) keys already stored)."""
    from sqlalchemy import select

    from db.models import Cohort, Credential, Employee, Enrollment
    from db.scope import visible

    references = dict(session.execute(select(Employee.id, Employee.employee_ref)
                                      .where(Employee.employer_id == employer_id).order_by(Employee.id)).all())
    cohorts = session.execute(
        select(Cohort.id, Credential.code, Cohort.code, Cohort.starts_on, Cohort.ends_on)
        .join(Credential, Credential.id == Cohort.credential_id)
        .where(visible(scope, Cohort), visible(scope, Credential)).order_by(Cohort.id)).all()
    taken = set(session.execute(
        select(Enrollment.employee_id, Enrollment.cohort_id)
        .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == employer_id)).all())
    return references, cohorts, taken


def _enrollment_row(randomness: random.Random, reference: str, cohort, today: date) -> list:
    """One CSV row with a status and dates consistent with the cohort's dates and ``today``."""
    _cohort_id, credential_code, cohort_code, starts, ends = cohort
    enrolled = starts - timedelta(days=randomness.randint(0, 21))
    if enrolled > today:
        enrolled = today
    done = min(ends, today)
    completed = withdrawn = score = None
    if ends <= today:
        status = randomness.choices(["completed", "failed", "withdrawn"], [70, 10, 20])[0]
    else:
        status = randomness.choices(["enrolled", "in_progress", "withdrawn"], [30, 60, 10])[0]
    if status in ("completed", "failed"):
        completed = max(enrolled, done)
        score = round(randomness.uniform(70, 100) if status == "completed" else randomness.uniform(10, 69), 1)
    elif status == "withdrawn":
        withdrawn = max(enrolled, min(done, enrolled + timedelta(days=randomness.randint(1, 60))))
    last = max(enrolled, min(done, today))
    return [reference, credential_code, cohort_code, enrolled.isoformat(), status,
            completed.isoformat() if completed else "", withdrawn.isoformat() if withdrawn else "",
            "" if score is None else score, f"{randomness.choice([450, 600, 750, 950, 1200])}.00", "employer",
            last.isoformat()]


def write_enrollments_csv(session, scope, employer_id: int, rows: int, path: Path, *, seed: int = SEED,
                          today: date | None = None) -> int:
    """A CSV of ``rows`` NEW enrollments of one employer's existing employees in existing cohorts of
    credentials ``scope`` may see (no key already stored), with consistent statuses and dates."""
    today = today or date.today()
    references, cohorts, taken = _candidates(session, scope, employer_id)
    if not references or not cohorts:
        raise RuntimeError("no employees or cohorts to enroll for the import benchmark")
    randomness = random.Random(seed)
    employee_ids = list(references)
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        attempts = 0
        while written < rows:
            attempts += 1
            if attempts > rows * 20:
                raise RuntimeError(f"could only find {written:,} new enrollment keys")
            employee = randomness.choice(employee_ids)
            cohort = randomness.choice(cohorts)
            if (employee, cohort[0]) in taken:
                continue
            taken.add((employee, cohort[0]))
            writer.writerow(_enrollment_row(randomness, references[employee], cohort, today))
            written += 1
    return written


@dataclass
class TimedImport:
    plan: Any  # services.imports' plan: ok, applied, created, updated, errors
    seconds: float
    written: int  # enrollments stored after less before
    file_mb: float
    made: Any  # what ``write_file`` returned

    def result(self, rows: int, ok: bool, database: BenchDatabase, users: BenchUsers, note: str) -> dict:
        """The report's fields every import measurement shares."""
        speed = round(rows / self.seconds) if ok else None
        return {"rows": rows, "seconds": round(self.seconds, 2), "rows_per_s": speed,
                "created": self.plan.created, "written": self.written, "as": users.hr_manager,
                "database": database.scale, "file_mb": self.file_mb, "errors": [str(e) for e in self.plan.errors[:3]],
                "note": None if ok else f"{note}: {self.plan.summary()} {[str(e) for e in self.plan.errors[:1]]}",
                "peak_rss_mb_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def timed_import(database: BenchDatabase, users: BenchUsers, write_file: Callable) -> TimedImport:
    """Write a CSV with ``write_file(session, scope, path)`` as the largest employer's HR manager, then import
    it (written, not a dry run) into a throw-away copy of ``database``; the clock covers reading, checking,
    writing and keeping the summaries (services/imports.import_file), nothing else."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from db.engine import get_engine
    from db.models import Enrollment
    from db.scope import scope_for_user
    from services import imports
    from services.identity import find_user

    with database_copy(database) as url, tempfile.TemporaryDirectory(prefix="bench-import-") as directory:
        engine = get_engine(url)
        csv_path = Path(directory) / "enrollments.csv"
        with Session(engine) as session:
            scope = scope_for_user(session, find_user(session, users.hr_manager))
            before = session.execute(select(func.count(Enrollment.id))).scalar_one()
            made = write_file(session, scope, csv_path)
        with Session(engine, expire_on_commit=False) as session:
            started = time.perf_counter()
            plan = imports.import_file(session, scope, "enrollments", csv_path)
            seconds = time.perf_counter() - started
        with Session(engine) as session:
            after = session.execute(select(func.count(Enrollment.id))).scalar_one()
        return TimedImport(plan, seconds, after - before, round(csv_path.stat().st_size / 1e6, 2), made)


def measure_import(database: BenchDatabase, users: BenchUsers, rows: int = IMPORT_ROWS) -> dict:
    """Import ``rows`` new enrollments of the largest employer (see timed_import), in rows/s."""
    timed = timed_import(database, users, lambda session, scope, path: write_enrollments_csv(
        session, scope, scope.organization_id, rows, path, today=database.seeded_on))
    ok = timed.plan.ok and timed.plan.applied and timed.written == rows
    return timed.result(rows, ok, database, users, "import did not write every row")
