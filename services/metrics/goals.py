"""PDP goal states and the alerts (learners at risk, overdue goals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from db.models import (
    Cohort,
    Credential,
    Department,
    Employee,
    Enrollment,
    Organization,
    Pdp,
    PdpGoal,
    PdpGoalMonthSummary,
    PdpGoalStatus,
)
from db.scope import Scope
from db.sqlfuncs import days_between
from services.filters import Filters, people_conditions, scoped_enrollments, summary_conditions
from services.metrics.definitions import ACTIVE_STATUSES, AT_RISK_DAYS, MIN_GROUP, STALLED_DAYS, SUPPRESSED
from services.metrics.paths import is_raw_only, month_end
from services.metrics.reuse import remembered


def goal_state(today: date):
    """SQL CASE naming each goal's state on ``today``: achieved, dropped, overdue, at_risk, on_track."""
    open_ = PdpGoal.status.in_([PdpGoalStatus.planned, PdpGoalStatus.in_progress])
    return case(
        (PdpGoal.status == PdpGoalStatus.achieved, literal("achieved")),
        (PdpGoal.status == PdpGoalStatus.dropped, literal("dropped")),
        (and_(open_, PdpGoal.due_on < today), literal("overdue")),
        (and_(PdpGoal.status == PdpGoalStatus.planned, PdpGoal.due_on <= today + timedelta(days=AT_RISK_DAYS)),
         literal("at_risk")),
        else_=literal("on_track"),
    )


GOAL_STATES = ["achieved", "on_track", "at_risk", "overdue", "dropped"]


def goal_states(session: Session, scope: Scope, filters: Filters, *, today: date) -> dict[str, int]:
    """How many PDP goals are in each state today (goals of PDPs in scope and filters; the period does not
    apply: a state is today's)."""
    return remembered(("goal_states", scope, filters.with_period(None), today),
                      lambda: _goal_states(session, scope, filters, today))


def _goal_states(session: Session, scope: Scope, filters: Filters, today: date) -> dict[str, int]:
    if is_raw_only():
        return _raw_goal_states(session, scope, filters, today)
    # The summary counts goals by status and month due. An open goal due before this month is
    # overdue; in the months from this one to the month of today + AT_RISK_DAYS a planned goal
    # is taken as at risk and one in progress as on track; later, on track. Only the open goals
    # due this month before today (overdue) and the planned ones due in the last month after
    # today + AT_RISK_DAYS (on track) are not: those few days of goals are read one by one.
    monthly_goals = PdpGoalMonthSummary
    first = today.replace(day=1)
    soon = today + timedelta(days=AT_RISK_DAYS)
    last = month_end(soon)
    state = case(
        (monthly_goals.status.in_([PdpGoalStatus.achieved, PdpGoalStatus.dropped]), monthly_goals.status),
        (monthly_goals.month < first, literal("overdue")),
        (and_(monthly_goals.status == PdpGoalStatus.planned, monthly_goals.month <= last), literal("at_risk")),
        else_=literal("on_track"),
    )
    stmt = (select(state, func.sum(monthly_goals.goals))
            .where(*summary_conditions(scope, filters, monthly_goals))
            .group_by(state))
    counts = {name: 0 for name in GOAL_STATES}
    for name, goals in session.execute(stmt).all():
        counts[name] += int(goals)
    for status, name, goals in session.execute(_misplaced_goals(scope, filters, today, first, soon, last)).all():
        counts[_ASSUMED_STATE[status]] -= int(goals)
        counts[name] += int(goals)
    return counts


# The state the summary gives an open goal due in the months around today.
_ASSUMED_STATE = {PdpGoalStatus.planned: "at_risk", PdpGoalStatus.in_progress: "on_track"}


def _goal_rows(scope: Scope, filters: Filters, *columns):
    """SELECT ``columns`` FROM the PDP goals in scope and filters (the period does not apply)."""
    stmt = (select(*columns).select_from(PdpGoal)
            .join(Pdp, Pdp.id == PdpGoal.pdp_id)
            .join(Employee, Employee.id == Pdp.employee_id)
            .where(*people_conditions(scope, filters)))
    if filters.credential_ids is not None:
        stmt = stmt.where(PdpGoal.credential_id.in_(sorted(filters.credential_ids)))
    return stmt


def _misplaced_goals(scope: Scope, filters: Filters, today: date, first: date, soon: date, last: date):
    """(status, state today, goals) of the open goals the month summary places in the wrong state:
    those due from ``first`` to the day before today, and the planned ones due after ``soon`` up to ``last``."""
    state = goal_state(today).label("state")
    open_ = [PdpGoalStatus.planned, PdpGoalStatus.in_progress]
    # Two seeks on the (status, due_on) index: each range is a few days of goals.
    misplaced = or_(and_(PdpGoal.status.in_(open_), PdpGoal.due_on.between(first, today - timedelta(days=1))),
                    and_(PdpGoal.status == PdpGoalStatus.planned,
                         PdpGoal.due_on.between(soon + timedelta(days=1), last)))
    return (_goal_rows(scope, filters, PdpGoal.status, state, func.count(PdpGoal.id))
            .where(misplaced).group_by(PdpGoal.status, state))


def _raw_goal_states(session: Session, scope: Scope, filters: Filters, today: date) -> dict[str, int]:
    """Goal states from the goal rows."""
    state = goal_state(today).label("state")
    counts = dict(session.execute(_goal_rows(scope, filters, state, func.count(PdpGoal.id)).group_by(state)).all())
    return {name: int(counts.get(name, 0)) for name in GOAL_STATES}


