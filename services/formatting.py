"""How figures are written for people: one formatter for pages, PDF and Excel text."""

from __future__ import annotations

import pandas as pd

# kind: count | rate | money | days | change | change_rate
KINDS = ("count", "rate", "money", "days", "change", "change_rate")


def fmt(value, kind: str = "count") -> str:
    """A figure as text; "–" for no figure; text (e.g. "fewer than 5") passes through."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, str):
        return value
    if kind == "rate":
        return f"{value:.0%}"
    if kind == "money":
        return f"£{value:,.0f}"
    if kind == "days":
        return f"{value:,.0f}"
    if kind == "change_rate":
        return f"{value * 100:+.0f} pts"
    if kind == "change":
        return f"{value:+,.0f}"
    if isinstance(value, float) and not float(value).is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)
