"""Every CSV and Excel file the product writes for people to open, written here so that no cell
can run as a formula (OWASP, "CSV Injection").

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what a
spreadsheet may evaluate (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``): it is written with a
leading apostrophe, so it reads as the text it is. Numbers stay numbers, and the product's own
formatted figures ("-12", "+2.0 pts", "-£1,200") stay as they are: they hold no letters or
references, so there is nothing in them to run. Excel cells are always written as values, never
formulas.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A figure as services/formatting writes it: sign, optional pound sign, digits, decimals, a unit.
_PLAIN_FIGURE = re.compile(r"^[+\-±]?£?[\d,]+(\.\d+)?( pts|%)?$")


def safe_cell(value):
    """The value as a spreadsheet should hold it: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_FIGURE.match(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and heading made safe (headings can hold user text: a mapped column)."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(column)) for column in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    # CRLF line ends (RFC 4180): the writer then quotes a cell holding a bare carriage return too,
    # which a reader would otherwise take for the start of a new row (and of a formula).
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def excel_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as workbook:
        for name, df in sheets.items():
            safe_frame(df).to_excel(workbook, sheet_name=name[:31], index=False)
        for sheet in workbook.book.worksheets:
            _values_only(sheet)
    return buffer.getvalue()


def _values_only(sheet) -> None:
    """openpyxl stores a text starting with "=" as a formula: mark every text cell as a string."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
