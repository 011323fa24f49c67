"""The skill-gap heatmap's way into the Plan page: pick a department row and its skills with a gap, and find the
credentials that close them there (pages/plan.py, which takes the choice as its own)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.models import Role
from services.identity import SignedIn
from ui import state
from ui.plan.ranking import ARRIVAL_KEY, kept_multiselect
from ui.plan.ranking import cached as plan_cached


def plan_for_a_gap(who: SignedIn, heat: pd.DataFrame) -> None:
    """``heat``: the heatmap's rows (employer, department cell, skill, mean gap, and ``row``, its label)."""
    scope = who.scope
    if scope.role not in (Role.hr_manager, Role.admin):
        return
    gaps = heat[heat["mean_gap"] > 0]
    if gaps.empty:
        return
    rows = {row: (employer, department) for row, employer, department
            in gaps[["row", "employer", "department"]].drop_duplicates().itertuples(index=False)}
    with st.container(border=True):
        st.markdown("**Plan for a gap**")
        left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
        row = state.choice("Department", list(rows), key="plan_gap_row", container=left)
        skills = sorted(gaps.loc[gaps["row"] == row, "skill"])
        chosen = kept_multiselect("Skills with a gap", skills, key=f"plan_gap_skills_{row}", container=middle,
                                  placeholder="Every skill with a gap here")
        if right.button("Find credentials", key="plan_gap_find", type="primary"):
            employer_id, department_ids = plan_cached("heatmap_departments", scope)[rows[row]]
            ids = {name: skill for skill, name in plan_cached("skill_choices", scope).items()}
            st.session_state[ARRIVAL_KEY] = dict(employer_id=employer_id, department_ids=department_ids,
                                                 skill_ids=[ids[name] for name in (chosen or skills) if name in ids])
            st.switch_page("pages/plan.py")
