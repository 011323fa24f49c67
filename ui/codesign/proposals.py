"""Proposals in the studio: propose a change to a field, the outcomes or the skills mapping; discuss and decide.

A proposal applies when every other party has accepted it; each card shows who has decided and who still
has to (services/codesign/proposing.py, docs/codesign.md).
"""

from __future__ import annotations

import streamlit as st

from services import codesign
from services.formatting import fmt, label
from ui import state
from ui.codesign import elements
from ui.codesign.common import Studio, fresh
from ui.codesign.content import MODES
from ui.safe import md

SKILLS = "skills"


def _value_input(field: str, current):
    """The input for a proposed value of ``field``, filled with its current value."""
    if field in ("summary", "outcomes"):
        text = "\n".join(current) if field == "outcomes" else current
        value = st.text_area("New value", value=text, height=160,
                             help="One learning outcome per line." if field == "outcomes" else None)
        return [line for line in value.splitlines() if line.strip()] if field == "outcomes" else value
    if field == "eqf_level":
        return st.number_input("New value", min_value=1, max_value=8, value=int(current), step=1)
    if field == "learning_hours":
        return st.number_input("New value", min_value=0, max_value=100_000, value=int(current), step=1)
    if field in ("ects_credits", "price"):
        return st.number_input("New value", min_value=0.0, value=float(current), step=0.5 if field == "ects_credits"
                               else 50.0, format="%.1f" if field == "ects_credits" else "%.2f")
    if field == "delivery_mode":
        return st.selectbox("New value", MODES, index=MODES.index(current), format_func=label)
    return _element_input(field, current)


def _element_input(field: str, current):
    """The input for a European element (ui/codesign/elements.py) or the title or code."""
    if field in elements.CHOICE_FIELDS:
        options = elements.choices(field)
        return st.selectbox("New value", options, index=options.index(current) if current in options else 0,
                            format_func=elements.choice_text(field))
    if field == "issuer_country":
        return st.text_input("New value", value=current or "", max_chars=6, placeholder="IE",
                             help=elements.COUNTRY_HELP)
    if field in ("assessment_type", "quality_assurance", "prerequisites", "further_information"):
        return st.text_area("New value", value=current or "", max_chars=codesign.MAX_ELEMENT_TEXT, height=120)
    if field == "stacks_towards":
        return st.text_input("New value", value=current or "", max_chars=codesign.MAX_ELEMENT_TEXT)
    return st.text_input("New value", value=current, max_chars=200 if field == "title" else 30)


def propose_form(studio: Studio, current: dict, skill_names: dict[int, str]) -> None:
    st.markdown("**Propose a change**")
    st.caption("The other parties decide: it is applied once each of them has accepted it, and closed if one "
               "rejects it.")
    fields = [name for name in codesign.PROPOSABLE if name != SKILLS] + [SKILLS]
    # Outside the form, so that choosing a field reruns and its current value fills the box.
    field = state.choice("Field", fields, key="cd_prop_field", format_func=codesign.LABELS.get)
    with st.form(f"cd_propose_{studio.credential_id}_{studio.base}_{field}", clear_on_submit=True):
        if field == SKILLS:
            table = studio.detail.skills
            mapped = dict(zip(table["skill_id"].astype(int), table["proficiency"].astype(int), strict=True))
            skill_id = st.selectbox("Skill", list(skill_names), index=None, placeholder="Choose a skill",
                                    format_func=lambda skill: skill_names[skill] + (
                                        f" (now {mapped[skill]})" if skill in mapped else ""),
                                    key="cd_prop_skill")
            proficiency = st.slider("Proficiency", min_value=1, max_value=5, value=3, key="cd_prop_proficiency")
            remove = st.checkbox("Remove this skill from the credential instead", key="cd_prop_remove")
        else:
            value = _value_input(field, current[field])
        rationale = st.text_area("Rationale", max_chars=codesign.MAX_RATIONALE)
        if st.form_submit_button("Propose change", type="primary"):
            if field == SKILLS:
                call = lambda session: codesign.propose_skill(  # noqa: E731
                    session, studio.scope, credential_id=studio.credential_id, skill_id=skill_id,
                    proficiency=None if remove else proficiency, rationale=rationale, expected_version=studio.base)
            else:
                call = lambda session: codesign.propose(  # noqa: E731
                    session, studio.scope, credential_id=studio.credential_id, field=field, new_value=value,
                    rationale=rationale, expected_version=studio.base)
            studio.act(call, lambda session, proposal: (f"Proposal #{proposal.id} sent: "
                                                        f"{_deciders(session, studio, proposal)} decide it."))


