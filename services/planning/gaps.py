"""Whose gaps a plan is for, and how far each of them is from the target in each chosen skill.

These are HR records by name (assessments, PDP targets): a person counts only when the scope sees them
(``visible``) and may see their employer's HR records by name (``records_visible``). Who is a named list of
people the HR manager may see anyway, so departments are the raw departments here, not the population cells
of the aggregate figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from db.models import Department, Employee, Pdp, PdpGoal, PdpGoalStatus, Skill, SkillAssessment, SkillStatus
from db.scope import AccessDenied, Scope, records_visible, scoped, visible
from services import population
from services.frames import frame
from services.people.teams import team_condition

GAP_COLUMNS = ["employee_id", "person", "skill_id", "skill", "current", "target", "gap"]
LEVELS = range(1, 6)


def require_planner(scope: Scope, employer_id: int) -> None:
    """Planning names people and reads their HR records: the scope must see the employer and its records."""
    scope.require_employer(employer_id)
    if not scope.sees_records_of(employer_id):
        raise AccessDenied("This employer does not share its people's HR records with you, so you cannot plan "
                           "for them by name.")


def check_level(target_level: int) -> int:
    if int(target_level) not in LEVELS:
        raise ValueError(f"The target level must be between 1 and 5, not {target_level}.")
    return int(target_level)


def _current_on(today: date):
    """Employees on the payroll on ``today`` (hired on or before, not yet left)."""
    return and_(Employee.hired_on <= today, or_(Employee.left_on.is_(None), Employee.left_on > today))


def departments(session: Session, scope: Scope, *, employer_id: int) -> list[tuple[int, str]]:
    """The employer's departments, by name."""
    require_planner(scope, employer_id)
    stmt = scoped(select(Department.id, Department.name).where(Department.employer_id == employer_id)
                  .order_by(Department.name), scope, Department)
    return [tuple(row) for row in session.execute(stmt).all()]


def current_people(session: Session, scope: Scope, *, employer_id: int, today: date,
                   department_ids: Iterable[int] | None = None, employee_ids: Iterable[int] | None = None,
                   team_of: int | None = None, search: str = "", limit: int | None = None) -> dict[int, str]:
    """Who a plan is for: the employer's current employees (in ``department_ids``, of ``employee_ids`` or in
    ``team_of``'s team when given, every one otherwise; ``search``: whose name or HRIS id holds it), id → name,
    by name. Ids outside the scope or of another employer give nobody."""
    require_planner(scope, employer_id)
    stmt = (select(Employee.id, Employee.full_name)
            .where(Employee.employer_id == employer_id, _current_on(today), visible(scope, Employee),
                   records_visible(scope, Employee.employer_id))
            .order_by(Employee.full_name, Employee.id))
    if department_ids is not None:
        stmt = stmt.where(Employee.department_id.in_(sorted({int(i) for i in department_ids})))
    if employee_ids is not None:
        stmt = stmt.where(Employee.id.in_(sorted({int(i) for i in employee_ids})))
    if team_of is not None:
        stmt = stmt.where(team_condition(team_of))
    if search.strip():
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Employee.full_name).like(like), func.lower(Employee.employee_ref).like(like)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return {int(person): name for person, name in session.execute(stmt).all()}


