"""Overview: headline figures for everything the signed-in user may see."""

from datetime import date

import streamlit as st

from ui import data
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = date.today()
version = data.current_data_version()

st.title("Overview")
st.caption(f"{who.organization_name} · figures as of {today:%d %B %Y}")

filters = data.Filters()
head = data.headline(scope, filters, today, version)
if head.headcount == 0 and head.enrollments == 0:
    empty_state(
        "There is no data in your scope yet. An administrator can load demo data with "
        "`python manage.py seed`, or import employees and enrollments."
    )
    st.stop()

kpi_row([
    Kpi("Headcount", head.headcount, "Employees on the payroll today."),
    Kpi("Enrollments", head.enrollments, "Enrollments with an enrollment date up to today, any status."),
    Kpi("Completions", head.completions, "Enrollments with status completed."),
    Kpi("Active learners", head.active_learners, "People with an enrollment that is enrolled or in progress."),
])

columns = {
    "headcount": st.column_config.NumberColumn("Headcount", format="%d"),
    "enrollments": st.column_config.NumberColumn("Enrollments", format="%d"),
    "completions": st.column_config.NumberColumn("Completions", format="%d"),
    "active_learners": st.column_config.NumberColumn("Active learners", format="%d"),
}

if scope.is_employer_side:
    st.subheader("By department")
    table = data.by_department(scope, filters, today, version).drop(columns=["employer"])
    columns["department"] = st.column_config.TextColumn("Department")
else:
    st.subheader(f"Partners ({head.employers})")
    table = data.by_employer(scope, filters, today, version)
    columns |= {
        "employer": st.column_config.TextColumn("Employer"),
        "sector": st.column_config.TextColumn("Sector"),
        "partnership": st.column_config.TextColumn("Partnership"),
    }
st.dataframe(table, column_config=columns, hide_index=True, width="stretch")