def _deciders(session, studio: Studio, proposal) -> str:
    sent = next(card for card in codesign.proposals(session, studio.scope, studio.credential_id)
                if card["id"] == proposal.id)
    return codesign.and_list(sent["waiting_for"])


def _decision_line(row: dict) -> str:
    if row["decision"] in ("accepted", "rejected"):
        text = f"{row['organization']}: {label(row['decision']).lower()} by {row['by']}, {fmt(row['at'], 'datetime')}"
        text += f" ({row['note']})" if row["note"] else ""
    else:
        text = f"{row['organization']}: {label(row['decision']).lower()}"
    return md(text + ("" if row["party"] else " (no longer co-designs it)"))


def _card_record(proposal: dict) -> None:
    """What the proposal is, who decided it and what was said."""
    st.markdown(md(f"#{proposal['id']} · {proposal['label']} · {label(proposal['status'])}"))
    st.caption(md(f"by {proposal['proposer']} ({proposal['organization']}) on version {proposal['base_version']}, "
                  f"{fmt(proposal['created_at'], 'datetime')}"))
    now_column, proposed_column = st.columns(2)
    now_column.markdown("**Now**")
    now_column.text(proposal["current"])
    proposed_column.markdown("**Proposed**")
    proposed_column.text(proposal["proposed"])
    st.markdown("**Rationale:** " + md(proposal["rationale"]))
    st.markdown("**Decisions**")
    if proposal["decisions"]:
        st.markdown("\n".join(f"- {_decision_line(row)}" for row in proposal["decisions"]))
    elif proposal["decided_by"]:
        st.caption(md(f"{label(proposal['status'])} by {proposal['decided_by']}, "
                      f"{fmt(proposal['decided_at'], 'datetime')}"))
    if proposal["status"] == "open":
        st.caption(md(f"Waiting for {codesign.and_list(proposal['waiting_for'])}." if proposal["waiting_for"] else
                      "Nobody is left to decide it."))
    for comment in proposal["comments"]:
        st.markdown(md(f"{comment['author']} ({fmt(comment['at'], 'datetime')}): {comment['text']}"))


def _card_actions(studio: Studio, proposal: dict) -> None:
    """The comment box and the buttons the user's rights allow (the service checks them again)."""
    proposal_id = proposal["id"]
    note = st.text_input("Comment", key=fresh(f"cd_note_{proposal_id}"), max_chars=codesign.MAX_COMMENT,
                         help="Sent with Accept or Reject too.")
    clear = [f"cd_note_{proposal_id}"]
    comment_column, accept_column, reject_column = st.columns(3)
    if proposal["can_comment"] and comment_column.button("Add comment", key=f"comment_{proposal_id}"):
        studio.act(lambda session: codesign.comment(session, studio.scope, proposal_id=proposal_id, text=note),
                   "Comment added.", clear=clear)
    if proposal["can_accept"] and accept_column.button("Accept", key=f"accept_{proposal_id}", type="primary"):
        studio.act(lambda session: codesign.accept(session, studio.scope, proposal_id=proposal_id,
                                                   expected_version=studio.base, note=note),
                   lambda session, done: done.message, clear=clear)
    if proposal["can_reject"] and reject_column.button("Reject", key=f"reject_{proposal_id}"):
        studio.act(lambda session: codesign.reject(session, studio.scope, proposal_id=proposal_id, note=note),
                   lambda session, done: done.message, clear=clear)
    if proposal["can_withdraw"] and accept_column.button("Withdraw", key=f"withdraw_{proposal_id}"):
        studio.act(lambda session: codesign.withdraw(session, studio.scope, proposal_id=proposal_id),
                   f"Proposal #{proposal_id} withdrawn.")


def card(studio: Studio, proposal: dict) -> None:
    with st.container(border=True, key=f"cd_proposal_{proposal['id']}"):
        _card_record(proposal)
        if proposal["can_comment"] or proposal["can_withdraw"]:
            _card_actions(studio, proposal)


def proposals(studio: Studio, current: dict, skill_names: dict[int, str]) -> None:
    if studio.may("propose"):
        propose_form(studio, current, skill_names)
    if not studio.detail.proposals:
        st.caption("No proposals yet.")
    for proposal in studio.detail.proposals:
        card(studio, proposal)
