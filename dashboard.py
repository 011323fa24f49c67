"""Entry point: sign-in gate, then the page list for the signed-in user's role.

    streamlit run dashboard.py

Only pages passed to st.navigation can be reached, so the list built here per
role is the page-level access control. Row-level access is db/scope.py's job.
"""

from __future__ import annotations

import logging

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import Role
from services.formatting import label
from services.identity import Refused, record_logout, session_expired, sign_in
from ui.navigation import PAGES as PAGE_ENTRIES
from ui.navigation import ROLE_PAGES
from ui.safe import md
from ui.widgets import SIGNED_IN_KEY

log = logging.getLogger("dashboard")

st.set_page_config(page_title="Micro-credentials", page_icon=":material/school:", layout="wide")

# Built from the registry in ui/navigation.py (plain data the benchmark reads too).
PAGES = {
    name: st.Page(entry.path, title=entry.title, icon=entry.icon, url_path=entry.url_path, default=entry.default)
    for name, entry in PAGE_ENTRIES.items()
}

LOGGED_IN_KEY = "recorded_login_for"


def login_screen() -> None:
    st.title("Micro-credentials dashboard")
    st.write(
        "Enrollments, completions and upskilling of staff in the micro-credentials "
        "that employers and the university design together."
    )
    if st.button("Log in", type="primary", icon=":material/login:"):
        st.login()


def gate(screen, title: str) -> None:
    """Show only ``screen`` and end the run: for signed-out, expired and no-access visitors.

    Without st.navigation Streamlit lists (and opens) the pages/ folder's files; one
    screen with position="hidden" shows no page list. It is also registered, hidden,
    under every page's address, so a bookmarked /codesign shows it rather than
    Streamlit's "Page not found" dialog."""
    pages = [st.Page(screen, title=title, url_path="signin", default=True)]
    pages += [st.Page(screen, title=title, url_path=name, visibility="hidden") for name in PAGES]
    st.navigation(pages, position="hidden").run()
    st.stop()


def log_out(claims: dict) -> None:
    """Record the logout in the database first (every process then refuses this login's
    cookie, even a copy of it), then let Streamlit clear the cookie and end the provider's session."""
    with Session(get_engine()) as session:
        record_logout(session, claims)
    st.session_state.clear()
    st.logout()


def stop_with(title: str, message: str, claims: dict) -> None:
    def screen() -> None:
        st.title(title)
        st.write(md(message))  # it quotes the identity's email, which the provider's user may have typed
        if st.button("Log out", icon=":material/logout:"):
            log_out(claims)

    gate(screen, title)


def main() -> None:
    if not st.user.is_logged_in:
        gate(login_screen, "Sign in")

    claims = st.user.to_dict()
    if session_expired(claims):
        stop_with("Session expired", "Your session has expired. Please log out and sign in again.", claims)

    email = str(claims.get("email") or "")
    # Resolved on every run, so a deactivated account or a logged-out cookie (in any
    # process) loses access at its next click.
    with Session(get_engine()) as session:
        first_run = st.session_state.get(LOGGED_IN_KEY) != email
        who = sign_in(session, claims, record_login=first_run)
    if isinstance(who, Refused):
        st.session_state.pop(SIGNED_IN_KEY, None)
        stop_with(who.title, who.message, claims)
    st.session_state[LOGGED_IN_KEY] = email
    st.session_state[SIGNED_IN_KEY] = who

    # st.navigation first: widgets created before it get new ids on a session's first
    # run (Streamlit 1.67 with a pages/ folder), which made the first click on Log out miss.
    page = st.navigation([PAGES[name] for name in ROLE_PAGES[Role(who.role)]])
    with st.sidebar:
        st.text(who.display_name)
        st.caption(f"{md(who.organization_name)} · {label(who.role)}")
        if st.button("Log out", icon=":material/logout:"):
            log_out(claims)

    try:
        page.run()
    except Exception:  # a clear message instead of a traceback; st.stop/rerun are BaseException
        log.exception("page %s failed for %s", page.title, who.email)
        st.error(
            "Something went wrong while drawing this page. The error has been logged; "
            "please try again, or change the filters.",
            icon=":material/error:",
        )


main()
