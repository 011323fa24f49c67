"""Counting the SQL statements a call issues: a regression that repeats a query shows as a higher count.

These are statement counts, never timings (timings are the bench's, devtools/bench/).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL text of every statement run on ``engine`` inside the block, in order."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
