"""The actions on a chosen recommendation: PDP goals for the people and seats in a cohort.

A placeholder with the final signature: it shows what was chosen; the real version (bulk goals, seat
reservations) replaces this file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.identity import SignedIn
from services.planning.choice import PlanChoice


def goals_and_seats(who: SignedIn, *, choice: PlanChoice, people: dict[int, str], cohorts: pd.DataFrame,
                    key: str) -> None:
    """What acting on ``choice`` would do, for ``people`` (id → name), in one of ``cohorts`` (its open cohorts)."""
    names = ", ".join(people.get(person, str(person)) for person in choice.employee_ids)
    st.markdown(f"**{len(choice.employee_ids)} people:** {names}")
    targets = "; ".join(f"{people.get(person, person)}: skill {skill} to level {level}"
                        for person, skill, level in choice.targets)
    st.caption(f"Credential {choice.credential_id}, {len(choice.targets)} skill targets ({targets}); "
               f"{len(cohorts)} cohorts with seats left.")