def people_gaps(session: Session, scope: Scope, *, employee_ids: Iterable[int], skill_ids: Iterable[int],
                target_level: int, today: date) -> pd.DataFrame:
    """Per person and skill: the current level (latest assessed on or before ``today``, 0 if never), the target
    (their PDP target: the highest of open or achieved goals on the skill, as the skill-gap metric reads it;
    else ``target_level``) and the gap, ``max(0, target − current)``. Current employees only, in scope, whose HR
    records the scope may see; nobody else gives no row."""
    target_level = check_level(target_level)
    people, skills = sorted({int(i) for i in employee_ids}), sorted({int(i) for i in skill_ids})
    if not people or not skills:
        return pd.DataFrame(columns=GAP_COLUMNS)
    current = (select(SkillAssessment.level)
               .where(SkillAssessment.employee_id == Employee.id, SkillAssessment.skill_id == Skill.id,
                      SkillAssessment.assessed_on <= today)
               .order_by(SkillAssessment.assessed_on.desc(), SkillAssessment.id.desc()).limit(1)
               .correlate(Employee, Skill).scalar_subquery())
    target = (select(func.max(PdpGoal.target_level)).join(Pdp, Pdp.id == PdpGoal.pdp_id)
              .where(Pdp.employee_id == Employee.id, PdpGoal.skill_id == Skill.id,
                     PdpGoal.target_level.is_not(None), PdpGoal.status != PdpGoalStatus.dropped)
              .correlate(Employee, Skill).scalar_subquery())
    stmt = (select(Employee.id, Employee.full_name, Skill.id, Skill.name, func.coalesce(current, 0),
                   func.coalesce(target, target_level))
            .select_from(Employee).join(Skill, Skill.id.in_(skills))
            .where(Employee.id.in_(people), _current_on(today), visible(scope, Employee),
                   records_visible(scope, Employee.employer_id), visible(scope, Skill))
            .order_by(Employee.full_name, Employee.id, Skill.name))
    df = frame(session.execute(stmt), GAP_COLUMNS[:-1])
    for column in ("employee_id", "skill_id", "current", "target"):
        df[column] = df[column].astype("int64")
    df["gap"] = (df["target"] - df["current"]).clip(lower=0).astype("int64")
    return df


def skills_with_gaps(session: Session, scope: Scope, *, employee_ids: Iterable[int], today: date) -> dict[int, int]:
    """Skill id → how many of these people are below a PDP target recorded for it (the gaps the HR records
    already show, offered first on the Plan page)."""
    people = sorted({int(i) for i in employee_ids})
    if not people:
        return {}
    skills = select(PdpGoal.skill_id).join(Pdp, Pdp.id == PdpGoal.pdp_id).where(
        Pdp.employee_id.in_(people), PdpGoal.skill_id.is_not(None)).distinct()
    gaps = people_gaps(session, scope, employee_ids=people, skill_ids=session.execute(skills).scalars().all(),
                       target_level=1, today=today)
    recorded = _recorded_targets(session, people)
    if gaps.empty:
        return {}
    gaps = gaps[[(row.employee_id, row.skill_id) in recorded for row in gaps.itertuples()]]
    return {int(skill): int(n) for skill, n in gaps[gaps["gap"] > 0].groupby("skill_id").size().items()}


def _recorded_targets(session: Session, people: list[int]) -> set[tuple[int, int]]:
    stmt = (select(Pdp.employee_id, PdpGoal.skill_id).join(Pdp, Pdp.id == PdpGoal.pdp_id)
            .where(Pdp.employee_id.in_(people), PdpGoal.skill_id.is_not(None), PdpGoal.target_level.is_not(None),
                   PdpGoal.status != PdpGoalStatus.dropped))
    return {(int(person), int(skill)) for person, skill in session.execute(stmt).all()}


def skill_choices(session: Session, scope: Scope) -> dict[int, str]:
    """The skills a plan can aim at: the shared vocabulary (accepted skills), id → name."""
    stmt = select(Skill.id, Skill.name).where(Skill.status == SkillStatus.accepted, visible(scope, Skill))
    return {int(skill): name for skill, name in session.execute(stmt.order_by(Skill.name)).all()}


def heatmap_departments(session: Session, scope: Scope) -> dict[tuple[str, str], tuple[int, tuple[int, ...]]]:
    """(employer name, department name) of a skill-gap heatmap row → (employer id, its department ids): a
    department by its own name, and a cell such as "Other departments", which stands for several departments
    (services/population.py)."""
    out: dict[tuple[str, str], tuple[int, list[int]]] = {}
    for employer_id, employer, cell, choice, department in population.cell_rows(session, scope.employers()):
        names = [department] + ([population.OTHER_DEPARTMENTS] if cell == population.OTHER_CELL else [])
        for name in names:
            entry = out.setdefault((employer, name), (int(employer_id), []))
            if choice > 0:  # a negative choice is the employer's people without a department
                entry[1].append(int(choice))
    return {key: (employer_id, tuple(ids)) for key, (employer_id, ids) in out.items()}
