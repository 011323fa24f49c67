"""Shared widgets: KPI cards, empty states, downloads, the signed-in context for pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.formatting import RATE_DECIMALS, Column, columns, export_frame, fmt, fmt_change
from services.identity import SignedIn
from services.metrics import SUPPRESSED

SIGNED_IN_KEY = "signed_in"


def signed_in() -> SignedIn:
    """The user dashboard.py resolved for this run. Pages only run after that gate."""
    who = st.session_state.get(SIGNED_IN_KEY)
    if who is None:  # reached only if a page is run without the entry file
        st.error("Please sign in from the main page.")
        st.stop()
    return who


@dataclass(frozen=True)
class Kpi:
    label: str
    value: int | float | str | None
    help: str | None = None
    previous: int | float | None = None
    kind: str = "count"  # services/formatting kinds: count, rate, money, days, mean_change ...
    # For costs and times, a rise is bad news: show it in the "inverse" colour.
    lower_is_better: bool = False


def kpi_row(kpis: Sequence[Kpi]) -> None:
    cols = st.columns(len(kpis))
    for col, k in zip(cols, kpis):
        delta = None
        if k.previous is not None and isinstance(k.value, (int, float)):
            delta = fmt_change(k.value - k.previous, k.kind) + " vs previous"
        col.metric(k.label, fmt(k.value, k.kind), delta=delta, help=k.help, border=True,
                   delta_color="inverse" if k.lower_is_better else "normal")


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def skills_table(skills: pd.DataFrame) -> None:
    """A credential's skill mappings (services/codesign detail), as the catalogue and studio show them."""
    if skills.empty:
        st.caption("No skills mapped yet.")
        return
    st.dataframe(skills.drop(columns=["skill_id"]), hide_index=True, width="stretch", column_config={
        "skill": "Skill", "category": "Category", "proficiency": st.column_config.NumberColumn("Proficiency (1–5)"),
        "esco_uri": "ESCO URI"})


def show_suppressed(df: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """``df`` with "fewer than 5" in the named columns of suppressed rows (the others keep their figures)."""
    out = df.copy()
    small = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for name in names:
        out[name] = [SUPPRESSED if hidden else v for v, hidden in zip(out[name], small)]
    return out.drop(columns=["suppressed"], errors="ignore")


def _column_config(col: Column, values: pd.Series):
    """How st.dataframe shows a column of ``kind``; numbers stay numbers, so the table sorts them."""
    if col.kind in NUMBER_FORMATS:
        return st.column_config.NumberColumn(col.heading, format=NUMBER_FORMATS[col.kind])
    if col.kind == "date":
        return st.column_config.DateColumn(col.heading, format="D MMM YYYY")
    if col.kind == "datetime":
        return st.column_config.DatetimeColumn(col.heading, format="D MMM YYYY, HH:mm")
    return st.column_config.TextColumn(col.heading)


# printf formats (sprintf-js) matching services/formatting.fmt; rates are shown ×100.
NUMBER_FORMATS = {"count": "%,d", "days": "%,d", "rate": f"%.{RATE_DECIMALS}f%%", "money": "£%,.0f",
                  "price": "£%,.2f", "mean": "%,.2f", "change": "%+,d", "mean_change": "%+.2f",
                  "points": f"%+.{RATE_DECIMALS}f pts"}


def display_frame(df: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, dict]:
    """(the frame, its column_config) for st.dataframe: headings and formats from services/formatting.COLUMNS.

    A numeric column holding text (a suppressed group) is shown as formatted text throughout."""
    out, config = pd.DataFrame(index=df.index), {}
    for col in columns(names):
        values = df[col.name]
        if col.kind in ("state", "flag", "text") or (col.kind in NUMBER_FORMATS and
                                                     values.map(lambda v: isinstance(v, str)).any()):
            out[col.name] = values.map(lambda v, k=col.kind: fmt(v, k))
            config[col.name] = st.column_config.TextColumn(col.heading)
            continue
        if col.kind in ("rate", "points"):
            values = pd.to_numeric(values, errors="coerce") * 100
        elif col.kind in NUMBER_FORMATS:
            values = pd.to_numeric(values, errors="coerce")
        out[col.name] = values
        config[col.name] = _column_config(col, values)
    return out, config


def table(df: pd.DataFrame, names: Sequence[str] | None = None, **kwargs) -> None:
    """st.dataframe of the named columns, with the product's headings and number formats."""
    shown, config = display_frame(df, list(names) if names is not None else list(df.columns))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, **kwargs)


def excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, sheet_name=sheet[:31], index=False)
    return buf.getvalue()


def downloads(df: pd.DataFrame, name: str, *, key: str, names: Sequence[str] | None = None,
              as_is: bool = False) -> None:
    """CSV and Excel downloads of the table shown: its columns, headings and rounding (formatting.export_frame).

    ``as_is`` writes the frame unchanged: for files whose headings are a format (import templates)."""
    out = df if as_is else export_frame(df, names)
    left, right = st.columns(2)
    left.download_button("Download CSV", out.to_csv(index=False).encode("utf-8"), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", icon=":material/download:")
    right.download_button("Download Excel", excel_bytes(out), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", icon=":material/download:")
