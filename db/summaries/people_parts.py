"""The summaries of PDP goals and of the payroll (hires and leavers)."""

from __future__ import annotations

from sqlalchemy import func, insert, literal, select, union_all
from sqlmodel import Session

from db.models import Employee, EmployeeMonthSummary, Pdp, PdpGoal, PdpGoalMonthSummary
from db.sqlfuncs import month_start
from db.summaries.rows import Rows


def build_goals(session: Session, rows: Rows) -> None:
    month = month_start(PdpGoal.due_on)
    keys = [Employee.employer_id, func.coalesce(Employee.department_id, 0), func.coalesce(PdpGoal.credential_id, 0),
            PdpGoal.status, month]
    session.execute(insert(PdpGoalMonthSummary).from_select(
        ["employer_id", "department_id", "credential_id", "status", "month", "goals"],
        select(*keys, func.count()).select_from(PdpGoal).join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id).where(*rows.people()).group_by(*keys),
    ))


def build_people(session: Session, rows: Rows) -> None:
    department = func.coalesce(Employee.department_id, 0)
    hired, left = month_start(Employee.hired_on), month_start(Employee.left_on)
    events = union_all(
        select(Employee.employer_id.label("employer_id"), department.label("department_id"), hired.label("month"),
               func.count().label("hires"), literal(0).label("leavers"), literal(0).label("leavers_on_first"))
        .where(*rows.people()).group_by(Employee.employer_id, department, hired),
        select(Employee.employer_id, department, left, literal(0), func.count(),
               func.count().filter(Employee.left_on == left))
        .where(*rows.people(), Employee.left_on.is_not(None)).group_by(Employee.employer_id, department, left),
    ).subquery()
    group = [events.c.employer_id, events.c.department_id, events.c.month]
    session.execute(insert(EmployeeMonthSummary).from_select(
        ["employer_id", "department_id", "month", "hires", "leavers", "leavers_on_first"],
        select(*group, func.sum(events.c.hires), func.sum(events.c.leavers), func.sum(events.c.leavers_on_first))
        .group_by(*group),
    ))
