"""Person: one person's record (profile, PDP goals, learning, badges, skill levels against targets, what is due),
opened from any list that names people (ui/person_link.py) or found here; the URL (?id=) opens it again."""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied
from services import charts, people
from services.formatting import fmt
from services.periods import today as today_
from ui import access, data
from ui.navigation import PAGES
from ui.person_link import ORIGIN_KEY, PERSON_KEY
from ui.safe import md
from ui.tables import table
from ui.widgets import Kpi, empty_state, flash, kpi_row, show_flash, signed_in

PICK = "person_pick"

who = signed_in()
scope = who.scope
today = today_()
st.title("Person")


def picked() -> None:
    """The person chosen in this page's own search: shown now, and in the URL."""
    chosen = st.session_state.get(PICK)
    if chosen is not None:
        st.session_state[PERSON_KEY] = chosen
        st.query_params["id"] = str(chosen)


def person_from_url() -> int | None:
    """The person of the URL (a bookmark, or a link from a list) wins over the one last shown."""
    wanted = st.query_params.get("id", "")
    if wanted.isdigit():
        st.session_state[PERSON_KEY] = int(wanted)
    return st.session_state.get(PERSON_KEY)


def back_link() -> None:
    origin = st.session_state.get(ORIGIN_KEY)
    entry = next((entry for entry in PAGES.values() if entry.path == origin), None)
    if entry is not None:
        st.page_link(entry.path, label=f"Back to {entry.title}", icon=":material/undo:")


def profile_caption(profile: dict) -> str:
    parts = [f"HRIS id {profile['employee_ref']}", profile["employer"], profile["department"] or "no department",
             profile["job_title"] or "no job title recorded", profile["location"] or "no location recorded",
             f"manager {profile['manager']}" if profile["manager"] else "no manager recorded",
             f"hired {fmt(profile['hired_on'], 'date')}"]
    if profile["left_on"]:
        parts.append(f"left {fmt(profile['left_on'], 'date')}")
    if profile["pseudonymised_on"]:
        parts.append(f"pseudonymised {fmt(profile['pseudonymised_on'], 'date')}")
    return " · ".join(parts)


def kpis(record: people.PersonRecord) -> None:
    open_help = ("Planned or in progress." if record.records_shown else "Withheld: the employer keeps PDP goals "
                 "to its own HR.")
    kpi_row([Kpi("Open goals", record.open_goals, open_help),
             Kpi("Completed credentials", record.completed, "Enrollments completed."),
             Kpi("Badges", len(record.badges), "Completed enrollments that issue an Open Badge.")])


def hr_records(record: people.PersonRecord) -> None:
    st.subheader("PDP goals")
    if not record.records_shown:
        empty_state(record.withheld)
        return
    if record.goals.empty:
        empty_state("No PDP goals recorded.")
    else:
        # State and due date first, as on the PDPs page; the plan last.
        table(record.goals, ["state", "status", "due_on", "goal", "skill", "target_level", "credential", "period",
                             "plan_status"])
    st.subheader("Skill levels against targets")
    if record.levels.empty and record.targets.empty:
        empty_state("No skill assessed and no target set.")
        return
    st.altair_chart(charts.levels_over_time(record.levels, record.targets), width="stretch")
    st.caption("Points: assessed levels; dashed lines: the highest target level of the goals not dropped.")


def european_credentials(record: people.PersonRecord) -> None:
    """Each completion as a sealed European Digital Credential (.jsonld), the learner's own to keep."""
    if not st.toggle("Prepare European Digital Credentials", key="person_edc",
                     help="The same completions as sealed European Digital Credentials (Europass, ELM v3)."):
        return
    from services import edc

    try:
        sealed = data.person_edc(scope, person_id)
    except edc.EdcError as exc:
        st.error(md(f"European Digital Credentials cannot be prepared: {exc}"))
        return
    show_flash("person_edc")
    for number, item in enumerate(sealed):
        what = f"{item.title}, completed {fmt(item.completed_on, 'date')}"
        st.download_button(md(f"Download {what} (.jsonld)"), item.content, item.file_name, "application/ld+json",
                           key=f"person_edc_{number}", icon=":material/verified:",
                           on_click=_record_credential_download, args=(item.file_name, what))


def _record_credential_download(file_name: str, what: str) -> None:
    access.record(scope, "EDC download", f"their credential {file_name}", [person_id])
    flash("person_edc", f"Downloaded the European Digital Credential for {what}; the download is recorded in "
                        "the access log.")


def learning(record: people.PersonRecord) -> None:
    st.subheader("Enrollments and results")
    if record.enrollments.empty:
        empty_state("No enrollments.")
    else:
        table(record.enrollments, ["code", "title", "cohort", "status", "enrolled_on", "completed_on", "withdrawn_on",
                                   "score"])
    st.subheader("Badges earned")
    if record.badges.empty:
        st.caption("None yet." if not record.profile["pseudonymised_on"] else
                   "A pseudonymised person is issued no badges.")
    else:
        table(record.badges, headings={"completed_on": "Earned"})
        european_credentials(record)
    st.subheader("Due next")
    if record.due.empty:
        st.caption("Nothing open." if record.records_shown else "No learning in progress or seat held; open goals "
                   "are withheld.")
    else:
        table(record.due, ["what", "item", "on", "when"])


back_link()
search = st.text_input("Find a person by HRIS id or name", key="person_search")
if search.strip():
    with Session(get_engine()) as session:
        matches = dict(people.search_visible(session, scope, text=search))
    if matches:
        st.selectbox("Person", list(matches), format_func=matches.get, index=None, key=PICK, on_change=picked,
                     placeholder="Choose a person")
    else:
        empty_state(md(f"Nobody in your access has an HRIS id or name containing “{search.strip()}”."))

person_id = person_from_url()
if person_id is None:
    empty_state("Find a person above, or open one from a list of learners or PDP goals.")
    st.stop()
try:
    with Session(get_engine()) as session:
        record = people.person_record(session, scope, employee_id=person_id, today=today)
except (AccessDenied, people.PersonNotFound) as exc:
    st.session_state.pop(PERSON_KEY, None)
    st.query_params.pop("id", None)
    st.error(md(f"{exc} Find a person above."))
    st.stop()
st.query_params["id"] = str(person_id)
# Opening a person's record is an individual-level view: logged once per session and person.
access.shown(scope, view="person page", description="their Person page", people=[person_id])

st.subheader(md(record.profile["full_name"]))
st.caption(md(profile_caption(record.profile)))
kpis(record)
hr_records(record)
learning(record)
