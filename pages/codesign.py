"""Co-design studio: edit a draft, its learning outcomes and skills; propose, discuss and decide changes; sign off.

Every action passes the version this page loaded (``loaded``): if someone else saved in between,
services/codesign.py refuses the change and the page shows what they changed.
"""

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import CredentialStatus, DeliveryMode, Role
from db.scope import AccessDenied
from services import codesign
from ui import data
from ui.safe import md
from ui.widgets import empty_state, signed_in, skills_table

S = CredentialStatus
who = signed_in()
scope = who.scope
role = Role(who.role)

st.title("Co-design studio")
st.caption("Design a micro-credential together: the university and each co-designing employer edit, propose, "
           "discuss and approve; publication needs everyone's approval of the same version.")

with Session(get_engine()) as session:
    choices = dict(codesign.editable_choices(session, scope))
if not choices:
    empty_state("There are no credentials you co-design. The catalogue shows the ones you may see.")
    st.stop()

credential_id = st.selectbox("Credential", list(choices), format_func=choices.get, key="cd_credential")
with Session(get_engine()) as session:
    d = codesign.detail(session, scope, credential_id)
    skill_names = dict(codesign.skill_choices(session))
cred = d.credential

# The version this person is working from: set when they first open the credential, moved on only by
# their own saves or by "Load the latest version".
loaded: dict[int, int] = st.session_state.setdefault("cd_loaded", {})
base = loaded.setdefault(credential_id, cred.version)

flash = st.session_state.pop("cd_flash", None)
if flash:
    st.success(flash)


def show_changes(changes: list[codesign.Change], caption: str) -> None:
    if changes:
        st.caption(caption)
        st.dataframe(codesign.diff_frame(changes), hide_index=True, width="stretch",
                     column_config={"field": "Field", "before": "Before", "after": "After"})


def act(fn: Callable[[Session], object], done: str) -> None:
    """Run one service call; on success move ``loaded`` to the saved version and rerun."""
    try:
        with Session(get_engine()) as session:
            fn(session)
            loaded[credential_id] = codesign.current_version(session, scope, credential_id)
    except codesign.EditConflict as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        show_changes(exc.theirs, "What they changed:")
        return
    except (codesign.CodesignError, AccessDenied) as exc:
        st.error(str(exc))
        return
    data.clear()
    st.session_state["cd_flash"] = done
    st.rerun()


st.subheader(md(f"{cred.code} · {cred.title}"))
party = {"university": "the university", "employer": "a co-designing employer"}.get(d.side or "", "an administrator")
st.caption(md(f"{cred.status.replace('_', ' ')} · version {cred.version} · you take part as {party}"))

if cred.version != base:
    st.warning(f"Someone else saved this credential since you opened version {base}: it is now version "
               f"{cred.version}. Your next change would be refused; load the latest version first.",
               icon=":material/sync_problem:")
    with Session(get_engine()) as session:
        try:
            show_changes(codesign.compare(session, scope, credential_id, base, cred.version), "Their change:")
        except codesign.CodesignError:
            pass
    if st.button("Load the latest version", key="cd_reload"):
        loaded[credential_id] = cred.version
        st.rerun()

editable = d.can_edit
if not editable and S(cred.status) not in codesign.EDITABLE:
    st.info(f"{cred.code} is {cred.status}: its content is frozen.", icon=":material/lock:")

tab_fields, tab_outcomes, tab_skills, tab_proposals, tab_signoff = st.tabs(
    ["Details", "Learning outcomes", "Skills", "Proposals", "Sign-off"])

with tab_fields:
    modes = [m.value for m in DeliveryMode]
    with st.form(f"cd_fields_{credential_id}_{base}"):
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
        mode = c1.selectbox("Delivery mode", modes, index=modes.index(cred.delivery_mode),
                            format_func=lambda m: m.replace("_", " "), disabled=not editable)
        price = c2.number_input("Price (£)", min_value=0.0, value=float(cred.price), step=50.0, format="%.2f",
                                disabled=not editable)
        note = st.text_input("What changed and why (optional)", max_chars=300, disabled=not editable)
        if st.form_submit_button("Save draft", disabled=not editable, type="primary"):
            changes = {"code": code, "title": title, "summary": summary, "eqf_level": eqf, "ects_credits": ects,
                       "learning_hours": hours, "delivery_mode": mode, "price": price}
            act(lambda s: codesign.save_draft(s, scope, credential_id=credential_id, expected_version=base,
                                              changes=changes, summary=note), "Saved.")

