"""Every category of a chart gets a readable axis label.

The charts are rendered to SVG with vl-convert under the parts of Streamlit's chart
theme that hide labels (labelOverlap, a 100 px labelLimit, the whole chart fitted into
its height), at the widths a 1440 px window gives a full-width chart and a half-width
column. Each axis's labels are read back from the SVG: one per category, and no two
closer than a line of text.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import vl_convert as vlc

from services import charts
from services.review_slides import Chart

# What Streamlit 1.67's theme sets on every Vega-Lite chart that matters here (frontend theme).
STREAMLIT_THEME = {
    "autosize": {"type": "fit", "contains": "padding"},
    "axis": {"labelFontSize": 12, "titleFontSize": 14, "labelLimit": 100, "labelOverlap": True,
             "labelPadding": 16, "titlePadding": 16, "labelSeparation": 4, "labelBound": False, "ticks": False},
}
FULL, HALF = 980, 480  # px of a full-width chart and of a half-width column in a 1440 px window
FONT_PX = 12
SVG = "{http://www.w3.org/2000/svg}"

SKILLS = [f"{verb} {thing}" for verb, thing in zip(
    ["apply", "analyse", "use", "lead", "manage"] * 5,
    ["statistical analysis techniques to service data", "supply chain strategies across regions",
     "e-health and mobile health technologies", "cross-functional improvement programmes",
     "cloud infrastructure cost and capacity", "evidence-based practice in clinical teams",
     "big data platforms for operational reporting", "organisational change and communication",
     "customer experience research and design", "budgets and forecasts for a department",
     "cybersecurity principles in everyday work", "continuous improvement with lean methods",
     "spreadsheets software for financial models", "a team through a restructuring",
     "healthcare users' data under data protection law", "deliver visual presentation of data",
     "identify ICT security risks in suppliers", "interpret financial statements quickly",
     "machine learning for demand forecasting", "perform project risk analysis early",
     "report on environmental issues to the board", "respond to incidents in cloud services",
     "automate cloud tasks with scripts", "write work-related reports for managers",
     "query languages to answer questions"], strict=True)]
assert len(SKILLS) == 25 and len(set(SKILLS)) == 25


def departments(n: int) -> list[str]:
    return [f"Riverside Hospitals Trust · Department of Services {i:02d}" for i in range(n)]


def gaps(n_departments: int) -> pd.DataFrame:
    rows = [{"skill": s, "row": d, "mean_gap": (i * 7 + j * 3) % 10 / 3}
            for i, s in enumerate(SKILLS) for j, d in enumerate(departments(n_departments))]
    return pd.DataFrame(rows)


def heatmap(df: pd.DataFrame):
    # As pages/upskilling.py and services/review_export.pack_charts call it.
    return charts.heatmap(df, x="skill", y="row", value="mean_gap", x_title="Skill", y_title="Department",
                          value_title="Mean gap (levels)")


def axis_labels(chart, width: int) -> dict[str, list[dict]]:
    """{"X"/"Y": [{"text", "x", "y", "angle"}, ...]} read from the chart rendered as Streamlit would."""
    spec = chart.properties(width=width).to_dict()
    spec["config"] = {**spec.get("config", {}), **STREAMLIT_THEME}
    root = ET.fromstring(vlc.vegalite_to_svg(json.dumps(spec, default=str)))
    out: dict[str, list[dict]] = {}
    for group in root.iter(f"{SVG}g"):
        aria = group.get("aria-label") or ""
        if "role-axis" not in (group.get("class") or "") or not aria.startswith(("X-axis", "Y-axis")):
            continue
        labels = []
        for holder in group.iter(f"{SVG}g"):
            if "role-axis-label" not in (holder.get("class") or ""):
                continue
            for text in holder.iter(f"{SVG}text"):
                m = re.search(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)(?:\s*rotate\(([-\d.e]+)\))?",
                              text.get("transform", ""))
                labels.append({"text": "".join(text.itertext()), "x": float(m[1]), "y": float(m[2]),
                               "angle": float(m[3] or 0)})
        out[aria[0]] = labels
    return out


def assert_readable(labels: list[dict], categories: list[str], axis: str) -> None:
    texts = [lab["text"] for lab in labels]
    assert len(texts) == len(categories), f"{axis}: {len(texts)} labels for {len(categories)} categories: {texts}"
    for text, category in zip(sorted(texts), sorted(categories), strict=True):
        assert text == category or (text.endswith("…") and category.startswith(text[:-1])), (axis, text, category)
    # No two labels closer than a line of text, measured across their direction.
    angle = abs(labels[0]["angle"]) if labels else 0
    along = sorted(lab["y"] if axis == "Y" else lab["x"] for lab in labels)
    gaps_px = [b - a for a, b in zip(along, along[1:], strict=False)]
    if axis == "Y":
        need = FONT_PX
    elif angle == 0:
        need = max(0.6 * FONT_PX * len(t) for t in texts)  # horizontal x labels side by side
    else:
        need = FONT_PX / math.sin(math.radians(angle))
    assert min(gaps_px, default=need) >= need, f"{axis}: labels {min(gaps_px):.1f} px apart, need {need:.1f}"


@pytest.mark.parametrize("width", [FULL, HALF])
def test_heatmap_labels_every_one_of_25_long_skills(width):
    df = gaps(6)
    labels = axis_labels(heatmap(df), width)
    # The 25 skills are the rows (horizontal labels, STEP px each); the 6 departments the columns.
    assert_readable(labels["Y"], SKILLS, "Y")
    assert_readable(labels["X"], departments(6), "X")


def test_heatmap_of_many_departments_and_skills_at_full_width():
    df = gaps(34)  # a partnership officer: every partner's departments
    labels = axis_labels(heatmap(df), FULL)
    assert_readable(labels["Y"], departments(34), "Y")
    assert_readable(labels["X"], SKILLS, "X")


def test_heatmap_spec_keeps_every_label_and_the_full_text_in_the_tooltip():
    spec = heatmap(gaps(6)).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["field"] == "skill" and enc["x"]["field"] == "row"
    for channel in ("x", "y"):
        assert enc[channel]["axis"]["labelOverlap"] is False
        assert enc[channel]["axis"]["labelLimit"] >= 200
    assert spec["height"] >= 25 * charts.STEP
    assert {t["field"] for t in enc["tooltip"]} >= {"skill", "row"}


@pytest.mark.parametrize("width", [FULL, HALF])
def test_credential_bars_label_every_credential(width):
    codes = [f"MC-{area}-{n}01" for area, n in zip(["DATA", "CLD", "CYB", "LEAD", "HLTH", "OPS"] * 2,
                                                   [1] * 6 + [2] * 6, strict=True)]
    df = pd.DataFrame({"code": codes, "enrollments": range(40, 28, -1)})
    chart = charts.bars(df, x="enrollments", y="code", x_title="Enrollments in the quarter", y_title="Credential",
                        horizontal=True)
    assert_readable(axis_labels(chart, width)["Y"], codes, "Y")


@pytest.mark.parametrize("width", [FULL, HALF])
def test_column_labels_of_bars_lines_and_grouped_bars(width):
    quarters = [f"{2024 + i // 4}Q{i % 4 + 1}" for i in range(8)]
    series = pd.DataFrame({"quarter": quarters, "completion_rate": [0.6] * 8, "enrollments": [10] * 8,
                           "completed": [6] * 8})
    line = charts.line(series, x="quarter", y="completion_rate", x_title="Quarter", y_title="Completion rate",
                       percent=True)
    assert_readable(axis_labels(line, width)["X"], quarters, "X")
    grouped = charts.grouped_bars(series, x="quarter", value_vars={"enrollments": "Enrollments",
                                                                   "completed": "Completions"},
                                  x_title="Quarter", y_title="Enrollments")
    assert_readable(axis_labels(grouped, width)["X"], quarters, "X")

    states = ["Achieved", "On track", "At risk", "Overdue", "Dropped"]
    goals = charts.bars(pd.DataFrame({"state": states, "goals": [5, 4, 3, 2, 1]}), x="state", y="goals",
                        x_title="Goal state", y_title="PDP goals")
    assert_readable(axis_labels(goals, width)["X"], states, "X")

    levels = pd.DataFrame({"skill": SKILLS[:10], "before": [1.0] * 10, "after": [2.0] * 10})
    chart = charts.grouped_bars(levels, x="skill", value_vars={"before": "Before", "after": "After"},
                                x_title="Skill", y_title="Mean assessed level")
    assert_readable(axis_labels(chart, width)["X"], SKILLS[:10], "X")


def test_every_categorical_axis_opts_out_of_streamlits_label_dropping():
    """Streamlit's theme sets labelOverlap: true (drop labels that would touch) and a 100 px
    labelLimit; each categorical axis overrides both, so the rendering never hides a category."""
    df = pd.DataFrame({"cat": SKILLS[:12], "n": range(12), "m": range(12)})
    made = {
        "horizontal bars": charts.bars(df, x="n", y="cat", x_title="", y_title="", horizontal=True),
        "bars": charts.bars(df, x="cat", y="n", x_title="", y_title=""),
        "grouped bars": charts.grouped_bars(df, x="cat", value_vars={"n": "N", "m": "M"}, x_title="", y_title=""),
        "line": charts.line(df, x="cat", y="n", x_title="", y_title=""),
        "funnel": charts.funnel(df, stage="cat", count="n"),
        "heatmap": charts.heatmap(df, x="cat", y="cat", value="n", x_title="", y_title="", value_title=""),
    }
    for name, chart in made.items():
        spec = chart.to_dict()
        nominal = [(ch, enc) for ch, enc in spec["encoding"].items() if ch in ("x", "y") and enc["type"] == "nominal"]
        assert nominal, name
        for channel, enc in nominal:
            assert enc["axis"]["labelOverlap"] is False, (name, channel)
            assert enc["axis"]["labelLimit"] >= 200, (name, channel)
        tooltip_fields = {t["field"] if isinstance(t, dict) else t for t in spec["encoding"]["tooltip"]}
        assert "cat" in tooltip_fields, name  # the full text of a cut label


def test_the_completion_rate_line_leaves_out_quarters_without_outcomes(session):
    """metrics.by_quarter has no rate for a quarter with no completion, failure or withdrawal:
    the line draws no point there (not 0%) and breaks, keeping the quarter on the axis."""
    from services import metrics
    from services.metrics import Filters
    from services.periods import parse_quarter
    from tests.world import TODAY, build_world

    world = build_world(session)
    series = metrics.by_quarter(session, world.scope(session, "officer@u"), Filters(parse_quarter("2026Q2")),
                                today=TODAY, quarters=6)
    rates = dict(zip(series["quarter"], series["completion_rate"], strict=True))
    assert rates["2025Q1"] == 0.0  # a withdrawal and no completion: an outcome, a true 0%
    empty = [q for q, r in rates.items() if r is None or pd.isna(r)]
    assert "2025Q2" in empty and "2026Q1" in empty

    spec = charts.line(series, x="quarter", y="completion_rate", x_title="Quarter", y_title="Completion rate",
                       percent=True).to_dict()
    drawn = [row["quarter"] for row in spec["datasets"][spec["data"]["name"]]]
    assert drawn == [q for q in series["quarter"] if q not in empty]
    assert spec["encoding"]["x"]["scale"]["domain"] == list(series["quarter"])
    runs = {row["_run"] for row in spec["datasets"][spec["data"]["name"]]}
    assert len(runs) > 1  # separate segments either side of a gap


@pytest.mark.parametrize("kind", ["bar", "grouped bar", "line"])
def test_a_slides_chart_labels_every_category_and_holds_its_numbers(kind):
    """services/review_slides' native chart specs drawn for the slide show: every category, every series' value."""
    quarters = [f"{2025 + i // 4}Q{i % 4 + 1}" for i in range(5)]
    series = (("Enrollments", (10.0, 12.0, 9.0, 14.0, 11.0)),) if kind != "grouped bar" else (
        ("Enrollments", (10.0, 12.0, 9.0, 14.0, 11.0)), ("Completions", (4.0, 6.0, 5.0, 7.0, 8.0)))
    chart = charts.slide_chart(Chart(kind, tuple(quarters), series, x_title="Quarter", y_title="Enrollments"))
    assert_readable(axis_labels(chart, FULL)["X"], quarters, "X")
    spec = chart.to_dict()
    values = [row for data in spec["datasets"].values() for row in data]
    assert sorted((r["series"], r["category"], r["value"]) for r in values) == sorted(
        (name, category, value) for name, numbers in series for category, value in zip(quarters, numbers, strict=True))
    assert spec["mark"]["type"] == ("line" if kind == "line" else "bar")
    assert ("xOffset" in spec["encoding"]) == (kind == "grouped bar")
