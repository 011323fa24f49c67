"""Goals in bulk: from a chosen credential, one PDP goal per person and gap skill, and optionally a seat for
each of them in one of its next cohorts.

``preview_goals`` says exactly what ``create_goals`` will write and whom it skips, and why; ``create_goals``
works the plan out again inside its transaction and refuses (PlanChanged, nothing written) when it is no
longer the one the user was shown, so what was previewed is what is created. All or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import (
    Cohort,
    Credential,
    CredentialStatus,
    Employee,
    Organization,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    PdpStatus,
    Skill,
    SkillStatus,
)
from db.scope import AccessDenied, Scope, visible
from services import audit, permissions, seats
from services.pdp import PdpError
from services.planning.choice import PlanChoice

MAX_PEOPLE = 500
MAX_TITLE = 200
OPEN_STATUSES = (PdpGoalStatus.planned, PdpGoalStatus.in_progress)
ALREADY_HAS_GOAL = "already has an open goal for this skill and credential"
HAS_LEFT = "has left the organisation"


class PlanChanged(PdpError):
    """The plan is no longer the one previewed (someone else changed goals or seats meanwhile)."""


@dataclass(frozen=True)
class PlannedGoal:
    employee_id: int
    employee: str
    skill_id: int
    skill: str
    target_level: int
    title: str


@dataclass(frozen=True)
class SkippedGoal:
    employee_id: int
    employee: str
    skill_id: int
    skill: str
    reason: str


@dataclass(frozen=True)
class GoalPlan:
    """What one bulk action writes: ``goals``, and a seat in cohort ``cohort_id`` for each of ``seats``.
    ``seated`` already hold a seat there; ``seats_left`` is the cohort's count when the plan was made."""

    credential_id: int
    credential: str
    due_on: date
    period: str
    goals: tuple[PlannedGoal, ...]
    skipped: tuple[SkippedGoal, ...]
    cohort_id: int | None = None
    cohort: str | None = None
    seats: tuple[int, ...] = ()
    seated: tuple[int, ...] = ()
    seats_left: int | None = None

    @property
    def employee_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(goal.employee_id for goal in self.goals))

    @property
    def fits(self) -> bool:
        """Whether the cohort (if any) has a seat for everyone the plan reserves one for."""
        return self.seats_left is None or self.seats_left >= len(self.seats)

    def writes(self) -> tuple:
        """What the plan writes and skips (not the seats left, which others change without changing it)."""
        return (self.credential_id, self.due_on, self.cohort_id, self.goals, self.skipped, self.seats)


def goal_title(level: int, skill: str, credential_code: str) -> str:
    title = f"Reach level {level} in {skill} through {credential_code}"
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"


def _credential(session: Session, scope: Scope, credential_id: int) -> Credential:
    credential = session.execute(select(Credential).where(Credential.id == credential_id,
                                                          visible(scope, Credential))).scalar_one_or_none()
    if credential is None:
        raise PdpError("That credential does not exist or is outside your access.")
    if credential.status != CredentialStatus.published:
        raise PdpError(f"{credential.code} is not published: goals are set towards published credentials only.")
    return credential


def _check_targets(session: Session, choice: PlanChoice) -> dict[int, str]:
    """The skills' names; PdpError naming every problem with the chosen targets."""
    if not choice.targets:
        raise PdpError("Choose at least one person and gap skill.")
    if len(choice.employee_ids) > MAX_PEOPLE:
        raise PdpError(f"Set goals for at most {MAX_PEOPLE} people at a time.")
    problems = []
    pairs = [(employee_id, skill_id) for employee_id, skill_id, _ in choice.targets]
    if len(set(pairs)) != len(pairs):
        problems.append("A person was given the same skill twice.")
    if any(not isinstance(level, int) or not 1 <= level <= 5 for _, _, level in choice.targets):
        problems.append("Every target level must be between 1 and 5.")
    skill_ids = sorted({skill_id for _, skill_id, _ in choice.targets})
    names = dict(session.execute(select(Skill.id, Skill.name).where(
        Skill.id.in_(skill_ids), Skill.status == SkillStatus.accepted)).all())
    if len(names) != len(skill_ids):
        problems.append("A target skill is not in the skills list.")
    if problems:
        raise PdpError(" ".join(problems))
    return names


def _people(session: Session, scope: Scope, choice: PlanChoice) -> dict[int, Employee]:
    """The chosen people, all of the choice's employer and in scope (AccessDenied otherwise)."""
    rows = session.execute(select(Employee).where(Employee.id.in_(choice.employee_ids), visible(scope, Employee),
                                                  Employee.employer_id == choice.employer_id)).scalars().all()
    if len(rows) != len(choice.employee_ids):
        raise AccessDenied("Some of the chosen people are outside your access or work for another employer.")
    return {person.id: person for person in rows}


