"""Personal Development Plans: the goal list, and the changes HR managers make to goals."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import (
    Cohort,
    Credential,
    Department,
    Employee,
    Organization,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    PdpStatus,
    SeatReservation,
    Skill,
    SkillStatus,
    utcnow,
)
from db.scope import Scope, records_visible, visible
from services import audit, permissions
from services.filters import Filters, people_conditions
from services.formatting import fmt, label
from services.metrics import goal_state
from services.paging import after as after_cursor
from services.people.teams import team_condition


class PdpError(ValueError):
    """A PDP change that was refused, with a message for the person who asked."""


class GoalConflict(PdpError):
    """Someone else changed the goal after it was shown: nothing was saved. ``status`` is the goal's
    status now; ``changed_by``/``changed_at`` name the other change when the audit trail has it."""

    def __init__(self, message: str, *, status: str, changed_by: str | None = None,
                 changed_at: datetime | None = None):
        super().__init__(message)
        self.status, self.changed_by, self.changed_at = status, changed_by, changed_at


CLOSED_GOALS = [PdpGoalStatus.achieved, PdpGoalStatus.dropped]
GOAL_COLUMNS = ["goal_id", "employee_id", "employee_ref", "employee", "employer", "department", "period", "goal",
                "skill", "target_level", "credential", "due_on", "status", "state", "seat", "closed"]


def goals(
    session: Session, scope: Scope, f: Filters, *, today: date, states: frozenset[str] | None = None,
    search: str = "", limit: int = 100, team_of: int | None = None,
    after: tuple[bool, date, int] | None = None, count: bool = True,
) -> tuple[int | None, pd.DataFrame]:
    """(how many match, one page of goals) with their employee, plan and state today; ``team_of``: only that
    manager's direct reports (services/people/teams.py). Open goals first (what needs acting on), each
    group earliest due first, the goal id breaking ties. ``after``: the page after that cursor
    (``goal_cursor_after``), read by seeking on the due-date index, one group then the other (keyset
    paging: no sort of every match); ``count=False`` skips the count (None), a scan of every match.

    Only the goals of the employers whose HR records the user sees by name (db/scope.records_visible): an
    officer of a university sees a partner's goals only while that employer shares them. Every list, search
    and download of goals comes from here."""
    state = goal_state(today)
    # The cohort a seat is reserved in for the goal (services/seats.py); one a goal, as bulk actions make them.
    seat = (select(func.min(Cohort.code)).join(SeatReservation, SeatReservation.cohort_id == Cohort.id)
            .where(SeatReservation.pdp_goal_id == PdpGoal.id).correlate(PdpGoal).scalar_subquery())
    stmt = (
        select()
        .select_from(PdpGoal)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(*people_conditions(scope, f, listed=True), records_visible(scope, Employee.employer_id),
               team_condition(team_of))
    )
    if f.credential_ids is not None:
        stmt = stmt.where(PdpGoal.credential_id.in_(sorted(f.credential_ids)))
    if states is not None:
        stmt = stmt.where(state.in_(sorted(states)))
    if search.strip():
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Employee.full_name).like(like), func.lower(Employee.employee_ref).like(like)))
    total = int(session.execute(stmt.with_only_columns(func.count(PdpGoal.id))).scalar_one()) if count else None
    closed = PdpGoal.status.in_(CLOSED_GOALS)
    listed = (
        stmt.join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .outerjoin(Skill, Skill.id == PdpGoal.skill_id)
        .outerjoin(Credential, Credential.id == PdpGoal.credential_id)
        .with_only_columns(
            PdpGoal.id, Employee.id, Employee.employee_ref, Employee.full_name, Organization.name,
            func.coalesce(Department.name, "(no department)"), Pdp.period, PdpGoal.title, Skill.name,
            PdpGoal.target_level, Credential.code, PdpGoal.due_on, PdpGoal.status, state, seat, closed,
        )
    )

    def group(is_closed: bool, cursor: tuple[date, int] | None, size: int) -> list:
        # One group at a time: ORDER BY due_on, id within it is the due-date index's own order. The page's ids
        # first, from narrow rows: where the planner reads an employer's goals and sorts them (SQLite, an HR
        # manager), it sorts ids and dates, and the names, state and seat are read for the page's rows only.
        page_ids = (stmt.with_only_columns(PdpGoal.id)
                    .where(closed if is_closed else PdpGoal.status.not_in(CLOSED_GOALS),
                           after_cursor(PdpGoal.due_on, PdpGoal.id, cursor))
                    .order_by(PdpGoal.due_on, PdpGoal.id).limit(size))
        return session.execute(listed.where(PdpGoal.id.in_(page_ids))
                               .order_by(PdpGoal.due_on, PdpGoal.id)).all() if size else []

    in_closed, cursor = (bool(after[0]), tuple(after[1:])) if after is not None else (False, None)
    rows = group(in_closed, cursor, limit)
    if not in_closed and len(rows) < limit:
        rows += group(True, None, limit - len(rows))
    page = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    page["closed"] = page["closed"].astype(bool)
    return total, page


def goal_cursor_after(page: pd.DataFrame) -> tuple[bool, date, int] | None:
    """The cursor of the page of goals that follows ``page`` (its last row's sort key); None if empty."""
    if page.empty:
        return None
    last = page.iloc[-1]
    return bool(last["closed"]), last["due_on"], int(last["goal_id"])


def _sets_target(goal: PdpGoal) -> bool:
    return goal.skill_id is not None and goal.target_level is not None


def _conflict(session: Session, goal: PdpGoal) -> GoalConflict:
    event = audit.last_change(session, entity="PdpGoal", entity_id=goal.id, action="pdp_goal.status")
    status = label(goal.status)
    if event is None:
        return GoalConflict(f"This goal was changed meanwhile: it is now {status}. Nothing was saved.",
                            status=goal.status)
    before = label(json.loads(event.before or "{}").get("status"))
    return GoalConflict(
        f"{event.actor_email} changed this goal from {before} to {status} on {fmt(event.occurred_at, 'datetime')} "
        "(UTC), after you opened it. Nothing was saved: check the goal and choose again.",
        status=goal.status, changed_by=event.actor_email, changed_at=event.occurred_at)


def update_goal_status(
    session: Session, scope: Scope, *, goal_id: int, status: str, expected_status: str
) -> PdpGoal:
    """Set a goal's status. Refused (GoalConflict) if its status is no longer ``expected_status``,
    the status the person was shown: someone else changed it meanwhile."""
    try:
        new = PdpGoalStatus(status)
    except ValueError:
        raise PdpError(f"Unknown goal status '{status}'.") from None
    row = session.execute(
        select(PdpGoal, Employee.employer_id, Pdp.employee_id)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .join(Employee, Employee.id == Pdp.employee_id)
        .where(PdpGoal.id == goal_id, visible(scope, PdpGoal))
    ).first()
    if row is None:
        raise PdpError("That goal does not exist or is outside your access.")
    goal, employer_id, employee_id = row
    permissions.require_goal_editor(scope, employer_id)
    if goal.status != expected_status:
        raise _conflict(session, goal)
    if goal.status == new:
        return goal
    before = {"status": goal.status}
    # Conditional update: a concurrent writer between our read and this write makes it match no row.
    result = session.execute(
        PdpGoal.__table__.update()
        .where(PdpGoal.id == goal_id, PdpGoal.status == expected_status)
        .values(status=new.value, updated_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict(session, session.get(PdpGoal, goal_id))
    audit.record(session, actor_email=scope.email, action="pdp_goal.status", entity="PdpGoal", entity_id=goal_id,
                 organization_id=employer_id, before=before, after={"status": new.value})
    # Dropped goals set no skill target (services/metrics.skill_gaps): other changes leave the targets.
    retargets = _sets_target(goal) and PdpGoalStatus.dropped in (PdpGoalStatus(expected_status), new)
    summaries.refresh(session, employee_ids=[employee_id],
                      parts=summaries.AFTER_GOALS if retargets else ("goals",))
    bump_data_version(session)
    session.commit()
    session.refresh(goal)
    return goal


def _goal_problems(session: Session, scope: Scope, *, title: str, period: str, due_on: date | None,
                   skill_id: int | None, credential_id: int | None, target_level: int | None) -> list[str]:
    """Every reason a new goal cannot be saved, in the order the form shows its fields."""
    problems = []
    if not title or len(title) > 200:
        problems.append("Give the goal a title of 1 to 200 characters.")
    if not period or len(period) > 20:
        problems.append("Give the plan period, e.g. 2026 (at most 20 characters).")
    if skill_id is None and credential_id is None:
        problems.append("Choose a target skill, a credential, or both.")
    if skill_id is not None and session.scalar(select(Skill.id).where(
            Skill.id == skill_id, Skill.status == SkillStatus.accepted)) is None:  # the shared list only
        problems.append("That skill does not exist in the skills list.")
    if credential_id is not None and session.execute(
        select(Credential.id).where(Credential.id == credential_id, visible(scope, Credential))
    ).first() is None:
        problems.append("That credential does not exist or is outside your access.")
    if target_level is not None and not 1 <= target_level <= 5:
        problems.append("The target level must be between 1 and 5.")
    if target_level is not None and skill_id is None:
        problems.append("A target level needs a target skill.")
    if due_on is None:
        problems.append("Give a due date.")
    return problems


def _stored_plan(session: Session, employee_id: int, period: str) -> Pdp | None:
    return session.execute(select(Pdp).where(Pdp.employee_id == employee_id, Pdp.period == period)
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def _plan(session: Session, employee: Employee, period: str) -> Pdp:
    """The employee's plan for ``period``, created if missing. add_goal writes nothing before it, so when
    another request created the same plan meanwhile, rolling back loses nothing: the goal joins that plan."""
    employee_id, manager_id = employee.id, employee.manager_id
    pdp = _stored_plan(session, employee_id, period)
    if pdp is not None:
        return pdp
    try:
        pdp = Pdp(employee_id=employee_id, period=period, manager_id=manager_id, status=PdpStatus.active)
        session.add(pdp)
        session.flush()
        return pdp
    except IntegrityError:
        session.rollback()
    pdp = _stored_plan(session, employee_id, period)
    if pdp is None:
        raise PdpError("The plan changed while the goal was being added; nothing was saved. Add the goal again.")
    return pdp


def add_goal(
    session: Session, scope: Scope, *, employee_id: int, period: str, title: str, due_on: date | None,
    skill_id: int | None = None, credential_id: int | None = None, target_level: int | None = None,
) -> PdpGoal:
    """Add a goal to an employee's PDP for ``period`` (the plan is created if missing)."""
    employee = session.execute(
        select(Employee).where(Employee.id == employee_id, visible(scope, Employee))
    ).scalar_one_or_none()
    if employee is None:
        raise PdpError("Choose an employee of your organisation.")
    permissions.require_goal_editor(scope, employee.employer_id)
    title = (title or "").strip()
    period = (period or "").strip()
    problems = _goal_problems(session, scope, title=title, period=period, due_on=due_on, skill_id=skill_id,
                              credential_id=credential_id, target_level=target_level)
    if problems:
        raise PdpError(" ".join(problems))
    pdp = _plan(session, employee, period)
    goal = PdpGoal(pdp_id=pdp.id, title=title, skill_id=skill_id, credential_id=credential_id,
                   target_level=target_level, due_on=due_on)
    session.add(goal)
    session.flush()
    audit.record(session, actor_email=scope.email, action="pdp_goal.add", entity="PdpGoal", entity_id=goal.id,
                 organization_id=employee.employer_id,
                 after={"employee_ref": employee.employee_ref, "period": period, "title": title, "skill_id": skill_id,
                        "credential_id": credential_id, "target_level": target_level, "due_on": due_on})
    summaries.refresh(session, employee_ids=[employee.id],
                      parts=summaries.AFTER_GOALS if _sets_target(goal) else ("goals",))
    bump_data_version(session)
    session.commit()
    return goal


def employees_for_choice(session: Session, scope: Scope, *, search: str = "", limit: int = 50) -> list[tuple[int, str]]:
    stmt = select(Employee.id, Employee.full_name, Employee.employee_ref).where(
        visible(scope, Employee), Employee.left_on.is_(None)
    )
    if search.strip():
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Employee.full_name).like(like), func.lower(Employee.employee_ref).like(like)))
    rows = session.execute(stmt.order_by(Employee.full_name).limit(limit)).all()
    return [(r[0], f"{r[1]} ({r[2]})") for r in rows]


def skills(session: Session) -> list[tuple[int, str]]:
    """The shared skills list (accepted skills), for goal targets."""
    return [tuple(r) for r in session.execute(select(Skill.id, Skill.name).where(
        Skill.status == SkillStatus.accepted).order_by(Skill.name)).all()]
