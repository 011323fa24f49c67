"""Co-design studio: create a draft; edit its details, learning outcomes, skills and co-designers; propose,
discuss and decide changes; sign off and publish.

- The picker puts first what needs the user (approvals they owe, proposals they decide, a credential to
  publish), then drafts, then what waits for others; each label says what awaits them. The chosen credential
  stays chosen across reruns and actions, whatever its label becomes (ui/state.choice).
- The open tab is a widget with a key, so an action reruns the page on the same tab.
- Skill proposals (above the picker): HR managers follow the skills they proposed; partnership officers accept
  or reject them (the skills list is the university's).
- Every action passes the version this page loaded (``loaded``): if someone else saved in between,
  services/codesign refuses the change and the page shows what they changed. A sign-off step passes the
  status shown too (``cd_shown_status``): someone else's step meanwhile refuses it.
"""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from services import codesign
from services.formatting import label
from ui import state
from ui.codesign import content, elements, proposals, signoff, vocabulary
from ui.codesign.common import Studio, show_changes, show_flash
from ui.safe import md
from ui.widgets import empty_state, signed_in

TABS = ["Details", "Learning outcomes", "Skills", "Co-designers", "Proposals", "Sign-off"]

who = signed_in()
scope = who.scope

st.title("Co-design studio")
st.caption("Design a micro-credential together: the university and each co-designing employer edit, propose, "
           "discuss and approve; publication needs everyone's approval of the same version.")

with Session(get_engine()) as session:
    choices = codesign.studio_choices(session, scope)
    creates = codesign.may_create(scope)
    partners = dict(codesign.partner_options(session, scope)) if creates else {}

if creates:
    content.new_draft(scope, partners)
vocabulary.skill_proposals(scope)  # the skills list: proposals, and the university's decisions
if not choices:
    show_flash()
    empty_state("There are no credentials you co-design. The catalogue shows the ones you may see."
                + (" Start one with New draft." if creates else ""))
    st.stop()

labels = {a.credential_id: a.label for a in choices}
credential_id = state.choice("Credential", list(labels), key=content.PICKER, format_func=labels.get,
                             help="What needs you comes first; each label says what awaits you.")
with Session(get_engine()) as session:
    detail = codesign.detail(session, scope, credential_id)
    skill_names = dict(codesign.skill_choices(session))
    current = codesign.snapshot(session, detail.credential)
    if not partners and "partners" in detail.actions:
        partners = dict(codesign.partner_options(session, scope, detail.credential.university_id))
cred = detail.credential

# The version this person is working from: set when they first open the credential, moved on only by
# their own saves or by "Load the latest version".
loaded: dict[int, int] = st.session_state.setdefault("cd_loaded", {})
base = loaded.setdefault(credential_id, cred.version)
# The status this person was shown on the previous run, the one a sign-off button was pressed on: status
# changes keep the version, so a step is checked against it (someone else's step meanwhile is not overwritten).
shown_status: dict[int, str] = st.session_state.setdefault("cd_shown_status", {})
studio = Studio(scope=scope, credential_id=credential_id, base=base, loaded=loaded, detail=detail,
                status=shown_status.get(credential_id, cred.status))
shown_status[credential_id] = cred.status

content.header(studio)
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

if not codesign.content_editable(cred):  # the service's rule: published and retired content is frozen
    st.info(md(f"{cred.code} is {label(cred.status).lower()}: its content is frozen."), icon=":material/lock:")
show_flash()

# A key and on_change="rerun" make the tabs a widget: the open tab survives every rerun (an action's too).
tab = dict(zip(TABS, st.tabs(TABS, key="cd_tab", on_change="rerun"), strict=True))
with tab["Details"]:
    content.details(studio)
    elements.readiness_line(current, cred.status)  # the full checklist is on the Sign-off tab
with tab["Learning outcomes"]:
    content.outcomes(studio)
with tab["Skills"]:
    content.skills(studio, skill_names)
with tab["Co-designers"]:
    content.co_designers(studio, partners)
with tab["Proposals"]:
    proposals.proposals(studio, current, skill_names)
with tab["Sign-off"]:
    elements.checklist(current, cred.status, detail.university)  # what submitting and publishing check
    ready, readiness = elements.readiness(current, cred.status)
    signoff.signoff(studio, blocked="" if ready else readiness)