def _open_goal_keys(session: Session, choice: PlanChoice) -> set[tuple[int, int]]:
    """(employee_id, skill_id) of the open goals equivalent to ones the choice would set."""
    pairs = sorted({(employee_id, skill_id) for employee_id, skill_id, _ in choice.targets})
    rows = session.execute(
        select(Pdp.employee_id, PdpGoal.skill_id).join(Pdp, Pdp.id == PdpGoal.pdp_id)
        .where(PdpGoal.credential_id == choice.credential_id, PdpGoal.status.in_([s.value for s in OPEN_STATUSES]),
               tuple_(Pdp.employee_id, PdpGoal.skill_id).in_(pairs))).all()
    return {(int(employee_id), int(skill_id)) for employee_id, skill_id in rows}


def _cohort(session: Session, scope: Scope, cohort_id: int, credential: Credential, today: date,
            *, cohort: Cohort | None = None) -> Cohort:
    cohort = cohort or session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one_or_none()
    if cohort is None:
        raise PdpError("That cohort does not exist.")
    if cohort.credential_id != credential.id:
        raise PdpError(f"Cohort {cohort.code} is not a cohort of {credential.code}.")
    try:
        seats.require_open(session, scope, cohort, today=today)
    except seats.SeatsError as exc:
        raise PdpError(str(exc)) from None
    return cohort


def _make_plan(session: Session, scope: Scope, *, choice: PlanChoice, due_on: date | None, cohort_id: int | None,
               today: date, locked: Cohort | None = None) -> GoalPlan:
    permissions.require_goal_editor(scope, choice.employer_id)
    if due_on is None:
        raise PdpError("Give a due date.")
    if due_on < today:
        raise PdpError("The due date is in the past: choose today or a later date.")
    credential = _credential(session, scope, choice.credential_id)
    skill_names = _check_targets(session, choice)
    people = _people(session, scope, choice)
    existing = _open_goal_keys(session, choice)
    planned, skipped = [], []
    for employee_id, skill_id, level in choice.targets:
        person, skill = people[employee_id], skill_names[skill_id]
        left = person.left_on is not None and person.left_on <= today
        reason = HAS_LEFT if left else ALREADY_HAS_GOAL if (employee_id, skill_id) in existing else None
        if reason:
            skipped.append(SkippedGoal(employee_id, person.full_name, skill_id, skill, reason))
        else:
            planned.append(PlannedGoal(employee_id, person.full_name, skill_id, skill, level,
                                       goal_title(level, skill, credential.code)))
    plan = GoalPlan(credential_id=credential.id, credential=credential.code, due_on=due_on, period=str(due_on.year),
                    goals=tuple(planned), skipped=tuple(skipped))
    if cohort_id is None:
        return plan
    cohort = _cohort(session, scope, cohort_id, credential, today, cohort=locked)
    getting = list(plan.employee_ids)
    seated = seats.holders_among(session, cohort_id=cohort.id, employee_ids=getting)
    return replace(plan, cohort_id=cohort.id, cohort=cohort.code, seats=tuple(e for e in getting if e not in seated),
                   seated=tuple(e for e in getting if e in seated), seats_left=seats.seats_left(session, cohort))


def preview_goals(session: Session, scope: Scope, *, choice: PlanChoice, due_on: date | None, cohort_id: int | None,
                  today: date) -> GoalPlan:
    """The goals (and seats) ``create_goals`` would write now, and who is skipped and why. Writes nothing.
    PdpError for a bad request; AccessDenied when the user may not set these people's goals."""
    return _make_plan(session, scope, choice=choice, due_on=due_on, cohort_id=cohort_id, today=today)


def _changes(expected: GoalPlan, now: GoalPlan) -> str:
    """What differs between the plan shown and the plan now, in words."""
    def keys(plan):
        return {(goal.employee_id, goal.skill_id): goal for goal in plan.goals}

    shown, current = keys(expected), keys(now)
    parts = []
    newly_skipped = [f"{s.employee} ({s.skill}) {s.reason}" for s in now.skipped
                     if (s.employee_id, s.skill_id) in shown]
    if newly_skipped:
        parts.append("; ".join(newly_skipped))
    added = [f"{goal.employee} ({goal.skill})" for key, goal in current.items() if key not in shown]
    if added:
        parts.append("now also needing a goal: " + ", ".join(added))
    still = set(now.employee_ids) & set(expected.employee_ids)
    if {e for e in expected.seats if e in still} != {e for e in now.seats if e in still}:
        parts.append("the seats held in the cohort changed")
    if not parts:
        parts.append("the goals to create changed")
    return "; ".join(parts)


