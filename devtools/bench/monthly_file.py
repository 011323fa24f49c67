"""A realistic monthly file (GitHub issue 18): what one employer's HRIS exports for the month before a day,
and how long its import takes into a throw-away copy of a benchmark database.

The file holds (a) new enrollments of the employer's people in cohorts starting that month (or the next
ones to start), about as many as the employer's stored enrollments per month, and (b) updates to its
enrollments still open: a result (completed, failed or withdrawn) for those whose cohort has ended, and the
month's last activity for those whose cohort is running. Every row passes the import's checks: statuses only
move forward, dates are consistent and none is after the day given.
"""

from __future__ import annotations

import csv
import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from devtools.bench.databases import BenchDatabase, BenchUsers
from devtools.bench.import_speed import CSV_COLUMNS, timed_import
from devtools.bench.settings import SEED

OPEN = ("enrolled", "in_progress")
LEAD_DAYS = 21  # enrollment opens three weeks before a cohort starts (as in the seed)
AHEAD_DAYS = 92  # how far ahead people sign up when no cohort starts in the month
ACTIVE_SHARE = 0.85  # running enrollments with learning activity in a month


@dataclass(frozen=True)
class MonthlyFile:
    month: date  # its first day (month_before)
    created: int  # rows that are new enrollments
    updated: int  # rows that change a stored enrollment


def month_before(day: date) -> tuple[date, date]:
    """The first and last day of the month before ``day``: from the same day a month earlier to the day before
    (a file exported on the 1st covers the previous calendar month). The stored data is as of ``day``, so the
    file's updates come after what is stored: a month-long window ending earlier would precede it."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, monthrange(year, month)[1])), day - timedelta(days=1)


def _day_between(randomness: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=randomness.randint(0, max(0, (last - first).days)))


def monthly_average(session, employer_id: int) -> int:
    """The employer's stored enrollments per month, over the months from its first to its last enrollment."""
    from sqlalchemy import func, select

    from db.models import Employee, Enrollment

    count, first, last = session.execute(
        select(func.count(Enrollment.id), func.min(Enrollment.enrolled_on), func.max(Enrollment.enrolled_on))
        .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == employer_id)).one()
    if not count:
        return 0
    first, last = (date.fromisoformat(day) if isinstance(day, str) else day for day in (first, last))
    return round(count / ((last.year - first.year) * 12 + last.month - first.month + 1))


def _visible_cohorts(session, scope, first: date, last: date) -> list:
    """(cohort id, credential id, credential code, cohort code, starts on) of the visible cohorts starting in
    the month; when none does (cohorts start early in a quarter), of those starting in the next three months,
    which people sign up for ahead."""
    from sqlalchemy import select

    from db.models import Cohort, Credential
    from db.scope import visible

    def starting(since: date, until: date) -> list:
        return session.execute(
            select(Cohort.id, Credential.id, Credential.code, Cohort.code, Cohort.starts_on)
            .join(Credential, Credential.id == Cohort.credential_id)
            .where(visible(scope, Cohort), visible(scope, Credential), Cohort.starts_on >= since,
                   Cohort.starts_on <= until).order_by(Cohort.id)).all()

    return starting(first, last) or starting(last + timedelta(days=1), last + timedelta(days=AHEAD_DAYS))


def _new_enrollments(session, scope, employer_id: int, first: date, last: date, randomness) -> list[list]:
    """Rows of new enrollments, made in the month, of people employed all month, in none of the credentials
    they have taken."""
    from sqlalchemy import or_, select

    from db.models import Employee, Enrollment

    people = session.execute(select(Employee.id, Employee.employee_ref).where(
        Employee.employer_id == employer_id, Employee.hired_on <= first,
        or_(Employee.left_on.is_(None), Employee.left_on > last)).order_by(Employee.id)).all()
    cohorts = _visible_cohorts(session, scope, first, last)
    if not people or not cohorts:
        return []
    taken = set(session.execute(select(Enrollment.employee_id, Enrollment.credential_id)
                                .join(Employee, Employee.id == Enrollment.employee_id)
                                .where(Employee.employer_id == employer_id)).all())
    wanted = monthly_average(session, employer_id)
    rows = []
    for _attempt in range(wanted * 20):
        if len(rows) >= wanted:
            break
        employee_id, reference = randomness.choice(people)
        cohort = randomness.choice(cohorts)
        if (employee_id, cohort[1]) not in taken:
            taken.add((employee_id, cohort[1]))
            rows.append(_new_row(randomness, reference, cohort, first, last))
    return rows


