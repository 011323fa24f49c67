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
    "alerts",
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
    _drilldown.clear()
    _options.clear()
    _badge_zip.clear()


def _drilldowns() -> dict:
    """Paged row lists, each (session, scope, filters, *, today, **kwargs) like the metrics."""
    from services import learners, pdp

    return {"learner_count": learners.learner_count, "learners": learners.learners, "pdp_goals": pdp.goals}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=500)
def _drilldown(name: str, scope: Scope, filters: Filters, today: date, version: int, kwargs: tuple):
    with Session(get_engine()) as session:
        return _drilldowns()[name](session, scope, filters, today=today, **dict(kwargs))


def drilldown(name: str, scope: Scope, filters: Filters, today: date, **kwargs):
    """A drill-down page (services/learners.py, services/pdp.goals), cached like the metrics:
    per scope, filters, day, data version and the page's own arguments (hashable ones)."""
    if name not in _drilldowns():
        raise ValueError(f"Unknown drill-down {name!r}")
    return _drilldown(name, scope, filters, today, current_data_version(), tuple(sorted(kwargs.items())))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=500)
def _options(name: str, scope: Scope, args: tuple, version: int) -> list[tuple[int, str]]:
    from services import options as service

    with Session(get_engine()) as session:
        return getattr(service, name)(session, scope, *args)


def options(name: str, scope: Scope, *args) -> list[tuple[int, str]]:
    """Filter choices (services/options.py: employers, departments, credentials, cohorts), cached like the metrics."""
    return _options(name, scope, args, current_data_version())


@st.cache_data(ttl=600, max_entries=8, show_spinner="Signing badges…")
def _badge_zip(scope: Scope, filters: Filters, today: date, version: int) -> tuple[int, bytes]:
    from services import badges

    with Session(get_engine()) as session:
        return badges.export_zip(session, scope, filters, today=today)


def badge_zip(scope: Scope, filters: Filters, today: date) -> tuple[int, bytes]:
    """(how many, a zip of) signed Open Badges of the completions in these filters (services/badges.py)."""
    return _badge_zip(scope, filters, today, current_data_version())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=200)
def _review_pack(scope: Scope, quarter, employer_ids, today: date, version: int):
    from services.review import build_pack

    with Session(get_engine()) as session:
        return build_pack(session, scope, quarter=quarter, employer_ids=employer_ids, today=today)


def review_pack(scope: Scope, quarter, employer_ids: frozenset[int] | None, today: date):
    """The quarterly review pack (services/review.py), cached like the metrics."""
    return _review_pack(scope, quarter, employer_ids, today, current_data_version())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=50)
def review_files(scope: Scope, quarter, employer_ids, today: date, version: int) -> dict[str, bytes]:
    """The pack's downloadable files: PDF, Excel and a zip of the chart PNGs."""
    import io
    import zipfile

    from services.review_export import chart_png, excel_bytes, pack_charts, pdf_bytes, slug

    pack = _review_pack(scope, quarter, employer_ids, today, version)
    pngs = {name: chart_png(chart) for name, chart in pack_charts(pack).items()}
    stem = f"review-{pack.quarter.label}-{slug(pack.audience)}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, png in pngs.items():
            zf.writestr(f"{stem}-{name}.png", png)
    return {f"{stem}.pdf": pdf_bytes(pack, pngs), f"{stem}.xlsx": excel_bytes(pack), f"{stem}-charts.zip": buf.getvalue()}
