"""Tables as the product shows and downloads them: headings, number formats and rounding all
come from services/formatting, so a page, its CSV and its Excel file say the same thing."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from services import spreadsheets
from services.formatting import RATE_DECIMALS, Column, columns, export_frame, fmt
from services.metrics import SUPPRESSED


def show_suppressed(df: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """``df`` with "fewer than 5" in the named columns of suppressed rows (the others keep their figures)."""
    out = df.copy()
    small = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for name in names:
        out[name] = [SUPPRESSED if hidden else v for v, hidden in zip(out[name], small, strict=True)]
    return out.drop(columns=["suppressed"], errors="ignore")


def _column_config(col: Column):
    """How st.dataframe shows a column of ``kind``; numbers stay numbers, so the table sorts them."""
    width = _width(col)
    if col.kind in NUMBER_FORMATS:
        return st.column_config.NumberColumn(col.heading, format=NUMBER_FORMATS[col.kind], width=width)
    if col.kind == "date":
        return st.column_config.DateColumn(col.heading, format="D MMM YYYY", width=width)
    if col.kind == "datetime":
        return st.column_config.DatetimeColumn(col.heading, format="D MMM YYYY, HH:mm")
    return st.column_config.TextColumn(col.heading, width=width)


# printf formats (sprintf-js) matching services/formatting.fmt; rates are shown ×100.
NUMBER_FORMATS = {"count": "%,d", "days": "%,d", "rate": f"%.{RATE_DECIMALS}f%%", "money": "£%,.0f",
                  "price": "£%,.2f", "mean": "%,.2f", "credits": "%,.1f", "change": "%+,d", "mean_change": "%+.2f",
                  "points": f"%+.{RATE_DECIMALS}f pts", "growth": f"%+.{RATE_DECIMALS}f%%"}


# Free text that can run long (goal titles, skill names) gets a medium column, its whole text on hover, so the
# columns after it stay on screen at 1440 px.
MEDIUM_TEXT = frozenset({"goal", "skill"})


def _width(col: Column) -> str | None:
    # States and yes/no are short words: leave the room to names and titles. Other columns fit their content.
    if col.kind in ("state", "flag"):
        return "small"
    return "medium" if col.name in MEDIUM_TEXT else None


def display_frame(df: pd.DataFrame, names: Sequence[str], headings: dict[str, str] | None = None,
                  ) -> tuple[pd.DataFrame, dict]:
    """(the frame, its column_config) for st.dataframe: headings and formats from services/formatting.COLUMNS
    (``headings`` renames a column for one table).

    A numeric column holding text (a suppressed group) is shown as formatted text throughout."""
    out, config = pd.DataFrame(index=df.index), {}
    for col in columns(names):
        if headings and col.name in headings:
            col = Column(col.name, headings[col.name], col.kind)
        values = df[col.name]
        if col.kind in ("state", "flag", "text") or (col.kind in NUMBER_FORMATS and
                                                     values.map(lambda v: isinstance(v, str)).any()):
            out[col.name] = values.map(lambda v, k=col.kind: fmt(v, k))
            config[col.name] = st.column_config.TextColumn(col.heading, width=_width(col))
            continue
        if col.kind in ("rate", "points", "growth"):
            values = pd.to_numeric(values, errors="coerce") * 100
        elif col.kind in NUMBER_FORMATS:
            values = pd.to_numeric(values, errors="coerce")
        out[col.name] = values
        config[col.name] = _column_config(col)
    return out, config


def table(df: pd.DataFrame, names: Sequence[str] | None = None, *, headings: dict[str, str] | None = None,
          **kwargs) -> None:
    """st.dataframe of the named columns, with the product's headings and number formats."""
    shown, config = display_frame(df, list(names) if names is not None else list(df.columns), headings)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder=fmt(None), **kwargs)


def downloads(df: pd.DataFrame, name: str, *, key: str, names: Sequence[str] | None = None,
              as_is: bool = False, on_click=None, args: tuple = ()) -> None:
    """CSV and Excel downloads of the table shown: its columns, headings and rounding (formatting.export_frame).

    ``as_is`` writes the frame unchanged: for files whose headings are a format (import templates).
    ``on_click(*args)`` runs when either file is clicked (ui/access.on_download logs it)."""
    out = df if as_is else export_frame(df, names)
    clicked = {"on_click": on_click, "args": args} if on_click is not None else {}
    left, right = st.columns(2)
    # Written by services/spreadsheets: no cell of a download can run as a formula.
    left.download_button("Download CSV", spreadsheets.csv_bytes(out), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", icon=":material/download:", **clicked)
    right.download_button("Download Excel", spreadsheets.excel_bytes({"data": out}), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", icon=":material/download:", **clicked)
