"""The credential's content in the studio: a new draft, its details, learning outcomes, skills and co-designers.

Forms are keyed by the version the user works from (``Studio.base``): after a save the next run draws them
afresh with the saved values.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import DeliveryMode
from db.scope import Scope
from services import codesign
from services.formatting import fmt, label
from ui import data, state
from ui.codesign import elements, vocabulary
from ui.codesign.common import FLASH, Studio, fresh, renew
from ui.safe import md
from ui.widgets import flash, skills_table

MODES = [mode.value for mode in DeliveryMode]
PICKER = "cd_credential"


def new_draft(scope: Scope, partners: dict[int, str]) -> None:
    """The university's form for a new draft credential; once created it is the one the studio shows."""
    form = fresh("cd_new")  # a new key once a draft is created: the next one starts from an empty form
    with st.expander("New draft", icon=":material/add:"), st.form(form):
        st.caption("A new credential starts as a draft (version 1). Everything can change until it is submitted "
                   "for review; the co-designing employers edit, propose and approve it with you.")
        code_column, title_column, level_column = st.columns([2, 5, 2])
        code = code_column.text_input("Code", max_chars=30, placeholder="MC-DATA-401", key=f"{form}_code")
        title = title_column.text_input("Title", max_chars=200, key=f"{form}_title")
        eqf = level_column.number_input("EQF level (1–8)", min_value=1, max_value=8, value=5, step=1,
                                        key=f"{form}_eqf")
        summary = st.text_area("Summary", max_chars=codesign.MAX_SUMMARY, key=f"{form}_summary")
        ects_column, hours_column, mode_column, price_column = st.columns(4)
        ects = ects_column.number_input("ECTS credits", min_value=0.0, max_value=9999.9, value=5.0, step=0.5,
                                        format="%.1f", key=f"{form}_ects")
        hours = hours_column.number_input("Learning hours", min_value=0, max_value=100_000, value=125, step=5,
                                          key=f"{form}_hours")
        mode = mode_column.selectbox("Delivery mode", MODES, format_func=label, key=f"{form}_mode")
        price = price_column.number_input("Price (£)", min_value=0.0, value=0.0, step=50.0, format="%.2f",
                                          key=f"{form}_price")
        chosen = st.multiselect("Co-designing employers", list(partners), format_func=partners.get,
                                placeholder="Choose the partner employers who design it with you",
                                key=f"{form}_partners")
        if st.form_submit_button("Create draft", type="primary"):
            try:
                with Session(get_engine()) as session:
                    cred = codesign.create_draft(
                        session, scope, code=code, title=title, eqf_level=int(eqf), summary=summary,
                        ects_credits=ects, learning_hours=int(hours), delivery_mode=mode, price=price,
                        partner_ids=chosen)
                    new_id, new_code = cred.id, cred.code
            except codesign.CodesignError as exc:
                st.error(md(exc))
                return
            data.clear()
            state.select(PICKER, new_id)  # the studio opens the new draft, on its details
            st.session_state["cd_tab"] = "Details"
            renew("cd_new")
            with_whom = codesign.and_list([partners[employer] for employer in chosen]) or "the university alone"
            flash(FLASH, f"Draft {new_code} created (version 1), co-designed with {with_whom}.")
            st.rerun()


def details(studio: Studio) -> None:
    cred, editable = studio.detail.credential, studio.may("edit")
    with st.form(f"cd_fields_{studio.credential_id}_{studio.base}"):
        code = st.text_input("Code", value=cred.code, max_chars=30, disabled=not editable)
        title = st.text_input("Title", value=cred.title, max_chars=200, disabled=not editable)
        summary = st.text_area("Summary", value=cred.summary or "", max_chars=codesign.MAX_SUMMARY,
                               disabled=not editable)
        level_column, ects_column, hours_column = st.columns(3)
        eqf = level_column.number_input("EQF level (1–8)", min_value=1, max_value=8, value=int(cred.eqf_level),
                                        step=1, disabled=not editable)
        ects = ects_column.number_input("ECTS credits", min_value=0.0, max_value=9999.9,
                                        value=float(cred.ects_credits), step=0.5, format="%.1f", disabled=not editable)
        hours = hours_column.number_input("Learning hours", min_value=0, max_value=100_000,
                                          value=int(cred.learning_hours), step=1, disabled=not editable)
        mode_column, price_column = st.columns(2)
        mode = mode_column.selectbox("Delivery mode", MODES, index=MODES.index(cred.delivery_mode), format_func=label,
                                     disabled=not editable)
        price = price_column.number_input("Price (£)", min_value=0.0, value=float(cred.price), step=50.0,
                                          format="%.2f", disabled=not editable)
        european = elements.inputs(cred, editable)  # the second section: one form, one save, one revision
        note = st.text_input("What changed and why (optional)", max_chars=300, disabled=not editable)
        if st.form_submit_button("Save draft", disabled=not editable, type="primary"):
            changes = {"code": code, "title": title, "summary": summary, "eqf_level": eqf, "ects_credits": ects,
                       "learning_hours": hours, "delivery_mode": mode, "price": price, **european}
            studio.act(lambda session: codesign.save_draft(session, studio.scope, changes=changes, summary=note,
                                                           **studio.target),
                       lambda session, rev: f"Saved as version {rev.version}." if rev
                       else "Nothing changed: nothing to save.")


def _saved(_session, rev) -> str:
    return f"{rev.summary} (version {rev.version})." if rev else "Nothing changed."


