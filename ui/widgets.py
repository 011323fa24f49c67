"""Shared widgets: KPI cards, empty states, the signed-in context for pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from services.identity import SignedIn

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
    value: int | float | str
    help: str | None = None
    delta: int | float | str | None = None


def fmt_int(n: int | float | None) -> str:
    return "–" if n is None else f"{n:,.0f}"


def kpi_row(kpis: Sequence[Kpi]) -> None:
    cols = st.columns(len(kpis))
    for col, k in zip(cols, kpis):
        value = fmt_int(k.value) if isinstance(k.value, (int, float)) else k.value
        col.metric(k.label, value, delta=k.delta, help=k.help, border=True)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
