"""PDPs: staff development plans and goals; HR managers update goal status and add goals."""

from datetime import date

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import PdpGoalStatus, Role
from db.scope import AccessDenied
from services import options as opts
from services import pdp
from services.metrics import GOAL_STATES
from services.periods import today as today_
from ui import data
from ui.filters import filter_bar
from ui.widgets import Kpi, downloads, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today, cohorts=False)
can_edit = Role(who.role) in pdp.EDITOR_ROLES

st.title("PDPs")
st.caption("Personal Development Plan goals, as of today.")

states = data.get("goal_states", scope, filters, today)
kpi_row([
    Kpi("Achieved", states["achieved"]),
    Kpi("On track", states["on_track"], "Open goals neither overdue nor at risk."),
    Kpi("At risk", states["at_risk"], "Not started and due within 30 days."),
    Kpi("Overdue", states["overdue"], "Open goals past their due date."),
])

c1, c2 = st.columns([2, 2])
wanted = c1.multiselect("Show goals that are", GOAL_STATES, key="pdp_states",
                        format_func=lambda s: s.replace("_", " "), placeholder="Any state")
search = c2.text_input("Search name or employee id", key="pdp_search")
total, table = data.drilldown("pdp_goals", scope, filters, today, states=frozenset(wanted) or None,
                              search=search, limit=500)
if table.empty:
    empty_state("No PDP goals match. Clear the filters, or add a goal below.")
else:
    st.dataframe(table.drop(columns=["goal_id"]), hide_index=True, width="stretch", column_config={
        "employee_ref": "Employee id", "employee": "Employee", "employer": "Employer", "department": "Department",
        "period": "Plan", "goal": "Goal", "skill": "Target skill",
        "target_level": st.column_config.NumberColumn("Target level"), "credential": "Credential",
        "due_on": st.column_config.DateColumn("Due"), "status": "Status", "state": "State",
    })
    st.caption(f"{total:,} goals match; showing the first {len(table):,}, earliest due first.")
    downloads(table.drop(columns=["goal_id"]), "pdp-goals", key="pdp")

if not can_edit:
    st.caption("Only HR managers of the employer change PDP goals.")
    st.stop()

left, right = st.columns(2)
with left.form("goal_status"):
    st.subheader("Update a goal")
    options = {int(r.goal_id): f"{r.employee} · {r.goal} · due {r.due_on:%d %b %Y}" for r in table.itertuples()}
    goal_id = st.selectbox("Goal", list(options), format_func=options.get, placeholder="Choose a goal")
    new_status = st.selectbox("New status", [s.value for s in PdpGoalStatus], format_func=lambda s: s.replace("_", " "))
    if st.form_submit_button("Save status") and goal_id is not None:
        shown_status = table.set_index("goal_id").loc[goal_id, "status"]
        try:
            with Session(get_engine()) as session:
                pdp.update_goal_status(session, scope, goal_id=goal_id, status=new_status, expected_status=shown_status)
            data.clear()
            st.success("Saved.")
            st.rerun()
        except (pdp.PdpError, AccessDenied) as exc:
            st.error(str(exc))

with right.form("add_goal", clear_on_submit=True):
    st.subheader("Add a goal")
    with Session(get_engine()) as session:
        people = dict(pdp.employees_for_choice(session, scope, search=search, limit=200))
        skills = dict(pdp.skills(session))
        creds = dict(opts.credentials(session, scope))
    employee_id = st.selectbox("Employee", list(people), format_func=people.get,
                               help="Narrow the list with the search box above.")
    title = st.text_input("Goal", max_chars=200)
    skill_id = st.selectbox("Target skill", [None, *skills], format_func=lambda k: "—" if k is None else skills[k])
    level = st.number_input("Target level (1–5)", min_value=1, max_value=5, value=3)
    cred_id = st.selectbox("Credential", [None, *creds], format_func=lambda k: "—" if k is None else creds[k])
    due = st.date_input("Due", value=date(today.year, 12, 31))
    period = st.text_input("Plan period", value=str(today.year), max_chars=20)
    if st.form_submit_button("Add goal"):
        try:
            with Session(get_engine()) as session:
                pdp.add_goal(session, scope, employee_id=employee_id, period=period, title=title, due_on=due,
                             skill_id=skill_id, credential_id=cred_id,
                             target_level=int(level) if skill_id is not None else None)
            data.clear()
            st.success("Goal added.")
            st.rerun()
        except (pdp.PdpError, AccessDenied) as exc:
            st.error(str(exc))
