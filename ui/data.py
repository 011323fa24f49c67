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
from services import learners, metrics, pdp, people
from services import options as option_lists
from services.filters import Filters

CACHE_TTL_SECONDS = 600
# What a page may ask for through ``get``: each takes (session, scope, filters, *, today, ...).
# Keyed by name for the cache key (a function is not a stable key) and for the bench. Figures about
# departments, department–skill groups, assessed skills, surveys and retention are served only suppressed
# (``*_shown``); every aggregate takes people in whole department cells (services/population.py).
METRICS = {function.__name__: function for function in (
    metrics.summary, metrics.by_credential, metrics.by_cohort, metrics.by_employer, metrics.by_quarter,
    metrics.days_to_complete, metrics.skills_gained, metrics.skills_gained_by_quarter, metrics.outcome_change_shown,
    metrics.retention_shown, metrics.budget, metrics.goal_states, metrics.at_risk_learners, metrics.alerts,
    metrics.departments_shown, metrics.skill_gaps_shown, metrics.assessment_levels_shown,
)}
# Paged row lists, asked for like the metrics.
DRILLDOWNS = {function.__name__: function for function in (learners.learner_count, learners.learners, pdp.goals)}
OPTIONS = {function.__name__: function for function in (
    option_lists.employers, option_lists.departments, option_lists.credentials, option_lists.cohorts,
    option_lists.first_enrollment, option_lists.uncounted_employers, people.managers,
)}


def _name(function, registry: dict) -> str:
    if registry.get(function.__name__) is not function:
        raise ValueError(f"{function.__module__}.{function.__name__} is not served by ui/data.py")
    return function.__name__


def current_data_version() -> int:
    with Session(get_engine()) as session:
        return data_version(session)


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared_figures(database: str, version: int) -> dict:
    """The figures the metrics layer reuses across one page's calls (services/metrics/reuse.py): the
    Overview's summary, series and partners table read the same totals and headcounts. One store per
    database and data version: a write bumps the version, so a stale figure is never reused."""
    return {}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=2000)
def _cached(name: str, scope: Scope, filters: Filters, today: date, version: int, kwargs: tuple):
    function = METRICS.get(name) or DRILLDOWNS[name]
    engine = get_engine()
    with Session(engine) as session, metrics.reusing(_shared_figures(str(engine.url), version), session=session):
        return function(session, scope, filters, today=today, **dict(kwargs))


def get(function, scope: Scope, filters: Filters, today: date, **kwargs):
    """A metric (services/metrics) or drill-down page (services/learners, services/pdp.goals), cached
    per scope, filters, day, data version and the function's own (hashable) arguments."""
    name = _name(function, METRICS if function.__name__ in METRICS else DRILLDOWNS)
    return _cached(name, scope, filters, today, current_data_version(), tuple(sorted(kwargs.items())))


def clear() -> None:
    """Drop every cached figure of this process (after a write)."""
    _cached.clear()
    _shared_figures.clear()
    _options.clear()
    _badge_zip.clear()


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=500)
def _options(name: str, scope: Scope, args: tuple, version: int) -> list[tuple[int, str]]:
    with Session(get_engine()) as session:
        return OPTIONS[name](session, scope, *args)


def options(function, scope: Scope, *args) -> list[tuple[int, str]]:
    """Filter choices (services/options.py: employers, departments, credentials, cohorts), cached like the metrics."""
    return _options(_name(function, OPTIONS), scope, args, current_data_version())


@st.cache_data(ttl=600, max_entries=8, show_spinner="Signing badges…")
def _badge_zip(scope: Scope, filters: Filters, today: date, version: int) -> tuple[int, bytes]:
    from services import badges

    with Session(get_engine()) as session:
        return badges.export_zip(session, scope, filters, today=today)


def badge_zip(scope: Scope, filters: Filters, today: date) -> tuple[int, bytes]:
    """(how many, a zip of) signed Open Badges of the completions in these filters (services/badges/)."""
    return _badge_zip(scope, filters, today, current_data_version())


@st.cache_data(ttl=600, max_entries=8, show_spinner="Sealing European Digital Credentials…")
def _edc_zip(scope: Scope, filters: Filters, today: date, version: int) -> tuple[int, bytes]:
    from services import edc

    with Session(get_engine()) as session:
        return edc.export_zip(session, scope, filters, today=today)


def edc_zip(scope: Scope, filters: Filters, today: date) -> tuple[int, bytes]:
    """(how many, a zip of) sealed European Digital Credentials of the same completions (services/edc/)."""
    return _edc_zip(scope, filters, today, current_data_version())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=200)
def _review_pack(scope: Scope, quarter, employer_ids, today: date, version: int):
    from services.review import build_pack

    engine = get_engine()
    with Session(engine) as session, metrics.reusing(_shared_figures(str(engine.url), version), session=session):
        return build_pack(session, scope, quarter=quarter, employer_ids=employer_ids, today=today)


def review_pack(scope: Scope, quarter, employer_ids: frozenset[int] | None, today: date):
    """The quarterly review pack (services/review.py), cached like the metrics."""
    return _review_pack(scope, quarter, employer_ids, today, current_data_version())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=50)
def review_files(scope: Scope, quarter, employer_ids, today: date, version: int) -> dict[str, bytes]:
    """The pack's downloadable files: those of ``manage.py report`` (PDF, Excel, the PowerPoint deck) and a zip
    of the chart PNGs."""
    import io
    import zipfile

    from services.review_export import chart_png, pack_charts, pack_files, slug

    pack = _review_pack(scope, quarter, employer_ids, today, version)
    pngs = {name: chart_png(chart) for name, chart in pack_charts(pack).items()}
    stem = f"review-{pack.quarter.label}-{slug(pack.audience)}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, png in pngs.items():
            zf.writestr(f"{stem}-{name}.png", png)
    files = {f"{stem}{suffix}": write() for suffix, write in pack_files(pack, pngs).items()}
    return files | {f"{stem}-charts.zip": buf.getvalue()}


@st.cache_data(ttl=600, max_entries=50, show_spinner="Sealing European Digital Credentials…")
def _person_edc(scope: Scope, employee_id: int, version: int) -> list:
    from services import edc

    with Session(get_engine()) as session:
        return edc.person_credentials(session, scope, employee_id)


def person_edc(scope: Scope, employee_id: int) -> list:
    """One person's European Digital Credentials, sealed (services/edc.PersonCredential: file, bytes, what)."""
    return _person_edc(scope, employee_id, current_data_version())
