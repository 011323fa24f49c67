"""Figures asked for more than once in one build are computed once.

A page or the review pack asks for some figures several times: the pack's summaries and its
by-quarter series read the same quarters' counts, the budget re-reads the quarter's spend, the
alerts re-read the goal states. Inside ``reusing()`` each such figure is remembered under what
it depends on (the scope, the filters, the days, the raw-only switch), so the second request
costs no statement. Outside it nothing is remembered: a figure is always read afresh.

The store lives as long as the block (the pack) or, given by ui/data.py, as long as one data
version of one database: any write bumps the version, so nothing stale is ever served.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from services.metrics.paths import is_raw_only

_STORE: ContextVar[MutableMapping | None] = ContextVar("metrics_reuse", default=None)
# A shared store is emptied when it reaches this many figures (each is one small table or number).
MAX_FIGURES = 5000


@contextmanager
def reusing(store: MutableMapping | None = None, *, session=None) -> Iterator[MutableMapping]:
    """Remember figures inside the block, in ``store`` or else in the one already in use (or a new one).
    Given a ``session``, the employers large enough to count are read once for the store, so the
    block's statements name them instead of each recounting every employer's people."""
    chosen = store if store is not None else (_STORE.get() if _STORE.get() is not None else {})
    token = _STORE.set(chosen)
    try:
        if session is not None:
            from services.population import remember_counted_employers  # population reads this module

            remember_counted_employers(session)
        yield chosen
    finally:
        _STORE.reset(token)


def remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or the value it gave for ``key`` earlier in the same ``reusing`` block; a copy
    each time, so a caller changing its table cannot change another's."""
    store = _STORE.get()
    if store is None:
        return compute()
    key = (*key, is_raw_only())
    # One get and one set: ui/data.py shares a store between the app's threads, which may empty it meanwhile.
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        if len(store) >= MAX_FIGURES:
            store.clear()
        store[key] = value
    return copy.deepcopy(value)


def recalled(key: tuple) -> Any:
    """What ``remembered`` keeps for ``key`` in the store in use, or None (no store, or not kept)."""
    store = _STORE.get()
    if store is None:
        return None
    value = store.get((*key, is_raw_only()), _MISSING)
    return None if value is _MISSING else copy.deepcopy(value)


_MISSING = object()
