"""SQL expressions whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String


class days_between(FunctionElement):
    """Whole days from the first date to the second (second minus first)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    a, b = list(element.clauses)
    return f"({compiler.process(b, **kw)} - {compiler.process(a, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return f"CAST(julianday({compiler.process(b, **kw)}) - julianday({compiler.process(a, **kw)}) AS INTEGER)"


class quarter_label(FunctionElement):
    """'2025Q3' for a date."""

    type = String()
    inherit_cache = True
    name = "quarter_label"


@compiles(quarter_label)
def _quarter_label_pg(element, compiler, **kw):
    (d,) = list(element.clauses)
    return f"to_char({compiler.process(d, **kw)}, 'YYYY\"Q\"Q')"


@compiles(quarter_label, "sqlite")
def _quarter_label_sqlite(element, compiler, **kw):
    (d,) = list(element.clauses)
    x = compiler.process(d, **kw)
    return f"(strftime('%Y', {x}) || 'Q' || ((CAST(strftime('%m', {x}) AS INTEGER) + 2) / 3))"


class month_start(FunctionElement):
    """The first day of the date's month."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_pg(element, compiler, **kw):
    (d,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(d, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (d,) = list(element.clauses)
    return f"date({compiler.process(d, **kw)}, 'start of month')"


class quarter_start(FunctionElement):
    """The first day of the date's quarter."""

    type = Date()
    inherit_cache = True
    name = "quarter_start"


@compiles(quarter_start)
def _quarter_start_pg(element, compiler, **kw):
    (d,) = list(element.clauses)
    return f"CAST(date_trunc('quarter', {compiler.process(d, **kw)}) AS DATE)"


@compiles(quarter_start, "sqlite")
def _quarter_start_sqlite(element, compiler, **kw):
    (d,) = list(element.clauses)
    x = compiler.process(d, **kw)
    return (f"date({x}, 'start of month', '-' || ((CAST(strftime('%m', {x}) AS INTEGER) - 1) % 3) || ' months')")


def quarter_bounds(day: date) -> tuple[date, date]:
    """In Python: the first and last day of ``day``'s calendar quarter (``quarter_start`` in SQL)."""
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(day.year + 1, 1, 1) if start.month == 10 else date(day.year, start.month + 3, 1)
    return start, following - timedelta(days=1)