def _new_row(randomness: random.Random, reference: str, cohort, first: date, last: date) -> list:
    _cohort_id, _credential_id, credential_code, cohort_code, starts = cohort
    opens = starts - timedelta(days=LEAD_DAYS)
    enrolled = _day_between(randomness, max(first, opens) if opens <= last else first, min(starts, last))
    started = starts <= last
    status = randomness.choices(["enrolled", "in_progress", "withdrawn"], [30, 60, 10] if started else [95, 0, 5])[0]
    withdrawn = _day_between(randomness, enrolled, last) if status == "withdrawn" else None
    activity = withdrawn or (_day_between(randomness, max(enrolled, starts), last) if status == "in_progress"
                             else None)
    cost = f"{randomness.choice([450, 600, 750, 950, 1200])}.00"
    return [reference, credential_code, cohort_code, enrolled.isoformat(), status, "",
            withdrawn.isoformat() if withdrawn else "", "", cost, "employer",
            activity.isoformat() if activity else ""]


def _open_enrollments(session, scope, employer_id: int, last: date) -> list:
    """The employer's open enrollments, made by the month's end, in visible cohorts started by then."""
    from sqlalchemy import select

    from db.models import Cohort, Credential, Employee, Enrollment
    from db.scope import visible

    return session.execute(
        select(Employee.employee_ref, Credential.code, Cohort.code, Enrollment.enrolled_on, Enrollment.status,
               Enrollment.cost, Enrollment.sponsor, Enrollment.last_activity_on, Cohort.starts_on, Cohort.ends_on)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id).join(Credential, Credential.id == Enrollment.credential_id)
        .where(Employee.employer_id == employer_id, Enrollment.status.in_(OPEN), Enrollment.enrolled_on <= last,
               Cohort.starts_on <= last, visible(scope, Cohort), visible(scope, Credential))
        .order_by(Enrollment.id)).all()


def _update_row(randomness: random.Random, stored, first: date, last: date) -> list | None:
    """The month's change to an open enrollment: a result once its cohort has ended (proportions as the
    100,000-row file's), else the month's last activity (None when it had none, or nothing would change)."""
    reference, credential_code, cohort_code, enrolled, status, cost, sponsor, activity, starts, ends = stored
    completed = withdrawn = score = None
    if ends <= last:
        status = randomness.choices(["completed", "failed", "withdrawn"], [70, 10, 20])[0]
        if status == "withdrawn":
            withdrawn = max(enrolled, min(ends, (activity or starts) + timedelta(days=randomness.randint(1, 14))))
        else:
            completed = _day_between(randomness, max(enrolled, ends, first), last)
            score = round(randomness.uniform(70, 100) if status == "completed" else randomness.uniform(10, 69), 1)
        activity = max(activity or enrolled, completed or withdrawn)
    else:
        since = max(enrolled, starts, first, (activity or enrolled) + timedelta(days=1))
        if since > last or randomness.random() >= ACTIVE_SHARE:
            return None
        status, activity = "in_progress", _day_between(randomness, since, last)
    return [reference, credential_code, cohort_code, enrolled.isoformat(), status,
            completed.isoformat() if completed else "", withdrawn.isoformat() if withdrawn else "",
            "" if score is None else score, f"{cost:.2f}", sponsor, activity.isoformat()]


def write_monthly_csv(session, scope, employer_id: int, path: Path, *, month_end: date,
                      seed: int = SEED) -> MonthlyFile:
    """The CSV (the 100,000-row file's columns) one employer's HRIS would export for the month before
    ``month_end`` (the database's seeded day; see month_before): new enrollments and updates, sorted by person."""
    first, last = month_before(month_end)
    randomness = random.Random(seed)
    creates = _new_enrollments(session, scope, employer_id, first, last, randomness)
    updates = [row for row in (_update_row(randomness, stored, first, last)
                               for stored in _open_enrollments(session, scope, employer_id, last)) if row]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(sorted(creates + updates, key=lambda row: (row[0], row[1], row[2])))
    return MonthlyFile(month=first, created=len(creates), updated=len(updates))


def measure_monthly_import(database: BenchDatabase, users: BenchUsers) -> dict:
    """Import the largest employer's monthly file (see timed_import), in rows/s."""
    timed = timed_import(database, users, lambda session, scope, path: write_monthly_csv(
        session, scope, scope.organization_id, path, month_end=database.seeded_on or date.today()))
    monthly, plan = timed.made, timed.plan
    rows = monthly.created + monthly.updated
    ok = (plan.ok and plan.applied and (plan.created, plan.updated) == (monthly.created, monthly.updated)
          and timed.written == monthly.created)
    note = f"the import did not write the file as it is ({monthly.created:,} new, {monthly.updated:,} updates)"
    return {**timed.result(rows, ok, database, users, note), "updated": plan.updated,
            "month": monthly.month.isoformat()}
