"""Privacy: whether the employer shares its people's HR records with each partner university by name, and the
access log of who was shown its people's records (HR managers: their own people; administrators: everyone)."""

from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import utcnow
from db.scope import AccessDenied
from services import access_history, permissions, sharing, spreadsheets
from services.formatting import export_frame, fmt
from ui.safe import md
from ui.tables import table
from ui.widgets import empty_state, flash, show_flash, signed_in

who = signed_in()
scope = who.scope
today = utcnow().date()  # the log's real days (UTC), not the figures' "as of" day
PAGE_SIZE = 50

st.title("Privacy")
st.caption("A university teaches its learners, so its partnership officers see their enrollments and results by "
           "name. An employee's PDP goals, manager and self assessments and outcome-survey answers are the "
           "employer's HR records: a university's officers see them only in aggregate, unless the employer "
           "shares them with that university here.")

# The setting each toggle showed this person: a change is made against it, so a change made meanwhile in
# another tab or by another HR manager is refused, never overwritten.
seen: dict[int, bool] = st.session_state.setdefault("privacy_seen", {})


def change_sharing(partnership_id: int, university: str, employer: str) -> None:
    """The toggle's on_change: runs before the page, so the page below shows the stored setting."""
    share = bool(st.session_state[f"privacy_share_{partnership_id}"])
    try:
        with Session(get_engine()) as session:
            sharing.set_sharing(session, scope, partnership_id=partnership_id, share=share,
                                expected=seen.get(partnership_id, not share))
    except (sharing.SharingError, AccessDenied) as exc:
        flash("privacy_sharing", str(exc), kind="error")
        return
    flash("privacy_sharing", f"Sharing with {university} is on: its partnership officers now see {employer}'s "
          f"people's {sharing.SHARED} by name." if share else
          f"Sharing with {university} is off: its partnership officers see {employer}'s people's HR records "
          "in aggregate only.")


st.subheader("Sharing with partner universities")
if scope.is_employer_side:
    st.write(f"On: the university's officers also see your people's {sharing.SHARED} by name, on the PDPs page "
             "and in its downloads. Off: only in aggregate. Enrollments and results are theirs to see either way.")
show_flash("privacy_sharing")
with Session(get_engine()) as session:
    partnerships = sharing.partnerships(session, scope)
    changes = sharing.history(session, scope)
if not partnerships:
    empty_state("No partnerships in your access.")
for row in partnerships:
    key = f"privacy_share_{row.partnership_id}"
    st.session_state[key] = seen[row.partnership_id] = row.shares  # what is stored, whatever was clicked before
    title = (f"Share with {row.university}" if scope.is_employer_side
             else f"{row.employer} shares with {row.university}")
    st.toggle(md(title), key=key, disabled=not row.may_change, on_change=change_sharing,
              args=(row.partnership_id, row.university, row.employer),
              help=None if row.may_change else md(f"Only {row.employer}'s HR managers change this."))
if partnerships and not any(row.may_change for row in partnerships):
    st.caption("Only each employer's HR managers turn sharing on or off.")
if not changes.empty:
    with st.expander(f"Changes to sharing (the latest {fmt(len(changes))})"):
        table(changes)

if not permissions.may_read_access_log(scope):
    st.stop()

st.subheader("Access log" if scope.sees_all else "Who was shown your people's records")
st.caption("Every learner list, PDP goal list, download and badge file that showed someone's records, with who "
           "saw it, when, the selection and the people in it. "
           + ("You see every employer's entries." if scope.sees_all else "You see the entries about your people."))
dates_column, person_column = st.columns(2)
chosen = dates_column.date_input("From – to", value=(today - timedelta(days=30), today), max_value=today,
                                 format="DD/MM/YYYY", key="privacy_dates")
since, until = (chosen[0], chosen[-1]) if chosen else (None, None)
person = person_column.text_input("Person (name or employee id)", key="privacy_person")
with Session(get_engine()) as session:
    total = access_history.entry_count(session, scope, since=since, until=until, person=person)
pages = max(1, -(-total // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="privacy_page") if pages > 1 else 1
with Session(get_engine()) as session:
    _, entries = access_history.entries(session, scope, since=since, until=until, person=person, limit=PAGE_SIZE,
                                        offset=(page - 1) * PAGE_SIZE)
columns = [name for name in access_history.COLUMNS if scope.sees_all or name != "employer"]
if entries.empty:
    empty_state("No entries in these dates" + (f" about “{md(person.strip())}”." if person.strip() else "."))
    st.stop()
table(entries, columns)
st.caption(f"{fmt(total)} {'entry' if total == 1 else 'entries'}, newest first.")
if st.toggle("Prepare the download", key="privacy_download"):
    with Session(get_engine()) as session:
        _, everything = access_history.entries(session, scope, since=since, until=until, person=person,
                                               limit=access_history.MAX_EXPORT_ROWS)
    st.download_button("Download CSV", spreadsheets.csv_bytes(export_frame(everything, columns)),
                       f"access-log-{since or 'start'}-{until or today}.csv", "text/csv",
                       key="privacy_csv", icon=":material/download:")
