"""Plan development (HR managers, admins): from a skill gap to the credentials that close it, and to a plan."""

import streamlit as st

from db.models import Role
from services import options as option_lists
from services.formatting import fmt
from services.periods import today as today_
from ui import data, state
from ui.plan import ranking
from ui.plan.actions import goals_and_seats
from ui.widgets import empty_state, signed_in

who = signed_in()
scope = who.scope
today = today_()

st.title("Plan development")
st.caption("Choose who and which skills: the credentials that would close their gaps, ranked, and a plan from "
           "the one you choose.")
if scope.role not in (Role.hr_manager, Role.admin):
    st.error("Only HR managers and administrators plan development.")
    st.stop()

ranking.arrive_from_heatmap()
if scope.sees_all:
    employers = dict(data.options(option_lists.employers, scope))
    employer_id = state.choice("Employer", list(employers), key="plan_employer", format_func=employers.get,
                               default=None, placeholder="Choose an employer")
    if employer_id is None:
        empty_state("Choose the employer to plan for.")
        st.stop()
else:
    employer_id = scope.organization_id

st.subheader("Who")
people = ranking.who_picker(scope, employer_id=employer_id, today=today)
st.subheader("Gap skills")
skill_ids, level = ranking.skills_picker(scope, people=people, today=today)
if not people or not skill_ids:
    empty_state("Choose the people and at least one skill to see the credentials that close their gaps.")
    st.stop()

result = ranking.cached("rank", scope, employer_id=employer_id, employee_ids=tuple(sorted(people)),
                        skill_ids=tuple(sorted(skill_ids)), target_level=level, today=today)
ranking.gaps_table(scope, result.gaps, description=f"{fmt(len(people))} people, {fmt(len(skill_ids))} skills")
st.subheader("Credentials that close the gap")
if result.candidates.empty:
    empty_state("No published credential of your partner universities closes any of these gaps."
                if result.gaps["gap"].sum() else "These people have no gap in these skills.")
    st.stop()
ranking.ranking_table(result)

st.subheader("Plan")
chosen = ranking.recommendation(employer_id, result, people)
if chosen is not None:
    choice, cohorts = chosen
    goals_and_seats(who, choice=choice, people=people, cohorts=cohorts, key="plan")
