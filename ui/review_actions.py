"""The review page's Actions section: last quarter's actions and what became of them, the ones due before the
next review, and adding and updating the actions of one partnership (services/review_actions.py)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import ActionSide, ActionStatus
from db.scope import AccessDenied, Scope
from services import review_actions as actions
from services.formatting import fmt, label
from services.periods import Period
from services.review import ReviewPack
from ui import data, state
from ui.safe import md
from ui.tables import table
from ui.widgets import flash, show_flash

TYPED = "typed"  # the owner box's choice "someone else": a name typed in
SEEN = "review_action_seen"  # per action, the version the user was last shown (the conditional update's base)


def section(scope: Scope, pack: ReviewPack, *, quarter: Period, employer_ids: frozenset[int] | None,
            today: date, present: bool) -> None:
    st.subheader("Actions")
    st.markdown(f"**Agreed in the {pack.previous.label} review, and what became of them**")
    if pack.actions_previous.empty:
        st.caption(f"No action was recorded in the {pack.previous.label} review.")
    else:
        table(pack.actions_previous)
    st.markdown("**Due before the next review**")
    if pack.actions_due.empty:
        st.caption(f"No open action is due by {fmt(actions.next_review_due(quarter), 'date')}.")
    else:
        table(pack.actions_due)
    if present or not actions.may_keep_actions(scope):
        return
    employer_id = scope.organization_id if scope.is_employer_side else (
        next(iter(employer_ids)) if employer_ids is not None and len(employer_ids) == 1 else None)
    if employer_id is None:
        st.info("Choose one partner above to add or update its actions.", icon=":material/info:")
        return
    with Session(get_engine()) as session:
        partnership = actions.partnership_for(session, scope, employer_id=employer_id)
        if partnership is None:
            st.caption("There is no partnership with this employer to keep actions for.")
            return
        owners = actions.owner_choices(session, scope, partnership_id=partnership.id)
        kept = actions.actions_of(session, scope, partnership_id=partnership.id, today=today)
    left, right = st.columns(2)
    with left:
        _add_form(scope, partnership.id, quarter, owners)
    with right:
        _update_form(scope, kept)


def _owner_text(owner: actions.Owner | str) -> str:
    if owner == TYPED:
        return "Someone else (type the name below)"
    return f"{owner.name} ({label(owner.side)})"


def _add_form(scope: Scope, partnership_id: int, quarter: Period, owners: list[actions.Owner]) -> None:
    st.markdown(f"**Add an action agreed in this {quarter.label} review**")
    show_flash("review_action_add")
    with st.form("review_action_add", clear_on_submit=True):
        text = st.text_area("Action", max_chars=actions.MAX_TEXT, key="review_action_text")
        owner = st.selectbox("Owner", [*owners, TYPED], format_func=_owner_text, index=None,
                             placeholder="Choose a person of either side", key="review_action_owner")
        typed = st.text_input("Owner's name (someone else)", max_chars=actions.MAX_NAME, key="review_action_name")
        side = st.selectbox("Owner's side (someone else)", [s.value for s in ActionSide], format_func=label,
                            key="review_action_side")
        due = st.date_input("Due", value=actions.next_review_due(quarter), format="DD/MM/YYYY",
                            key="review_action_due_new")
        if not st.form_submit_button("Add action", type="primary"):
            return
    chosen = actions.Owner(name=typed, side=side) if owner == TYPED else owner
    try:
        with Session(get_engine()) as session:
            added = actions.add_action(session, scope, partnership_id=partnership_id, quarter=quarter.label,
                                       text=text, owner=chosen, due_on=due)
            message = f"Added “{added.text}” for {added.owner_name}, due {fmt(added.due_on, 'date')}."
    except (actions.ActionError, AccessDenied) as exc:
        st.error(md(exc))
        return
    data.clear()
    flash("review_action_add", message)
    st.rerun()


def _update_form(scope: Scope, kept) -> None:
    st.markdown("**Update an action**")
    show_flash("review_action_update")
    if kept.empty:
        st.caption("No action has been recorded for this partnership yet.")
        return
    seen: dict[int, int] = st.session_state.setdefault(SEEN, {})
    rows = kept.set_index("id")
    choices = {int(r.id): f"{r.quarter} · {r.action[:60]} · due {fmt(r.due_on, 'date')}" for r in kept.itertuples()}
    action_id = state.choice("Action", list(choices), key="review_action", format_func=choices.get, default=None,
                             placeholder="Choose an action")
    if action_id is None:
        return
    row = rows.loc[action_id]
    st.caption(md(f"Now {label(row.status)}, owner {row.owner}, due {fmt(row.due_on, 'date')}; last changed by "
                  f"{row.updated_by}."))
    statuses = [s.value for s in ActionStatus]
    with st.form("review_action_update"):
        status = st.selectbox("Status", statuses, index=statuses.index(row.stored_status), format_func=label,
                              key=f"review_action_status_{action_id}")
        due = st.date_input("Due", value=row.due_on, format="DD/MM/YYYY",
                            key=f"review_action_due_{action_id}")
        submitted = st.form_submit_button("Save action", type="primary")
    if submitted:
        _save(scope, action_id, seen.get(action_id, int(row.version)), row, status, due, seen)
    seen[action_id] = int(row.version)


def _forget_inputs(action_id: int) -> None:
    """The form shows the action's values as they now are at the next run, not what was typed."""
    for key in (f"review_action_status_{action_id}", f"review_action_due_{action_id}"):
        st.session_state.pop(key, None)


def _save(scope: Scope, action_id: int, expected: int, row, status: str, due: date, seen: dict) -> None:
    try:
        with Session(get_engine()) as session:
            actions.update_action(session, scope, action_id=action_id, expected_version=expected,
                                  status=status if status != row.stored_status else None,
                                  due_on=due if due != row.due_on else None)
    except actions.ActionConflict as exc:
        data.clear()
        seen[action_id] = int(exc.current["version"])  # the user has now been shown the other change
        _forget_inputs(action_id)
        flash("review_action_update", str(exc), kind="error")
        st.rerun()
    except (actions.ActionError, AccessDenied) as exc:
        st.error(md(exc))
        return
    data.clear()
    seen.pop(action_id, None)
    _forget_inputs(action_id)
    flash("review_action_update", f"Saved: “{row.action[:60]}” is now {label(status)}, due {fmt(due, 'date')}.")
    st.rerun()
