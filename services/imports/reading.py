"""Reading files, header first: CSV (encoding and delimiter detected) or Excel, as a DataFrame of stripped
strings, within the limits of ``limits.py``.

``open_table`` checks the file's size (and an Excel file's unpacked size) and reads its header only;
the caller checks the header against the kind and its mapping, and only then reads the rows with
``TableFile.table()``, which stops at the first row over the limit. A file over a limit, or with a broken
header, is refused without its rows being parsed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from services.imports.common import ImportFailed
from services.imports.encodings import decode
from services.imports.limits import MB, Limits, import_limits

DELIMITERS = ",;\t|"
MAX_LAYOUT_PROBLEMS = 10  # the message names this many; the rest are counted
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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


def _file_bytes(source: bytes | str | Path, filename: str | None, limit: Limits) -> tuple[bytes, str]:
    """The file's bytes and its name (a path's own name unless one is given; "upload" for bare bytes).
    A file over the size limit is refused before it is read."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        _check_size(path.stat().st_size, limit)
        data = path.read_bytes()
        filename = filename or path.name
    else:
        data = bytes(source)
    _check_size(len(data), limit)
    return data, filename or "upload"


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


def _check_size(size: int, limit: Limits) -> None:
    if size > limit.file_bytes:
        raise ImportFailed(f"The file is {_megabytes(size)}, more than the {limit.file_mb:,} MB one import takes "
                           "(IMPORT_MAX_FILE_MB): split it into smaller files and import them one by one.")


def _check_unpacked(data: bytes, limit: Limits) -> None:
    """Refuse an Excel file whose zip directory declares more than the limit unpacked, or shared strings
    over a tenth of it. The declared sizes bind: Python's zipfile stops every member at its declared size
    (and fails its checksum)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ImportFailed(f"This is not a readable Excel (.xlsx) file: {exc}") from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > limit.unpacked_bytes:
        raise ImportFailed(f"The Excel file unpacks to {_megabytes(unpacked)}, more than the {limit.unpacked_mb:,} MB "
                           "one import takes (IMPORT_MAX_UNPACKED_MB): split it into smaller files, or save it as "
                           "CSV, and import them one by one.")
    # openpyxl holds every shared string (the text of the cells) in memory, at about eight times its size.
    shared = sum(member.file_size for member in members if member.filename.lower().endswith("sharedstrings.xml"))
    if shared > limit.shared_strings_bytes:
        raise ImportFailed(f"The Excel file's text cells unpack to {_megabytes(shared)}, more than the "
                           f"{_megabytes(limit.shared_strings_bytes)} one import takes (a tenth of "
                           "IMPORT_MAX_UNPACKED_MB): save it as CSV, or split it, and import the parts one by one.")


def _named_width(header: list[str]) -> int:
    """The header's width without trailing blank names."""
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    return width


def _header_problems(header: list[str]) -> list[str]:
    problems, seen = [], {}
    for number, name in enumerate(header, 1):
        if not name:
            problems.append(f"column {number} has values but no header")
        elif name in seen:
            problems.append(f"the header '{name}' appears twice (columns {seen[name]} and {number})")
        seen.setdefault(name, number)
    return problems


def _refuse_layout(problems: list[str], more: int = 0) -> NoReturn:
    more += max(0, len(problems) - MAX_LAYOUT_PROBLEMS)
    tail = f" (and {more:,} more)" if more else ""
    raise ImportFailed("The file's layout is broken: " + "; ".join(problems[:MAX_LAYOUT_PROBLEMS]) + tail + ".")


@dataclass
class _Layout:
    """What the rows say about the layout, kept small: the widest trailing unnamed column holding a value,
    and rows whose width is wrong (the first few as (line, width), the rest counted)."""

    unnamed_width: int = 0
    wrong: list[tuple[int, int]] = field(default_factory=list)
    more_wrong: int = 0

    def wrong_width(self, line: int, width: int) -> None:
        if len(self.wrong) < MAX_LAYOUT_PROBLEMS:
            self.wrong.append((line, width))
        else:
            self.more_wrong += 1


