"""Reading files: CSV (encoding and delimiter detected) or Excel, as a DataFrame of stripped strings."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from services.imports.common import ImportFailed

DELIMITERS = ",;\t|"
MAX_LAYOUT_PROBLEMS = 10  # the message names this many; the rest are counted


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    """The delimiter among , ; tab | : csv.Sniffer, checked against the header line."""
    sample = text[:65536]
    first = sample.splitlines()[0] if sample else ""
    fields = {delimiter: len(next(csv.reader([first], delimiter=delimiter), [])) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: fields[delimiter])  # first of equals wins: "," before ";"
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in fields and fields[sniffed] == fields[best]:
        return sniffed
    return best


def _cell(value: Any) -> str:
    """An Excel cell as the text a person sees (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_excel(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportFailed(f"This is not a readable Excel (.xlsx) file: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _file_bytes(source: bytes | str | Path, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and its name (a path's own name unless one is given; "upload" for bare bytes)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        data = path.read_bytes()
        filename = filename or path.name
    else:
        data = bytes(source)
    return data, filename or "upload"


def _raw_rows(data: bytes, filename: str) -> tuple[list[list[str]], str, str | None]:
    """(rows of cells, encoding, delimiter): encoding "xlsx" and no delimiter for an Excel file."""
    lower = filename.lower()
    if lower.endswith(".xls"):
        raise ImportFailed("Old Excel .xls files are not supported: save the sheet as .xlsx or CSV.")
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_excel(data), "xlsx", None
    text, encoding = _decode(data)
    if "\x00" in text:
        raise ImportFailed("This does not look like a CSV file (it holds binary data).")
    delimiter = _delimiter(text)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), encoding, delimiter


def _header(rows: list[list[str]]) -> list[str]:
    """The stripped header, without trailing unnamed columns that hold nothing (spreadsheets often carry some)."""
    header = [name.strip() for name in rows[0]]
    width = len(header)
    while width and not header[width - 1] and not any(len(row) >= width and row[width - 1].strip()
                                                      for row in rows[1:]):
        width -= 1
    return header[:width]


def _header_problems(header: list[str]) -> list[str]:
    problems, seen = [], {}
    for number, name in enumerate(header, 1):
        if not name:
            problems.append(f"column {number} has values but no header")
        elif name in seen:
            problems.append(f"the header '{name}' appears twice (columns {seen[name]} and {number})")
        seen.setdefault(name, number)
    return problems


def _body(rows: list[list[str]], width: int, encoding: str,
          problems: list[str]) -> tuple[list[list[str]], list[int]]:
    """(the data rows' cells, padded or cut to ``width``, their line numbers); blank rows are skipped and
    rows of another width reported in ``problems`` (an Excel row may be short: its empty cells are left out)."""
    body, lines = [], []
    for line, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]
        elif len(cells) < width and encoding == "xlsx":
            cells += [""] * (width - len(cells))
        if len(cells) != width:
            problems.append(f"line {line} has {len(cells)} values but the header has {width} columns")
            continue
        body.append(cells)
        lines.append(line)
    return body, lines


def read_table(source: bytes | str | Path, filename: str | None = None) -> pd.DataFrame:
    """A CSV or Excel file as a DataFrame of stripped strings.

    ``source`` is the file's bytes, or a path (str or Path). CSV: UTF-8 with or without
    BOM, UTF-16 with BOM, else Windows-1252/Latin-1; the delimiter is one of , ; tab |.
    Excel (.xlsx): the first sheet. The first row is the header. The index holds each
    row's spreadsheet line number (header = 1); empty rows are skipped. ``attrs`` holds
    filename, sha256, encoding and delimiter. Raises ImportFailed for an unreadable file.
    """
    data, filename = _file_bytes(source, filename)
    sha = hashlib.sha256(data).hexdigest()
    rows, encoding, delimiter = _raw_rows(data, filename)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFailed("The file is empty or its first row (the header) is blank.")
    header = _header(rows)
    problems = _header_problems(header)
    body, lines = _body(rows, len(header), encoding, problems)
    if problems:
        more = f" (and {len(problems) - MAX_LAYOUT_PROBLEMS} more)" if len(problems) > MAX_LAYOUT_PROBLEMS else ""
        raise ImportFailed("The file's layout is broken: " + "; ".join(problems[:MAX_LAYOUT_PROBLEMS]) + more + ".")
    table = pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    table.attrs.update(filename=filename, sha256=sha, encoding=encoding, delimiter=delimiter)
    return table
