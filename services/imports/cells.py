"""Parsing cells: each column's text → a value of its type, or a message saying why it is not one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from services.imports.common import CHUNK, Progress, RowError
from services.imports.kinds import DEFAULT_PROFICIENCY, Column, Kind
from services.periods import today

NULLS = frozenset({"", "?", "na", "n/a", "null"})  # compared after strip(), case-insensitively
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^[+-]?\d+(\.0*)?$")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

Parser = Callable[[str], Any]


class BadCell(Exception):
    """A cell that is not a value of its column; the message says why."""


BAD = object()  # a cell that did not parse (its error is already reported)


def has_value(value: Any) -> bool:
    """A cell that parsed to a value (not empty, not bad)."""
    return value is not None and value is not BAD


def _text_parser(column: Column) -> Parser:
    required, max_length = column.required, column.max_length

    def text(raw: str):
        stripped = raw.strip()
        if len(stripped) <= 4 and stripped.lower() in NULLS:
            if required:
                raise BadCell("a value is required")
            return None
        if max_length is not None and len(stripped) > max_length:
            raise BadCell(f"is {len(stripped)} characters long; at most {max_length} are allowed")
        return stripped

    return text


def _email_parser(column: Column, text: Parser) -> Parser:
    def email(raw: str):
        value = text(raw)
        if value is not None and not EMAIL_RE.match(value):
            raise BadCell(f"'{value}' is not an email address")
        return value

    return email


def _date_parser(column: Column, text: Parser) -> Parser:
    last_day = today() if column.past else None  # once per import: every row is checked against the same day

    def date_(raw: str):
        value = text(raw)
        if value is None:
            return None
        parsed = None
        if DATE_RE.match(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                pass
        if parsed is None:
            raise BadCell(f"'{value}' is not a date (use YYYY-MM-DD)")
        if last_day is not None and parsed > last_day:
            raise BadCell(f"'{value}' is in the future: {column.name} records what has happened, "
                          f"so it is at most today ({last_day.isoformat()})")
        return parsed

    return date_


def _int_parser(column: Column, text: Parser) -> Parser:
    lo, hi = column.lo, column.hi

    def int_(raw: str):
        value = text(raw)
        if value is None:
            return None
        if not INT_RE.match(value):
            raise BadCell(f"'{value}' is not a whole number")
        number = int(value.split(".")[0])
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise BadCell(f"{number} is not between {lo} and {hi}" if hi is not None else f"{number} is less than {lo}")
        return number

    return int_


def _number_parser(column: Column, text: Parser) -> Parser:
    lo, hi, places, as_float = column.lo, column.hi, column.places, column.type == "float"

    def number(raw: str):
        value = text(raw)
        if value is None:
            return None
        if not NUMBER_RE.match(value):
            raise BadCell(f"'{value}' is not a number (digits and a '.' only)")
        amount = Decimal(value)
        if lo is not None and amount < lo:
            raise BadCell(f"{value} is negative" if lo == 0 else f"{value} is less than {lo}")
        if hi is not None and amount > hi:
            raise BadCell(f"{value} is more than {hi}" if not as_float else f"{value} is not between {lo} and {hi}")
        if places is not None and amount != amount.quantize(Decimal(1).scaleb(-places)):
            raise BadCell(f"{value} has more than {places} decimal place{'s' if places > 1 else ''}")
        return float(amount) if as_float else amount

    return number


def _choice_parser(column: Column, text: Parser) -> Parser:
    allowed, label = set(column.choices), column.label

    def choice(raw: str):
        value = text(raw)
        if value is None:
            return None
        normalised = re.sub(r"[\s-]+", "_", value.lower())
        if normalised not in allowed:
            raise BadCell(f"'{value}' is not a {label} ({', '.join(column.choices)})")
        return normalised

    return choice


def _skill_item(item: str) -> tuple[str, int]:
    """One "skill[:level]" of a skills cell as (name, proficiency)."""
    match = re.match(r"^(.*?)\s*:\s*(\S*)$", item)
    name, level = (match.group(1), match.group(2)) if match else (item, str(DEFAULT_PROFICIENCY))
    if not re.fullmatch(r"[1-5]", level):
        raise BadCell(f"'{level}' is not a proficiency for skill '{name}' (1 to 5)")
    if not name or len(name) > 200:
        raise BadCell(f"'{item}' needs a skill name of 1 to 200 characters")
    return name, int(level)


def _skills_parser(column: Column, text: Parser) -> Parser:
    def skills(raw: str):
        value = text(raw)
        if value is None:
            return None
        out: dict[str, tuple[str, int]] = {}
        for item in value.split(";"):
            item = item.strip()
            if not item:
                continue
            name, level = _skill_item(item)
            if name.lower() in out:
                raise BadCell(f"skill '{name}' is listed twice")
            out[name.lower()] = (name, level)
        return out

    return skills


_TYPED_PARSERS: dict[str, Callable[[Column, Parser], Parser]] = {
    "email": _email_parser, "date": _date_parser, "int": _int_parser, "decimal": _number_parser,
    "float": _number_parser, "choice": _choice_parser, "skills": _skills_parser,
}


def parser(column: Column) -> Parser:
    """The function turning one cell of ``column`` into its value (None for no value); raises BadCell."""
    text = _text_parser(column)
    if column.type == "text":
        return text
    if column.type not in _TYPED_PARSERS:
        raise ValueError(column.type)
    return _TYPED_PARSERS[column.type](column, text)


def parse_rows(spec: Kind, table: pd.DataFrame, errors: list[RowError], progress: Progress | None):
    """[(line, {column: value})] for every row; bad cells hold BAD and are reported."""
    present = [column for column in spec.columns if column.name in table.columns]
    parsers = [(column.name, parser(column)) for column in present]
    cells_by_column = [table[column.name].tolist() for column in present]
    lines = table.index.tolist()
    out = []
    total = len(lines)
    for i, line in enumerate(lines):
        values = {}
        for (name, parse), cells in zip(parsers, cells_by_column, strict=True):
            try:
                values[name] = parse(cells[i])
            except BadCell as exc:
                errors.append(RowError(line, name, str(exc)))
                values[name] = BAD
        out.append((line, values))
        if progress and i % CHUNK == CHUNK - 1:
            progress(0.4 * (i + 1) / total, f"Checked {i + 1:,} of {total:,} rows")
    return out
