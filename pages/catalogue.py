"""Credential catalogue: search and filter; a credential's detail, its European elements (Annex I of the
Council Recommendation), its next review and published change list, sign-off state and version history.

The history is the co-design record as it happened: a revision per saved version (the seed and imports
write theirs too), status changes and approvals; a sign-off that this dashboard did not record is said so.
"""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import CredentialStatus
from services import codesign
from services.codesign import published
from services.formatting import counted, fmt, label
from services.periods import today
from ui.codesign.common import show_changes
from ui.codesign.signoff import signoff_table
from ui.safe import md
from ui.tables import downloads, table
from ui.widgets import empty_state, signed_in, skills_table

who = signed_in()
scope = who.scope

st.title("Credential catalogue")
st.caption("The micro-credentials you may see, with what they teach, who designed them and how they changed.")

with Session(get_engine()) as session:
    partner_names = dict(codesign.partner_choices(session, scope))
    skill_names = dict(codesign.skill_choices(session))

search_column, status_column, partner_column, skill_column, level_column, european_column = st.columns(
    [3, 2, 2, 2, 1, 2])
search = search_column.text_input("Search code, title or summary", key="cat_search")
statuses = status_column.multiselect("Status", [status.value for status in CredentialStatus], key="cat_status",
                                     format_func=label, placeholder="Any status")
partners = partner_column.multiselect("Co-designed with", list(partner_names), format_func=partner_names.get,
                                      key="cat_partner", placeholder="Any employer")
skills = skill_column.multiselect("Skill", list(skill_names), format_func=skill_names.get, key="cat_skill",
                                  placeholder="Any skill")
levels = level_column.multiselect("EQF level", list(range(1, 9)), key="cat_level", placeholder="Any")
european = european_column.selectbox("European standard", codesign.EUROPEAN_FILTERS, key="cat_european",
                                     format_func=label, help="Complete: every mandatory element of the EU "
                                     "Council Recommendation on micro-credentials (Annex I) is set.")

with Session(get_engine()) as session:
    credentials = codesign.catalogue(session, scope, statuses=statuses, partner_ids=partners, skill_ids=skills,
                               levels=levels, search=search, european=european)
if credentials.empty:
    empty_state("No credentials match. Clear the search or the filters.")
    st.stop()

# What fits at 1440 px; learning hours and skills are in each credential's detail below.
table(credentials, ["code", "title", "status", "eqf_level", "ects_credits", "delivery_mode", "price", "partners",
                    "version", "european_standard"])
st.caption(f"{fmt(len(credentials))} credentials. Open one below for its outcomes, skills, cohorts and history.")

labels = dict(zip(credentials["credential_id"].astype(int), credentials["code"] + " · " + credentials["title"],
                  strict=True))
credential_id = st.selectbox("Open a credential", list(labels), format_func=labels.get, key="cat_credential")
if credential_id is None:
    st.stop()
with Session(get_engine()) as session:
    d = codesign.detail(session, scope, credential_id)
    events = codesign.history_events(session, scope, credential_id) if d.design_visible else None
cred = d.credential

st.divider()
st.subheader(md(f"{cred.code} · {cred.title}"), anchor=False)
st.caption(md(f"{d.university} · {label(cred.status)} · version {fmt(cred.version)}"))
m = st.columns(5)
m[0].metric("EQF level", fmt(cred.eqf_level), border=True)
m[1].metric("ECTS credits", fmt(cred.ects_credits, "credits"), border=True)
m[2].metric("Learning hours", fmt(cred.learning_hours), border=True)
m[3].metric("Delivery", label(cred.delivery_mode), border=True)
m[4].metric("Price", fmt(cred.price, "price"), border=True)
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
        table(d.cohorts, ["cohort", "starts_on", "ends_on", "seats"])
with right:
    st.markdown("**Pathways it stacks into**")
    if d.pathways.empty:
        st.caption("Not part of a pathway.")
    else:
        table(d.pathways, ["pathway", "title", "step", "steps"])

st.subheader("European standard", anchor=False)
st.caption(md(f"Next review: {published.review_text(cred.next_review_on, today())}."))
with Session(get_engine()) as session:
    elements = published.elements(session, scope, credential_id)
    changes = published.change_list(session, scope, credential_id)
lacking = [element.name for element in elements if element.mandatory and not element.met]
if lacking:
    st.warning(md(f"Missing for the European standard: {', '.join(lacking)}."))
table(pd.DataFrame([(element.name, "Mandatory" if element.mandatory else "Optional",
                     "Set" if element.met else ("Missing" if element.mandatory else "Not given"), element.shown)
                    for element in elements], columns=["element", "requirement", "set", "value"]),
      ["element", "requirement", "set", "value"])

st.markdown("**Published change list**")
if changes.empty:
    st.caption("No published version is recorded for this credential.")
else:
    st.caption(md(f"Every published version of {cred.code} and what it changed, field by field "
                  f"({counted(changes['version'].nunique(), 'published version')})."))
    downloads(changes, f"{cred.code}-published-changes", key=f"cat_changes_{credential_id}")

if not d.design_visible:
    st.caption("The design history is shared between the university and the employers that co-design a credential.")
    st.stop()

st.subheader("Sign-off")
signoff_table(d)

st.subheader("History")
if d.revisions is None or d.revisions.empty:
    st.caption("No saved version is recorded for this credential.")
else:
    st.caption("Every saved version of its content: who saved it, when, and what changed.")
    table(d.revisions.rename(columns={"summary": "change"}), ["version", "saved_by", "saved_at", "change"])
    versions = [int(v) for v in d.revisions["version"]]
    if len(versions) > 1:
        a, b = st.columns(2)
        v_from = a.selectbox("Compare version", versions, index=1, key=f"cat_from_{credential_id}")
        v_to = b.selectbox("with version", versions, index=0, key=f"cat_to_{credential_id}")
        with Session(get_engine()) as session:
            changes = codesign.compare(session, scope, credential_id, v_from, v_to)
        if changes:
            show_changes(changes, f"What changed from version {v_from} to version {v_to}:",
                         before=f"Version {v_from}", after=f"Version {v_to}")
        else:
            st.caption("No differences.")
if events is not None and not events.empty:
    st.markdown("**Creation, imports, status changes and approvals**")
    table(events, ["at", "by", "event"])
if d.can_edit:
    st.caption("You co-design this credential: change it in the Co-design studio.")
