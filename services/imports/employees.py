"""Planning an employees file: upsert on employee_ref within the target employer; departments named in
the file are created, managers are linked once every row is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db import summaries
from db.models import Department, Employee
from services.imports.cells import has_value
from services.imports.common import Progress
from services.imports.planning import PlanContext, differences, effective, employee_ids, insert_rows, update_rows

EMPLOYEE_FIELDS = {"name": "full_name", "email": "email", "job_title": "job_title", "location": "location",
                   "hired_on": "hired_on", "left_on": "left_on"}


@dataclass
class _Stored:
    """The target employer's employees (by employee_ref) and departments (by lower-case name), as stored."""

    employees: dict[str, Any]
    refs: dict[int, str]  # employee id → employee_ref
    departments: dict[str, tuple[int, str]]  # lower-case name → (id, name)
    department_names: dict[int, str]


def _stored(session: Session, employer_id: int) -> _Stored:
    employees = {row.employee_ref: row for row in session.execute(
        select(Employee.id, Employee.employee_ref, Employee.full_name, Employee.email, Employee.department_id,
               Employee.job_title, Employee.location, Employee.manager_id, Employee.hired_on, Employee.left_on)
        .where(Employee.employer_id == employer_id)).all()}
    departments = {name.lower(): (department_id, name) for department_id, name in session.execute(
        select(Department.id, Department.name).where(Department.employer_id == employer_id)).all()}
    return _Stored(employees=employees, refs={row.id: ref for ref, row in employees.items()},
                   departments=departments,
                   department_names={department_id: name for department_id, name in departments.values()})


def _check_row(ctx: PlanContext, stored: _Stored, in_file: set[str], line: int, values: dict, current) -> None:
    """The rules between a row's fields: dates in order, a manager who exists and is someone else."""
    ref = values["employee_ref"]
    hired = effective(values, current, "hired_on")
    left = effective(values, current, "left_on")
    if has_value(hired) and has_value(left) and left < hired:
        ctx.error(line, "left_on", f"left_on {left} is before hired_on {hired}")
    manager = values.get("manager_ref")
    if has_value(manager) and has_value(ref):
        if manager == ref:
            ctx.error(line, "manager_ref", "an employee cannot be their own manager")
        elif manager not in in_file and manager not in stored.employees:
            ctx.error(line, "manager_ref", f"'{manager}' is not an employee of {ctx.plan.target_name} nor in this file")


def _changes(stored: _Stored, present: set[str], values: dict, current) -> list[str]:
    pairs = [(column, getattr(current, attr), values[column])
             for column, attr in EMPLOYEE_FIELDS.items() if column in present]
    if "department" in present:
        department = values["department"]
        known = department and department.lower() in stored.departments
        pairs.append(("department", stored.department_names.get(current.department_id),
                      stored.departments[department.lower()][1] if known else department))
    if "manager_ref" in present:
        pairs.append(("manager_ref", stored.refs.get(current.manager_id), values["manager_ref"]))
    return differences(pairs)


def plan_employees(ctx: PlanContext, rows) -> None:
    stored = _stored(ctx.session, ctx.target)
    in_file = {values["employee_ref"] for _, values in rows if has_value(values.get("employee_ref"))}
    seen: dict = {}
    new_departments: dict[str, str] = {}
    creates, updates = [], []
    for line, values in rows:
        ref = values["employee_ref"]
        if has_value(ref) and ctx.is_duplicate(seen, ref, line, "employee_ref", f"employee_ref '{ref}'"):
            continue
        current = stored.employees.get(ref) if has_value(ref) else None
        _check_row(ctx, stored, in_file, line, values, current)
        department = values.get("department")
        if has_value(department) and department.lower() not in stored.departments:
            new_departments.setdefault(department.lower(), department)
        if line in ctx.bad:
            continue
        if current is None:
            creates.append((line, values))
            ctx.will_create(line, ref)
            continue
        changed = _changes(stored, ctx.present, values, current)
        if changed:
            updates.append((line, values, current))
        ctx.compared(line, ref, changed)
    ctx.set_counts(rows, creates, updates)
    ctx.plan.also_created["departments"] = len(new_departments)
    ctx.plan._summaries = tuple(summaries.PARTS)  # people may move between departments
    ctx.plan._write = _writer(ctx.target, ctx.present, new_departments, creates, updates)


def _fields(present: set[str], department_ids: dict[str, int], values: dict) -> dict:
    out = {attr: values[column] for column, attr in EMPLOYEE_FIELDS.items() if column in present}
    if "department" in present:
        out["department_id"] = department_ids[values["department"].lower()] if values["department"] else None
    return out


def _link_managers(session: Session, employer_id: int, creates: list, updates: list) -> None:
    """Managers by id, once every employee of the file exists (a manager may come later in the file)."""
    ids = employee_ids(session, employer_id)
    links = []
    for _, values in creates:
        if values["manager_ref"]:
            links.append({"b_id": ids[values["employee_ref"]], "manager_id": ids[values["manager_ref"]]})
    for _, values, current in updates:
        want = ids[values["manager_ref"]] if values["manager_ref"] else None
        if want != current.manager_id:
            links.append({"b_id": current.id, "manager_id": want})
    update_rows(session, Employee, links)


def _writer(employer_id: int, present: set[str], new_departments: dict[str, str], creates: list, updates: list):
    def write(session: Session, progress: Progress | None) -> None:
        if new_departments:
            insert_rows(session, Department, [{"employer_id": employer_id, "name": name}
                                              for name in new_departments.values()], None, "")
        department_ids = {name.lower(): department_id for department_id, name in session.execute(
            select(Department.id, Department.name).where(Department.employer_id == employer_id)).all()}
        insert_rows(session, Employee, [
            {"employer_id": employer_id, "employee_ref": values["employee_ref"], "full_name": values["name"],
             "email": None, "department_id": None, "job_title": None, "location": None, "manager_id": None,
             "hired_on": values["hired_on"], "left_on": None, **_fields(present, department_ids, values)}
            for _, values in creates], progress, "employees")
        update_rows(session, Employee, [{"b_id": current.id, **_fields(present, department_ids, values)}
                                        for _, values, current in updates])
        if "manager_ref" in present:
            _link_managers(session, employer_id, creates, updates)

    return write