def _at_risk_enrollments(scope: Scope, filters: Filters, *, today: date):
    """The enrollments whose learner is at risk (the one definition: docs/metrics.md)."""
    last = func.coalesce(Enrollment.last_activity_on, Enrollment.enrolled_on)
    cohort_days = days_between(Cohort.starts_on, Cohort.ends_on)
    midpoint_passed = days_between(Cohort.starts_on, literal(today)) * 2 >= cohort_days
    where = [
        Enrollment.status.in_(ACTIVE_STATUSES),
        Cohort.starts_on <= today,
        midpoint_passed,
        last <= today - timedelta(days=STALLED_DAYS),
    ]
    return scoped_enrollments(scope, filters).join(Cohort, Cohort.id == Enrollment.cohort_id).where(*where)


def at_risk_by_credential(session: Session, scope: Scope, filters: Filters, *, today: date,
                          top: int = 10) -> pd.DataFrame:
    """Learners at risk counted by credential, for a pack that names no one: the ``top`` credentials of
    MIN_GROUP learners or more, then one "Other credentials" row for the rest, of MIN_GROUP learners or more
    (SUPPRESSED only when it is every learner at risk, fewer than MIN_GROUP). Columns: code, title, learners."""
    now = Filters(None, filters.employer_ids, filters.department_ids, filters.credential_ids, filters.cohort_ids)
    rows = session.execute(
        _at_risk_enrollments(scope, now, today=today)
        .with_only_columns(Credential.code, Credential.title, func.count(func.distinct(Enrollment.employee_id)))
        .join(Credential, Credential.id == Enrollment.credential_id)
        .group_by(Credential.code, Credential.title)
    ).all()
    return top_with_the_rest(pd.DataFrame(rows, columns=["code", "title", "learners"]), top=top)


def top_with_the_rest(df: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """(code, title, learners) counts: the ``top`` of MIN_GROUP or more, largest first, then "Other credentials"
    for the rest. The total is published, so a small rest could be worked out as the total minus the rows shown:
    the smallest shown join it until it has MIN_GROUP learners (or it is the total, then SUPPRESSED if small)."""
    df = df.sort_values(["learners", "code"], ascending=[False, True])
    shown = df[df["learners"] >= MIN_GROUP].head(top)
    rest = int(df["learners"].sum() - shown["learners"].sum())
    while 0 < rest < MIN_GROUP and not shown.empty:
        rest += int(shown["learners"].iloc[-1])
        shown = shown.iloc[:-1]
    out = shown.astype(object).reset_index(drop=True)
    if rest:
        out.loc[len(out)] = {"code": "Other credentials", "title": "",
                             "learners": rest if rest >= MIN_GROUP else SUPPRESSED}
    return out


def at_risk_learners(session: Session, scope: Scope, filters: Filters, *, today: date,
                     limit: int = 200) -> tuple[int, pd.DataFrame]:
    """Learners still enrolled or in progress, past their cohort's mid-point, with no
    recorded activity for STALLED_DAYS days. Returns (how many, the first ``limit``)."""
    last = func.coalesce(Enrollment.last_activity_on, Enrollment.enrolled_on)
    base = _at_risk_enrollments(scope, filters, today=today)
    if limit <= 0:  # no rows to carry the count
        return int(session.execute(base.with_only_columns(func.count(Enrollment.id))).scalar_one()), _at_risk_frame([])
    # One statement: the window count is taken over every matching row before LIMIT keeps the first ones.
    rows = session.execute(
        base.with_only_columns(
            Enrollment.employee_id, Employee.full_name, Organization.name,
            func.coalesce(Department.name, "(no department)"), Credential.code, Cohort.code, Enrollment.status, last,
            func.count().over().label("total"),
        )
        .join(Credential, Credential.id == Enrollment.credential_id)
        .join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .order_by(last, Employee.full_name)
        .limit(limit)
    ).all()
    total = int(rows[0][-1]) if rows else 0
    return total, _at_risk_frame([row[:-1] for row in rows])


def _at_risk_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee_id", "employee", "employer", "department", "credential", "cohort",
                                       "status", "last_activity"])


@dataclass(frozen=True)
class Alerts:
    """The alert figures, always as of ``as_of`` (today): statuses are stored as they are now,
    so a past date cannot be reconstructed, and the Overview, the PDP page and the review say so."""

    as_of: date
    learners_at_risk: int
    overdue_goals: int
    at_risk: pd.DataFrame  # the first learners at risk, longest without activity first
    # Who ``at_risk`` names (employee ids), for the access log: a list of people by name is an individual view.
    at_risk_people: tuple[int, ...] = ()


def alerts(session: Session, scope: Scope, filters: Filters, *, today: date, limit: int = 50) -> Alerts:
    """The one definition of "learners at risk" and "overdue PDP goals" for every page and the pack.

    The period filter does not apply (both are states today); the other filters do."""
    now = Filters(None, filters.employer_ids, filters.department_ids, filters.credential_ids, filters.cohort_ids)
    n_risk, risky = at_risk_learners(session, scope, now, today=today, limit=limit)
    overdue = goal_states(session, scope, now, today=today)["overdue"]
    return Alerts(as_of=today, learners_at_risk=n_risk, overdue_goals=overdue,
                  at_risk=risky.drop(columns="employee_id"), at_risk_people=tuple(int(i) for i in risky["employee_id"]))

