"""Planning a skill assessments file: upsert on (employee, skill, day, source) within the target employer."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from db import summaries
from db.models import AssessmentSource, Employee, SkillAssessment
from services.imports.cells import BAD, has_value
from services.imports.common import Progress
from services.imports.planning import (
    PlanContext,
    differences,
    employee_ids,
    insert_rows,
    not_employee,
    skills_by_name,
    update_rows,
)


def _stored(ctx: PlanContext) -> dict[tuple, list]:
    """The target employer's assessments by (employee id, skill id, day, source); a key may hold several."""
    stored: dict[tuple, list] = {}
    for row in ctx.session.execute(
            select(SkillAssessment.id, SkillAssessment.employee_id, SkillAssessment.skill_id,
                   SkillAssessment.assessed_on, SkillAssessment.source, SkillAssessment.level)
            .join(Employee, Employee.id == SkillAssessment.employee_id)
            .where(Employee.employer_id == ctx.target)).all():
        stored.setdefault((row.employee_id, row.skill_id, row.assessed_on, row.source), []).append(row)
    return stored


def plan_assessments(ctx: PlanContext, rows) -> None:
    employees = employee_ids(ctx.session, ctx.target)
    skills = skills_by_name(ctx.session)
    stored = _stored(ctx)
    seen: dict = {}
    creates, updates = [], []
    for line, values in rows:
        ref, skill, assessed_on = values["employee_ref"], values["skill"], values["assessed_on"]
        source = values.get("source") or AssessmentSource.manager.value
        if all(has_value(value) for value in (ref, skill, assessed_on)) and source is not BAD and ctx.is_duplicate(
                seen, (ref, skill.lower(), assessed_on, source), line, "employee_ref",
                f"the {source} assessment of '{ref}' in '{skill}' on {assessed_on}"):
            continue
        employee_id = employees.get(ref) if has_value(ref) else None
        if has_value(ref) and employee_id is None:
            not_employee(ctx, line, ref)
        skill_id = skills[skill.lower()][0] if has_value(skill) and skill.lower() in skills else None
        if has_value(skill) and skill_id is None:
            ctx.error(line, "skill", f"skill '{skill}' is not in the skills vocabulary")
        found = stored.get((employee_id, skill_id, assessed_on, source), [])
        if len(found) > 1:
            ctx.error(line, "assessed_on", f"{len(found)} such assessments are already stored; the row matches "
                                           "none of them uniquely")
        if line in ctx.bad:
            continue
        key = f"{ref} · {skill} · {assessed_on} · {source}"
        if not found:
            creates.append({"employee_id": employee_id, "skill_id": skill_id, "level": values["level"],
                            "assessed_on": assessed_on, "source": source})
            ctx.will_create(line, key)
            continue
        current = found[0]
        changed = differences([("level", current.level, values["level"])])
        if changed:
            updates.append({"b_id": current.id, "level": values["level"]})
        ctx.compared(line, key, changed)
    ctx.set_counts(rows, creates, updates)

    def write(session: Session, progress: Progress | None) -> None:
        insert_rows(session, SkillAssessment, creates, progress, "assessments")
        update_rows(session, SkillAssessment, updates)

    ctx.plan._write = write
    ctx.plan._summaries = summaries.AFTER_ASSESSMENTS
