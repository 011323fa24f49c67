"""Altair chart builders, one look for every chart (colour-blind-safe, readable in light and dark).

Plain Altair, no Streamlit: the pages draw them and the review pack renders them to PNG."""

from __future__ import annotations

import altair as alt
import pandas as pd

from services.formatting import RATE_DECIMALS

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
STATUS_COLOURS = {
    "enrolled": "#56B4E9", "in progress": "#0072B2", "completed": "#009E73",
    "failed": "#D55E00", "withdrawn": "#999999",
}
HEIGHT = 300
# Streamlit's chart theme sets labelOverlap (Vega then drops every other label of a crowded
# axis), cuts labels at 100 px and fits the whole chart, axis labels included, into its
# height. So categorical axes set both themselves, rows get STEP px each, heights include
# the column labels, and axis titles sit clear of long labels. Labels cut at LABEL_LIMIT
# end in "…"; tooltips hold the full text.
STEP = 24  # px per category on a row axis (labels are 12–14 px high)
PLOT = 240  # px of plot area along a value axis
LABEL_LIMIT = 240  # px of a category label before it is cut
CHAR_PX = 7.5  # a label character's width, generously (Streamlit's 12 px sans-serif), to reserve room
NARROW_PLOT = 360  # px: column labels stay horizontal if side by side they fit this (a half-width column)
DENSE = 12  # more columns than this: labels turn vertical (-90°), needing only a line's height each
AXIS_ROOM = 64  # px an x axis takes besides its labels' extent: padding, ticks, title
TITLE_ROOM = 24  # px above the plot for a row axis's title


def _label_px(labels: pd.Series) -> float:
    texts = labels.dropna().astype(str)
    return min(LABEL_LIMIT, CHAR_PX * int(texts.str.len().max())) if len(texts) else 0.0


def _column_angle(labels: pd.Series) -> int:
    texts = labels.dropna().astype(str)
    if texts.nunique() * (_label_px(texts) + 8) <= NARROW_PLOT:
        return 0
    return -90 if texts.nunique() > DENSE else -40


def _column_extent(labels: pd.Series) -> int:
    """How far the column labels reach below the axis (slanted and vertical ones are tall)."""
    return int(_label_px(labels) * {0: 0.0, -40: 0.643, -90: 1.0}[_column_angle(labels)])


def _column_room(labels: pd.Series) -> int:
    return AXIS_ROOM + _column_extent(labels)


def _column_axis(labels: pd.Series) -> alt.Axis:
    """A categorical x axis with every label: horizontal when short, else slanted, vertical
    when there are many columns (slanted labels of narrow columns would touch)."""
    angle = _column_angle(labels)
    # Below the longest label: Streamlit's label padding is 16 px.
    title = {} if angle == 0 else {"titleY": 16 + _column_extent(labels) + 12, "titleBaseline": "top"}
    return alt.Axis(labelOverlap=False, labelLimit=LABEL_LIMIT, labelAngle=angle, **title)


def _row_axis() -> alt.Axis:
    """A categorical y axis with every label; its title above the labels, not on them."""
    return alt.Axis(labelOverlap=False, labelLimit=LABEL_LIMIT, titleAngle=0, titleAlign="right",
                    titleX=0, titleY=-10, titleBaseline="bottom")


def bars(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, color: str | None = None,
         color_title: str | None = None, horizontal: bool = False, sort="-x") -> alt.Chart:
    enc_x = alt.X(f"{x}:Q", title=x_title) if horizontal else \
        alt.X(f"{x}:N", title=x_title, sort=None, axis=_column_axis(df[x]))
    enc_y = alt.Y(f"{y}:N", title=y_title, sort=sort, axis=_row_axis()) if horizontal else \
        alt.Y(f"{y}:Q", title=y_title)
    chart = alt.Chart(df).mark_bar().encode(x=enc_x, y=enc_y, tooltip=list(df.columns))
    if color:
        chart = chart.encode(color=alt.Color(f"{color}:N", title=color_title or color,
                                             scale=alt.Scale(range=OKABE_ITO)))
    else:
        chart = chart.encode(color=alt.value(OKABE_ITO[0]))
    if horizontal:
        return chart.properties(height=TITLE_ROOM + max(PLOT, STEP * df[y].nunique()) + AXIS_ROOM)
    return chart.properties(height=PLOT + _column_room(df[x]))


