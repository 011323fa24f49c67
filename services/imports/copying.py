"""PostgreSQL: an import's new rows written with COPY ... FROM STDIN instead of executemany INSERTs.

COPY streams the rows in one statement, without a round trip and a parse per batch; it runs on the
session's own connection, so it is part of the import's one transaction and its rollback undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlalchemy import Column, Table
from sqlmodel import Session

from services.imports.common import CHUNK, Progress


def uses_copy(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _converter(column: Column, dialect) -> Callable[[Any], Any]:
    """A value as SQLAlchemy would bind it for ``column`` (its type's bind processor, an enum as its value);
    psycopg's COPY then writes the result (dates, decimals, None, booleans) in COPY's text format."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)

    def convert(value: Any) -> Any:
        if isinstance(value, Enum):
            value = value.value
        return processor(value) if processor is not None and value is not None else value

    return convert


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


def copy_rows(session: Session, table: Table, rows: list[dict], progress: Progress | None, label: str) -> None:
    """``rows`` (dicts with the same keys, as for executemany) into ``table`` with one COPY."""
    if not rows:
        return
    session.flush()
    dialect = session.get_bind().dialect
    given = list(rows[0])
    defaults = _python_defaults(table, given)
    names = given + list(defaults)
    converters = [_converter(table.c[name], dialect) for name in names]
    quote = dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) "
                 "FROM STDIN")
    connection = session.connection().connection.driver_connection
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for i, row in enumerate(rows, 1):
            values = [row[name] for name in given] + [make() for make in defaults.values()]
            copy.write_row([convert(value) for convert, value in zip(converters, values, strict=True)])
            if progress and len(rows) > CHUNK and (i % CHUNK == 0 or i == len(rows)):
                progress(0.5 + 0.4 * i / len(rows), f"Wrote {i:,} {label}")