def create_goals(session: Session, scope: Scope, *, choice: PlanChoice, due_on: date | None, cohort_id: int | None,
                 today: date, expected: GoalPlan) -> GoalPlan:
    """Write the previewed plan, all or nothing, in one commit. PlanChanged when the plan now differs from
    ``expected`` (the preview the user confirmed); seats.SeatsFull when the cohort has too few seats left."""
    permissions.require_goal_editor(scope, choice.employer_id)  # a refused user writes nothing at all
    try:
        plan = _write(session, scope, choice=choice, due_on=due_on, cohort_id=cohort_id, today=today,
                      expected=expected)
        bump_data_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return plan


def _lock(session: Session, employer_id: int, cohort_id: int | None) -> Cohort | None:
    """Serialise bulk actions for one employer (no two create the same goals) and, with a cohort, every
    reservation of its seats (services/seats.py): no-op updates, the transaction's first statements."""
    session.execute(Organization.__table__.update().where(Organization.id == employer_id)
                    .values(code=Organization.__table__.c.code))
    if cohort_id is None:
        return None
    try:
        return seats.lock_cohort(session, cohort_id)
    except seats.SeatsError as exc:
        raise PdpError(str(exc)) from None


def _write(session: Session, scope: Scope, *, choice: PlanChoice, due_on: date | None, cohort_id: int | None,
           today: date, expected: GoalPlan) -> GoalPlan:
    cohort = _lock(session, choice.employer_id, cohort_id)
    plan = _make_plan(session, scope, choice=choice, due_on=due_on, cohort_id=cohort_id, today=today, locked=cohort)
    if plan.writes() != expected.writes():
        raise PlanChanged(f"Since the preview: {_changes(expected, plan)}. Nothing was saved: check the new "
                          "preview and confirm again.")
    if not plan.goals:
        raise PdpError("Everyone chosen is skipped: there is no goal to create.")
    if cohort is not None and not plan.fits:
        raise seats.SeatsFull(seats.full_message(cohort, left=plan.seats_left, asked=len(plan.seats)),
                              left=plan.seats_left)
    employees = _people(session, scope, choice)
    first_goal: dict[int, int] = {}
    for planned in plan.goals:
        goal = _add_goal(session, scope, employees[planned.employee_id], plan, planned)
        first_goal.setdefault(planned.employee_id, goal.id)
    if cohort is not None and plan.seats:
        seats.reserve_locked(session, scope, cohort=cohort, employee_ids=list(plan.seats), goal_ids=first_goal)
    summaries.refresh(session, employee_ids=list(plan.employee_ids), parts=summaries.AFTER_GOALS)
    return plan


def _add_goal(session: Session, scope: Scope, employee: Employee, plan: GoalPlan, planned: PlannedGoal) -> PdpGoal:
    pdp = _pdp(session, employee, plan.period)
    goal = PdpGoal(pdp_id=pdp.id, title=planned.title, skill_id=planned.skill_id, credential_id=plan.credential_id,
                   target_level=planned.target_level, due_on=plan.due_on)
    session.add(goal)
    session.flush()
    audit.record(session, actor_email=scope.email, action="pdp_goal.add", entity="PdpGoal", entity_id=goal.id,
                 organization_id=employee.employer_id,
                 after={"employee_ref": employee.employee_ref, "period": plan.period, "title": planned.title,
                        "skill_id": planned.skill_id, "credential_id": plan.credential_id,
                        "target_level": planned.target_level, "due_on": plan.due_on, "bulk": True,
                        "cohort_id": plan.cohort_id})
    return goal


def _pdp(session: Session, employee: Employee, period: str) -> Pdp:
    """The employee's plan for ``period``, created if missing (in a savepoint: a plan another request created
    meanwhile is then used, and this transaction's other rows are kept)."""
    def stored():
        return session.execute(select(Pdp).where(Pdp.employee_id == employee.id, Pdp.period == period)
                               .execution_options(populate_existing=True)).scalar_one_or_none()

    pdp = stored()
    if pdp is not None:
        return pdp
    try:
        with session.begin_nested():
            pdp = Pdp(employee_id=employee.id, period=period, manager_id=employee.manager_id, status=PdpStatus.active)
            session.add(pdp)
        return pdp
    except IntegrityError:
        pdp = stored()
    if pdp is None:
        raise PdpError("A plan changed while the goals were being added; nothing was saved. Try again.")
    return pdp
