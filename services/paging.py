"""Keyset (seek) paging: the page after a row starts where that row sits in an index, so a page reads about
its own rows, not every match sorted to skip the earlier ones (issue 18). A cursor is the sort key of the
last row shown: (sort value, id), the id breaking ties."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, true

# Counts beyond this are shown as "more than": an exact count of every match is a scan of all of them.
COUNT_BOUND = 10_000


def after(value_column, id_column, cursor: tuple | None, *, descending: bool = False):
    """Rows strictly after ``cursor`` in ORDER BY value, id (both descending with ``descending``). Written
    as ``value <= v AND (value < v OR id < i)`` rather than a row-value comparison: the first term is an
    index range on SQLite and PostgreSQL alike."""
    if cursor is None:
        return true()
    value, row_id = cursor
    if descending:
        return and_(value_column <= value, or_(value_column < value, id_column < row_id))
    return and_(value_column >= value, or_(value_column > value, id_column > row_id))


def bounded_count(session, stmt, id_column, bound: int | None) -> int:
    """How many rows ``stmt`` selects; with ``bound``, at most bound + 1 (more than bound: stop counting)."""
    if bound is None:
        return int(session.execute(stmt.with_only_columns(func.count(id_column))).scalar_one())
    rows = stmt.with_only_columns(id_column).limit(bound + 1).subquery()
    return int(session.execute(select(func.count()).select_from(rows)).scalar_one())
