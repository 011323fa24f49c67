"""Overview: headline figures against the previous period, trends, top credentials, alerts."""

import streamlit as st

from services.metrics import SUPPRESSED, suppress_small_groups
from services.periods import today as today_
from ui import charts, data
from ui.filters import filter_bar
from ui.widgets import Kpi, empty_state, kpi_row, show_suppressed, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today)
period = filters.period

st.title("Overview")
st.caption(f"{who.organization_name} · {period.label} ({period.start:%d %b %Y} – {period.end:%d %b %Y})")

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
    st.altair_chart(charts.line(series.dropna(subset=["completion_rate"]), x="quarter", y="completion_rate",
                                x_title="Quarter", y_title="Completion rate", percent=True), width="stretch")

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
    n_risk, risky = data.get("at_risk_learners", scope, filters, today, limit=50)
    goals = data.get("goal_states", scope, filters, today)
    st.metric("Learners at risk", f"{n_risk:,}", help="Enrolled or in progress, past the cohort's mid-point, "
              "with no recorded activity for 30 days or more.", border=True)
    st.metric("Overdue PDP goals", f"{goals['overdue']:,}", help="Planned or in progress, past their due date.",
              border=True)
    if n_risk:
        with st.expander(f"Learners at risk (first {len(risky)})"):
            st.dataframe(risky, hide_index=True, width="stretch")

counts = {
    "headcount": st.column_config.NumberColumn("Headcount", format="%d"),
    "enrollments": st.column_config.NumberColumn("Enrollments", format="%d"),
    "completed": st.column_config.NumberColumn("Completions"),
    "active": st.column_config.NumberColumn("Active learners"),
    "completion_rate": st.column_config.NumberColumn("Completion rate", format="percent"),
}
if scope.is_employer_side:
    st.subheader("By department")
    table = data.get("by_department", scope, filters, today)
    shown = {"enrollments": "count", "completed": "count", "active": "count", "completion_rate": "rate"}
    table = show_suppressed(suppress_small_groups(table, n_col="headcount", columns=list(shown)), shown)
    labels = {"department": "Department", "headcount": counts["headcount"], "enrollments": "Enrollments",
              "completed": "Completions", "active": "Active learners", "completion_rate": "Completion rate"}
    st.dataframe(table[list(labels)], column_config=labels, hide_index=True, width="stretch")
    st.caption(f"Departments with fewer than 5 people show “{SUPPRESSED}”.")
else:
    st.subheader(f"Partners ({now.employers})")
    table = data.get("by_employer", scope, filters, today)
    cols = ["employer", "sector", "partnership", *counts]
    st.dataframe(table[cols], column_config=counts | {"employer": "Employer", "sector": "Sector",
                                                      "partnership": "Partnership"},
                 hide_index=True, width="stretch")
