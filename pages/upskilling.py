"""Upskilling: skill gaps, skills gained, assessment levels, outcomes, retention, cost and budget."""

import streamlit as st

from services.metrics import MIN_GROUP, SUPPRESSED, gap_closed_overall
from services.periods import today as today_
from ui import charts, data
from ui.filters import filter_bar
from services.formatting import fmt
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today, cohorts=False)
period = filters.period

st.title("Upskilling")
st.caption(f"{period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})")

gained = data.get("skills_gained", scope, filters, today)
gained_before = data.get("skills_gained", scope, filters.with_period(period.previous()), today)
gaps = data.get("skill_gaps", scope, filters, today)
s = data.get("summary", scope, filters, today)
money = data.get("budget", scope, filters, today)
outcome = data.get("outcome_change", scope, filters, today)
kept = data.get("retention", scope, filters, today)

kpi_row([
    Kpi("Skills gained", gained, "Employee–skill pairs gained in the period: through a completed credential, "
        "or an assessment higher than the previous one.", gained_before),
    Kpi("Skill gap closed", gap_closed_overall(gaps) if not gaps.empty else None,
        "Share of the gap between PDP target levels and first assessed levels that is closed now.", kind="rate"),
    Kpi("Cost per completion", s.cost_per_completion, "Spend on enrollments made in the period ÷ completions in it.",
        kind="money"),
    Kpi("Budget used", money.used, f"Spend {fmt(money.spend, 'money')} of a pro-rata budget of "
        f"{fmt(money.budget_for_period, 'money')} for the period.", kind="rate"),
])

st.subheader("Skill gaps by department")
if gaps.empty:
    empty_state("No PDP goals with a target skill level in scope. Add goals with target skills on the PDPs page.")
else:
    heat = gaps[gaps["people"] >= MIN_GROUP]
    if heat.empty:
        st.info(f"Every department–skill group has {SUPPRESSED} people, so no gaps can be shown without "
                "identifying individuals.")
    else:
        heat = heat.assign(row=heat["department"] if heat["employer"].nunique() == 1
                           else heat["employer"] + " · " + heat["department"])
        st.altair_chart(charts.heatmap(heat, x="skill", y="row", value="mean_gap", x_title="Skill",
                                       y_title="Department", value_title="Mean gap (levels)"), width="stretch")
        hidden = int((gaps["people"] < MIN_GROUP).sum())
        if hidden:
            st.caption(f"{hidden} department–skill groups with {SUPPRESSED} people are not shown.")

left, right = st.columns(2)
with left:
    st.subheader("Skills gained by quarter")
    st.altair_chart(charts.bars(data.get("skills_gained_by_quarter", scope, filters, today), x="quarter",
                                y="skills_gained", x_title="Quarter", y_title="Skills gained"), width="stretch")
with right:
    st.subheader("Assessed level before and after")
    levels = data.get("assessment_levels", scope, filters, today)
    levels = levels[levels["people"] >= MIN_GROUP]
    if levels.empty:
        empty_state(f"No skill with assessments of at least {MIN_GROUP} completers in this period.")
    else:
        wide = levels.pivot_table(index="skill", columns="side", values="mean_level").reset_index()
        wide = wide.rename(columns={"before": "Before enrolling", "after": "After completing"})
        cols = {c: c for c in ("Before enrolling", "After completing") if c in wide}
        st.altair_chart(charts.grouped_bars(wide, x="skill", value_vars=cols, x_title="Skill",
                                            y_title="Mean assessed level (0–5)"), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Change at work")
    if outcome.performance_change is None:
        st.info(f"Outcome surveys of {fmt(outcome.n)} completers: {SUPPRESSED} answers, not shown.")
    else:
        kpi_row([
            Kpi("Job performance", outcome.performance_change, "Mean after minus before (1–5 scale).",
                kind="mean_change"),
            Kpi("Job satisfaction", outcome.satisfaction_change, "Mean after minus before (1–5 scale).",
                kind="mean_change"),
        ])
        st.caption(f"From {fmt(outcome.n)} surveys of people who completed a credential in the period.")
with right:
    st.subheader("12-month retention")
    kpi_row([
        Kpi("Completers", kept.completer_rate if kept.completer_rate is not None else (SUPPRESSED if kept.completers else None),
            f"Of {fmt(kept.completers)} people employed on {fmt(kept.reference_day, 'date')} who had completed a credential, "
            "the share still employed at the period's end.", kind="rate"),
        Kpi("Non-completers", kept.other_rate if kept.other_rate is not None else (SUPPRESSED if kept.others else None),
            f"Of {fmt(kept.others)} people employed then with no completed credential, the share still employed.",
            kind="rate"),
    ])

st.subheader("Spend against budget")
st.write(f"Spend on enrollments made in the period: **{fmt(money.spend, 'money')}** · "
         f"annual partnership budget: **{fmt(money.annual_budget, 'money')}** · "
         f"pro-rata for the period: **{fmt(money.budget_for_period, 'money')}**.")
