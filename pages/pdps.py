"""PDPs: staff development plans and goals; HR managers update goal status and add goals."""

from datetime import date

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import PdpGoalStatus
from db.scope import AccessDenied
from services import metrics, pdp, permissions
from services import options as option_lists
from services.formatting import fmt, label
from services.metrics import GOAL_STATES
from services.periods import today as today_
from ui import access, data, paging, state
from ui.filters import filter_bar
from ui.person_link import open_person_control, people_of
from ui.safe import md
from ui.tables import downloads, table
from ui.teams import team_box, team_words
from ui.widgets import Kpi, empty_state, flash, kpi_row, show_flash, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today, cohorts=False)
can_edit = permissions.may_change_goals(scope)

st.title("PDPs")
st.caption(f"Personal Development Plan goals, as of {fmt(today, 'date')}.")

states = data.get(metrics.goal_states, scope, filters, today)
kpi_row([Kpi.of(state, states[state]) for state in ("achieved", "on_track", "at_risk", "overdue")])

team = team_box(scope, key="pdp_team")
state_column, search_column = st.columns([2, 2])
# Kept across pages (ui/state.py): back from a person's page, the list is as it was left.
wanted = state_column.multiselect("Show goals that are", GOAL_STATES, key=state.restore("pdp_states", []),
                                  on_change=state.keep, args=("pdp_states",), format_func=label,
                                  placeholder="Any state")
search = search_column.text_input("Search name or employee id", key=state.restore("pdp_search", ""),
                                  on_change=state.keep, args=("pdp_search",))
# Keyset pages of paging.GOALS_PAGE goals (services/paging.py): each seeks from the last goal of the page before.
listing = dict(states=frozenset(wanted) or None, search=search, team_of=team)
cursor, page = paging.current("pdp_goals", (filters, *listing.values()))
_, goals = data.get(pdp.goals, scope, filters, today, limit=paging.GOALS_PAGE + 1, after=cursor, count=False,
                    **listing)
more, goals = len(goals) > paging.GOALS_PAGE, goals.head(paging.GOALS_PAGE)
# What fits at 1440 px, state and due date first; the downloads add the rest. An HR manager's
# table would repeat their own employer on every row.
employer = [] if scope.is_employer_side else ["employer"]
# "Seat": the cohort a seat is reserved in for the goal (goals set in bulk from the Plan page), shown when any is.
seat = ["seat"] if not goals.empty and goals["seat"].notna().any() else []
shown = ["state", "due_on", "employee", *employer, "goal", *([] if employer else ["skill"]), *seat, "department"]
exported = ["state", "due_on", "employee_ref", "employee", *employer, "department", "period", "goal", "status",
            "skill", "target_level", "credential", "seat"]
# Goals by name only of the employers whose HR records this user may see (services/pdp.goals); the note
# names the others, whose goals count in the figures above only.
withheld = access.records_note(scope, filters)
if goals.empty:
    empty_state(withheld or "No PDP goals match. Clear the filters, or add a goal below.")
    if page > 1:  # the goals after this place went meanwhile: the way back stays
        paging.buttons("pdp_goals", page=page, next_cursor=None)
else:
    table(goals, shown)
    open_person_control(people_of(goals["employee_id"], goals["employee"], goals["employee_ref"]), key="pdp_goals",
                        origin="pages/pdps.py", scope=scope)
    chosen = access.describe(filters, today, states=wanted, search=search, as_of=True) + team_words(scope, team)
    access.shown(scope, view="PDP goal list", description=chosen, people=goals["employee_id"])
    paging.buttons("pdp_goals", page=page, next_cursor=pdp.goal_cursor_after(goals) if more else None)
    first = (page - 1) * paging.GOALS_PAGE + 1
    matches = paging.how_many("pdp_goals", "goals", page=page, size=paging.GOALS_PAGE, rows=len(goals), more=more,
                              exact=lambda: data.get(pdp.goals, scope, filters, today, limit=0, **listing)[0])
    st.caption(f"{matches}; showing {fmt(first)}–{fmt(first + len(goals) - 1)}: open goals "
               "first, earliest due first. The downloads (of this page) add the employee id, plan, status, target "
               "skill and level, and credential.")
    downloads(goals, "pdp-goals", key="pdp", names=exported,
              **access.on_download(scope, view="PDP goal list download", description=chosen,
                                   people=goals["employee_id"]))
    if withheld:
        empty_state(withheld)