def _outcome_row(studio: Studio, items: list[str], i: int, editable: bool) -> None:
    """One outcome, with its move and remove buttons for editors."""
    text_column, up_column, down_column, remove_column = st.columns([12, 1, 1, 1], vertical_alignment="center")
    text_column.markdown(f"{i + 1}\\. {md(items[i])}")
    if not editable:
        return
    target = dict(studio.target, index=i)
    if up_column.button("↑", key=f"cd_up_{i}", help="Move up", disabled=i == 0):
        studio.act(lambda session: codesign.move_outcome(session, studio.scope, delta=-1, **target),
                   f"Moved outcome {i + 1} up.")
    if down_column.button("↓", key=f"cd_down_{i}", help="Move down", disabled=i == len(items) - 1):
        studio.act(lambda session: codesign.move_outcome(session, studio.scope, delta=1, **target),
                   f"Moved outcome {i + 1} down.")
    if remove_column.button("✕", key=f"cd_rm_{i}", help="Remove"):
        studio.act(lambda session: codesign.remove_outcome(session, studio.scope, **target), _saved)


def outcomes(studio: Studio) -> None:
    items, editable = studio.detail.outcomes, studio.may("edit")
    if not items:
        st.caption("No learning outcomes yet.")
    for i in range(len(items)):
        _outcome_row(studio, items, i, editable)
    if not editable:
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**Edit an outcome**")
        if items:
            # Outside the form, so that choosing another outcome reruns and its text fills the box.
            index = state.choice("Outcome", list(range(len(items))), key=f"cd_outcome_pick_{studio.credential_id}",
                                 format_func=lambda i: f"{i + 1}. {items[i][:80]}")
            with st.form(f"cd_outcome_edit_{studio.credential_id}_{studio.base}_{index}"):
                new_text = st.text_area("Text", value=items[index], max_chars=codesign.MAX_OUTCOME)
                if st.form_submit_button("Save outcome"):
                    studio.act(lambda session: codesign.edit_outcome(session, studio.scope, index=index, text=new_text,
                                                                     **studio.target), _saved)
        else:
            st.caption("Add the first outcome on the right.")
    with right.form(f"cd_outcome_add_{studio.credential_id}_{studio.base}", clear_on_submit=True):
        st.markdown("**Add an outcome**")
        text = st.text_area("New learning outcome", max_chars=codesign.MAX_OUTCOME, placeholder="Learners can …")
        position = st.number_input("At position", min_value=1, max_value=len(items) + 1, value=len(items) + 1, step=1)
        if st.form_submit_button("Add outcome"):
            studio.act(lambda session: codesign.add_outcome(session, studio.scope, text=text, position=int(position),
                                                            **studio.target), _saved)


def skills(studio: Studio, skill_names: dict[int, str]) -> None:
    skills_table(studio.detail.skills)
    if not studio.may("edit"):
        return
    target = studio.target
    left, right = st.columns(2)
    with left.form(f"cd_skill_map_{studio.credential_id}_{studio.base}"):
        st.markdown("**Map a skill**")
        skill_id = st.selectbox("Skill", list(skill_names), format_func=skill_names.get, index=None,
                                placeholder="Choose a skill")
        proficiency = st.slider("Proficiency", min_value=1, max_value=5, value=3)
        if st.form_submit_button("Save skill mapping"):
            if skill_id is None:
                st.error("Choose a skill.")
            else:
                studio.act(lambda session: codesign.set_skill(session, studio.scope, skill_id=skill_id,
                                                              proficiency=proficiency, **target), _saved)
        table = studio.detail.skills
        mapped = dict(zip(table["skill_id"].astype(int), table["skill"], strict=True))
        if mapped:
            drop = st.selectbox("Remove a mapped skill", [None, *mapped],
                                format_func=lambda skill: "—" if skill is None else mapped[skill])
            if st.form_submit_button("Remove skill") and drop is not None:
                studio.act(lambda session: codesign.remove_skill(session, studio.scope, skill_id=drop, **target),
                           f"Removed {mapped[drop]}.")
    with right:
        vocabulary.new_skill_form(studio)


def co_designers(studio: Studio, partners: dict[int, str]) -> None:
    detail = studio.detail
    current = sorted(detail.partner_ids, key=lambda employer: partners.get(employer, ""))
    st.markdown("**Co-designed with** " + (md(detail.partners) if detail.partners else "the university alone"))
    st.caption("Every co-designing employer edits and proposes changes, decides the other parties' proposals and "
               "approves the version to publish. The university chooses them.")
    if not studio.may("partners"):
        return
    with st.form(f"cd_partners_{studio.credential_id}_{studio.base}"):
        chosen = st.multiselect("Co-designing employers", list(partners),
                                default=[employer for employer in current if employer in partners],
                                format_func=partners.get, placeholder="None: the university alone")
        note = st.text_input("Why (optional)", max_chars=300)
        if st.form_submit_button("Save co-designers", type="primary"):
            studio.act(lambda session: codesign.set_partners(session, studio.scope, employer_ids=chosen, summary=note,
                                                             **studio.target),
                       lambda session, rev: _co_designers_saved(rev, [partners[employer] for employer in chosen]))


def _co_designers_saved(rev, names: list[str]) -> str:
    if not rev:
        return "The co-designers are unchanged."
    return f"Co-designers saved (version {rev.version}): {codesign.and_list(names) or 'the university alone'}."


def header(studio: Studio) -> None:
    cred = studio.detail.credential
    st.subheader(md(f"{cred.code} · {cred.title}"), anchor=False)
    party = {"university": "the university", "employer": "a co-designing employer"}.get(studio.detail.side or "",
                                                                                       "an administrator")
    st.caption(md(f"{label(cred.status)} · version {fmt(cred.version)} · you take part as {party}"))
