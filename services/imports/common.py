"""What every step of an import shares: its two kinds of failure, the progress callback, batch sizes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PROGRESS_MIN_ROWS = 2000  # the page shows a progress bar above this many rows
CHUNK = 5000  # rows per executemany
ANALYZE_MIN_ROWS = 10_000  # PostgreSQL: refresh planner statistics after writing this many rows

Progress = Callable[[float, str], None]


class ImportFailed(ValueError):
    """The import cannot go ahead at all (unreadable file, no target organisation, data changed meanwhile)."""


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the spreadsheet line (header = 1, first data row = 2), the column, and why."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.row}, column {self.column}: {self.message}" if self.column else \
            f"line {self.row}: {self.message}"
