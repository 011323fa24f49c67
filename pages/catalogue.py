"""Credential catalogue: search and filter; a credential's detail, sign-off state and version history."""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import CredentialStatus
from services import codesign
from ui.safe import md
from ui.widgets import empty_state, signed_in, skills_table

who = signed_in()
scope = who.scope

st.title("Credential catalogue")
st.caption("The micro-credentials you may see, with what they teach, who designed them and how they changed.")

with Session(get_engine()) as session:
    partner_names = dict(codesign.partner_choices(session, scope))
    skill_names = dict(codesign.skill_choices(session))

c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 1])
search = c1.text_input("Search code, title or summary", key="cat_search")
statuses = c2.multiselect("Status", [s.value for s in CredentialStatus], key="cat_status",
                          format_func=lambda s: s.replace("_", " "), placeholder="Any status")
partners = c3.multiselect("Co-designed with", list(partner_names), format_func=partner_names.get, key="cat_partner",
                          placeholder="Any employer")
skills = c4.multiselect("Skill", list(skill_names), format_func=skill_names.get, key="cat_skill",
                        placeholder="Any skill")
levels = c5.multiselect("EQF level", list(range(1, 9)), key="cat_level", placeholder="Any")

with Session(get_engine()) as session:
    table = codesign.catalogue(session, scope, statuses=statuses, partner_ids=partners, skill_ids=skills,
                               levels=levels, search=search)
if table.empty:
    empty_state("No credentials match. Clear the search or the filters.")
    st.stop()

st.dataframe(table.drop(columns=["credential_id", "updated_at"]), hide_index=True, width="stretch", column_config={
    "code": "Code", "title": "Title", "status": "Status", "eqf_level": st.column_config.NumberColumn("EQF"),
    "ects_credits": st.column_config.NumberColumn("ECTS", format="%.1f"),
    "learning_hours": st.column_config.NumberColumn("Hours"), "delivery_mode": "Delivery",
    "price": st.column_config.NumberColumn("Price", format="£%.2f"), "partners": "Co-designed with",
    "skills": "Skills", "version": st.column_config.NumberColumn("Version"),
})
st.caption(f"{len(table):,} credentials.")

labels = dict(zip(table["credential_id"].astype(int), table["code"] + " · " + table["title"]))
credential_id = st.selectbox("Open a credential", list(labels), format_func=labels.get, key="cat_credential")
if credential_id is None:
    st.stop()
with Session(get_engine()) as session:
    d = codesign.detail(session, scope, credential_id)
    events = codesign.history_events(session, scope, credential_id) if d.design_visible else None
cred = d.credential

st.divider()
st.subheader(md(f"{cred.code} · {cred.title}"))
st.caption(md(f"{d.university} · {cred.status.replace('_', ' ')} · version {cred.version}"))
m = st.columns(5)
m[0].metric("EQF level", cred.eqf_level, border=True)
m[1].metric("ECTS credits", f"{cred.ects_credits:.1f}", border=True)
m[2].metric("Learning hours", f"{cred.learning_hours:,}", border=True)
m[3].metric("Delivery", cred.delivery_mode.replace("_", " "), border=True)
m[4].metric("Price", f"£{cred.price:,.2f}", border=True)
if cred.summary:
    st.markdown(md(cred.summary))
else:
    st.caption("No summary yet.")

left, right = st.columns(2)
with left:
    st.markdown("**Learning outcomes**")
    if d.outcomes:
        st.markdown("\n".join(f"{i}. {md(t)}" for i, t in enumerate(d.outcomes, 1)))
    else:
        st.caption("None yet.")
    st.markdown("**Co-designed with**")
    st.markdown(md(d.partners) if d.partners else "The university alone.")
with right:
    st.markdown("**Skills**")
    skills_table(d.skills)

left, right = st.columns(2)
with left:
    st.markdown("**Cohorts**")
    if d.cohorts.empty:
        st.caption("No cohorts you may see.")
    else:
        st.dataframe(d.cohorts, hide_index=True, width="stretch", column_config={
            "cohort": "Cohort", "starts_on": st.column_config.DateColumn("Starts"),
            "ends_on": st.column_config.DateColumn("Ends"), "seats": st.column_config.NumberColumn("Seats")})
with right:
    st.markdown("**Pathways it stacks into**")
    if d.pathways.empty:
        st.caption("Not part of a pathway.")
    else:
        st.dataframe(d.pathways, hide_index=True, width="stretch", column_config={
            "pathway": "Pathway", "title": "Title", "step": st.column_config.NumberColumn("Step"),
            "steps": st.column_config.NumberColumn("of")})

if not d.design_visible:
    st.caption("The design history is shared between the university and the employers that co-design a credential.")
    st.stop()

st.subheader("Sign-off")
st.caption(f"Approvals of version {cred.version}. Publication needs the university and every co-designing employer; "
           "any edit withdraws the approvals given so far.")
st.dataframe(d.signoff, hide_index=True, width="stretch", column_config={
    "organization": "Organisation", "party": "Party", "state": "State", "approved_by": "Approved by",
    "approved_at": st.column_config.DatetimeColumn("At", format="D MMM YYYY, HH:mm")})

st.subheader("History")
if d.revisions is None or d.revisions.empty:
    st.caption("No saved changes yet.")
else:
    st.dataframe(d.revisions, hide_index=True, width="stretch", column_config={
        "version": st.column_config.NumberColumn("Version"), "saved_by": "Saved by",
        "saved_at": st.column_config.DatetimeColumn("Saved", format="D MMM YYYY, HH:mm"), "summary": "Change"})
    versions = [int(v) for v in d.revisions["version"]]
    if len(versions) > 1:
        a, b = st.columns(2)
        v_from = a.selectbox("Compare version", versions, index=1, key=f"cat_from_{credential_id}")
        v_to = b.selectbox("with version", versions, index=0, key=f"cat_to_{credential_id}")
        with Session(get_engine()) as session:
            changes = codesign.compare(session, scope, credential_id, v_from, v_to)
        if changes:
            st.dataframe(codesign.diff_frame(changes), hide_index=True, width="stretch",
                         column_config={"field": "Field", "before": f"Version {v_from}", "after": f"Version {v_to}"})
        else:
            st.caption("No differences.")
if events is not None and not events.empty:
    st.markdown("**Status changes and approvals**")
    st.dataframe(events, hide_index=True, width="stretch", column_config={
        "at": st.column_config.DatetimeColumn("At", format="D MMM YYYY, HH:mm"), "by": "By", "event": "Event"})
if d.can_edit:
    st.caption("You co-design this credential: change it in the Co-design studio.")
