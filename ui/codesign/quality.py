"""The yearly quality review: the studio's Quality review tab, and the overview's "Quality reviews due" panel.

The rules (who records, the 12-month limit, what each outcome leads to) are services/codesign/quality_review's;
this module draws them. A review is recorded against the next review date the user was shown on the previous
run (``SHOWN``), as a sign-off step is against the status shown: another officer's review meanwhile refuses it.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import Scope
from services.codesign import quality_review as qr
from services.formatting import counted, fmt, label
from ui import state
from ui.codesign.common import Studio, fresh
from ui.navigation import ROLE_PAGES
from ui.tables import table

TAB = "Quality review"
OPEN_TAB = "cd_open_tab"  # a tab another page asks the studio to open (the overview's "Open in the studio")
PICKER = "cd_credential"  # the studio's credential picker (ui/codesign/content.PICKER)
SHOWN = "cd_review_shown"
OUTCOME_WORDS = {"continue_as_is": "Continue as it is", "revise": "Revise", "retire": "Retire"}


def _dates(status: qr.ReviewStatus) -> None:
    last_column, next_column = st.columns(2)
    last_column.metric("Last review", fmt(status.last_reviewed_on, "date") if status.last_reviewed_on else "None yet")
    next_column.metric("Next review", fmt(status.next_review_on, "date") if status.next_review_on else "Not scheduled")
    if status.state == qr.OVERDUE:
        st.error(f"The yearly review is overdue: it was due on {fmt(status.next_review_on, 'date')} "
                 f"({status.when}).", icon=":material/event_busy:")
    elif status.state == qr.DUE_SOON:
        st.warning(f"The yearly review is {status.when} ({fmt(status.next_review_on, 'date')}).",
                   icon=":material/event_upcoming:")
    elif status.state == qr.NOT_SCHEDULED:
        st.warning("No review date is set: record a review to start the yearly cycle.", icon=":material/event:")


def _last_decision(history) -> None:
    """What the latest review decided, when it asks for a next step."""
    if history.empty:
        return
    latest = history.iloc[0]
    on = fmt(latest["reviewed_on"], "date")
    if latest["outcome"] == "revise":
        st.info(f"Revision agreed at the review of {on}. Published content is frozen: the revised credential "
                "is designed as a new draft.", icon=":material/edit_note:")
    elif latest["outcome"] == "retire":
        st.warning(f"Retirement decided at the review of {on}: the university retires it on the Sign-off tab.",
                   icon=":material/archive:")


def _form(studio: Studio, status: qr.ReviewStatus, expected: date | None, today: date) -> None:
    form = fresh("cd_review")
    with st.form(f"{form}_{studio.credential_id}"):
        st.caption("Record this year's review of the published version: the outcome, your notes, and when the next "
                   "review is due (at most 12 months from today; earlier if the review asks for it).")
        outcome = st.selectbox("Outcome", qr.OUTCOMES, format_func=OUTCOME_WORDS.get, key=f"{form}_outcome")
        notes = st.text_area("Notes", max_chars=qr.MAX_NOTES, key=f"{form}_notes",
                             help="What was reviewed and why this outcome. Shared with the co-designers.")
        next_on = st.date_input("Next review", value=status.default_next, min_value=today + timedelta(days=1),
                                max_value=status.default_next, format="DD/MM/YYYY", key=f"{form}_next")
        if st.form_submit_button("Record review", type="primary"):
            studio.act(lambda session: qr.record_review(
                session, studio.scope, credential_id=studio.credential_id, expected_next_review_on=expected,
                outcome=outcome, notes=notes, next_review_on=next_on, today=today),
                lambda _session, review: qr.recorded_message(review), clear=["cd_review"])


def quality(studio: Studio, today: date) -> None:
    """The Quality review tab: the dates, the history, and the university side's form."""
    with Session(get_engine()) as session:
        status = qr.review_status(session, studio.scope, studio.credential_id, today=today)
        history = qr.review_history(session, studio.scope, studio.credential_id)
    shown: dict[int, date | None] = st.session_state.setdefault(SHOWN, {})
    expected = shown.get(studio.credential_id, status.next_review_on)
    shown[studio.credential_id] = status.next_review_on
    if not status.published:
        st.caption(f"The yearly quality review applies to published credentials; this one is "
                   f"{label(studio.detail.credential.status).lower()}.")
    else:
        _dates(status)
    _last_decision(history)
    if history.empty:
        st.caption("No review recorded yet.")
    else:
        st.caption(f"{counted(len(history), 'review')}, newest first.")
        table(history, qr.HISTORY_COLUMNS)
    if status.may_record:
        _form(studio, status, expected, today)
    elif status.published:
        st.caption("The credential's university records its yearly reviews; co-designers read them here.")


def open_requested_tab() -> None:
    """Before the studio draws its tabs: open the tab another page asked for."""
    wanted = st.session_state.pop(OPEN_TAB, None)
    if wanted:
        st.session_state["cd_tab"] = wanted


def due_panel(scope: Scope, today: date) -> None:
    """The overview's "Quality reviews due": the published credentials the user follows whose yearly review is
    overdue or due within 60 days, with a way into the studio for those the user may open there."""
    if scope.read_only:
        return
    with Session(get_engine()) as session:
        due = qr.reviews_due(session, scope, today=today)
    st.subheader("Quality reviews due")
    if due.empty:
        st.caption(f"No yearly quality review is overdue or due within {qr.DUE_WITHIN_DAYS} days.")
        return
    counts = qr.due_counts(due)
    words = [f"{fmt(counts.overdue)} overdue", f"{fmt(counts.due_soon)} due within {qr.DUE_WITHIN_DAYS} days"]
    if counts.not_scheduled:
        words.append(f"{fmt(counts.not_scheduled)} not scheduled")
    st.caption(f"As of {fmt(today, 'date')}: " + ", ".join(words) + ". Each published credential is reviewed "
               "at least once a year.")
    table(due, qr.DUE_COLUMNS)
    openable = {int(row.credential_id): f"{row.code} · {row.title}" for row in due.itertuples() if row.studio}
    if not openable or "codesign" not in ROLE_PAGES.get(scope.role, []):
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = state.choice("Open a credential's review", list(openable), key="qr_due_credential",
                          format_func=openable.get, container=left)
    if right.button("Open in the studio", key="qr_due_open", icon=":material/handshake:"):
        state.select(PICKER, chosen)
        st.session_state[OPEN_TAB] = TAB
        st.switch_page("pages/codesign.py")
