"""A manager's team: their direct reports (Employee.manager_id), to narrow the lists that name people.

The team narrows named lists only (learners, PDP goals: people the user may see by name anyway). Figures
(KPIs, charts, department tables) never take it: they keep whole department cells (services/population.py),
so a team of two cannot be told apart from its department's figures.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db.models import Employee
from db.scope import Scope, visible


def managers(session: Session, scope: Scope, employer_id: int | None = None) -> list[tuple[int, str]]:
    """(employee id, "Name (N people)") of the people in scope (of ``employer_id`` when given) who manage
    someone in their own employer, by name."""
    report = aliased(Employee)
    rows = session.execute(
        select(Employee.id, Employee.full_name, func.count(report.id))
        .join(report, and_(report.manager_id == Employee.id, report.employer_id == Employee.employer_id))
        .where(visible(scope, Employee), true() if employer_id is None else Employee.employer_id == employer_id)
        .group_by(Employee.id, Employee.full_name)
        .order_by(Employee.full_name, Employee.id)
    ).all()
    return [(manager_id, f"{name} ({count} {'person' if count == 1 else 'people'})")
            for manager_id, name, count in rows]


def team_condition(team_of: int | None) -> ColumnElement[bool]:
    """The condition on Employee keeping ``team_of``'s direct reports in their employer (every one for None).
    The lists add the scope's own rule, so another employer's manager id leaves nobody."""
    if team_of is None:
        return true()
    manager = aliased(Employee)  # not correlated with the list's own Employee
    same_employer = select(manager.employer_id).where(manager.id == team_of).scalar_subquery()
    return and_(Employee.manager_id == team_of, Employee.employer_id == same_employer)


__all__ = ["managers", "team_condition"]
