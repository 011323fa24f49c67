"""Shared widgets: KPI cards, empty states, messages kept across a rerun, the signed-in context for pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.formatting import fmt, fmt_change
from services.identity import SignedIn
from services.metrics import METRICS
from ui.safe import md
from ui.tables import table

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

    @classmethod
    def of(cls, key: str, value, previous=None, *, detail: str = "") -> Kpi:
        """The card of a metric of services/metrics.METRICS: its label, definition (as help) and unit.
        ``detail`` adds what the page knows, e.g. the figures a rate is made of."""
        metric = METRICS[key]
        help_text = f"{metric.definition} {detail}".strip()
        return cls(metric.card_label, value, help_text, previous, metric.kind, metric.lower_is_better)


def kpi_row(kpis: Sequence[Kpi]) -> None:
    cols = st.columns(len(kpis))
    for col, k in zip(cols, kpis, strict=True):
        delta, colour = None, "inverse" if k.lower_is_better else "normal"
        if k.previous is not None and isinstance(k.value, (int, float)):
            delta = fmt_change(k.value - k.previous, k.kind)
            if delta.startswith("±"):  # no change as shown: no arrow, no colour
                colour = "off"
        col.metric(k.label, fmt(k.value, k.kind), delta=delta, help=k.help, border=True, delta_color=colour,
                   delta_arrow="off" if colour == "off" else "auto",
                   delta_description="vs previous" if delta else None)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def skills_table(skills: pd.DataFrame) -> None:
    """A credential's skill mappings (services/codesign detail), as the catalogue and studio show them."""
    if skills.empty:
        st.caption("No skills mapped yet.")
        return
    table(skills, ["skill", "category", "proficiency", "esco_uri"])


def flash(place: str, message: str, *, kind: str = "success") -> None:
    """Keep a message for the next run, shown by ``show_flash(place)`` where the user acted (after st.rerun)."""
    st.session_state[f"_flash_{place}"] = (kind, message)


def show_flash(place: str) -> None:
    kind, message = st.session_state.pop(f"_flash_{place}", (None, None))
    if message:
        (st.success if kind == "success" else st.warning if kind == "warning" else st.error)(md(message))
