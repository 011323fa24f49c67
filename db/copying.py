"""PostgreSQL: many new rows written with COPY ... FROM STDIN instead of executemany INSERTs (imports, the seed).

COPY streams the rows in one statement, without a round trip and a parse per batch; it runs on the
caller's own connection, so it is part of the caller's transaction and its rollback undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Table

CHUNK = 5000  # rows between two calls of the progress callback


def uses_copy(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _processors(table: Table, names: list[str], dialect) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, bind processor) of the columns whose type converts a value before SQLAlchemy binds it."""
    found = ((index, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
             for index, name in enumerate(names))
    return [(index, processor) for index, processor in found if processor is not None]


def _values(row: dict, given: list[str], defaults: list, processors: list) -> list:
    """A row's values as SQLAlchemy would bind them (an enum as its value, then the type's bind processor);
    psycopg's COPY writes the result (dates, decimals, None, booleans) in COPY's text format. Inline, not a
    call per value: this runs for every cell of the file."""
    values = [row[name] for name in given]
    if defaults:
        values += [make() for make in defaults]
    values = [value.value if isinstance(value, Enum) else value for value in values]
    for index, processor in processors:
        if values[index] is not None:
            values[index] = processor(values[index])
    return values


def _python_defaults(table: Table, given: list[str]) -> dict[str, Callable[[], Any]]:
    """The Python-side defaults (``default=`` / ``default_factory``) of the columns the rows leave out, which an
    INSERT through SQLAlchemy fills in; server-side defaults (ids) are COPY's own, as for any omitted column."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or getattr(default, "is_sequence", False):
            continue
        if default.is_callable:
            defaults[column.name] = lambda default=default: default.arg(None)
        elif not getattr(default, "is_clause_element", False):
            defaults[column.name] = lambda default=default: default.arg
    return defaults


def copy_rows(connection: Connection, table: Table, rows: list[dict],
              written: Callable[[int], None] | None = None) -> None:
    """``rows`` (dicts with the same keys, as for executemany) into ``table`` with one COPY; ``written`` is
    told how many rows are written every CHUNK rows and at the end."""
    if not rows:
        return
    dialect = connection.dialect
    given = list(rows[0])
    defaults = _python_defaults(table, given)
    names = given + list(defaults)
    processors = _processors(table, names, dialect)
    makers = list(defaults.values())
    quote = dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) "
                 "FROM STDIN")
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for i, row in enumerate(rows, 1):
            copy.write_row(_values(row, given, makers, processors))
            if written and (i % CHUNK == 0 or i == len(rows)):
                written(i)
