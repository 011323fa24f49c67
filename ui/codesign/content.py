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
from ui.codesign.common import FLASH, Studio, fresh, renew
from ui.safe import md
from ui.widgets import flash, skills_table

MODES = [m.value for m in DeliveryMode]
PICKER = "cd_credential"


def new_draft(scope: Scope, partners: dict[int, str]) -> None:
    """The university's form for a new draft credential; once created it is the one the studio shows."""
    form = fresh("cd_new")  # a new key once a draft is created: the next one starts from an empty form
    with st.expander("New draft", icon=":material/add:"), st.form(form):
        st.caption("A new credential starts as a draft (version 1). Everything can change until it is submitted "
                   "for review; the co-designing employers edit, propose and approve it with you.")
        c1, c2, c3 = st.columns([2, 5, 2])
        code = c1.text_input("Code", max_chars=30, placeholder="MC-DATA-401", key=f"{form}_code")
        title = c2.text_input("Title", max_chars=200, key=f"{form}_title")
        eqf = c3.number_input("EQF level (1–8)", min_value=1, max_value=8, value=5, step=1, key=f"{form}_eqf")
        summary = st.text_area("Summary", max_chars=codesign.MAX_SUMMARY, key=f"{form}_summary")
        c1, c2, c3, c4 = st.columns(4)
        ects = c1.number_input("ECTS credits", min_value=0.0, max_value=9999.9, value=5.0, step=0.5, format="%.1f",
                               key=f"{form}_ects")
        hours = c2.number_input("Learning hours", min_value=0, max_value=100_000, value=125, step=5,
                                key=f"{form}_hours")
        mode = c3.selectbox("Delivery mode", MODES, format_func=label, key=f"{form}_mode")
        price = c4.number_input("Price (£)", min_value=0.0, value=0.0, step=50.0, format="%.2f", key=f"{form}_price")
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
                st.error(str(exc))
                return
            data.clear()
            state.select(PICKER, new_id)  # the studio opens the new draft, on its details
            st.session_state["cd_tab"] = "Details"
            renew("cd_new")
            with_whom = codesign.and_list([partners[p] for p in chosen]) or "the university alone"
            flash(FLASH, f"Draft {new_code} created (version 1), co-designed with {with_whom}.")
            st.rerun()


def details(s: Studio) -> None:
    cred, editable = s.d.credential, s.may("edit")
    with st.form(f"cd_fields_{s.credential_id}_{s.base}"):
        code = st.text_input("Code", value=cred.code, max_chars=30, disabled=not editable)
        title = st.text_input("Title", value=cred.title, max_chars=200, disabled=not editable)
        summary = st.text_area("Summary", value=cred.summary or "", max_chars=codesign.MAX_SUMMARY,
                               disabled=not editable)
        c1, c2, c3 = st.columns(3)
        eqf = c1.number_input("EQF level (1–8)", min_value=1, max_value=8, value=int(cred.eqf_level), step=1,
                              disabled=not editable)
        ects = c2.number_input("ECTS credits", min_value=0.0, max_value=9999.9, value=float(cred.ects_credits),
                               step=0.5, format="%.1f", disabled=not editable)
        hours = c3.number_input("Learning hours", min_value=0, max_value=100_000, value=int(cred.learning_hours),
                                step=1, disabled=not editable)
        c1, c2 = st.columns(2)
        mode = c1.selectbox("Delivery mode", MODES, index=MODES.index(cred.delivery_mode), format_func=label,
                            disabled=not editable)
        price = c2.number_input("Price (£)", min_value=0.0, value=float(cred.price), step=50.0, format="%.2f",
                                disabled=not editable)
        note = st.text_input("What changed and why (optional)", max_chars=300, disabled=not editable)
        if st.form_submit_button("Save draft", disabled=not editable, type="primary"):
            changes = {"code": code, "title": title, "summary": summary, "eqf_level": eqf, "ects_credits": ects,
                       "learning_hours": hours, "delivery_mode": mode, "price": price}
            s.act(lambda ss: codesign.save_draft(ss, s.scope, credential_id=s.credential_id, expected_version=s.base,
                                                 changes=changes, summary=note),
                  lambda ss, rev: f"Saved as version {rev.version}." if rev else "Nothing changed: nothing to save.")


def _saved(ss, rev) -> str:
    return f"{rev.summary} (version {rev.version})." if rev else "Nothing changed."


