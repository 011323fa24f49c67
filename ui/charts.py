"""Chart helpers: one look for every chart, colour-blind-safe, readable in light and dark."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
STATUS_COLOURS = {
    "enrolled": "#56B4E9", "in progress": "#0072B2", "completed": "#009E73",
    "failed": "#D55E00", "withdrawn": "#999999",
}
HEIGHT = 300


def bars(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, color: str | None = None,
         color_title: str | None = None, horizontal: bool = False, sort="-x") -> alt.Chart:
    enc_x = alt.X(f"{x}:Q", title=x_title) if horizontal else alt.X(f"{x}:N", title=x_title, sort=None)
    enc_y = alt.Y(f"{y}:N", title=y_title, sort=sort) if horizontal else alt.Y(f"{y}:Q", title=y_title)
    chart = alt.Chart(df).mark_bar().encode(x=enc_x, y=enc_y, tooltip=list(df.columns))
    if color:
        chart = chart.encode(color=alt.Color(f"{color}:N", title=color_title or color,
                                             scale=alt.Scale(range=OKABE_ITO)))
    else:
        chart = chart.encode(color=alt.value(OKABE_ITO[0]))
    return chart.properties(height=HEIGHT)


def grouped_bars(df: pd.DataFrame, *, x: str, value_vars: dict[str, str], x_title: str, y_title: str) -> alt.Chart:
    """Side-by-side bars for several measures per x (value_vars: column -> legend label)."""
    long = df.melt(id_vars=[x], value_vars=list(value_vars), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(value_vars)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=None),
            xOffset=alt.XOffset("measure:N", sort=list(value_vars.values())),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("measure:N", title=None, sort=list(value_vars.values()),
                            scale=alt.Scale(range=OKABE_ITO)),
            tooltip=[x, "measure", "value"],
        )
        .properties(height=HEIGHT)
    )


def line(df: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, percent: bool = False) -> alt.Chart:
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return (
        alt.Chart(df)
        .mark_line(point=True, color=OKABE_ITO[2])
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=None),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis, scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined),
            tooltip=[x, alt.Tooltip(f"{y}:Q", format=".0%" if percent else ",")],
        )
        .properties(height=HEIGHT)
    )


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
    # "viridis" is perceptually uniform and colour-blind-safe.
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, axis=alt.Axis(labelAngle=-40, labelLimit=220)),
            y=alt.Y(f"{y}:N", title=y_title, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="viridis", reverse=True)),
            tooltip=[x, y, alt.Tooltip(f"{value}:Q", title=value_title, format=".2f")],
        )
        .properties(height=max(HEIGHT, 24 * df[y].nunique()))
    )


def funnel(df: pd.DataFrame, *, stage: str, count: str) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y(f"{stage}:N", title="Status", sort=None),
            x=alt.X(f"{count}:Q", title="Enrollments"),
            color=alt.Color(f"{stage}:N", legend=None,
                            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))),
            tooltip=[stage, count],
        )
        .properties(height=220)
    )
