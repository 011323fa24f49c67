"""Imports: CSV and Excel files from HR and learning systems, checked row by row, written all or nothing.

    open_table(file)                          bytes or a path → a TableFile: size checked, header read
                                              (encoding, delimiter and Excel detected); .table() reads the rows
    read_table(file)                          the same, straight to a DataFrame of strings, index = spreadsheet line
    plan(session, scope, kind, table, ...)    map the columns, validate every row, compare with the
                                              database: errors, or what would be created/updated/unchanged
    apply(session, scope, plan)               write a valid plan in ONE transaction with bulk Core
                                              statements, one AuditEvent, a data-version bump
    import_file(...)                          the three together (the page and `manage.py import`)

Kinds, their columns, formats, natural keys and the rules below are documented for
users in docs/imports.md (keep the two in step; ``KINDS`` is the source of truth).

Rules
- The target organisation comes from the scope or the caller, never from the file:
  HR managers import into their own employer only; partnership officers into an
  employer partnered with their university; credentials are the university side's.
- Every row is validated before anything is written; any error means nothing is written.
- Upsert on natural keys; a row equal to the stored record is "unchanged"; rows of
  the database missing from the file are left alone (imports never delete).
- A column absent from the file leaves that field as it is (defaults for new rows);
  a present but empty cell (or ?, NA, N/A, null) means "no value".
- Lookups are loaded once per import into dicts; writes are executemany statements.
- A file is read header first and within limits (``limits.py``: rows, file size, an Excel file's
  unpacked size; environment variables): the header is checked before any row is read, and a file
  over a limit is refused as soon as that shows. A CSV that is not UTF-8 is read only when it reads as
  Western European text (``encodings.py``): never mojibake.

The package, in the order an import runs: ``kinds`` (the kinds and their columns), ``limits``,
``encodings`` and ``reading`` (files), ``mapping`` (headers → columns), ``cells`` (parsing cells),
``planning`` (the Plan and what every planner shares), one planner module per kind, and ``pipeline``
(target, plan, apply, import_file). Who may import what is decided in services/permissions.py.
"""

from __future__ import annotations

from db import summaries  # noqa: F401  (imports.summaries: the summary refresh an import ends with)
from services.imports.cells import NULLS
from services.imports.common import (
    ANALYZE_MIN_ROWS,
    CHUNK,
    PROGRESS_MIN_ROWS,
    ImportFailed,
    Progress,
    RowError,
)
from services.imports.kinds import (
    DEFAULT_PROFICIENCY,
    KINDS,
    Column,
    Kind,
    columns_frame,
    kinds_for,
    template,
    universities,
)
from services.imports.limits import Limits, import_limits
from services.imports.mapping import resolve_columns
from services.imports.pipeline import PLANNERS, apply, import_file, plan, target
from services.imports.planning import Plan
from services.imports.reading import DELIMITERS, TableFile, open_table, read_table

__all__ = [
    "ANALYZE_MIN_ROWS", "CHUNK", "DEFAULT_PROFICIENCY", "DELIMITERS", "KINDS", "NULLS", "PLANNERS",
    "PROGRESS_MIN_ROWS", "Column", "ImportFailed", "Kind", "Limits", "Plan", "Progress", "RowError", "TableFile",
    "apply", "columns_frame", "import_file", "import_limits", "kinds_for", "open_table", "plan", "read_table",
    "resolve_columns", "target", "template", "universities",
]
