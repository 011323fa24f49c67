"""Every page's full server-side run in Streamlit's AppTest, cold and warm.

Cold: ``st.cache_data`` and ``st.cache_resource`` cleared first; warm: the same page again
in the same session. Each measurement in a fresh AppTest, median of ``runs``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from devtools.apptest import signed_in_claims
from devtools.bench.databases import BenchDatabase, BenchUsers, app_environment
from devtools.bench.settings import (
    FIGURE_BUDGET_S,
    LIMIT_MARK,
    PAGE_TIMEOUT_S,
    ROLES,
    ROOT,
    RUN_LIMIT_S,
    hit_limit,
    install_run_limit,
    log,
    median,
    run_limit,
)
from ui.navigation import PAGES, ROLE_PAGES, PageEntry


def app_pages() -> tuple[dict[str, PageEntry], dict[str, list[str]]]:
    """(PAGES, ROLE_PAGES) of ui/navigation.py: page name -> file and title; role (as text) -> page names."""
    return dict(PAGES), {role.value: list(names) for role, names in ROLE_PAGES.items()}


def app_role(role: str) -> str:
    """The app's role for one of the bench's ROLES."""
    return "partnership_officer" if role == "officer" else role


class _Collect(logging.Handler):
    """Keeps the last error logged by dashboard.py (a page that failed), for the report."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.last = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}" if error else record.getMessage()


@contextmanager
def _apptest_like_a_server() -> Iterator[_Collect]:
    """Every measured run is dashboard.py's gate + the page (devtools/apptest.py); also
    quiets Streamlit's bare-mode warnings and collects the dashboard's logged errors."""
    from devtools.apptest import through_entry_script

    entry = through_entry_script()
    entry.__enter__()
    import streamlit.runtime.caching.cache_data_api  # noqa: F401 - create the loggers to quiet
    import streamlit.runtime.scriptrunner_utils.script_run_context  # noqa: F401

    names = [name for name in logging.root.manager.loggerDict if name == "streamlit" or name.startswith("streamlit.")]
    quiet = {name: logging.getLogger(name).level for name in [*names, "dashboard"]}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.ERROR if name == "dashboard" else logging.CRITICAL)
    collect = _Collect()
    dashboard_log = logging.getLogger("dashboard")
    dashboard_log.addHandler(collect)
    dashboard_log.propagate = False
    try:
        yield collect
    finally:
        entry.__exit__(None, None, None)
        dashboard_log.removeHandler(collect)
        dashboard_log.propagate = True
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def _new_app(email: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=PAGE_TIMEOUT_S)
    app.user = signed_in_claims(email)
    return app


def _problems(app, page: PageEntry, collect: _Collect) -> list[str]:
    found = [f"exception: {str(element.value).splitlines()[0][:200]}" for element in app.exception]
    found += [f"error: {str(element.value)[:200]}" for element in app.error]
    if collect.last:
        found.append(f"logged: {collect.last}")
        collect.last = None
    titles = [title.value for title in app.title]
    if not any(str(title).startswith(page.title) or page.title in str(title) for title in titles):
        found.append(f"title {page.title!r} not shown (titles: {titles[:3]})")
    return found


def clear_caches() -> None:
    import streamlit as st

    # Outside a script run these warn "missing ScriptRunContext" / "No runtime found"; AppTest
    # resets Streamlit's log levels on every run, so quiet them again each time.
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api"):
        logging.getLogger(name).setLevel(logging.ERROR)
    st.cache_data.clear()
    st.cache_resource.clear()


def _measure_once(page: PageEntry, primer: str, email: str, collect: _Collect,
                  cold: list[float], warm: list[float], problems: list[str]) -> None:
    """One cold and one warm run of ``page`` as ``email``, appended to ``cold``, ``warm`` and ``problems``."""
    app = _new_app(primer)
    app.run()
    app.user = signed_in_claims(email, issued_at=app.user["iat"])
    clear_caches()
    collect.last = None
    try:
        with run_limit():
            started = time.perf_counter()
            app.switch_page(page.path).run()
            cold.append(time.perf_counter() - started)
        found = _problems(app, page, collect)
        problems += found
        if any(hit_limit(problem) for problem in found):
            problems.append(LIMIT_MARK)
            return
        with run_limit():
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        problems += _problems(app, page, collect)
    except Exception as error:  # noqa: BLE001 - a failed run is a result
        problems.append(f"run failed: {type(error).__name__}: {str(error)[:200]}")


def _measure_page(database: BenchDatabase, name: str, page: PageEntry, role: str, primer: str, email: str,
                  collect: _Collect, runs: int, budget_s: float) -> dict:
    """The row of one page for one role: medians of up to ``runs`` cold and warm runs."""
    cold, warm, problems = [], [], []
    for _ in range(runs):
        if sum(cold) + sum(warm) > budget_s:
            break
        _measure_once(page, primer, email, collect, cold, warm, problems)
    limited = LIMIT_MARK in problems
    row = {
        "page": name, "title": page.title, "role": role, "scale": database.scale,
        "cold_s": RUN_LIMIT_S if limited else median(cold), "warm_s": median(warm),
        "over_limit": limited,
        "cold_runs": [round(seconds, 4) for seconds in cold],
        "warm_runs": [round(seconds, 4) for seconds in warm],
        "errors": sorted(set(problems)),
    }
    log(f"{database.scale:5} {role:10} {page.title:28} cold {_seconds(row['cold_s'])} warm {_seconds(row['warm_s'])}"
        + (f"  ({len(cold)} runs: over the time budget)" if len(cold) < runs else "")
        + (f"  ERRORS: {row['errors'][0]}" if row["errors"] else ""))
    return row


def measure_pages(database: BenchDatabase, users: BenchUsers, runs: int,
                  roles: tuple[str, ...] = ROLES, budget_s: float = FIGURE_BUDGET_S) -> list[dict]:
    """Cold and warm full runs of every page each role may open, median of ``runs``.

    Each measurement starts a fresh AppTest whose first (untimed) run signs in the
    smallest employer's HR manager, only so that st.navigation has registered the pages;
    then the caches are cleared, the identity switched to the measured user, and the page
    run timed (cold: the sign-in gate and the page, nothing cached), then run again (warm).
    """
    pages, role_pages = app_pages()
    primer_pages = set(role_pages.get("hr_manager", []))
    results = []
    install_run_limit(database.url)
    with app_environment(database), _apptest_like_a_server() as collect:
        # Imports and first compilation are not what "cold" means here: one discarded run.
        _new_app(users.officer).run()
        for role in roles:
            names = role_pages[app_role(role)]
            email = users.email(role)
            primer = users.primer if set(names) <= primer_pages else email
            for name in names:
                results.append(_measure_page(database, name, pages[name], role, primer, email, collect, runs,
                                             budget_s))
    return results


def _seconds(value: float | None) -> str:
    return "   —   " if value is None else f"{value:6.2f}s"