def outcomes(s: Studio) -> None:
    items, editable = s.d.outcomes, s.may("edit")
    if not items:
        st.caption("No learning outcomes yet.")
    for i, text in enumerate(items):
        c1, c2, c3, c4 = st.columns([12, 1, 1, 1], vertical_alignment="center")
        c1.markdown(f"{i + 1}\\. {md(text)}")
        if not editable:
            continue
        kw = dict(credential_id=s.credential_id, expected_version=s.base, index=i)
        if c2.button("↑", key=f"cd_up_{i}", help="Move up", disabled=i == 0):
            s.act(lambda ss, kw=kw: codesign.move_outcome(ss, s.scope, delta=-1, **kw), f"Moved outcome {i + 1} up.")
        if c3.button("↓", key=f"cd_down_{i}", help="Move down", disabled=i == len(items) - 1):
            s.act(lambda ss, kw=kw: codesign.move_outcome(ss, s.scope, delta=1, **kw), f"Moved outcome {i + 1} down.")
        if c4.button("✕", key=f"cd_rm_{i}", help="Remove"):
            s.act(lambda ss, kw=kw: codesign.remove_outcome(ss, s.scope, **kw), _saved)
    if not editable:
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**Edit an outcome**")
        if items:
            # Outside the form, so that choosing another outcome reruns and its text fills the box.
            index = state.choice("Outcome", list(range(len(items))), key=f"cd_outcome_pick_{s.credential_id}",
                                 format_func=lambda i: f"{i + 1}. {items[i][:80]}")
            with st.form(f"cd_outcome_edit_{s.credential_id}_{s.base}_{index}"):
                new_text = st.text_area("Text", value=items[index], max_chars=codesign.MAX_OUTCOME)
                if st.form_submit_button("Save outcome"):
                    s.act(lambda ss: codesign.edit_outcome(ss, s.scope, credential_id=s.credential_id,
                                                           expected_version=s.base, index=index, text=new_text),
                          _saved)
        else:
            st.caption("Add the first outcome on the right.")
    with right.form(f"cd_outcome_add_{s.credential_id}_{s.base}", clear_on_submit=True):
        st.markdown("**Add an outcome**")
        text = st.text_area("New learning outcome", max_chars=codesign.MAX_OUTCOME, placeholder="Learners can …")
        position = st.number_input("At position", min_value=1, max_value=len(items) + 1, value=len(items) + 1, step=1)
        if st.form_submit_button("Add outcome"):
            s.act(lambda ss: codesign.add_outcome(ss, s.scope, credential_id=s.credential_id, expected_version=s.base,
                                                  text=text, position=int(position)), _saved)


def skills(s: Studio, skill_names: dict[int, str]) -> None:
    skills_table(s.d.skills)
    if not s.may("edit"):
        return
    kw = dict(credential_id=s.credential_id, expected_version=s.base)
    left, right = st.columns(2)
    with left.form(f"cd_skill_map_{s.credential_id}_{s.base}"):
        st.markdown("**Map a skill**")
        skill_id = st.selectbox("Skill", list(skill_names), format_func=skill_names.get, index=None,
                                placeholder="Choose a skill")
        proficiency = st.slider("Proficiency", min_value=1, max_value=5, value=3)
        if st.form_submit_button("Save skill mapping"):
            if skill_id is None:
                st.error("Choose a skill.")
            else:
                s.act(lambda ss: codesign.set_skill(ss, s.scope, skill_id=skill_id, proficiency=proficiency, **kw),
                      _saved)
        mapped = dict(zip(s.d.skills["skill_id"].astype(int), s.d.skills["skill"]))
        if mapped:
            drop = st.selectbox("Remove a mapped skill", [None, *mapped],
                                format_func=lambda k: "—" if k is None else mapped[k])
            if st.form_submit_button("Remove skill") and drop is not None:
                s.act(lambda ss: codesign.remove_skill(ss, s.scope, skill_id=drop, **kw),
                      f"Removed {mapped[drop]}.")
    with right.form("cd_skill_new", clear_on_submit=True):
        st.markdown("**Add a skill to the list**")
        name = st.text_input("Skill name", max_chars=200)
        category = st.text_input("Category (optional)", max_chars=80)
        esco = st.text_input("ESCO URI (optional)", max_chars=300, placeholder="http://data.europa.eu/esco/skill/…")
        if st.form_submit_button("Add skill"):
            s.act(lambda ss: codesign.add_skill(ss, s.scope, name=name, category=category, esco_uri=esco),
                  "Skill added to the list; map it on the left.")


def co_designers(s: Studio, partners: dict[int, str]) -> None:
    current = sorted(s.d.partner_ids, key=lambda e: partners.get(e, ""))
    st.markdown("**Co-designed with** " + (md(s.d.partners) if s.d.partners else "the university alone"))
    st.caption("Every co-designing employer edits and proposes changes, decides the other parties' proposals and "
               "approves the version to publish. The university chooses them.")
    if not s.may("partners"):
        return
    with st.form(f"cd_partners_{s.credential_id}_{s.base}"):
        chosen = st.multiselect("Co-designing employers", list(partners), default=[e for e in current if e in partners],
                                format_func=partners.get, placeholder="None: the university alone")
        note = st.text_input("Why (optional)", max_chars=300)
        if st.form_submit_button("Save co-designers", type="primary"):
            s.act(lambda ss: codesign.set_partners(ss, s.scope, credential_id=s.credential_id, expected_version=s.base,
                                                   employer_ids=chosen, summary=note),
                  lambda ss, rev: (f"Co-designers saved (version {rev.version}): "
                                   f"{codesign.and_list([partners[e] for e in chosen]) or 'the university alone'}."
                                   if rev else "The co-designers are unchanged."))


def header(s: Studio) -> None:
    cred = s.d.credential
    st.subheader(md(f"{cred.code} · {cred.title}"))
    party = {"university": "the university", "employer": "a co-designing employer"}.get(s.d.side or "",
                                                                                       "an administrator")
    st.caption(md(f"{label(cred.status)} · version {fmt(cred.version)} · you take part as {party}"))
