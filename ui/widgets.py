"""Shared widgets: KPI cards, empty states, downloads, the signed-in context for pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.formatting import fmt
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
    percent: bool = False
    money: bool = False
    # For costs and times, a rise is bad news: show it in the "inverse" colour.
    lower_is_better: bool = False


def kpi_row(kpis: Sequence[Kpi]) -> None:
    cols = st.columns(len(kpis))
    for col, k in zip(cols, kpis):
        delta = None
        if k.previous is not None and isinstance(k.value, (int, float)) and k.value is not None:
            diff = k.value - k.previous
            delta = (f"{diff * 100:+.0f} pts" if k.percent else
                     f"{'+' if diff >= 0 else '−'}£{abs(diff):,.0f}" if k.money else f"{diff:+,.0f}")
            delta += " vs previous"
        col.metric(k.label, fmt(k.value, "rate" if k.percent else "money" if k.money else "count"), delta=delta, help=k.help,
                   border=True, delta_color="inverse" if k.lower_is_better else "normal")


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


def show_suppressed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Figures as text, with "fewer than 5" in the blanked cells of suppressed rows.

    ``columns`` maps each column to its kind (count, rate, ...): the whole column
    becomes text so a table can mix figures and the suppression note.
    """
    out = df.copy()
    small = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for col, kind in columns.items():
        out[col] = [SUPPRESSED if hidden else fmt(v, kind) for v, hidden in zip(out[col], small)]
    return out.drop(columns=["suppressed"], errors="ignore")


def excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, sheet_name=sheet[:31], index=False)
    return buf.getvalue()


def downloads(df: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV and Excel downloads of exactly the table shown."""
    left, right = st.columns(2)
    left.download_button("Download CSV", df.to_csv(index=False).encode("utf-8"), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", icon=":material/download:")
    right.download_button("Download Excel", excel_bytes(df), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", icon=":material/download:")
