"""Overview: headline figures against the previous period, trends, top credentials, alerts."""

import streamlit as st

from services.formatting import fmt
from services.metrics import DEFINITIONS, MIN_GROUP, SUPPRESSED, suppress_small_groups
from services.periods import today as today_
from ui import charts, data
from ui.filters import filter_bar
from ui.tables import show_suppressed, table
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today)
period = filters.period

st.title("Overview")
st.caption(f"{who.organization_name} · {period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})")

now = data.get("summary", scope, filters, today)
before = data.get("summary", scope, filters.with_period(period.previous()), today)
if now.headcount == 0 and now.enrollments == 0 and now.active == 0:
    empty_state(
        "Nothing to show for these filters. Choose another period or clear filters in the sidebar; "
        "if your organisation has no data yet, an administrator can import employees and enrollments."
    )
    st.stop()

kpi_row([
    Kpi("Headcount", now.headcount, "Employees on the payroll on any day of the period.", before.headcount),
    Kpi("Enrollments", now.enrollments, "Enrollments made in the period.", before.enrollments),
    Kpi("Completions", now.completed, "Enrollments completed in the period.", before.completed),
    Kpi("Active learners", now.active, "Enrollments still enrolled or in progress at the period's end.", before.active),
])
kpi_row([
    Kpi("Completion rate", now.completion_rate, "Completed ÷ (completed + failed + withdrawn) in the period.",
        before.completion_rate, kind="rate"),
    Kpi("Participation", now.participation_rate, "People who enrolled in the period ÷ headcount.",
        before.participation_rate, kind="rate"),
    Kpi("Median days to complete", now.median_days_to_complete, "From enrollment to completion, for completions in the period.",
        before.median_days_to_complete, lower_is_better=True),
    Kpi("Cost per completion", now.cost_per_completion, "Spend on enrollments made in the period ÷ completions in it.",
        before.cost_per_completion, kind="money", lower_is_better=True),
])

left, right = st.columns(2)
series = data.get("by_quarter", scope, filters, today)
with left:
    st.subheader("Enrollments and completions by quarter")
    st.altair_chart(charts.grouped_bars(series, x="quarter", value_vars={"enrollments": "Enrollments", "completed": "Completions"},
                                        x_title="Quarter", y_title="Enrollments"), width="stretch")
with right:
    st.subheader("Completion rate by quarter")
    st.altair_chart(charts.completion_rate_by_quarter(series), width="stretch")
    st.caption("A quarter without completions has no point.")

left, right = st.columns(2)
with left:
    st.subheader("Top credentials")
    creds = data.get("by_credential", scope, filters, today).head(10)
    if creds.empty or creds["enrollments"].sum() == 0:
        empty_state("No enrollments in this period.")
    else:
        st.altair_chart(charts.bars(creds, x="enrollments", y="code", x_title="Enrollments in the period",
                                    y_title="Credential", horizontal=True), width="stretch")
with right:
    st.subheader("Alerts")
    alerts = data.get("alerts", scope, filters, today)
    st.caption(f"As of {fmt(alerts.as_of, 'date')}, whatever the period.")
    st.metric("Learners at risk", fmt(alerts.learners_at_risk), help=DEFINITIONS["Learners at risk"], border=True)
    st.metric("Overdue PDP goals", fmt(alerts.overdue_goals), help=DEFINITIONS["Overdue PDP goals"], border=True)
    if alerts.learners_at_risk:
        with st.expander(f"Learners at risk (the first {fmt(len(alerts.at_risk))})"):
            table(alerts.at_risk)

counts = ["enrollments", "completed", "active", "completion_rate"]
if scope.is_employer_side:
    st.subheader("By department")
    by_department = data.get("by_department", scope, filters, today)
    by_department = show_suppressed(suppress_small_groups(by_department, n_col="headcount", columns=counts), counts)
    table(by_department, ["department", "headcount", *counts])
    st.caption(f"Departments with fewer than {MIN_GROUP} people show “{SUPPRESSED}”.")
else:
    st.subheader(f"Partners ({fmt(now.employers)})")
    table(data.get("by_employer", scope, filters, today), ["employer", "sector", "partnership", "headcount", *counts])
