"""Planning an enrollments file: upsert on (employee, credential, cohort) within the target employer;
statuses only move forward, and the university side may create the cohorts the file names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from db import summaries
from db.models import Cohort, Employee, Enrollment, EnrollmentStatus, Sponsor, utcnow
from services import permissions
from services.enrollments import TRANSITIONS, record_problems
from services.imports.cells import BAD, has_value
from services.imports.common import CHUNK, Progress
from services.imports.planning import (
    PlanContext,
    cohorts_by_code,
    credential_ids,
    differences,
    effective,
    employee_ids,
    enrollment_key,
    insert_rows,
    update_rows,
)

ENROLLMENT_FIELDS = ("enrolled_on", "status", "completed_on", "withdrawn_on", "score", "cost", "sponsor",
                     "last_activity_on")


def _reachable(status: str) -> set[str]:
    out, todo = {status}, [EnrollmentStatus(status)]
    while todo:
        for following in TRANSITIONS[todo.pop()]:
            if following.value not in out:
                out.add(following.value)
                todo.append(following)
    return out


REACHABLE = {status.value: _reachable(status.value) for status in EnrollmentStatus}


def _problem_column(message: str) -> str:
    return "completed_on" if "completed_on" in message else "withdrawn_on" if "withdrawn_on" in message else "status"


@dataclass
class _Lookups:
    employees: dict[str, int]
    credentials: dict[str, int]
    cohorts: dict[tuple[int, str], tuple[int, date, date]]
    existing: dict  # (employee id, credential id, cohort id) → the stored enrollment
    may_create_cohorts: bool
    # (credential id, cohort code) → (starts on, ends on, first line) of cohorts the file creates
    new_cohorts: dict[tuple[int, str], tuple[date, date, int]] = field(default_factory=dict)


def _existing(ctx: PlanContext, keys: set[tuple[int, int, int]]) -> dict:
    """The stored enrollments the file names, by (employee, credential, cohort), of the target employer.
    Their keys first (whole numbers, cheap to read) for the file's people only, then the rows themselves,
    so a month's file reads its own rows rather than the employer's history."""
    people = sorted({employee for employee, _, _ in keys})
    connection = ctx.session.connection()  # plain rows: no ORM bookkeeping per row
    found = []
    for i in range(0, len(people), CHUNK):
        found += [row.id for row in connection.execute(
            select(Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.cohort_id)
            .join(Employee, Employee.id == Enrollment.employee_id)
            .where(Employee.employer_id == ctx.target, Enrollment.employee_id.in_(people[i:i + CHUNK]))).all()
            if (row.employee_id, row.credential_id, row.cohort_id) in keys]
    columns = (Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.cohort_id,
               *[getattr(Enrollment, name) for name in ENROLLMENT_FIELDS])
    existing = {}
    for i in range(0, len(found), CHUNK):
        existing.update(((row.employee_id, row.credential_id, row.cohort_id), row) for row in connection.execute(
            select(*columns).where(Enrollment.id.in_(found[i:i + CHUNK]))).all())
    return existing


def _named_keys(rows, employees: dict, credentials: dict, cohorts: dict) -> set[tuple[int, int, int]]:
    """(employee, credential, cohort) of every row whose three names are known."""
    keys = set()
    for _, values in rows:
        employee, credential = employees.get(values["employee_ref"]), credentials.get(values["credential_code"])
        cohort = cohorts.get((credential, values["cohort"])) if credential is not None else None
        if employee is not None and cohort is not None:
            keys.add((employee, credential, cohort[0]))
    return keys


def _lookups(ctx: PlanContext, rows) -> _Lookups:
    employees = employee_ids(ctx.session, ctx.target)
    credentials = credential_ids(ctx.session, ctx.scope)
    cohorts = cohorts_by_code(ctx.session, ctx.scope)
    return _Lookups(employees=employees, credentials=credentials, cohorts=cohorts,
                    existing=_existing(ctx, _named_keys(rows, employees, credentials, cohorts)),
                    may_create_cohorts=permissions.may_create_cohorts_by_import(ctx.scope))


def _cohort_id(ctx: PlanContext, lookups: _Lookups, line: int, values: dict, credential_id: int | None) -> int | None:
    """The id of the row's cohort when it exists; a cohort the file may create is noted in
    ``lookups.new_cohorts``; dates that contradict the cohort's, and an unknown cohort, are reported."""
    code, cohort = values["credential_code"], values["cohort"]
    start, end = values.get("cohort_start"), values.get("cohort_end")
    dated = has_value(start) and has_value(end)
    if dated and end < start:
        ctx.error(line, "cohort_end", f"cohort_end {end} is before cohort_start {start}")
    if credential_id is None or not has_value(cohort):
        return None
    found = lookups.cohorts.get((credential_id, cohort))
    if found is not None:
        if dated and (start, end) != (found[1], found[2]):
            ctx.error(line, "cohort_start", f"cohort '{cohort}' of '{code}' runs {found[1]} to {found[2]}, "
                                            f"not {start} to {end}")
        return found[0]
    if (credential_id, cohort) in lookups.new_cohorts:
        first = lookups.new_cohorts[(credential_id, cohort)]
        if dated and (start, end) != first[:2]:
            ctx.error(line, "cohort_start", f"cohort '{cohort}' of '{code}' has other dates on line {first[2]}")
    elif lookups.may_create_cohorts and dated:
        if end >= start:
            lookups.new_cohorts[(credential_id, cohort)] = (start, end, line)
    else:
        hint = " (give cohort_start and cohort_end to create it)" if lookups.may_create_cohorts else ""
        ctx.error(line, "cohort", f"cohort '{cohort}' does not exist for credential '{code}'{hint}")
    return None


