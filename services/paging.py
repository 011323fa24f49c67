"""Keyset (seek) paging: the page after a row starts where that row sits in an index, so a page reads about
its own rows, not every match sorted to skip the earlier ones (issue 18). A cursor is the sort key of the
last row shown: (sort value, id), the id breaking ties."""

from __future__ import annotations

from sqlalchemy import and_, or_, true


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