with tab_outcomes:
    if not d.outcomes:
        st.caption("No learning outcomes yet.")
    for i, text in enumerate(d.outcomes):
        c1, c2, c3, c4 = st.columns([12, 1, 1, 1], vertical_alignment="center")
        c1.markdown(f"{i + 1}\\. {md(text)}")
        if editable:
            if c2.button("↑", key=f"cd_up_{i}", help="Move up", disabled=i == 0):
                act(lambda s, i=i: codesign.move_outcome(s, scope, credential_id=credential_id, expected_version=base,
                                                         index=i, delta=-1), f"Moved outcome {i + 1} up.")
            if c3.button("↓", key=f"cd_down_{i}", help="Move down", disabled=i == len(d.outcomes) - 1):
                act(lambda s, i=i: codesign.move_outcome(s, scope, credential_id=credential_id, expected_version=base,
                                                         index=i, delta=1), f"Moved outcome {i + 1} down.")
            if c4.button("✕", key=f"cd_rm_{i}", help="Remove"):
                act(lambda s, i=i: codesign.remove_outcome(s, scope, credential_id=credential_id,
                                                           expected_version=base, index=i), f"Removed outcome {i + 1}.")
    if editable:
        left, right = st.columns(2)
        with left.form(f"cd_outcome_edit_{base}"):
            st.markdown("**Edit an outcome**")
            numbers = list(range(len(d.outcomes)))
            index = st.selectbox("Outcome", numbers, format_func=lambda i: f"{i + 1}. {d.outcomes[i][:80]}")
            new_text = st.text_area("New text", max_chars=codesign.MAX_OUTCOME)
            if st.form_submit_button("Save outcome") and index is not None:
                act(lambda s: codesign.edit_outcome(s, scope, credential_id=credential_id, expected_version=base,
                                                    index=index, text=new_text), f"Saved outcome {index + 1}.")
        with right.form(f"cd_outcome_add_{base}", clear_on_submit=True):
            st.markdown("**Add an outcome**")
            text = st.text_area("New learning outcome", max_chars=codesign.MAX_OUTCOME,
                                placeholder="Learners can …")
            position = st.number_input("At position", min_value=1, max_value=len(d.outcomes) + 1,
                                       value=len(d.outcomes) + 1, step=1)
            if st.form_submit_button("Add outcome"):
                act(lambda s: codesign.add_outcome(s, scope, credential_id=credential_id, expected_version=base,
                                                   text=text, position=int(position)), "Outcome added.")

with tab_skills:
    skills_table(d.skills)
    if editable:
        left, right = st.columns(2)
        with left.form(f"cd_skill_map_{base}"):
            st.markdown("**Map a skill**")
            skill_id = st.selectbox("Skill", list(skill_names), format_func=skill_names.get, index=None,
                                    placeholder="Choose a skill")
            proficiency = st.slider("Proficiency", min_value=1, max_value=5, value=3)
            if st.form_submit_button("Save skill mapping"):
                if skill_id is None:
                    st.error("Choose a skill.")
                else:
                    act(lambda s: codesign.set_skill(s, scope, credential_id=credential_id, expected_version=base,
                                                     skill_id=skill_id, proficiency=proficiency), "Skill mapped.")
            mapped = dict(zip(d.skills["skill_id"].astype(int), d.skills["skill"]))
            if mapped:
                drop = st.selectbox("Remove a mapped skill", [None, *mapped],
                                    format_func=lambda k: "—" if k is None else mapped[k])
                if st.form_submit_button("Remove skill") and drop is not None:
                    act(lambda s: codesign.remove_skill(s, scope, credential_id=credential_id, expected_version=base,
                                                        skill_id=drop), "Skill removed.")
        with right.form("cd_skill_new", clear_on_submit=True):
            st.markdown("**Add a skill to the list**")
            name = st.text_input("Skill name", max_chars=200)
            category = st.text_input("Category (optional)", max_chars=80)
            esco = st.text_input("ESCO URI (optional)", max_chars=300,
                                 placeholder="http://data.europa.eu/esco/skill/…")
            if st.form_submit_button("Add skill"):
                act(lambda s: codesign.add_skill(s, scope, name=name, category=category, esco_uri=esco),
                    "Skill added to the list; map it on the left.")

