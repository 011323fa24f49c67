"""Cached access to the metrics layer for pages.

st.cache_data is shared by every user of the process, so the cache key holds
the Scope and the Filters (never st.user), plus the database's data version:
any write bumps it, so every app process misses its cache after a change.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlmodel import Session

from db.engine import data_version, get_engine
from db.scope import Scope
from services import metrics
from services.metrics import Filters

CACHE_TTL_SECONDS = 600
# The metrics a page may ask for through ``get`` (all take session, scope, filters, today=).
METRICS = {
    "summary", "by_credential", "by_cohort", "by_department", "by_employer", "by_quarter",
    "days_to_complete", "skill_gaps", "skills_gained", "skills_gained_by_quarter",
    "assessment_levels", "outcome_change", "retention", "budget", "goal_states", "at_risk_learners",
}


def current_data_version() -> int:
    with Session(get_engine()) as session:
        return data_version(session)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=2000)
def _cached(name: str, scope: Scope, filters: Filters, today: date, version: int, kwargs: tuple):
    with Session(get_engine()) as session:
        return getattr(metrics, name)(session, scope, filters, today=today, **dict(kwargs))


def get(name: str, scope: Scope, filters: Filters, today: date, **kwargs):
    """One metric from services/metrics.py, cached per scope, filters, day and data version."""
    if name not in METRICS:
        raise ValueError(f"Unknown metric {name!r}")
    return _cached(name, scope, filters, today, current_data_version(), tuple(sorted(kwargs.items())))


def clear() -> None:
    """Drop every cached figure of this process (after a write)."""
    _cached.clear()
