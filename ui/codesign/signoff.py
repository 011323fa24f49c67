"""Sign-off: who has approved the current version (studio and catalogue), and the studio's sign-off buttons."""

from __future__ import annotations

import streamlit as st

from services import codesign
from services.formatting import fmt
from ui.codesign.common import Studio, fresh
from ui.safe import md
from ui.tables import table


def signoff_table(detail: codesign.Detail) -> None:
    """The parties and their approval of the current version, and where the record comes from when the
    credential reached publication outside this dashboard's workflow (an import, say)."""
    cred = detail.credential
    st.caption(f"Approvals of version {fmt(cred.version)}. Publication needs the university and every co-designing "
               "employer; any edit withdraws the approvals given so far.")
    table(detail.signoff, codesign.SIGNOFF_COLUMNS)
    if detail.signoff_note:
        st.info(detail.signoff_note, icon=":material/history:")


def _after_approval(studio: Studio):
    def message(session, _approval) -> str:
        waiting = codesign.waiting_for_approval(session, studio.scope, studio.credential_id)
        done = f"Approved version {fmt(studio.base)}."
        if waiting:
            return f"{done} Still to approve: {codesign.and_list(waiting)}."
        return f"{done} Every party has approved it: it is approved, and the university can publish it."
    return message


def _after_submit(studio: Studio):
    def message(session, _cred) -> str:
        waiting = codesign.waiting_for_approval(session, studio.scope, studio.credential_id)
        return (f"Submitted for review: version {fmt(studio.base)} now needs the approval of "
                f"{codesign.and_list(waiting)}." if waiting
                else "Submitted for review; every party had already approved this version.")
    return message


def _buttons(studio: Studio, blocked: str) -> None:
    """The sign-off steps the user may take now (``Detail.actions``). ``blocked`` (what the content still lacks)
    is said on Submit and Publish; they stay pressable, and a press is refused with the same words (Studio.act)."""
    cred, target = studio.detail.credential, studio.step
    why = blocked or None
    main_column, side_column = st.columns(2)
    if studio.may("submit") and main_column.button("Submit for review", key="cd_submit", type="primary", help=why):
        studio.act(lambda session: codesign.submit_for_review(session, studio.scope, **target), _after_submit(studio))
    if studio.may("approve") and main_column.button(f"Approve version {fmt(cred.version)}", key="cd_approve",
                                                    type="primary"):
        studio.act(lambda session: codesign.approve(session, studio.scope, **target), _after_approval(studio))
    if studio.may("publish") and main_column.button("Publish", key="cd_publish", type="primary", help=why):
        studio.act(lambda session: codesign.publish(session, studio.scope, **target),
                   f"Published version {fmt(cred.version)}: it is in every partner's catalogue; "
                   "its content is frozen.")
    if studio.may("return_to_draft") and side_column.button("Return to draft", key="cd_to_draft"):
        studio.act(lambda session: codesign.return_to_draft(session, studio.scope, **target), "Returned to draft.")
    if studio.may("retire"):
        reason = side_column.text_input("Reason for retiring", key=fresh("cd_retire_reason"), max_chars=500)
        if main_column.button("Retire", key="cd_retire"):
            studio.act(lambda session: codesign.retire(session, studio.scope, reason=reason, **target),
                       "Retired. Its history and badges remain.", clear=["cd_retire_reason"])


def _waiting_caption(studio: Studio) -> None:
    """Why there is no button: who the next step waits for."""
    status = studio.detail.credential.status
    waiting = [row.organization for row in studio.detail.signoff.itertuples() if row.state == "waiting"]
    if status == "in_review" and not studio.may("approve"):
        st.caption(md(f"Waiting for the approval of {codesign.and_list(waiting)}.") if waiting else "")
    if status == "draft" and not studio.may("submit"):
        st.caption("A co-designer submits the draft for review.")
    if status == "approved" and not studio.may("publish"):
        st.caption("Every party approved this version: the university publishes it.")


def actions(studio: Studio, blocked: str = "") -> None:
    _buttons(studio, blocked)
    _waiting_caption(studio)


def signoff(studio: Studio, blocked: str = "") -> None:
    signoff_table(studio.detail)
    actions(studio, blocked)
