"""Goals and seats from a chosen credential: the preview of what one click creates, and the click.

What was created shows as a message that stays on the page; the preview then lists those people as
skipped (they have the goal now) and every choice (cohort, due date, people) is kept. The click writes the
plan the user was shown in the previous run, never one worked out afresh in the click's own run: when it
changed meanwhile, the service refuses it and the new preview is shown with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied
from services import permissions, seats
from services.formatting import counted, fmt
from services.identity import SignedIn
from services.pdp import PdpError
from services.periods import today as today_
from services.planning import goals
from services.planning.choice import PlanChoice
from ui import data, state
from ui.safe import md
from ui.widgets import flash, show_flash

NO_RESERVATION = 0  # the cohort option meaning "no seat reservation" (a cohort id is never 0)


def _cohort_label(cohorts: pd.DataFrame):
    rows = {int(row.cohort_id): row for row in cohorts.itertuples()}

    def label(cohort_id: int) -> str:
        if cohort_id == NO_RESERVATION:
            return "No seat reservation"
        row = rows[cohort_id]
        return (f"{row.cohort} · {fmt(row.starts_on, 'date')} to {fmt(row.ends_on, 'date')} · "
                f"{counted(int(row.seats_left), 'seat')} left")
    return label


def _choose(choice: PlanChoice, people: Mapping[int, str], cohorts: pd.DataFrame, key: str, today: date):
    """(cohort id or None, due date, chosen people's ids), each kept under the panel's key."""
    options = [NO_RESERVATION, *(int(c) for c in cohorts["cohort_id"])]
    cohort_id = state.choice("Reserve seats in", options, key=f"{key}_cohort", format_func=_cohort_label(cohorts),
                             default=options[1] if len(options) > 1 else NO_RESERVATION,
                             help="A seat is held for each person until they enrol or the seat is released.")
    cohort = cohorts[cohorts["cohort_id"] == cohort_id]
    default_due = cohort["ends_on"].iloc[0] if not cohort.empty else date(today.year, 12, 31)
    due_on = st.date_input("Due", value=default_due, min_value=today, format="DD/MM/YYYY",
                           key=f"{key}_due_{cohort_id}", help="Defaults to the cohort's end.")
    everyone = list(choice.employee_ids)
    chosen = st.multiselect("People", everyone, format_func=lambda e: people.get(e, f"Person {e}"),
                            key=state.restore(f"{key}_people", everyone, everyone), on_change=state.keep,
                            args=(f"{key}_people",), placeholder="Choose people")
    return (None if cohort_id == NO_RESERVATION else cohort_id), due_on, chosen


def _preview(plan: goals.GoalPlan) -> None:
    seat_for = set(plan.seats)
    if plan.goals:
        st.markdown(f"**Will be created** ({counted(len(plan.goals), 'goal')}, due {fmt(plan.due_on, 'date')}, "
                    f"in the {plan.period} PDPs)")
        st.dataframe(pd.DataFrame({
            "Person": [g.employee for g in plan.goals], "Goal": [g.title for g in plan.goals],
            "Target level": [g.target_level for g in plan.goals],
            **({"Seat": ["Reserve" if g.employee_id in seat_for else "Holds one already" for g in plan.goals]}
               if plan.cohort_id is not None else {})}), hide_index=True)
    else:
        st.info("Nothing to create: everyone chosen is skipped (see why below).", icon=":material/info:")
    if plan.skipped:
        st.markdown(f"**Skipped, and why** ({counted(len(plan.skipped), 'goal')})")
        st.dataframe(pd.DataFrame({"Person": [s.employee for s in plan.skipped],
                                   "Skill": [s.skill for s in plan.skipped],
                                   "Why": [s.reason.capitalize() for s in plan.skipped]}), hide_index=True)
    if plan.cohort_id is not None:
        holding = counted(len(plan.seated), "person already holds", "people already hold")
        st.caption(f"Cohort {plan.cohort}: {counted(plan.seats_left, 'seat')} left; "
                   f"{counted(len(plan.seats), 'seat')} to reserve" + (f", {holding} one." if plan.seated else "."))
        if not plan.fits:
            st.error(md(seats.full_message_for(plan.cohort, left=plan.seats_left, asked=len(plan.seats))))


def _button_label(plan: goals.GoalPlan) -> str:
    text = f"Create {counted(len(plan.goals), 'goal')}"
    return text + (f" and reserve {counted(len(plan.seats), 'seat')}" if plan.seats else "")


def _done(plan: goals.GoalPlan) -> str:
    text = f"Created {counted(len(plan.goals), 'goal')} for {counted(len(plan.employee_ids), 'person', 'people')}"
    if plan.seats:
        text += f" and reserved {counted(len(plan.seats), 'seat')} in cohort {plan.cohort}"
    return text + ". They are on the PDPs page now."


def goals_and_seats(who: SignedIn, *, choice: PlanChoice, people: Mapping[int, str], cohorts: pd.DataFrame,
                    key: str) -> None:
    """The panel: choose a cohort (or none), the due date and the people; preview; create."""
    scope, today = who.scope, today_()
    st.subheader("Goals and seats")
    if not permissions.may_change_goals(scope):
        st.caption("Only HR managers of the employer set PDP goals and reserve seats.")
        return
    show_flash(f"{key}_done")
    cohort_id, due_on, chosen = _choose(choice, people, cohorts, key, today)
    if not chosen:
        st.info("Choose at least one person.", icon=":material/info:")
        return
    picked = set(chosen)
    narrowed = PlanChoice(employer_id=choice.employer_id, credential_id=choice.credential_id,
                          targets=tuple(t for t in choice.targets if t[0] in picked))
    shown_key = f"{key}_shown"
    shown_before = st.session_state.get(shown_key)
    try:
        with Session(get_engine()) as session:
            plan = goals.preview_goals(session, scope, choice=narrowed, due_on=due_on, cohort_id=cohort_id, today=today)
    except (PdpError, AccessDenied) as exc:
        st.error(md(exc))
        return
    _preview(plan)
    st.session_state[shown_key] = plan
    clicked = st.button(_button_label(plan), type="primary", key=f"{key}_create",
                        disabled=not plan.goals or not plan.fits)
    if not clicked:
        return
    # The plan the user saw is the one of the run before this click (the same, unless someone changed it).
    expected = shown_before if isinstance(shown_before, goals.GoalPlan) else plan
    try:
        with Session(get_engine()) as session:
            created = goals.create_goals(session, scope, choice=narrowed, due_on=due_on, cohort_id=cohort_id,
                                         today=today, expected=expected)
    except (PdpError, seats.SeatsError, AccessDenied) as exc:
        st.error(md(exc))
        return
    data.clear()
    flash(f"{key}_done", _done(created))
    st.rerun()
