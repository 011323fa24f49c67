"""Imports: CSV and Excel files from HR and learning systems, checked row by row, written all or nothing.

    read_table(file)                          bytes or a path → a DataFrame of strings (encoding,
                                              delimiter and Excel detected), index = spreadsheet line
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

The package, in the order an import runs: ``kinds`` (the kinds and their columns), ``reading``
(files), ``mapping`` (headers → columns), ``cells`` (parsing cells), ``planning`` (the Plan and
what every planner shares), one planner module per kind, and ``pipeline`` (target, plan, apply,
import_file). Who may import what is decided in services/permissions.py.
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
from services.imports.mapping import resolve_columns
from services.imports.pipeline import PLANNERS, apply, import_file, plan, target
from services.imports.planning import Plan
from services.imports.reading import DELIMITERS, read_table

__all__ = [
    "ANALYZE_MIN_ROWS", "CHUNK", "DEFAULT_PROFICIENCY", "DELIMITERS", "KINDS", "NULLS", "PLANNERS",
    "PROGRESS_MIN_ROWS", "Column", "ImportFailed", "Kind", "Plan", "Progress", "RowError", "apply",
    "columns_frame", "import_file", "kinds_for", "plan", "read_table", "resolve_columns", "target", "template",
    "universities",
]
