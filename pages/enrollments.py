"""Enrollment and completion: status funnel, breakdowns, time to complete, learner list."""

import pandas as pd
import streamlit as st

from db.models import EnrollmentStatus
from services import charts, learners, metrics
from services.formatting import fmt, label
from services.learners import MAX_EXPORT_ROWS
from services.periods import today as today_
from ui import access, data, paging, state
from ui.completion_files import completion_files, european_digital_credentials, open_badges
from ui.filters import filter_bar
from ui.person_link import open_person_control, people_of
from ui.tables import downloads, show_suppressed, table
from ui.teams import team_box, team_words
from ui.widgets import empty_state, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today)
period = filters.period

st.title("Enrollment and completion")
st.caption(f"{period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})")

headline = data.get(metrics.summary, scope, filters, today)
outcomes = headline.completed + headline.failed + headline.withdrawn
if headline.enrollments == 0 and headline.active == 0 and outcomes == 0:
    empty_state("No enrollments in this period for these filters. Choose another period or clear filters.")
    st.stop()

outcome_columns = ["enrollments", "completed", "failed", "withdrawn", "active", "completion_rate"]
# An HR manager's tables would repeat their own employer on every row.
employer_column = [] if scope.is_employer_side else ["employer"]

left, right = st.columns(2)
with left:
    st.subheader("Status")
    funnel = pd.DataFrame({
        "status": ["enrolled", "in progress", "completed", "failed", "withdrawn"],
        "label": ["Enrolled in period", "Still learning at end", "Completed", "Failed", "Withdrawn"],
        "count": [headline.enrollments, headline.active, headline.completed, headline.failed, headline.withdrawn],
    })
    st.altair_chart(charts.funnel(funnel, stage="status", count="count", label="label"),
                    width="stretch")
    st.caption("Completed, failed and withdrawn count outcomes dated in the period; "
               "“still learning” counts enrollments open on its last day.")
with right:
    st.subheader("Time to complete")
    days = data.get(metrics.days_to_complete, scope, filters, today)
    if days.empty:
        empty_state("No completions in this period.")
    else:
        st.altair_chart(charts.histogram(days, value="days", weight="completions",
                                         x_title="Days from enrollment to completion", y_title="Completions"),
                        width="stretch")
        st.caption(f"Median {fmt(headline.median_days_to_complete, 'days')} days; 80% finish within "
                   f"{fmt(headline.p80_days_to_complete, 'days')} days.")

# One breakdown at a time: tabs would compute all three on every run, and the cohort
# table reads raw enrollments (thousands of cohorts, no summary table).
breakdown = st.radio("Breakdown", ["By credential", "By cohort", "By department"], horizontal=True,
                     key="enrollment_breakdown", label_visibility="collapsed")
if breakdown == "By credential":
    table(data.get(metrics.by_credential, scope, filters, today), ["code", "title", *outcome_columns])
elif breakdown == "By cohort":
    table(data.get(metrics.by_cohort, scope, filters, today), ["cohort", "code", "starts_on", *outcome_columns])
else:
    departments = data.get(metrics.departments_shown, scope, filters, today)
    table(show_suppressed(departments, outcome_columns),
          [*employer_column, "department", "headcount", *outcome_columns])
    st.caption(metrics.DEPARTMENT_CELLS)

st.subheader("Learners")
team = team_box(scope, key="learner_team")
status_column, search_column, size_column = st.columns([2, 2, 1])
# Kept across pages (ui/state.py): back from a person's page, the list is as it was left.
statuses = status_column.multiselect("Status", [x.value for x in EnrollmentStatus], format_func=label,
                                     key=state.restore("learner_status", []), on_change=state.keep,
                                     args=("learner_status",), placeholder="Any status")
search = search_column.text_input("Search name or employee id", key=state.restore("learner_search", ""),
                                  on_change=state.keep, args=("learner_search",))
sizes = paging.LEARNER_PAGE_SIZES
page_size = size_column.selectbox("Rows per page", sizes, key=state.restore("learner_page_size", sizes[0], sizes),
                                  on_change=state.keep, args=("learner_page_size",))
status_set = frozenset(statuses) or None
asked = dict(statuses=status_set, search=search, team_of=team)
# Keyset pages (services/paging.py): each page seeks from the last row of the one before, so a page reads
# about its own rows; the count of every match is a scan, made only when the pages do not tell it (ui/paging.py).
cursor, page = paging.current("learners", (filters, status_set, search, team, page_size))
_, shown = data.get(learners.learners, scope, filters, today, limit=page_size + 1, count=False, after=cursor, **asked)
more, shown = len(shown) > page_size, shown.head(page_size)
learner_columns = ["employee_ref", "employee", *employer_column, "department", "credential", "cohort", "status",
                   "enrolled_on", "completed_on", "withdrawn_on", "score", "cost"]
if shown.empty:
    empty_state("No learners match.")
    if page > 1:  # the rows after this place went meanwhile: the way back stays
        paging.buttons("learners", page=page, next_cursor=None)
else:
    table(shown, learner_columns)
    open_person_control(people_of(shown["employee_id"], shown["employee"], shown["employee_ref"]), key="learners",
                        origin="pages/enrollments.py", scope=scope)
    access.shown(scope, view="learner list", people=shown["employee_id"],
                 description=access.describe(filters, today, statuses=statuses, search=search, page=page)
                 + team_words(scope, team))
    paging.buttons("learners", page=page, next_cursor=learners.cursor_after(shown) if more else None)
    matches = paging.how_many("learners", "enrollments", page=page, size=page_size, rows=len(shown), more=more,
                              exact=lambda: data.get(learners.learner_count, scope, filters, today, **asked))
    st.caption(f"{matches}; the downloads hold all of them "
               f"(up to {fmt(MAX_EXPORT_ROWS)}), with the columns shown.")
    if st.toggle("Prepare downloads", key="learner_downloads"):
        _, everything = data.get(learners.learners, scope, filters, today, limit=MAX_EXPORT_ROWS, count=False, **asked)
        downloads(everything, f"learners-{period.label or 'period'}".replace(" ", "_"), key="learners",
                  names=learner_columns, **access.on_download(
                      scope, view="learner list download", people=everything["employee_id"],
                      description=access.describe(filters, today, statuses=statuses, search=search)
                      + team_words(scope, team)))

# Signed files of the completions in the current filters: Open Badges 3.0 (services/badges/) and European
# Digital Credentials (services/edc/).
completion_files(open_badges(), scope, filters, today, period.label)
completion_files(european_digital_credentials(), scope, filters, today, period.label)
