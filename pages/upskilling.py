"""Upskilling: skill gaps, skills gained, assessment levels, outcomes, retention, cost and budget."""

import streamlit as st

from services import charts, metrics
from services.formatting import fmt
from services.metrics import MIN_GROUP, SUPPRESSED, or_suppressed
from services.periods import today as today_
from ui import data
from ui.filters import filter_bar
from ui.plan.entry import plan_for_a_gap
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

who = signed_in()
scope = who.scope
today = today_()
filters = filter_bar(who, today, cohorts=False)
period = filters.period

st.title("Upskilling")
st.caption(f"{period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})")

gained = data.get(metrics.skills_gained, scope, filters, today)
gained_before = data.get(metrics.skills_gained, scope, filters.with_period(period.previous()), today)
gaps = data.get(metrics.skill_gaps_shown, scope, filters, today)
headline = data.get(metrics.summary, scope, filters, today)
money = data.get(metrics.budget, scope, filters, today)
outcome = data.get(metrics.outcome_change_shown, scope, filters, today)
kept = data.get(metrics.retention_shown, scope, filters, today)

kpi_row([
    Kpi.of("skills_gained", gained, gained_before),
    Kpi.of("gap_closed", gaps.gap_closed),
    Kpi.of("cost_per_completion", headline.cost_per_completion),
    Kpi.of("used", money.used, detail=f"Spend {fmt(money.spend, 'money')} of a pro-rata budget of "
                                      f"{fmt(money.budget_for_period, 'money')} for the period."),
])

st.subheader("Skill gaps by department")
if gaps.as_of is not None and gaps.as_of != today:
    st.caption(f"As of {fmt(gaps.as_of, 'date')}: gaps are read at a quarter's end, or today.")
if not gaps.any_targets:
    empty_state("No PDP goals with a target skill level in scope. Add goals with target skills on the PDPs page.")
else:
    heat = gaps.shown
    if heat.empty:
        st.info(f"Every department–skill group has {SUPPRESSED} people, so no gaps can be shown without "
                "identifying individuals.")
    else:
        heat = heat.assign(row=heat["department"] if heat["employer"].nunique() == 1
                           else heat["employer"] + " · " + heat["department"])
        st.altair_chart(charts.heatmap(heat, x="skill", y="row", value="mean_gap", x_title="Skill",
                                       y_title="Department", value_title="Mean gap (levels)"), width="stretch")
        if gaps.hidden:
            st.caption(f"{fmt(gaps.hidden)} department–skill groups with {SUPPRESSED} people are not shown.")
        plan_for_a_gap(who, heat)

left, right = st.columns(2)
with left:
    st.subheader("Skills gained by quarter")
    st.altair_chart(charts.bars(data.get(metrics.skills_gained_by_quarter, scope, filters, today), x="quarter",
                                y="skills_gained", x_title="Quarter", y_title="Skills gained"), width="stretch")
with right:
    st.subheader("Assessed level before and after")
    levels = data.get(metrics.assessment_levels_shown, scope, filters, today)
    if levels.empty:
        empty_state(metrics.assessment_levels_note(filters, today=today)
                    or f"No group of at least {MIN_GROUP} completers with assessments in this period.")
    else:
        wide = levels.pivot_table(index="skill", columns="side", values="mean_level").reset_index()
        wide = wide.rename(columns={"before": "Before enrolling", "after": "After completing"})
        sides = {side: side for side in ("Before enrolling", "After completing") if side in wide}
        st.altair_chart(charts.grouped_bars(wide, x="skill", value_vars=sides, x_title="Skill",
                                            y_title="Mean assessed level (0–5)"), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Change at work")
    if not outcome.shown:
        st.info(outcome.note)
    else:
        kpi_row([Kpi.of("performance_change", outcome.performance_change),
                 Kpi.of("satisfaction_change", outcome.satisfaction_change)])
        st.caption(f"From {fmt(outcome.n)} surveys of people who completed a credential in {outcome.quarters.label}, "
                   f"in groups of {MIN_GROUP} or more: each department, and an employer's smaller departments "
                   "together. Smaller groups count in no figure.")
with right:
    st.subheader("12-month retention")
    if kept.end is None:
        st.info(kept.note)
    else:
        kpi_row([
            Kpi.of("completer_rate", or_suppressed(kept.completer_rate, kept.completers),
                   detail=f"{fmt(kept.completers)} completers were employed on {fmt(kept.reference_day, 'date')}."),
            Kpi.of("other_rate", or_suppressed(kept.other_rate, kept.others),
                   detail=f"{fmt(kept.others)} others were employed then."),
        ])
        st.caption(f"Still employed on {fmt(kept.end, 'date')}, the end of the period's last whole quarter; in "
                   f"groups of {MIN_GROUP} or more: each department, and an employer's smaller departments together. "
                   "Smaller groups count in no figure.")

st.subheader("Spend against budget")
st.write(f"Spend on enrollments made in the period: **{fmt(money.spend, 'money')}** · "
         f"annual partnership budget: **{fmt(money.annual_budget, 'money')}** · "
         f"pro-rata for the period: **{fmt(money.budget_for_period, 'money')}**.")
