"""Sign-off: who has approved the current version (studio and catalogue), and the studio's sign-off buttons."""

from __future__ import annotations

import streamlit as st

from services import codesign
from services.formatting import fmt
from ui.codesign.common import Studio, fresh
from ui.tables import table


def signoff_table(d: codesign.Detail) -> None:
    """The parties and their approval of the current version, and where the record comes from when the
    credential reached publication outside this dashboard's workflow (an import, say)."""
    cred = d.credential
    st.caption(f"Approvals of version {fmt(cred.version)}. Publication needs the university and every co-designing "
               "employer; any edit withdraws the approvals given so far.")
    table(d.signoff, codesign.SIGNOFF_COLUMNS)
    if d.signoff_note:
        st.info(d.signoff_note, icon=":material/history:")


def _after_approval(s: Studio):
    def message(session, _approval) -> str:
        waiting = codesign.waiting_for_approval(session, s.scope, s.credential_id)
        done = f"Approved version {fmt(s.base)}."
        if waiting:
            return f"{done} Still to approve: {codesign.and_list(waiting)}."
        return f"{done} Every party has approved it: it is approved, and the university can publish it."
    return message


def _after_submit(s: Studio):
    def message(session, _cred) -> str:
        waiting = codesign.waiting_for_approval(session, s.scope, s.credential_id)
        return (f"Submitted for review: version {fmt(s.base)} now needs the approval of {codesign.and_list(waiting)}."
                if waiting else "Submitted for review; every party had already approved this version.")
    return message


def actions(s: Studio) -> None:
    cred = s.d.credential
    kw = dict(credential_id=s.credential_id, expected_version=s.base)
    b1, b2 = st.columns(2)
    if s.may("submit") and b1.button("Submit for review", key="cd_submit", type="primary"):
        s.act(lambda ss: codesign.submit_for_review(ss, s.scope, **kw), _after_submit(s))
    if s.may("approve") and b1.button(f"Approve version {fmt(cred.version)}", key="cd_approve", type="primary"):
        s.act(lambda ss: codesign.approve(ss, s.scope, **kw), _after_approval(s))
    if s.may("publish") and b1.button("Publish", key="cd_publish", type="primary"):
        s.act(lambda ss: codesign.publish(ss, s.scope, **kw),
              f"Published version {fmt(cred.version)}: it is in every partner's catalogue; its content is frozen.")
    if s.may("return_to_draft") and b2.button("Return to draft", key="cd_to_draft"):
        s.act(lambda ss: codesign.return_to_draft(ss, s.scope, **kw), "Returned to draft.")
    if s.may("retire"):
        reason = b2.text_input("Reason for retiring", key=fresh("cd_retire_reason"), max_chars=500)
        if b1.button("Retire", key="cd_retire"):
            s.act(lambda ss: codesign.retire(ss, s.scope, reason=reason, **kw),
                  "Retired. Its history and badges remain.", clear=["cd_retire_reason"])
    waiting = [r.organization for r in s.d.signoff.itertuples() if r.state == "waiting"]
    if cred.status == "in_review" and not s.may("approve"):
        st.caption(f"Waiting for the approval of {codesign.and_list(waiting)}." if waiting else "")
    if cred.status == "draft" and not s.may("submit"):
        st.caption("A co-designer submits the draft for review.")
    if cred.status == "approved" and not s.may("publish"):
        st.caption("Every party approved this version: the university publishes it.")


def signoff(s: Studio) -> None:
    signoff_table(s.d)
    actions(s)