with tab_proposals:
    can_propose = editable and d.side is not None
    if can_propose:
        fields = [f for f in codesign.PROPOSABLE if f != "skills"]
        with st.form(f"cd_propose_{credential_id}", clear_on_submit=True):
            st.markdown("**Propose a change**")
            field = st.selectbox("Field", fields, format_func=codesign.LABELS.get)
            value = st.text_area("New value", help="For learning outcomes: one outcome per line.")
            rationale = st.text_area("Rationale", max_chars=codesign.MAX_RATIONALE)
            if st.form_submit_button("Propose change"):
                new_value = [line for line in value.splitlines() if line.strip()] if field == "outcomes" else value
                act(lambda s: codesign.propose(s, scope, credential_id=credential_id, field=field,
                                               new_value=new_value, rationale=rationale),
                    "Proposal sent to the other side.")
    if not d.proposals:
        st.caption("No proposals yet.")
    for p in d.proposals:
        with st.container(border=True):
            st.markdown(md(f"#{p['id']} · {p['label']} · {p['status']}"))
            st.caption(md(f"by {p['proposer']} ({p['organization']}) on version {p['base_version']}, "
                          f"{codesign.as_datetime(p['created_at'])}"
                          + (f" · decided by {p['decided_by']}" if p["decided_by"] else "")))
            c1, c2 = st.columns(2)
            c1.markdown("**Now**")
            c1.text(p["current"])
            c2.markdown("**Proposed**")
            c2.text(p["proposed"])
            st.markdown("**Rationale:** " + md(p["rationale"]))
            for c in p["comments"]:
                st.markdown(md(f"{c['author']}: {c['text']}"))
            if p["status"] != "open" or d.side is None or role == Role.viewer:
                continue
            note = st.text_input("Comment", key=f"cd_note_{p['id']}", max_chars=codesign.MAX_COMMENT)
            b1, b2, b3 = st.columns(3)
            if b1.button("Add comment", key=f"comment_{p['id']}"):
                act(lambda s, pid=p["id"]: codesign.comment(s, scope, proposal_id=pid, text=note), "Comment added.")
            if p["side"] != d.side:
                if b2.button("Accept", key=f"accept_{p['id']}", type="primary"):
                    act(lambda s, pid=p["id"]: codesign.accept(s, scope, proposal_id=pid, expected_version=base),
                        f"Proposal #{p['id']} accepted and applied.")
                if b3.button("Reject", key=f"reject_{p['id']}"):
                    act(lambda s, pid=p["id"]: codesign.reject(s, scope, proposal_id=pid, note=note),
                        f"Proposal #{p['id']} rejected.")
            elif b2.button("Withdraw", key=f"withdraw_{p['id']}"):
                act(lambda s, pid=p["id"]: codesign.withdraw(s, scope, proposal_id=pid),
                    f"Proposal #{p['id']} withdrawn.")

with tab_signoff:
    st.caption(f"Approvals of version {cred.version}. Any edit withdraws the approvals given so far.")
    st.dataframe(d.signoff, hide_index=True, width="stretch", column_config={
        "organization": "Organisation", "party": "Party", "state": "State", "approved_by": "Approved by",
        "approved_at": st.column_config.DatetimeColumn("At", format="D MMM YYYY, HH:mm")})
    university_side = role == Role.admin or (d.side == "university" and role == Role.partnership_officer)
    may_approve = d.side is not None and (role == Role.admin or (d.side == "university" and role == Role.partnership_officer)
                                          or (d.side == "employer" and role == Role.hr_manager))
    status = S(cred.status)
    b1, b2, b3 = st.columns(3)
    if status == S.draft and d.can_edit:
        if b1.button("Submit for review", key="cd_submit", type="primary"):
            act(lambda s: codesign.submit_for_review(s, scope, credential_id=credential_id, expected_version=base),
                "Submitted for review.")
    if status == S.in_review and may_approve:
        if b1.button(f"Approve version {cred.version}", key="cd_approve", type="primary"):
            act(lambda s: codesign.approve(s, scope, credential_id=credential_id, expected_version=base),
                f"Approved version {cred.version}.")
    if status == S.approved and university_side:
        if b1.button("Publish", key="cd_publish", type="primary"):
            act(lambda s: codesign.publish(s, scope, credential_id=credential_id, expected_version=base), "Published.")
    if status in (S.in_review, S.approved) and d.can_edit:
        if b2.button("Return to draft", key="cd_to_draft"):
            act(lambda s: codesign.return_to_draft(s, scope, credential_id=credential_id, expected_version=base),
                "Returned to draft.")
    if status == S.published and university_side:
        reason = b2.text_input("Reason for retiring", key="cd_retire_reason", max_chars=500)
        if b1.button("Retire", key="cd_retire"):
            act(lambda s: codesign.retire(s, scope, credential_id=credential_id, expected_version=base,
                                          reason=reason), "Retired. Its history and badges remain.")
