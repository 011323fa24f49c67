"""Overview: headline figures against the previous period, trends, top credentials, alerts."""

import streamlit as st

from services import charts, metrics
from services.formatting import fmt
from services.periods import today as today_
from ui import access, data
from ui.codesign.quality import due_panel
from ui.filters import filter_bar
from ui.person_link import open_person_control, people_of
from ui.safe import md
from ui.tables import show_suppressed, table
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today)
period = filters.period

st.title("Overview")
st.caption(md(f"{who.organization_name} · {period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})"))

now = data.get(metrics.summary, scope, filters, today)
before = data.get(metrics.summary, scope, filters.with_period(period.previous()), today)
if now.headcount == 0 and now.enrollments == 0 and now.active == 0:
    empty_state(
        "Nothing to show for these filters. Choose another period or clear filters in the sidebar; "
        "if your organisation has no data yet, an administrator can import employees and enrollments."
    )
    st.stop()

# The cards of docs/metrics.md "Overview KPI cards", each against the previous period.
for row in (("headcount", "enrollments", "completed", "active"),
            ("completion_rate", "participation_rate", "median_days_to_complete", "cost_per_completion")):
    kpi_row([Kpi.of(key, getattr(now, key), getattr(before, key)) for key in row])

left, right = st.columns(2)
series = data.get(metrics.by_quarter, scope, filters, today)
with left:
    st.subheader("Enrollments and completions by quarter")
    st.altair_chart(charts.grouped_bars(series, x="quarter",
                                        value_vars={"enrollments": "Enrollments", "completed": "Completions"},
                                        x_title="Quarter", y_title="Enrollments"), width="stretch")
with right:
    st.subheader("Completion rate by quarter")
    st.altair_chart(charts.completion_rate_by_quarter(series), width="stretch")
    st.caption("A quarter without completions has no point.")

left, right = st.columns(2)
with left:
    st.subheader("Top credentials")
    creds = data.get(metrics.by_credential, scope, filters, today).head(10)
    if creds.empty or creds["enrollments"].sum() == 0:
        empty_state("No enrollments in this period.")
    else:
        st.altair_chart(charts.bars(creds, x="enrollments", y="code", x_title="Enrollments in the period",
                                    y_title="Credential", horizontal=True), width="stretch")
with right:
    st.subheader("Alerts")
    alerts = data.get(metrics.alerts, scope, filters, today)
    st.caption(f"As of {fmt(alerts.as_of, 'date')}, whatever the period.")
    # Stacked, with the full label: beside the other alert it has to say what is overdue.
    for key, value in (("learners_at_risk", alerts.learners_at_risk), ("overdue", alerts.overdue_goals)):
        alert = metrics.METRICS[key]
        st.metric(alert.label, fmt(value, alert.kind), help=alert.definition, border=True)
    if alerts.learners_at_risk:
        with st.expander(f"Learners at risk (the first {fmt(len(alerts.at_risk))})"):
            table(alerts.at_risk)
            open_person_control(people_of(alerts.at_risk_people, alerts.at_risk["employee"]), key="at_risk",
                                origin="pages/overview.py", scope=scope)
        access.shown(scope, view="learners at risk", description=access.describe(filters, today, as_of=True),
                     people=alerts.at_risk_people)

counts = ["enrollments", "completed", "active", "completion_rate"]
if scope.is_employer_side:
    st.subheader("By department")
    departments = show_suppressed(data.get(metrics.departments_shown, scope, filters, today), counts)
    table(departments, ["department", "headcount", *counts])
    st.caption(metrics.DEPARTMENT_CELLS)
else:
    st.subheader(f"Partners ({fmt(now.employers)})")
    table(data.get(metrics.by_employer, scope, filters, today),
          ["employer", "sector", "partnership", "headcount", *counts])

# Officers, admins and HR managers: the yearly quality reviews of the credentials they follow, whatever the period.
due_panel(scope, today)
