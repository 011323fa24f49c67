"""The pack's charts: the same Altair specs the page draws (services/charts.py, plain Altair),
rendered to PNG with vl-convert."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import vl_convert as vlc

from services import charts
from services.formatting import label
from services.review import ReviewPack
from services.review_export.tables import top_gaps

GAP_CELLS = 20  # department–skill groups in the skill-gap heatmap, the largest (people × mean gap) first


def pack_charts(pack: ReviewPack) -> dict[str, alt.Chart]:
    """The pack's charts by file-name stem; only charts that have data. The skill-gap heatmap holds the
    GAP_CELLS largest gaps (the tables hold them all)."""
    out: dict[str, alt.Chart] = {}
    if not pack.by_quarter.empty:
        out["enrollments_and_completions_by_quarter"] = charts.grouped_bars(
            pack.by_quarter, x="quarter", value_vars={"enrollments": "Enrollments", "completed": "Completions"},
            x_title="Quarter", y_title="Enrollments")
        if (pack.by_quarter["completed"] > 0).any():
            out["completion_rate_by_quarter"] = charts.completion_rate_by_quarter(pack.by_quarter)
    creds = pack.by_credential[pack.by_credential["enrollments"] > 0].head(12)
    if not creds.empty:
        out["enrollments_by_credential"] = charts.bars(creds, x="enrollments", y="code",
                                                       x_title="Enrollments in the quarter", y_title="Credential",
                                                       horizontal=True)
    if not pack.days_to_complete.empty:
        out["time_to_complete"] = charts.histogram(pack.days_to_complete, value="days", weight="completions",
                                                   x_title="Days from enrollment to completion", y_title="Completions")
    if not pack.skill_gaps.empty:
        # The largest gaps only: a heatmap of every group is unreadable on a page or a slide.
        gaps = top_gaps(pack.skill_gaps).head(GAP_CELLS)
        gaps = gaps.assign(row=gaps["employer"] + " · " + gaps["department"])
        out["skill_gaps"] = charts.heatmap(gaps, x="skill", y="row", value="mean_gap", x_title="Skill",
                                           y_title="Department", value_title="Mean gap (levels)")
    if sum(pack.goal_states.values()):
        goals = pd.DataFrame({"state": [label(s) for s in pack.goal_states],
                              "goals": list(pack.goal_states.values())})
        out["pdp_goals"] = charts.bars(goals, x="state", y="goals", x_title="Goal state", y_title="PDP goals")
    return out


def chart_png(chart: alt.Chart, *, scale: float = 2.0) -> bytes:
    spec = chart.properties(width=640).to_dict()
    spec.setdefault("config", {})["background"] = "white"
    # Dates in the data become ISO strings, as Vega-Lite reads them.
    return vlc.vegalite_to_png(json.dumps(spec, default=str), scale=scale)
