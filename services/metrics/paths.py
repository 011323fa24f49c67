"""Which way a figure is computed: from the summary tables (db/summaries/) when the
period and filters allow, else from the raw rows; ``raw_only`` forces the raw rows (tests
compare both ways; the bench times both).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from services.filters import Filters
from services.periods import Period, is_quarter


def month_aligned(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


_RAW_ONLY: ContextVar[bool] = ContextVar("metrics_raw_only", default=False)


def is_raw_only() -> bool:
    return _RAW_ONLY.get()


@contextmanager
def raw_only():
    """Compute from the raw rows only (tests compare both paths; the bench times both)."""
    token = _RAW_ONLY.set(True)
    try:
        yield
    finally:
        _RAW_ONLY.reset(token)


def uses_summaries(filters: Filters, period: Period, kind: str = "") -> bool:
    """Whether counts for this period and these filters come from the summary tables.

    They hold whole months per employer, department and credential: cohort filters
    and periods that cut a month need the raw rows. People counts (learners) are
    kept per quarter without credentials, so they need a whole quarter and no
    credential filter, except in the per-credential table, which has none.
    """
    if is_raw_only() or filters.cohort_ids is not None or not month_aligned(period):
        return False
    return kind == "credential" or (is_quarter(period) and filters.credential_ids is None)




def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
