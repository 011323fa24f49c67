"""Planning an outcome surveys file: one survey per enrollment, upserted on (employee, credential, cohort)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from db import summaries
from db.models import Employee, Enrollment, OutcomeSurvey
from services.imports.cells import has_value
from services.imports.common import Progress
from services.imports.planning import (
    PlanContext,
    cohorts_by_code,
    credential_ids,
    differences,
    employee_ids,
    enrollment_key,
    insert_rows,
    update_rows,
)

SURVEY_FIELDS = ("surveyed_on", "performance_before", "performance_after", "satisfaction_before", "satisfaction_after")


def _stored(ctx: PlanContext) -> tuple[dict, dict]:
    """({(employee id, credential id, cohort id): enrollment id}, {enrollment id: its survey}) of the target."""
    enrollments = {(row[1], row[2], row[3]): row[0] for row in ctx.session.execute(
        select(Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.cohort_id)
        .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == ctx.target)).all()}
    surveys = {row.enrollment_id: row for row in ctx.session.execute(
        select(OutcomeSurvey.id, OutcomeSurvey.enrollment_id, *[getattr(OutcomeSurvey, name) for name in SURVEY_FIELDS])
        .join(Employee, Employee.id == OutcomeSurvey.employee_id).where(Employee.employer_id == ctx.target)).all()}
    return enrollments, surveys


def plan_surveys(ctx: PlanContext, rows) -> None:
    employees = employee_ids(ctx.session, ctx.target)
    credentials = credential_ids(ctx.session, ctx.scope)
    cohorts = cohorts_by_code(ctx.session, ctx.scope)
    enrollments, stored = _stored(ctx)
    seen: dict = {}
    creates, updates = [], []
    for line, values in rows:
        ref, code, cohort = values["employee_ref"], values["credential_code"], values["cohort"]
        ids = enrollment_key(ctx, seen, line, values, employees, credentials,
                             "the survey of '{ref}' for '{code}' cohort '{cohort}'")
        if ids is None:
            continue
        employee_id, credential_id = ids
        cohort_id = None
        if credential_id is not None and has_value(cohort):
            found = cohorts.get((credential_id, cohort))
            if found is None:
                ctx.error(line, "cohort", f"cohort '{cohort}' does not exist for credential '{code}'")
            else:
                cohort_id = found[0]
        enrollment_id = enrollments.get((employee_id, credential_id, cohort_id))
        if employee_id is not None and cohort_id is not None and enrollment_id is None:
            ctx.error(line, "cohort", f"'{ref}' has no enrollment in '{code}' cohort '{cohort}'")
        if line in ctx.bad:
            continue
        key = f"{ref} · {code} · {cohort}"
        current = stored.get(enrollment_id)
        if current is None:
            creates.append({"employee_id": employee_id, "enrollment_id": enrollment_id,
                            **{name: values[name] for name in SURVEY_FIELDS}})
            ctx.will_create(line, key)
            continue
        changed = differences((name, getattr(current, name), values[name]) for name in SURVEY_FIELDS)
        if changed:
            updates.append({"b_id": current.id, **{name: values[name] for name in SURVEY_FIELDS}})
        ctx.compared(line, key, changed)
    ctx.set_counts(rows, creates, updates)

    def write(session: Session, progress: Progress | None) -> None:
        insert_rows(session, OutcomeSurvey, creates, progress, "surveys")
        update_rows(session, OutcomeSurvey, updates)

    ctx.plan._write = write
    ctx.plan._summaries = summaries.AFTER_SURVEYS
