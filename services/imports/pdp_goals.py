"""Planning a PDP goals file: upsert on (employee, plan period, goal title) within the target employer;
a plan (Pdp) the file names is created, with the employee's manager."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from db import summaries
from db.models import Employee, Pdp, PdpGoal, PdpGoalStatus, PdpStatus, utcnow
from services.imports.cells import BAD, has_value
from services.imports.common import Progress
from services.imports.planning import (
    PlanContext,
    credential_ids,
    differences,
    effective,
    insert_rows,
    not_credential,
    not_employee,
    skills_by_name,
    update_rows,
)

GOAL_FIELDS = ("skill", "target_level", "credential_code", "due_on", "status")


@dataclass
class _Lookups:
    people: dict[str, tuple[int, int | None]]  # employee_ref → (employee id, manager id)
    skills: dict[str, tuple[int, str]]
    skill_names: dict[int, str]
    credentials: dict[str, int]
    credential_codes: dict[int, str]
    pdps: dict[tuple[int, str], int]  # (employee id, period) → pdp id
    goals: dict[tuple, list]  # (employee id, period, title) → the stored goals


def _pdp_ids(session: Session, employer_id: int) -> dict[tuple[int, str], int]:
    return {(row[1], row[2]): row[0] for row in session.execute(
        select(Pdp.id, Pdp.employee_id, Pdp.period).join(Employee, Employee.id == Pdp.employee_id)
        .where(Employee.employer_id == employer_id)).all()}


def _lookups(ctx: PlanContext) -> _Lookups:
    session, employer_id = ctx.session, ctx.target
    people = {row[0]: (row[1], row[2]) for row in session.execute(
        select(Employee.employee_ref, Employee.id, Employee.manager_id)
        .where(Employee.employer_id == employer_id)).all()}
    skills = skills_by_name(session)
    credentials = credential_ids(session, ctx.scope)
    goals: dict[tuple, list] = {}
    for row in session.execute(select(PdpGoal.id, Pdp.employee_id, Pdp.period, PdpGoal.title, PdpGoal.skill_id,
                                      PdpGoal.credential_id, PdpGoal.target_level, PdpGoal.due_on, PdpGoal.status)
                               .join(Pdp, Pdp.id == PdpGoal.pdp_id).join(Employee, Employee.id == Pdp.employee_id)
                               .where(Employee.employer_id == employer_id)).all():
        goals.setdefault((row.employee_id, row.period, row.title), []).append(row)
    return _Lookups(people=people, skills=skills, skill_names={skill_id: name for skill_id, name in skills.values()},
                    credentials=credentials, credential_codes={cid: code for code, cid in credentials.items()},
                    pdps=_pdp_ids(session, employer_id), goals=goals)


def _references(ctx: PlanContext, lookups: _Lookups, line: int, values: dict):
    """(the employee as (id, manager id), skill id, credential id) the row names, each None when it names
    none or an unknown one (reported)."""
    ref, skill, code = values["employee_ref"], values.get("skill"), values.get("credential_code")
    person = lookups.people.get(ref) if has_value(ref) else None
    if has_value(ref) and person is None:
        not_employee(ctx, line, ref)
    skill_id = lookups.skills[skill.lower()][0] if has_value(skill) and skill.lower() in lookups.skills else None
    if has_value(skill) and skill_id is None:
        ctx.error(line, "skill", f"skill '{skill}' is not in the skills vocabulary")
    credential_id = lookups.credentials.get(code) if has_value(code) else None
    if has_value(code) and credential_id is None:
        not_credential(ctx, line, code)
    return person, skill_id, credential_id


def _stored_goal(ctx: PlanContext, lookups: _Lookups, line: int, values: dict, person):
    """The stored goal the row updates, or None; several goals of the same title match none (reported)."""
    ref, period, title = values["employee_ref"], values["period"], values["title"]
    found = lookups.goals.get((person[0], period, title), []) if person else []
    if len(found) > 1:
        ctx.error(line, "title", f"plan {period} of '{ref}' already has {len(found)} goals titled '{title}'; "
                                 "the row matches none of them uniquely")
    return found[0] if len(found) == 1 else None


def _check_target(ctx: PlanContext, lookups: _Lookups, line: int, values: dict, current) -> None:
    """What the goal aims at, as it will be: a skill or a credential (or both); a target level only with a skill."""
    if "skill" in values:
        skill = values["skill"]
    else:
        skill = lookups.skill_names.get(current.skill_id) if current else None
    if "credential_code" in values:
        code = values["credential_code"]
    else:
        code = lookups.credential_codes.get(current.credential_id) if current else None
    level = effective(values, current, "target_level")
    if skill is None and code is None:
        ctx.error(line, "skill", "a goal needs a skill, a credential_code, or both")
    if level is not None and level is not BAD and skill is None:
        ctx.error(line, "target_level", "a target_level needs a skill")


def _changes(ctx: PlanContext, lookups: _Lookups, values: dict, current) -> list[str]:
    pairs = []
    if "skill" in ctx.present:
        skill = values["skill"]
        pairs.append(("skill", lookups.skill_names.get(current.skill_id),
                      lookups.skills[skill.lower()][1] if skill else None))
    if "credential_code" in ctx.present:
        pairs.append(("credential_code", lookups.credential_codes.get(current.credential_id),
                      values["credential_code"]))
    pairs += [(name, getattr(current, name),
               values[name] if values[name] is not None or name != "status" else PdpGoalStatus.planned.value)
              for name in ("target_level", "due_on", "status") if name in ctx.present]
    return differences(pairs)


def plan_pdp_goals(ctx: PlanContext, rows) -> None:
    lookups = _lookups(ctx)
    seen: dict = {}
    new_pdps: dict[tuple[int, str], int | None] = {}  # (employee id, period) → the plan's manager
    creates, updates = [], []
    for line, values in rows:
        ref, period, title = values["employee_ref"], values["period"], values["title"]
        if all(has_value(value) for value in (ref, period, title)) and ctx.is_duplicate(
                seen, (ref, period, title), line, "title", f"the goal '{title}' of '{ref}' in plan {period}"):
            continue
        person, skill_id, credential_id = _references(ctx, lookups, line, values)
        current = _stored_goal(ctx, lookups, line, values, person)
        _check_target(ctx, lookups, line, values, current)
        if line in ctx.bad:
            continue
        key = f"{ref} · {period} · {title}"
        if current is None:
            if (person[0], period) not in lookups.pdps:
                new_pdps.setdefault((person[0], period), person[1])
            creates.append((person[0], values, skill_id, credential_id))
            ctx.will_create(line, key)
            continue
        changed = _changes(ctx, lookups, values, current)
        if changed:
            updates.append((current, values, skill_id, credential_id))
        ctx.compared(line, key, changed)
    ctx.set_counts(rows, creates, updates)
    ctx.plan.also_created["plans"] = len(new_pdps)
    ctx.plan._write = _writer(ctx, new_pdps, creates, updates)
    ctx.plan._summaries = summaries.AFTER_GOALS


def _fields(present: set[str], values: dict, skill_id, credential_id) -> dict:
    out = {}
    if "skill" in present:
        out["skill_id"] = skill_id
    if "credential_code" in present:
        out["credential_id"] = credential_id
    for name in ("target_level", "due_on"):
        if name in present:
            out[name] = values[name]
    if "status" in present:
        out["status"] = values["status"] or PdpGoalStatus.planned.value
    return out


def _writer(ctx: PlanContext, new_pdps: dict, creates: list, updates: list):
    employer_id, present = ctx.target, ctx.present

    def write(session: Session, progress: Progress | None) -> None:
        now = utcnow()
        if new_pdps:
            insert_rows(session, Pdp, [
                {"employee_id": employee_id, "period": period, "manager_id": manager_id,
                 "status": PdpStatus.active.value, "created_at": now}
                for (employee_id, period), manager_id in new_pdps.items()], None, "")
        pdp_ids = _pdp_ids(session, employer_id)
        insert_rows(session, PdpGoal, [
            {"pdp_id": pdp_ids[(employee_id, values["period"])], "title": values["title"], "skill_id": None,
             "credential_id": None, "target_level": None, "status": PdpGoalStatus.planned.value, "updated_at": now,
             **_fields(present, values, skill_id, credential_id)}
            for employee_id, values, skill_id, credential_id in creates], progress, "goals")
        update_rows(session, PdpGoal, [{"b_id": current.id, "updated_at": now,
                                        **_fields(present, values, skill_id, credential_id)}
                                       for current, values, skill_id, credential_id in updates])

    return write
