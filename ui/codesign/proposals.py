"""Proposals in the studio: propose a change to a field, the outcomes or the skills mapping; discuss and decide.

A proposal applies when every other party has accepted it; each card shows who has decided and who still
has to (services/codesign.py, docs/codesign.md).
"""

from __future__ import annotations

import streamlit as st

from services import codesign
from services.formatting import fmt, label
from ui import state
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
    return st.text_input("New value", value=current, max_chars=200 if field == "title" else 30)


def propose_form(s: Studio, current: dict, skill_names: dict[int, str]) -> None:
    st.markdown("**Propose a change**")
    st.caption("The other parties decide: it is applied once each of them has accepted it, and closed if one "
               "rejects it.")
    fields = [f for f in codesign.PROPOSABLE if f != SKILLS] + [SKILLS]
    # Outside the form, so that choosing a field reruns and its current value fills the box.
    field = state.choice("Field", fields, key="cd_prop_field", format_func=codesign.LABELS.get)
    with st.form(f"cd_propose_{s.credential_id}_{s.base}_{field}", clear_on_submit=True):
        if field == SKILLS:
            mapped = dict(zip(s.d.skills["skill_id"].astype(int), s.d.skills["proficiency"].astype(int)))
            skill_id = st.selectbox("Skill", list(skill_names), index=None, placeholder="Choose a skill",
                                    format_func=lambda k: skill_names[k] + (f" (now {mapped[k]})" if k in mapped else ""),
                                    key="cd_prop_skill")
            proficiency = st.slider("Proficiency", min_value=1, max_value=5, value=3, key="cd_prop_proficiency")
            remove = st.checkbox("Remove this skill from the credential instead", key="cd_prop_remove")
        else:
            value = _value_input(field, current[field])
        rationale = st.text_area("Rationale", max_chars=codesign.MAX_RATIONALE)
        if st.form_submit_button("Propose change", type="primary"):
            if field == SKILLS:
                call = lambda ss: codesign.propose_skill(  # noqa: E731
                    ss, s.scope, credential_id=s.credential_id, skill_id=skill_id,
                    proficiency=None if remove else proficiency, rationale=rationale)
            else:
                call = lambda ss: codesign.propose(ss, s.scope, credential_id=s.credential_id,  # noqa: E731
                                                   field=field, new_value=value, rationale=rationale)
            s.act(call, lambda ss, prop: f"Proposal #{prop.id} sent: {_deciders(ss, s, prop)} decide it.")


def _deciders(session, s: Studio, prop) -> str:
    p = next(p for p in codesign.proposals(session, s.scope, s.credential_id) if p["id"] == prop.id)
    return codesign.and_list(p["waiting_for"])


def _decision_line(r: dict) -> str:
    if r["decision"] in ("accepted", "rejected"):
        text = f"{r['organization']}: {label(r['decision']).lower()} by {r['by']}, {fmt(r['at'], 'datetime')}"
        text += f" ({r['note']})" if r["note"] else ""
    else:
        text = f"{r['organization']}: {label(r['decision']).lower()}"
    return md(text + ("" if r["party"] else " (no longer co-designs it)"))


def card(s: Studio, p: dict) -> None:
    with st.container(border=True, key=f"cd_proposal_{p['id']}"):
        st.markdown(md(f"#{p['id']} · {p['label']} · {label(p['status'])}"))
        st.caption(md(f"by {p['proposer']} ({p['organization']}) on version {p['base_version']}, "
                      f"{fmt(p['created_at'], 'datetime')}"))
        c1, c2 = st.columns(2)
        c1.markdown("**Now**")
        c1.text(p["current"])
        c2.markdown("**Proposed**")
        c2.text(p["proposed"])
        st.markdown("**Rationale:** " + md(p["rationale"]))
        st.markdown("**Decisions**")
        if p["decisions"]:
            st.markdown("\n".join(f"- {_decision_line(r)}" for r in p["decisions"]))
        elif p["decided_by"]:
            st.caption(md(f"{label(p['status'])} by {p['decided_by']}, {fmt(p['decided_at'], 'datetime')}"))
        if p["status"] == "open":
            st.caption(md(f"Waiting for {codesign.and_list(p['waiting_for'])}." if p["waiting_for"] else
                          "Nobody is left to decide it."))
        for c in p["comments"]:
            st.markdown(md(f"{c['author']} ({fmt(c['at'], 'datetime')}): {c['text']}"))
        if not (p["can_comment"] or p["can_withdraw"]):
            return
        pid = p["id"]
        note = st.text_input("Comment", key=fresh(f"cd_note_{pid}"), max_chars=codesign.MAX_COMMENT,
                             help="Sent with Accept or Reject too.")
        b1, b2, b3 = st.columns(3)
        if p["can_comment"] and b1.button("Add comment", key=f"comment_{pid}"):
            s.act(lambda ss: codesign.comment(ss, s.scope, proposal_id=pid, text=note), "Comment added.",
                  clear=[f"cd_note_{pid}"])
        if p["can_accept"] and b2.button("Accept", key=f"accept_{pid}", type="primary"):
            s.act(lambda ss: codesign.accept(ss, s.scope, proposal_id=pid, expected_version=s.base, note=note),
                  lambda ss, done: done.message, clear=[f"cd_note_{pid}"])
        if p["can_reject"] and b3.button("Reject", key=f"reject_{pid}"):
            s.act(lambda ss: codesign.reject(ss, s.scope, proposal_id=pid, note=note), lambda ss, done: done.message,
                  clear=[f"cd_note_{pid}"])
        if p["can_withdraw"] and b2.button("Withdraw", key=f"withdraw_{pid}"):
            s.act(lambda ss: codesign.withdraw(ss, s.scope, proposal_id=pid), f"Proposal #{pid} withdrawn.")


def proposals(s: Studio, current: dict, skill_names: dict[int, str]) -> None:
    if s.may("propose"):
        propose_form(s, current, skill_names)
    if not s.d.proposals:
        st.caption("No proposals yet.")
    for p in s.d.proposals:
        card(s, p)