def _check_record(ctx: PlanContext, line: int, values: dict, current) -> None:
    """The enrollment as it will be: status and dates consistent, and a status that only moves forward."""
    status = effective(values, current, "status")
    enrolled = effective(values, current, "enrolled_on")
    completed = effective(values, current, "completed_on")
    withdrawn = effective(values, current, "withdrawn_on")
    if has_value(status) and has_value(enrolled) and completed is not BAD and withdrawn is not BAD:
        for problem in record_problems(status=status, enrolled_on=enrolled, completed_on=completed,
                                       withdrawn_on=withdrawn):
            ctx.error(line, _problem_column(problem), problem)
    if current is not None and has_value(status) and status not in REACHABLE[current.status]:
        ctx.error(line, "status", f"status cannot change from '{current.status}' to '{status}' (an enrollment only "
                                  "moves forward: enrolled → in_progress → completed, failed or withdrawn)")


class _Fields:
    """The enrollment fields of the file's columns, from a row: a column's default for an empty cell."""

    def __init__(self, ctx: PlanContext) -> None:
        self.names = [name for name in ENROLLMENT_FIELDS if name in ctx.present]
        self.defaults = ctx.spec.defaults

    def __call__(self, values: dict) -> dict:
        return {name: (values[name] if values[name] is not None else self.defaults[name]) for name in self.names}


def plan_enrollments(ctx: PlanContext, rows) -> None:
    lookups = _lookups(ctx, rows)
    fields = _Fields(ctx)
    seen: dict = {}
    creates, updates = [], []
    total = len(rows)
    for i, (line, values) in enumerate(rows):
        if ctx.progress and i % CHUNK == CHUNK - 1:
            ctx.progress(0.4 + 0.1 * (i + 1) / total, f"Compared {i + 1:,} of {total:,} rows")
        ids = enrollment_key(ctx, seen, line, values, lookups.employees, lookups.credentials,
                             "the enrollment of '{ref}' in '{code}' cohort '{cohort}'")
        if ids is None:
            continue
        employee_id, credential_id = ids
        cohort_id = _cohort_id(ctx, lookups, line, values, credential_id)
        current = lookups.existing.get((employee_id, credential_id, cohort_id)) \
            if cohort_id is not None and employee_id is not None else None
        _check_record(ctx, line, values, current)
        if line in ctx.bad:
            continue
        key = f"{values['employee_ref']} · {values['credential_code']} · {values['cohort']}"
        if current is None:
            creates.append((employee_id, credential_id, cohort_id, values["cohort"], values))
            ctx.will_create(line, key)
            continue
        changed = differences((name, getattr(current, name), from_file)
                              for name, from_file in fields(values).items())
        if changed:
            updates.append((current, values))
        ctx.compared(line, key, changed)
    ctx.set_counts(rows, creates, updates)
    ctx.plan.also_created["cohorts"] = len(lookups.new_cohorts)
    ctx.plan._write = _writer(ctx, fields, lookups.new_cohorts, creates, updates)


def _writer(ctx: PlanContext, fields: _Fields, new_cohorts: dict, creates: list, updates: list):
    def write(session: Session, progress: Progress | None):
        now = utcnow()
        changes = summaries.EnrollmentChanges.before(session, updating=[current.id for current, _ in updates])
        if new_cohorts:
            insert_rows(session, Cohort, [
                {"credential_id": credential_id, "code": code, "starts_on": starts, "ends_on": ends, "seats": 0}
                for (credential_id, code), (starts, ends, _) in new_cohorts.items()], None, "")
            cohort_ids = {key: found[0] for key, found in cohorts_by_code(session, ctx.scope).items()}
        else:
            cohort_ids = {}
        insert_rows(session, Enrollment, [
            {"employee_id": employee_id, "credential_id": credential_id,
             "cohort_id": cohort_id if cohort_id is not None else cohort_ids[(credential_id, cohort_code)],
             "completed_on": None, "withdrawn_on": None, "score": None, "cost": Decimal(0),
             "sponsor": Sponsor.employer.value, "last_activity_on": None, "updated_at": now,
             **fields(values)}
            for employee_id, credential_id, cohort_id, cohort_code, values in creates], progress, "enrollments")
        update_rows(session, Enrollment, [{"b_id": current.id, "updated_at": now, **fields(values)}
                                          for current, values in updates])
        return lambda: changes.after(session, written_at=now)

    return write
