"""A test-only page: the goals-and-seats panel (ui/plan/actions.py) for a fixed PlanChoice, as the Plan page
shows it. The test puts the user's email and the choice in session state before the first run."""

import streamlit as st
from sqlalchemy import select
from sqlmodel import Session

from db.engine import get_engine
from db.models import AppUser, Employee
from db.scope import scope_for_user
from services import seats
from services.identity import SignedIn
from services.periods import today
from ui.plan.actions import goals_and_seats

choice = st.session_state["test_choice"]
with Session(get_engine()) as session:
    user = session.scalars(select(AppUser).where(AppUser.email == st.session_state["test_email"])).one()
    scope = scope_for_user(session, user)
    people = dict(session.execute(select(Employee.id, Employee.full_name)
                                  .where(Employee.id.in_(choice.employee_ids))).all())
    cohorts = seats.open_cohorts(session, scope, credential_ids=[choice.credential_id], today=today())
who = SignedIn(user_id=user.id, email=user.email, display_name=user.display_name, role=user.role,
               organization_name="", scope=scope)
goals_and_seats(who, choice=choice, people=people, cohorts=cohorts, key="plan_K1")