def grouped_bars(df: pd.DataFrame, *, x: str, value_vars: dict[str, str], x_title: str, y_title: str) -> alt.Chart:
    """Side-by-side bars for several measures per x (value_vars: column -> legend label)."""
    long = df.melt(id_vars=[x], value_vars=list(value_vars), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(value_vars)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=None, axis=_column_axis(df[x])),
            xOffset=alt.XOffset("measure:N", sort=list(value_vars.values())),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("measure:N", title=None, sort=list(value_vars.values()),
                            scale=alt.Scale(range=OKABE_ITO)),
            tooltip=[x, "measure", "value"],
        )
        .properties(height=PLOT + _column_room(df[x]))
    )


def line(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, percent: bool = False) -> alt.Chart:
    """A line over the categories of ``x`` in order. Rows without a value (a completion rate
    with no outcomes) get no point and break the line: a gap, not a 0 and not a bridge."""
    axis = alt.Axis(format="%") if percent else alt.Axis()
    shown = df.assign(_run=df[y].isna().cumsum()).dropna(subset=[y])
    return (
        alt.Chart(shown)
        .mark_line(point=alt.OverlayMarkDef(color=OKABE_ITO[2]), color=OKABE_ITO[2])
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=None, axis=_column_axis(df[x]),
                    scale=alt.Scale(domain=[str(v) for v in df[x]])),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis, scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined),
            detail="_run:N",
            tooltip=[x, alt.Tooltip(f"{y}:Q", format=f".{RATE_DECIMALS}%" if percent else ",")],
        )
        .properties(height=PLOT + _column_room(df[x]))
    )


def completion_rate_by_quarter(series: pd.DataFrame) -> alt.Chart:
    """services/metrics.by_quarter's completion rate as a line. A quarter without completions
    (a programme's first quarter, with only early withdrawals) gets no point rather than 0%;
    its figures stay in the tables."""
    rates = series.assign(completion_rate=series["completion_rate"].where(series["completed"] > 0))
    return line(rates, x="quarter", y="completion_rate", x_title="Quarter", y_title="Completion rate", percent=True)


def histogram(df: pd.DataFrame, *, value: str, weight: str, x_title: str, y_title: str, bin_step: int = 7) -> alt.Chart:
    return (
        alt.Chart(df)
        .transform_bin("bin", field=value, bin=alt.Bin(step=bin_step))
        .transform_aggregate(count=f"sum({weight})", groupby=["bin", "bin_end"])
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=alt.X("bin:Q", bin="binned", title=x_title),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title=y_title),
            tooltip=[alt.Tooltip("bin:Q", title="from (days)"), alt.Tooltip("bin_end:Q", title="to (days)"),
                     alt.Tooltip("count:Q", title=y_title)],
        )
        .properties(height=HEIGHT)
    )


def heatmap(df: pd.DataFrame, *, x: str, y: str, value: str, x_title: str, y_title: str, value_title: str) -> alt.Chart:
    """Cells of ``value`` by ``x`` and ``y``. The field with more categories (usually the
    long skill names) goes on the rows, where labels are horizontal and get STEP px each;
    the other on the columns."""
    if df[x].nunique() > df[y].nunique():
        x, y, x_title, y_title = y, x, y_title, x_title
    # "viridis" is perceptually uniform and colour-blind-safe.
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, axis=_column_axis(df[x])),
            y=alt.Y(f"{y}:N", title=y_title, axis=_row_axis()),
            color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="viridis", reverse=True)),
            tooltip=[alt.Tooltip(f"{y}:N", title=y_title), alt.Tooltip(f"{x}:N", title=x_title),
                     alt.Tooltip(f"{value}:Q", title=value_title, format=".2f")],
        )
        .properties(height=TITLE_ROOM + STEP * df[y].nunique() + _column_room(df[x]))
    )


