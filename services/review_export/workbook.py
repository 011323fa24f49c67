"""The pack's Excel workbook: an About sheet, one sheet per table (services/review_export/tables.py)
and the definitions. Headings are the product's words; figures stay numbers, written as the page
writes them by each cell's number format (percent, £, dates, thousands separators). Text cells go
through services/spreadsheets.safe_cell and are stored as text, so no cell can run as a formula.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from services.formatting import RATE_DECIMALS, fmt
from services.metrics import DEFINITIONS, METRICS
from services.review import ReviewPack
from services.review_export.tables import PackTable, pack_tables
from services.spreadsheets import safe_cell

_DECIMALS = "0" * RATE_DECIMALS
# Excel number formats by services/formatting kind; the value is stored as ``_VALUE`` turns it.
NUMBER_FORMATS = {
    "count": "#,##0", "days": "#,##0", "change": "+#,##0;-#,##0;±0",
    "rate": f"0.{_DECIMALS}%", "growth": f"+0.{_DECIMALS}%;-0.{_DECIMALS}%;±0.{_DECIMALS}%",
    "points": f'+0.{_DECIMALS}" pts";-0.{_DECIMALS}" pts";±0.{_DECIMALS}" pts"',
    "money": '"£"#,##0', "money_change": '+"£"#,##0;-"£"#,##0;±"£"0', "price": '"£"#,##0.00',
    "mean": "#,##0.00", "mean_change": "+0.00;-0.00;±0.00", "credits": "#,##0.0",
    "date": "d mmm yyyy", "datetime": "d mmm yyyy, hh:mm",
}
CURRENCY_KINDS = ("money", "money_change", "price")
# Units of the definitions sheet, by kind.
UNITS = {"count": "Number", "rate": "Percent", "money": "Pounds (£)", "price": "Pounds (£)", "days": "Days",
         "mean": "Levels", "mean_change": "Rating points (1–5 scale)"}
MAX_WIDTH = 60
BOLD = Font(bold=True)


def _value(value, kind: str):
    """The cell's value: a number for a figure (points as percentage points), text otherwise."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None  # no figure: an empty cell
    if isinstance(value, str) or kind not in NUMBER_FORMATS:
        return fmt(value, kind) if kind in ("flag", "state") else value
    if kind in ("date", "datetime"):
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value
    number = float(value)
    return number * 100 if kind == "points" else int(number) if kind in ("count", "days", "change") else number


def _write(ws, row: int, col: int, value, kind: str = "text") -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = safe_cell(value)
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
    elif not isinstance(value, (bool, int, float, date)) and value is not None:
        cell.value = safe_cell(fmt(value, kind))  # a stored name (an enum): in words
        cell.data_type = "s"
    else:
        cell.value = value
        if kind in NUMBER_FORMATS and value is not None:
            cell.number_format = NUMBER_FORMATS[kind]


def _header(ws, headings: list[str]) -> None:
    for col, heading in enumerate(headings, start=1):
        _write(ws, 1, col, heading)
        ws.cell(row=1, column=col).font = BOLD
    ws.freeze_panes = "A2"


def _fit(ws, texts: list[list[str]]) -> None:
    """Column widths from the longest text a column shows (heading or formatted figure)."""
    for col, column_texts in enumerate(texts, start=1):
        width = min(MAX_WIDTH, max((len(t) for t in column_texts), default=8) + 2)
        ws.column_dimensions[get_column_letter(col)].width = width
        if width == MAX_WIDTH:
            for cell in ws[get_column_letter(col)]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def table_sheet(book: Workbook, table: PackTable) -> None:
    ws = book.create_sheet(sheet_title(table.title))
    headings = [table.heading(n) for n in table.names]
    _header(ws, headings)
    texts = [[h] for h in headings]
    for r, (_, row) in enumerate(table.frame.iterrows(), start=2):
        for c, name in enumerate(table.names, start=1):
            kind = table.kind(name, row)
            _write(ws, r, c, _value(row[name], kind), kind)
            texts[c - 1].append(table.text(name, row))
    if table.frame.empty:
        _write(ws, 2, 1, "No rows.")
    _fit(ws, texts)


def text_sheet(book: Workbook, title: str, headings: list[str], rows: list[list]) -> None:
    ws = book.create_sheet(sheet_title(title))
    _header(ws, headings)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _write(ws, r, c, value, "date" if isinstance(value, date) else "text")
    _fit(ws, [[heading] + [fmt(row[c], "date" if isinstance(row[c], date) else "text") for row in rows]
              for c, heading in enumerate(headings)])


def sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]


def about_rows(pack: ReviewPack) -> list[list]:
    return [
        ["Partner", pack.audience],
        ["Quarter", f"{pack.quarter.label} ({fmt(pack.quarter.start, 'date')} – {fmt(pack.quarter.end, 'date')})"],
        ["Compared with", f"{pack.previous.label} and {pack.last_year.label}"],
        ["Generated on", pack.generated_on],
        ["Alerts as of", pack.alerts.as_of],
        ["Small groups", DEFINITIONS["Suppression"]],
        ["People", "Aggregates only: no sheet lists a person."],
    ] + [[f"Summary {i + 1}", line] for i, line in enumerate(pack.narrative)]


def definition_rows() -> list[list]:
    units = {metric.label: UNITS.get(metric.kind, "") for metric in METRICS.values()}
    return [[term, text, units.get(term, "")] for term, text in DEFINITIONS.items()]


def excel_bytes(pack: ReviewPack, tables: list[PackTable] | None = None) -> bytes:
    """The workbook: About, a sheet per table of the pack, Definitions."""
    book = Workbook()
    book.remove(book.active)
    text_sheet(book, "About", ["Field", "Value"], about_rows(pack))
    for table in tables if tables is not None else pack_tables(pack):
        table_sheet(book, table)
    text_sheet(book, "Definitions", ["Term", "Definition", "Unit"], definition_rows())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