@dataclass
class TableFile:
    """An opened file: its header is read; ``table()`` reads its rows."""

    filename: str
    sha256: str
    encoding: str  # "xlsx" for an Excel file
    delimiter: str | None  # None for an Excel file
    raw_header: list[str]
    rows: Iterator[tuple | list]  # the rows after the header, not yet read
    limit: Limits
    header: list[str] = field(init=False)  # stripped, without trailing blank names

    def __post_init__(self) -> None:
        full = [name.strip() for name in self.raw_header]
        self.header = full[:_named_width(full)]
        self._full_width = len(full)
        problems = _header_problems(self.header)
        if problems:
            _refuse_layout(problems)

    def _frame(self, body: list[list[str]], lines: list[int], header_only: bool) -> pd.DataFrame:
        table = pd.DataFrame(body, columns=self.header, index=pd.Index(lines, name="line"), dtype=object)
        table.attrs.update(filename=self.filename, sha256=self.sha256, encoding=self.encoding,
                           delimiter=self.delimiter, header_only=header_only)
        return table

    def header_table(self) -> pd.DataFrame:
        """The header without rows (``attrs["header_only"]``): for a header that fails its check."""
        return self._frame([], [], header_only=True)

    def table(self) -> pd.DataFrame:
        """Every row, stripped, index = spreadsheet line; empty rows skipped. Refused at the first row over
        the row limit, and for rows whose width does not fit the header."""
        named, layout = len(self.header), _Layout()
        body, lines = [], []
        for line, row in enumerate(self.rows, start=2):
            if line - 1 > self.limit.rows:
                rows = f"{self.limit.rows:,} row{'s' if self.limit.rows != 1 else ''}"
                raise ImportFailed(f"The file has more than {rows} after the header (empty rows count too), the "
                                   "most one import takes (IMPORT_MAX_ROWS): split it into files of at most "
                                   f"{rows} and import them one by one.")
            cells = self._cells(row)
            if any(cells):
                body.append(self._fit(cells, line, named, layout))
                lines.append(line)
        self._check_layout(layout, named)
        return self._frame(body, lines, header_only=False)

    def _cells(self, row: tuple | list) -> list[str]:
        if self.encoding == "xlsx":
            return [_cell(value).strip() for value in row]
        return [cell.strip() for cell in row]

    def _fit(self, cells: list[str], line: int, named: int, layout: _Layout) -> list[str]:
        """The row cut (or, from Excel, padded) to the named columns; a value under a blank header or beyond
        the header, or a CSV row too short, is noted in ``layout``."""
        full = self._full_width
        for index in range(min(len(cells), full) - 1, named - 1, -1):
            if cells[index]:
                layout.unnamed_width = max(layout.unnamed_width, index + 1)
                break
        if (len(cells) > full and any(cells[full:])) or (len(cells) < named and self.encoding != "xlsx"):
            layout.wrong_width(line, len(cells))
        if len(cells) == named:
            return cells
        return cells[:named] if len(cells) > named else cells + [""] * (named - len(cells))

    def _check_layout(self, layout: _Layout, named: int) -> None:
        width = max(named, layout.unnamed_width)
        padded = self.header + [""] * (width - named)
        problems = _header_problems(padded)
        problems += [f"line {line} has {values} values but the header has {width} columns"
                     for line, values in layout.wrong]
        if problems:
            _refuse_layout(problems, layout.more_wrong)


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, as a file opened with newline="" gives them (without
    io.StringIO, which would copy the text at four bytes a character)."""
    return (match.group() for match in _LINE.finditer(text))


def _csv_rows(data: bytes) -> tuple[Iterator[list[str]], str, str]:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFailed("This does not look like a CSV file (it holds binary data).")
    delimiter = _delimiter(text)
    return _checked_csv(csv.reader(_lines(text), delimiter=delimiter)), encoding, delimiter


def _checked_csv(reader) -> Iterator[list[str]]:
    """The reader's rows; a field over the csv module's size limit (128 KiB) refuses the file."""
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFailed(f"Line {reader.line_num:,} of the file cannot be read: {exc}.") from None


def _checked_excel(rows: Iterator[tuple]) -> Iterator[tuple]:
    """The sheet's rows; a sheet that breaks while being read (damaged XML, a member longer than its zip
    directory says) refuses the file."""
    try:
        yield from rows
    except Exception as exc:  # noqa: BLE001 - openpyxl and zipfile raise many kinds for a damaged file
        raise ImportFailed(f"This is not a readable Excel (.xlsx) file: {exc}") from None


@contextmanager
def _excel_rows(data: bytes, limit: Limits) -> Iterator[tuple[list, Iterator[tuple]]]:
    """(header row, the later rows) of the first sheet, read as they are iterated (openpyxl read-only)."""
    from openpyxl import load_workbook

    _check_unpacked(data, limit)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportFailed(f"This is not a readable Excel (.xlsx) file: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared dimension would pad every row to it (a crafted A1:XFD1048576 to 16,384 cells).
        sheet.reset_dimensions()
        first = next(_checked_excel(sheet.iter_rows(max_row=1, values_only=True)), ())
        header = [_cell(value) for value in first]
        # One column past the named header, so that a value under no header is still seen.
        width = _named_width([name.strip() for name in header]) + 1
        yield header, _checked_excel(sheet.iter_rows(min_row=2, max_col=width, values_only=True))
    finally:
        workbook.close()


@contextmanager
def open_table(source: bytes | str | Path, filename: str | None = None) -> Iterator[TableFile]:
    """The file, its size checked and its header read (``TableFile``); its rows are read by ``table()``.

    ``source`` is the file's bytes, or a path (str or Path). CSV: UTF-8 with or without BOM, UTF-16 with
    BOM, or Windows-1252 that reads as Western text (``encodings.py``); the delimiter is one of , ; tab |.
    Excel (.xlsx): the first sheet. The first row is the header. Raises ImportFailed for a file that is
    unreadable, over a limit, or whose header is broken.
    """
    limit = import_limits()
    data, filename = _file_bytes(source, filename, limit)
    sha = hashlib.sha256(data).hexdigest()
    lower = filename.lower()
    if lower.endswith(".xls"):
        raise ImportFailed("Old Excel .xls files are not supported: save the sheet as .xlsx or CSV.")
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        with _excel_rows(data, limit) as (header, rows):
            yield _opened(filename, sha, "xlsx", None, header, rows, limit)
        return
    rows, encoding, delimiter = _csv_rows(data)
    yield _opened(filename, sha, encoding, delimiter, next(rows, []), rows, limit)


def _opened(filename: str, sha: str, encoding: str, delimiter: str | None, header: list[str],
            rows: Iterator, limit: Limits) -> TableFile:
    if not any(name.strip() for name in header):
        raise ImportFailed("The file is empty or its first row (the header) is blank.")
    return TableFile(filename, sha, encoding, delimiter, header, rows, limit)


def read_table(source: bytes | str | Path, filename: str | None = None) -> pd.DataFrame:
    """A CSV or Excel file as a DataFrame of stripped strings (``open_table``, then every row).

    The index holds each row's spreadsheet line number (header = 1); empty rows are skipped. ``attrs``
    holds filename, sha256, encoding and delimiter. Raises ImportFailed for an unreadable file.
    """
    with open_table(source, filename) as opened:
        return opened.table()
