"""The metrics layer's main queries (and the review pack), called directly, without the page cache."""

from __future__ import annotations

import time
from collections.abc import Callable

from devtools.bench.databases import BenchDatabase, BenchUsers, app_environment
from devtools.bench.settings import (
    FIGURE_BUDGET_S,
    LIMIT_MARK,
    ROLES,
    RUN_LIMIT_S,
    hit_limit,
    install_run_limit,
    log,
    median,
    run_limit,
)


def _calls(scope, filters, quarter, today) -> dict[str, Callable]:
    """Each metric a page asks ui/data.py for, and the review pack: name -> call(session)."""
    from services.review import build_pack
    from ui.data import METRICS

    calls: dict[str, Callable] = {
        name: (lambda session, metric=metric: metric(session, scope, filters, today=today))
        for name, metric in sorted(METRICS.items())
    }
    calls["review_pack"] = lambda session: build_pack(session, scope, quarter=quarter, today=today)
    return calls


def _time_call(call: Callable, runs: int, budget_s: float) -> tuple[list[float], str | None]:
    """Up to ``runs`` timings of ``call(session)``, and the error that stopped them (None if none did)."""
    from sqlmodel import Session

    from db.engine import get_engine

    times, error = [], None
    for _ in range(runs):
        if sum(times) > budget_s:
            break
        try:
            with run_limit(), Session(get_engine()) as session:
                started = time.perf_counter()
                call(session)
                times.append(time.perf_counter() - started)
        except Exception as failure:  # noqa: BLE001
            error = f"{type(failure).__name__}: {str(failure).splitlines()[0][:200]}"
            if hit_limit(error):
                error = f"over {RUN_LIMIT_S:.0f} s ({LIMIT_MARK})"
                times = [RUN_LIMIT_S]
            break
    return times, error


def measure_metrics(database: BenchDatabase, users: BenchUsers, runs: int,
                    budget_s: float = FIGURE_BUDGET_S) -> list[dict]:
    """Each metric a page asks ui/data.py for (and the review pack), called directly: median of ``runs``."""
    from sqlmodel import Session

    from db.engine import get_engine
    from db.scope import scope_for_user
    from services.filters import Filters
    from services.identity import find_user
    from services.periods import last_complete_quarter
    from services.periods import today as current_day

    results = []
    install_run_limit(database.url)
    with app_environment(database):
        today = current_day()
        quarter = last_complete_quarter(today)
        filters = Filters(period=quarter)
        for role in ROLES:
            with Session(get_engine()) as session:
                scope = scope_for_user(session, find_user(session, users.email(role)))
            for name, call in _calls(scope, filters, quarter, today).items():
                times, error = _time_call(call, runs, budget_s)
                results.append({"metric": name, "role": role, "scale": database.scale, "median_s": median(times),
                                "runs": len(times), "error": error})
                if times and times[-1] > 5:
                    log(f"{database.scale:5} {role:10} metric {name}: {median(times):.1f} s")
    return results