def funnel(df: pd.DataFrame, *, stage: str, count: str, label: str | None = None) -> alt.Chart:
    """One bar per enrollment status, coloured by ``stage`` (a STATUS_COLOURS key) and named by
    ``label`` (the words people read; the stage itself when not given)."""
    label = label or stage
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y(f"{label}:N", title="Status", sort=None, axis=_row_axis()),
            x=alt.X(f"{count}:Q", title="Enrollments"),
            color=alt.Color(f"{stage}:N", legend=None,
                            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))),
            tooltip=[alt.Tooltip(f"{label}:N", title="Status"), alt.Tooltip(f"{count}:Q", title="Enrollments")],
        )
        .properties(height=220)
    )


def levels_over_time(levels: pd.DataFrame, targets: pd.DataFrame) -> alt.Chart:
    """One person's assessed level (1–5) per skill over time, a line with points per skill, and each skill's
    target as a dashed rule in the same colour (services/people/record.py: ``levels`` and ``targets``)."""
    skills = sorted(set(levels["skill"]) | set(targets["skill"]))
    colour = alt.Color("skill:N", title="Skill", sort=skills, scale=alt.Scale(domain=skills, range=OKABE_ITO))
    level_axis = alt.Y("level:Q", title="Level (1–5)", scale=alt.Scale(domain=[0, 5]), axis=alt.Axis(tickMinStep=1))
    shown = levels.assign(assessed_on=pd.to_datetime(levels["assessed_on"]))
    assessed = alt.Chart(shown).mark_line(point=True).encode(
        x=alt.X("assessed_on:T", title="Assessed on", axis=alt.Axis(format="%b %Y")), y=level_axis, color=colour,
        tooltip=[alt.Tooltip("skill:N", title="Skill"), alt.Tooltip("assessed_on:T", title="Assessed on",
                                                                    format="%-d %b %Y"),
                 alt.Tooltip("level:Q", title="Level"), alt.Tooltip("source:N", title="Source")])
    goal = targets.rename(columns={"target_level": "level"})
    target = alt.Chart(goal).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
        y=level_axis, color=colour,
        tooltip=[alt.Tooltip("skill:N", title="Skill"), alt.Tooltip("level:Q", title="Target level")])
    return alt.layer(assessed, target).properties(height=PLOT)


def slide_chart(spec) -> alt.Chart:
    """A review slide's native chart (services/review_slides.Chart of kind "bar", "grouped bar" or "line") in the
    charts' one look; a "picture" chart is one of the pack's own charts (services/review_export.pack_charts)."""
    names = [name for name, _ in spec.series]
    long = pd.DataFrame([{"category": category, "series": name, "value": value}
                         for name, values in spec.series for category, value in zip(spec.categories, values,
                                                                                     strict=True)])
    percent = spec.number_format.endswith("%")
    x = alt.X("category:N", title=spec.x_title or None, sort=list(spec.categories),
              axis=_column_axis(pd.Series(spec.categories)))
    y = alt.Y("value:Q", title=spec.y_title or None, axis=alt.Axis(format="%" if percent else ",.0f"))
    colour = alt.Color("series:N", title=None, sort=names, scale=alt.Scale(range=OKABE_ITO),
                       legend=alt.Legend(orient="top") if len(names) > 1 else None)
    base = alt.Chart(long)
    chart = base.mark_line(point=True) if spec.kind == "line" else base.mark_bar()
    chart = chart.encode(x=x, y=y, color=colour, tooltip=[alt.Tooltip("category:N", title=spec.x_title or "Category"),
                                                         alt.Tooltip("series:N", title="Measure"),
                                                         alt.Tooltip("value:Q", title=spec.y_title or "Value",
                                                                     format=",.0f")])
    if spec.kind == "grouped bar":
        chart = chart.encode(xOffset=alt.XOffset("series:N", sort=names))
    return chart.properties(height=PLOT + _column_room(pd.Series(spec.categories)))