if not can_edit:
    st.caption("Only HR managers of the employer change PDP goals.")
    st.stop()

# The status each goal had when this person was last shown it: a save is checked against
# that, not against a re-read at submit time, so someone else's change is never overwritten.
seen: dict[int, str] = st.session_state.setdefault("pdp_seen", {})
by_id = goals.set_index("goal_id") if not goals.empty else None

left, right = st.columns(2)
with left:
    st.subheader("Update a goal")
    show_flash("pdp_update")
    choices = {int(r.goal_id): f"{r.employee} · {r.goal} · due {fmt(r.due_on, 'date')}" for r in goals.itertuples()}
    goal_id = state.choice("Goal", list(choices), key="pdp_goal", format_func=choices.get, default=None,
                           placeholder="Choose a goal from the list above")
    if goal_id is not None:
        row = by_id.loc[goal_id]
        st.caption(f"Now {label(row.status)} ({label(row.state)}).")
        with st.form("goal_status", clear_on_submit=True):
            new_status = st.selectbox("New status", [s.value for s in PdpGoalStatus], format_func=label, index=None,
                                      placeholder="Choose the new status", key="pdp_new_status")
            if st.form_submit_button("Save status", type="primary"):
                if new_status is None:
                    st.error("Choose the new status.")
                else:
                    try:
                        with Session(get_engine()) as session:
                            pdp.update_goal_status(session, scope, goal_id=goal_id, status=new_status,
                                                   expected_status=seen.get(goal_id, row.status))
                    except pdp.GoalConflict as exc:
                        data.clear()
                        seen[goal_id] = exc.status  # the person has now been shown the other change
                        del st.session_state["pdp_new_status"]
                        flash("pdp_update", str(exc), kind="error")
                        st.rerun()
                    except (pdp.PdpError, AccessDenied) as exc:
                        st.error(md(exc))
                    else:
                        data.clear()
                        seen.pop(goal_id, None)
                        del st.session_state["pdp_new_status"]  # nothing stays armed for a second Save
                        flash("pdp_update", f"Saved: {row.employee}'s goal “{row.goal}” is now {label(new_status)}.")
                        st.rerun()
        seen[goal_id] = row.status

with right:
    st.subheader("Add a goal")
    show_flash("pdp_add")
    with Session(get_engine()) as session:
        people = dict(pdp.employees_for_choice(session, scope, search=search, limit=200))
        skills = dict(pdp.skills(session))
        creds = dict(option_lists.credentials(session, scope))
    with st.form("add_goal", clear_on_submit=True):
        employee_id = st.selectbox("Employee", list(people), format_func=people.get, index=None,
                                   placeholder="Choose an employee",
                                   help="Narrow the list with the search box above.")
        title = st.text_input("Goal", max_chars=200)
        skill_id = st.selectbox("Target skill", [None, *skills], format_func=lambda k: "—" if k is None else skills[k])
        level = st.number_input("Target level (1–5)", min_value=1, max_value=5, value=3)
        cred_id = st.selectbox("Credential", [None, *creds], format_func=lambda k: "—" if k is None else creds[k])
        due = st.date_input("Due", value=date(today.year, 12, 31), format="DD/MM/YYYY")
        period = st.text_input("Plan period", value=str(today.year), max_chars=20)
        if st.form_submit_button("Add goal"):
            try:
                if employee_id is None:
                    raise pdp.PdpError("Choose an employee.")
                with Session(get_engine()) as session:
                    pdp.add_goal(session, scope, employee_id=employee_id, period=period, title=title, due_on=due,
                                 skill_id=skill_id, credential_id=cred_id,
                                 target_level=int(level) if skill_id is not None else None)
            except (pdp.PdpError, AccessDenied) as exc:
                st.error(md(exc))
            else:
                data.clear()
                flash("pdp_add", f"Added “{title.strip()}” to {people[employee_id]}'s plan for {period.strip()}.")
                st.rerun()
