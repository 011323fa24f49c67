"""Quarterly review: the quarter against the last one and a year ago, ready to present and download."""

import streamlit as st

from services import options
from services.formatting import fmt, label
from services.metrics import SUPPRESSED
from services.periods import last_complete_quarter
from services.periods import today as today_
from services.review_export import kpi_display, measures_display, pack_charts
from ui import access, data, review_actions, review_slideshow
from ui.filters import quarter_choices, small_group_note
from ui.person_link import open_person_control, people_of
from ui.safe import md
from ui.tables import table
from ui.widgets import empty_state, signed_in

who = signed_in()
scope = who.scope
today = today_()

quarters = quarter_choices(scope, today, 12)
default = last_complete_quarter(today).label
present = review_slideshow.presenting()
partners = {} if scope.is_employer_side else dict(data.options(options.employers, scope))
if not present:  # presenting, no picker is on screen: their values stay in the session for when it ends
    controls = st.columns([1, 2, 1])
    controls[0].selectbox("Quarter", list(quarters), index=list(quarters).index(default), key="review_quarter")
    if not scope.is_employer_side:
        controls[1].selectbox("Partner", [None, *partners], key="review_partner",
                              format_func=lambda k: "All partners" if k is None else partners[k])
    controls[2].toggle("Presentation mode", key="review_present",
                       help="Show the review as slides, one at a time, for a shared screen: the arrow keys move "
                            "between slides, Esc ends the presentation.")
quarter = quarters.get(st.session_state.get("review_quarter"), quarters[default])
choice = st.session_state.get("review_partner")
employer_ids = frozenset({choice}) if choice in partners else None

pack = data.review_pack(scope, quarter, employer_ids, today)
if present:
    review_slideshow.show(pack)
    st.stop()
st.title(f"Quarterly review {quarter.label}")
st.caption(md(f"{pack.audience} · {fmt(quarter.start, 'date')} – {fmt(quarter.end, 'date')} · compared with "
              f"{pack.previous.label} and {pack.last_year.label}"))
small_group_note(scope)

st.subheader("Summary")
for line in pack.narrative:
    st.text(f"• {line}")
if pack.is_empty:
    empty_state("No enrollment activity in this quarter. Choose another quarter or partner.")

st.subheader("Headline figures")
st.dataframe(kpi_display(pack.kpis), hide_index=True, width="stretch")

pack_figures = pack_charts(pack)
# The skill-gap heatmap has a column per department or skill: it needs the full width to label them.
wide = {name: pack_figures.pop(name) for name in ("skill_gaps",) if name in pack_figures}
left, right = st.columns(2)
for position, (name, chart) in enumerate(pack_figures.items()):
    with (left if position % 2 == 0 else right):
        st.markdown(f"**{label(name)}**")
        st.altair_chart(chart, width="stretch")
for name, chart in wide.items():
    st.markdown(f"**{label(name)}**")
    st.altair_chart(chart, width="stretch")

st.subheader("Enrollments and completions by credential")
table(pack.by_credential)

left, right = st.columns(2)
with left:
    st.subheader("Skills gained against gaps")
    st.text(f"Skills gained: {fmt(pack.skills_gained)} (previous quarter {fmt(pack.skills_gained_previous)}); "
            f"gap closed: {fmt(pack.gap_closed, 'rate')}.")
    if pack.skill_gaps.empty:
        st.caption(f"No department–skill group with a PDP target has 5 or more people ({SUPPRESSED} are not shown).")
    else:
        table(pack.skill_gaps)
    st.subheader("PDP progress")
    st.caption(f"Goal states as of {fmt(pack.alerts.as_of, 'date')}.")
    table(pack.tables()["PDP goals"])
with right:
    st.subheader("Outcomes at work")
    st.dataframe(measures_display(pack.outcomes_table()), hide_index=True, width="stretch")
    st.subheader("Spend and budget")
    st.dataframe(measures_display(pack.budget_table()), hide_index=True, width="stretch")

st.subheader("Credentials in co-design")
if pack.co_design.empty:
    st.caption("No credential is in co-design.")
else:
    table(pack.co_design, ["code", "title", "status", "version", "co_designing_employers", "last_change"])
st.markdown(f"**What changed in co-design in {quarter.label}**")
if pack.co_design_changes.empty:
    st.caption("No change to a credential's content was saved in the quarter.")
else:
    table(pack.co_design_changes)

review_actions.section(scope, pack, quarter=quarter, employer_ids=employer_ids, today=today, present=present)

st.subheader("At-risk items")
alerts = pack.alerts
st.text(f"As of {fmt(alerts.as_of, 'date')}: learners at risk {fmt(alerts.learners_at_risk)} · "
        f"overdue PDP goals {fmt(alerts.overdue_goals)}")
if not alerts.at_risk.empty:
    table(alerts.at_risk)
    if not present:  # a shared screen shows the pack, not the controls
        open_person_control(people_of(alerts.at_risk_people, alerts.at_risk["employee"]), key="review_at_risk",
                            origin="pages/review.py", scope=scope)
# The at-risk list names learners: on the page and in the PDF and workbook, an individual-level view.
at_risk_view = {"description": f"Quarterly review {quarter.label}, learners at risk as of {fmt(alerts.as_of, 'date')}",
                "people": alerts.at_risk_people}
access.shown(scope, view="learners at risk (quarterly review)", **at_risk_view)

st.subheader("Download the pack")
if st.toggle("Prepare PDF, Excel and chart files", key="review_prepare"):
    with st.spinner("Rendering the pack…"):
        files = data.review_files(scope, quarter, employer_ids, today, data.current_data_version())
    cols = st.columns(len(files))
    mimes = {".pdf": "application/pdf", ".zip": "application/zip",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
    captions = {".pptx": "Download the deck (PowerPoint)"}
    for col, (name, content) in zip(cols, files.items(), strict=True):
        suffix = name[name.rindex('.'):]
        col.download_button(captions.get(suffix, f"Download {suffix[1:].upper()}"), content, name,
                            # The files hold aggregates only (learners at risk counted by credential): taking
                            # one is no individual-level view, so it is not in the access log.
                            mimes[suffix], key=f"dl_{name}", icon=":material/download:")
