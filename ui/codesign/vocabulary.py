"""The skills list in the studio: the university adds skills and decides employers' proposals; HR managers
propose skills and follow their proposals. The rule is services/codesign/vocabulary.py's (rights:
services/permissions.py, "Skills vocabulary")."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied, Scope
from services import codesign
from ui import data
from ui.codesign.common import Studio
from ui.safe import md
from ui.tables import table
from ui.widgets import flash, show_flash

PLACE = "cd_skills"  # where this section's last message is kept (ui.widgets.flash)
SECTION = "cd_skill_proposals"  # the expander's key: it stays open across the reruns of its actions


def new_skill_form(studio: Studio) -> None:
    """Beside the skill mapping: the university adds a skill to the list; an HR manager proposes one."""
    scope = studio.scope
    if codesign.keeps_vocabulary(scope):
        heading, button, call = "**Add a skill to the list**", "Add skill", codesign.add_skill
        note = "Every organisation can map it at once."
        done = "Skill added to the list; map it on the left."
    elif codesign.may_propose_skill(scope):
        heading, button, call = "**Propose a skill for the list**", "Propose skill", codesign.propose_new_skill
        note = ("The university keeps the skills list: a skill you propose joins it, and can be mapped, once a "
                "partnership officer accepts it. Until then only your organisation and the university see it.")
        done = "Skill proposed to the university: you can map it once it is accepted (see Skill proposals above)."
    else:
        return
    with st.form("cd_skill_new", clear_on_submit=True):
        st.markdown(heading)
        st.caption(note)
        name = st.text_input("Skill name", max_chars=200)
        category = st.text_input("Category (optional)", max_chars=80)
        esco = st.text_input("ESCO URI (optional)", max_chars=300, placeholder="http://data.europa.eu/esco/skill/…")
        if st.form_submit_button(button):
            studio.act(lambda session: call(session, scope, name=name, category=category, esco_uri=esco), done)


def _decide(scope: Scope, decide: Callable, skill_id: int, done: Callable[[object], str]) -> None:
    """One decision; on success the message is kept for the next run and the section stays open."""
    try:
        with Session(get_engine()) as session:
            message = done(decide(session, scope, skill_id=skill_id))
    except (codesign.CodesignError, AccessDenied) as exc:
        st.error(md(exc))
        return
    data.clear()
    flash(PLACE, message)
    st.rerun()


def _awaiting_row(scope: Scope, row) -> None:
    text_column, accept_column, reject_column = st.columns([8, 2, 2], vertical_alignment="center")
    present = lambda value: isinstance(value, str) and value  # noqa: E731  (a missing one is None or NaN)
    details = [f"proposed by {row.proposed_by} ({row.proposer_email})"]
    if present(row.category):
        details.insert(0, row.category)
    if present(row.esco_uri):
        details.append(f"ESCO {row.esco_uri}")
    text_column.markdown(md(f"{row.skill} · {' · '.join(details)}"))
    if accept_column.button("Accept", key=f"cd_skill_accept_{row.skill_id}", type="primary"):
        _decide(scope, codesign.accept_skill, row.skill_id,
                lambda skill: f"Accepted '{skill.name}': it is in the skills list for every organisation.")
    if reject_column.button("Reject", key=f"cd_skill_reject_{row.skill_id}"):
        _decide(scope, codesign.reject_skill, row.skill_id,
                lambda skill: f"Rejected '{skill.name}': it stays out of the skills list; {row.proposed_by} "
                              "sees your decision.")


def _decisions(scope: Scope, proposals: pd.DataFrame) -> None:
    awaiting = proposals[proposals["status"] == "proposed"]
    st.caption("Employers propose skills for the shared list. A skill joins it, for every organisation, once you "
               "accept it; until then only the proposing employer and its partner universities see it.")
    if awaiting.empty:
        st.caption("No proposal awaits a decision.")
    for row in awaiting.itertuples():
        _awaiting_row(scope, row)
    decided = proposals[proposals["status"] != "proposed"]
    if not decided.empty:
        st.markdown("**Decided**")
        table(decided, ["skill", "status", "proposed_by", "decided_by", "decided_at"])


def _own_proposals(proposals: pd.DataFrame) -> None:
    st.caption("The university keeps the skills list. A skill your organisation proposes joins it once a "
               "partnership officer accepts it; propose one on a credential's Skills tab.")
    if proposals.empty:
        st.caption("Your organisation has not proposed a skill.")
        return
    table(proposals, ["skill", "status", "proposer_email", "decided_by", "decided_at"])


def skill_proposals(scope: Scope) -> None:
    """Skills employers proposed: the university decides them here; an HR manager sees where theirs stand."""
    keeper = codesign.keeps_vocabulary(scope)
    if not keeper and not codesign.may_propose_skill(scope):
        return
    with Session(get_engine()) as session:
        proposals = codesign.skill_proposals(session, scope)
    waiting = int((proposals["status"] == "proposed").sum())
    if keeper and waiting:
        st.info(f"{waiting} skill proposal{'s' if waiting > 1 else ''} from employers await{'' if waiting > 1 else 's'}"
                " your decision: see Skill proposals.", icon=":material/inbox:")
    with st.expander("Skill proposals", icon=":material/checklist:", key=SECTION, on_change="rerun"):
        show_flash(PLACE)
        if keeper:
            _decisions(scope, proposals)
        else:
            _own_proposals(proposals)
