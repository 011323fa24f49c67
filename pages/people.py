"""People (HR managers, admins): answer one person's request for a copy of their data, or for its erasure."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied, Scope
from services import people
from services.formatting import fmt
from services.periods import today
from ui import access, state
from ui.safe import md
from ui.widgets import empty_state, flash, show_flash, signed_in

SEARCH = "people_search"
# After an erasure the search is set to the pseudonym (before the box is drawn), so the same person stays chosen.
NEXT_SEARCH = "people_search_next"

who = signed_in()
st.title("People")
st.caption("Answer one person's request: a copy of everything held about them, or the erasure of their name, "
           "email, HRIS id and free text. Opening a person's record and every download are recorded in the "
           "access log.")


def record_download(scope: Scope, employee_id: int, what: str) -> None:
    with Session(get_engine()) as session:
        people.record_export(session, scope, employee_id=employee_id, what=what)
    flash("people_download", f"Downloaded the {what}; the download is recorded in the access log.")


def profile_caption(profile: dict) -> str:
    parts = [f"HRIS id {profile['employee_ref']}", profile["employer"], profile["department"] or "no department",
             f"hired {fmt(profile['hired_on'], 'date')}"]
    if profile["left_on"]:
        parts.append(f"left {fmt(profile['left_on'], 'date')}")
    return " · ".join(parts)


def downloads(data: people.PersonData) -> None:
    st.subheader("Their data")
    st.dataframe(pd.DataFrame({"Records": [section.title for section in data.sections],
                               "Rows": [len(section.rows) for section in data.sections]}),
                 hide_index=True, width=420)
    stem = people.file_stem(data)
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Download JSON", people.as_json(data), f"{stem}.json", "application/json",
                         key="people_json", icon=":material/download:", on_click=record_download,
                         args=(who.scope, data.employee_id, "JSON file"))
    right.download_button("Download HTML", people.as_html(data), f"{stem}.html", "text/html",
                          key="people_html", icon=":material/download:", on_click=record_download,
                          args=(who.scope, data.employee_id, "HTML file"))
    show_flash("people_download")


def erase_form(employee_id: int, profile: dict) -> None:
    st.subheader("Erase")
    if profile["pseudonymised_on"]:
        st.info(f"Pseudonymised on {fmt(profile['pseudonymised_on'], 'date')}: there is nothing left to erase.",
                icon=":material/info:")
        return
    st.write("Erasing replaces the name, email and HRIS id by a pseudonym and removes the job title, location "
             "and goal texts. The records stay under the pseudonym, so the figures of past periods do not "
             "change. It cannot be undone.")
    with st.form("people_erase", clear_on_submit=True):
        typed = st.text_input(md(f"Type the HRIS id {profile['employee_ref']} to confirm"), key="people_confirm")
        if st.form_submit_button("Erase this person", type="primary", icon=":material/delete:"):
            try:
                with Session(get_engine()) as session:
                    erased = people.erase(session, who.scope, employee_id=employee_id, confirm_ref=typed,
                                          today=today())
            except (people.EraseRefused, AccessDenied) as exc:
                st.error(md(exc))
            else:
                flash("people", f"Erased: this person is now {erased.pseudonym} ({erased.pseudonym_ref}). Their name, "
                                f"email, HRIS id, job title, location and {fmt(erased.goals)} goal texts are gone; "
                                "their records stay, under the pseudonym, in past figures.")
                st.session_state[NEXT_SEARCH] = erased.pseudonym_ref
                st.rerun()


if NEXT_SEARCH in st.session_state:
    st.session_state[SEARCH] = st.session_state.pop(NEXT_SEARCH)
search = st.text_input("Find a person by HRIS id or name", key=SEARCH)
with Session(get_engine()) as session:
    matches = dict(people.search(session, who.scope, text=search))
if not search.strip():
    show_flash("people")
    empty_state("Type an HRIS id or part of a name.")
elif not matches:
    show_flash("people")
    empty_state(md(f"Nobody in your access has an HRIS id or name containing “{search.strip()}”."))
else:
    person_id = state.choice("Person", list(matches), key="people_person", format_func=matches.get)
    show_flash("people")
    with Session(get_engine()) as session:
        data = people.person_data(session, who.scope, employee_id=person_id)
    profile = data.profile.rows[0]
    # Opening a person's record is an individual-level view like a list: it goes in the access log.
    access.shown(who.scope, view="person page", description="one person's record", people=[person_id])
    st.subheader(md(profile["full_name"]))
    st.caption(md(profile_caption(profile)))
    downloads(data)
    erase_form(person_id, profile)
