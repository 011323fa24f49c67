"""How much one import may read, so that no file can take the server's memory or its time.

A file over a limit is refused before the rows it holds are parsed: its size on arrival, an Excel file's
unpacked size as its zip directory declares it (a zip bomb is refused without being expanded), and its
rows, counted as they are read (the reading stops at the first row over the limit). The defaults take
the 100,000-row imports the product is benchmarked on with room to spare; a deployment changes them with
environment variables, read at each import (README, *Imports*):

    IMPORT_MAX_ROWS         rows after the header, empty ones included      default 200,000
    IMPORT_MAX_FILE_MB      the file as uploaded or on disk (MB of 2**20)   default 50
    IMPORT_MAX_UNPACKED_MB  an Excel file's contents once unzipped          default 250
                            (of which its shared strings, the text cells the reader holds in memory,
                            at most a tenth: 25)

The upload page also tells Streamlit the file size limit; Streamlit's own server.maxUploadSize
(.streamlit/config.toml, 50) caps every upload before it reaches the page, so raising
IMPORT_MAX_FILE_MB above 50 needs that raised too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_FILE_MB = 50
DEFAULT_MAX_UNPACKED_MB = 250
MB = 1024 * 1024  # the megabyte of Streamlit's upload limit


@dataclass(frozen=True)
class Limits:
    rows: int
    file_mb: int
    unpacked_mb: int

    @property
    def file_bytes(self) -> int:
        return self.file_mb * MB

    @property
    def unpacked_bytes(self) -> int:
        return self.unpacked_mb * MB

    @property
    def shared_strings_bytes(self) -> int:
        """An Excel file's shared strings (the text of its cells), which the reader holds in memory."""
        return self.unpacked_bytes // 10


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not '{value}'.") from None
    if number < 1:
        raise ValueError(f"{name} must be at least 1, not {number}.")
    return number


def import_limits() -> Limits:
    """The limits in force: the environment's, else the defaults."""
    return Limits(rows=_setting("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
                  file_mb=_setting("IMPORT_MAX_FILE_MB", DEFAULT_MAX_FILE_MB),
                  unpacked_mb=_setting("IMPORT_MAX_UNPACKED_MB", DEFAULT_MAX_UNPACKED_MB))
