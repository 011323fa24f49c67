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
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import (
    AssessmentSource,
    AuditEvent,
    Cohort,
    Credential,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    DeliveryMode,
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    Organization,
    OrgKind,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    PdpGoalStatus,
    PdpStatus,
    Role,
    Skill,
    SkillAssessment,
    Sponsor,
    utcnow,
)
from db.scope import AccessDenied, Scope, visible
from services import audit
from services.enrollments import TRANSITIONS, record_problems

NULLS = frozenset({"", "?", "na", "n/a", "null"})  # compared after strip(), case-insensitively
PROGRESS_MIN_ROWS = 2000  # the page shows a progress bar above this many rows
CHUNK = 5000  # rows per executemany
ANALYZE_MIN_ROWS = 10_000  # PostgreSQL: refresh planner statistics after writing this many rows
DEFAULT_PROFICIENCY = 3
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # as services/codesign.py
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^[+-]?\d+(\.0*)?$")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DELIMITERS = ",;\t|"

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


# --- Kinds and their columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text | email | int | decimal | float | date | choice | skills
    required: bool = False
    help: str = ""
    example: str = ""
    max_length: int | None = None
    lo: Any = None
    hi: Any = None
    places: int | None = None  # decimals allowed (money 2, ECTS 1)
    choices: tuple[str, ...] = ()
    label: str = ""  # for choice messages: "'x' is not a <label> (...)"
    default: Any = None  # for new rows when the column is absent or the cell is empty
    aliases: tuple[str, ...] = ()

    @property
    def format(self) -> str:
        if self.type == "date":
            return "date YYYY-MM-DD"
        if self.type == "int":
            return f"whole number {self.lo}–{self.hi}" if self.hi is not None else f"whole number ≥ {self.lo}"
        if self.type in ("decimal", "float"):
            rng = f" {self.lo}–{self.hi}" if self.hi is not None and self.type == "float" else \
                (f" ≥ {self.lo}" if self.lo is not None else "")
            return f"number{rng}" + (f", at most {self.places} decimal{'s' if self.places > 1 else ''}"
                                     if self.places else "")
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        if self.type == "skills":
            return "skill[:level]; skill[:level]; …"
        if self.type == "email":
            return "email address"
        return f"text, at most {self.max_length} characters" if self.max_length else "text"


def _choices(enum) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


EMPLOYEE_REF = Column("employee_ref", required=True, max_length=64, example="E1001", aliases=("employee_id",),
                      help="the employee's id in your HRIS")
CREDENTIAL_CODE = Column("credential_code", required=True, max_length=30, example="DATA-101",
                         aliases=("credential",), help="code of a credential you can see")
COHORT = Column("cohort", required=True, max_length=40, example="DATA-101-26Q1", aliases=("cohort_code",),
                help="code of a cohort (run) of that credential")


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    side: str  # "employer" or "university": whose data it is
    entity: str  # model name in the audit event
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {c.name: c.default for c in self.columns}

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("credentials", "Credentials", "university", "Credential", ("code",), (
        Column("code", required=True, max_length=30, example="DATA-101",
               help="unique code; letters, digits, '.', '_' and '-'"),
        Column("title", required=True, max_length=200, example="Data analysis for managers"),
        Column("level", "int", required=True, lo=1, hi=8, example="5", aliases=("eqf_level", "eqf"),
               help="EQF level"),
        Column("credits", "decimal", lo=Decimal(0), hi=Decimal("9999.9"), places=1, default=Decimal(0),
               example="5", aliases=("ects", "ects_credits"), help="ECTS credits"),
        Column("hours", "int", lo=0, hi=100_000, default=0, example="125", aliases=("learning_hours",),
               help="learning hours"),
        Column("delivery_mode", "choice", choices=_choices(DeliveryMode), label="delivery mode", default="online",
               example="online", aliases=("delivery", "mode")),
        Column("price", "decimal", lo=Decimal(0), hi=Decimal("9999999999.99"), places=2, default=Decimal(0),
               example="1200.00", help="list price per learner"),
        Column("skills", "skills", example="analyse big data:3; lead a team",
               help=f"skills with proficiency 1–5 (default {DEFAULT_PROFICIENCY}); new skill names are added "
                    "to the vocabulary"),
        Column("summary", max_length=5000, default="", example="", help="description"),
    )),
    Kind("employees", "Employees", "employer", "Employee", ("employee_ref",), (
        EMPLOYEE_REF,
        Column("name", required=True, max_length=200, example="Ann Example", aliases=("full_name",)),
        Column("email", "email", max_length=254, example="ann@example.com"),
        Column("department", max_length=120, example="Operations",
               help="created for your organisation if it does not exist"),
        Column("job_title", max_length=120, example="Analyst"),
        Column("location", max_length=120, example="Leeds"),
        Column("manager_ref", max_length=64, example="E1000",
               help="employee_ref of the manager (in the file or already imported)"),
        Column("hired_on", "date", required=True, example="2021-09-01", aliases=("hire_date", "start_date")),
        Column("left_on", "date", example="", aliases=("leave_date", "end_date"),
               help="empty while employed"),
    )),
    Kind("enrollments", "Enrollments", "employer", "Enrollment", ("employee_ref", "credential_code", "cohort"), (
        EMPLOYEE_REF, CREDENTIAL_CODE, COHORT,
        Column("enrolled_on", "date", required=True, example="2026-01-12", aliases=("enrolment_date",)),
        Column("status", "choice", required=True, choices=_choices(EnrollmentStatus), label="status",
               example="in_progress"),
        Column("completed_on", "date", example="",
               help="required for completed and failed (the day the result was known), else empty"),
        Column("withdrawn_on", "date", example="", help="required for withdrawn, else empty"),
        Column("score", "float", lo=0, hi=100, example="", help="0–100"),
        Column("cost", "decimal", lo=Decimal(0), hi=Decimal("9999999999.99"), places=2, default=Decimal(0),
               example="950.00"),
        Column("sponsor", "choice", choices=_choices(Sponsor), label="sponsor", default="employer",
               example="employer"),
        Column("last_activity_on", "date", example="2026-02-03", help="last day with learning activity"),
        Column("cohort_start", "date", example="",
               help="with cohort_end: creates a cohort that does not exist yet (university side only)"),
        Column("cohort_end", "date", example=""),
    )),
    Kind("assessments", "Skill assessments", "employer", "SkillAssessment",
         ("employee_ref", "skill", "assessed_on", "source"), (
        EMPLOYEE_REF,
        Column("skill", required=True, max_length=200, example="analyse big data",
               help="a skill name of the vocabulary"),
        Column("level", "int", required=True, lo=0, hi=5, example="2"),
        Column("assessed_on", "date", required=True, example="2026-01-15"),
        Column("source", "choice", choices=_choices(AssessmentSource), label="source", default="manager",
               example="manager"),
    )),
    Kind("pdp_goals", "PDP goals", "employer", "PdpGoal", ("employee_ref", "period", "title"), (
        EMPLOYEE_REF,
        Column("period", required=True, max_length=20, example="2026", help="the plan, e.g. 2026"),
        Column("title", required=True, max_length=200, example="Lead the data team", aliases=("goal",)),
        Column("skill", max_length=200, example="lead a team", help="target skill (vocabulary name)"),
        Column("target_level", "int", lo=1, hi=5, example="4", help="needs a skill"),
        Column("credential_code", max_length=30, example="", help="target credential"),
        Column("due_on", "date", required=True, example="2026-12-31"),
        Column("status", "choice", choices=_choices(PdpGoalStatus), label="goal status", default="planned",
               example="planned"),
    )),
    Kind("surveys", "Outcome surveys", "employer", "OutcomeSurvey", ("employee_ref", "credential_code", "cohort"), (
        EMPLOYEE_REF, CREDENTIAL_CODE, COHORT,
        Column("surveyed_on", "date", required=True, example="2026-06-01"),
        Column("performance_before", "int", required=True, lo=1, hi=5, example="3"),
        Column("performance_after", "int", required=True, lo=1, hi=5, example="4"),
        Column("satisfaction_before", "int", required=True, lo=1, hi=5, example="3"),
        Column("satisfaction_after", "int", required=True, lo=1, hi=5, example="4"),
    )),
]}


def kinds_for(scope: Scope) -> list[str]:
    """The kinds this user may import (none for viewers)."""
    if scope.read_only or scope.role not in (Role.admin, Role.partnership_officer, Role.hr_manager):
        return []
    if scope.is_employer_side:
        return [k for k, spec in KINDS.items() if spec.side == "employer"]
    return list(KINDS)


def universities(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Universities the scope may choose as the owner of imported credentials."""
    return [tuple(r) for r in session.execute(
        select(Organization.id, Organization.name).where(Organization.kind == OrgKind.university,
                                                         visible(scope, Organization))
        .order_by(Organization.name)).all()]


def template(kind: str) -> pd.DataFrame:
    """A template for ``kind``: the canonical headers and one example row."""
    spec = KINDS[kind]
    return pd.DataFrame([[c.example for c in spec.columns]], columns=[c.name for c in spec.columns])


def columns_frame(kind: str) -> pd.DataFrame:
    """The columns of a ``kind`` file for people, read from the specification rows are checked against
    (``KINDS``), so the Import page's reference cannot drift from the code."""
    return pd.DataFrame([{
        "column": c.name, "required": "yes" if c.required else "no", "format": c.format,
        "also_accepted": ", ".join(c.aliases), "example": c.example,
        "default_for_new_records": "" if c.default in (None, "") else str(c.default), "meaning": c.help,
    } for c in KINDS[kind].columns])


# --- Reading files ----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    """The delimiter among , ; tab | : csv.Sniffer, checked against the header line."""
    sample = text[:65536]
    first = sample.splitlines()[0] if sample else ""
    fields = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: fields[d])  # first of equals wins: "," before ";"
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in fields and fields[sniffed] == fields[best]:
        return sniffed
    return best


def _cell(v: Any) -> str:
    """An Excel cell as the text a person sees (dates ISO, whole numbers without .0)."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _read_excel(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportFailed(f"This is not a readable Excel (.xlsx) file: {exc}") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(source: bytes | str | Path, filename: str | None = None) -> pd.DataFrame:
    """A CSV or Excel file as a DataFrame of stripped strings.

    ``source`` is the file's bytes, or a path (str or Path). CSV: UTF-8 with or without
    BOM, UTF-16 with BOM, else Windows-1252/Latin-1; the delimiter is one of , ; tab |.
    Excel (.xlsx): the first sheet. The first row is the header. The index holds each
    row's spreadsheet line number (header = 1); empty rows are skipped. ``attrs`` holds
    filename, sha256, encoding and delimiter. Raises ImportFailed for an unreadable file.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        data = path.read_bytes()
        filename = filename or path.name
    else:
        data = bytes(source)
    filename = filename or "upload"
    sha = hashlib.sha256(data).hexdigest()
    lower = filename.lower()
    if lower.endswith(".xls"):
        raise ImportFailed("Old Excel .xls files are not supported: save the sheet as .xlsx or CSV.")
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        rows, encoding, delimiter = _read_excel(data), "xlsx", None
    else:
        text, encoding = _decode(data)
        if "\x00" in text:
            raise ImportFailed("This does not look like a CSV file (it holds binary data).")
        delimiter = _delimiter(text)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ImportFailed("The file is empty or its first row (the header) is blank.")
    header = [h.strip() for h in rows[0]]
    # Trailing unnamed columns (spreadsheets often carry some) are dropped when they hold nothing.
    width = len(header)
    while width and not header[width - 1] and not any(len(r) >= width and r[width - 1].strip() for r in rows[1:]):
        width -= 1
    header = header[:width]
    problems, seen = [], {}
    for i, h in enumerate(header, 1):
        if not h:
            problems.append(f"column {i} has values but no header")
        elif h in seen:
            problems.append(f"the header '{h}' appears twice (columns {seen[h]} and {i})")
        seen.setdefault(h, i)
    body, lines = [], []
    for line, r in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in r]
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                problems.append(f"line {line} has {len(cells)} values but the header has {width} columns")
                continue
            cells = cells[:width]
        elif len(cells) < width:
            if encoding != "xlsx":
                problems.append(f"line {line} has {len(cells)} values but the header has {width} columns")
                continue
            cells += [""] * (width - len(cells))
        body.append(cells)
        lines.append(line)
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ImportFailed("The file's layout is broken: " + "; ".join(problems[:10]) + more + ".")
    df = pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    df.attrs.update(filename=filename, sha256=sha, encoding=encoding, delimiter=delimiter)
    return df


# --- Column mapping ---------------------------------------------------------------------------------


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


def resolve_columns(
    kind: str, headers: Iterable[str], mapping: dict[str, str | None] | None = None
) -> tuple[dict[str, str], list[RowError], list[str]]:
    """({file header: canonical column}, header errors, headers that will be ignored).

    ``mapping`` (source header → canonical name, or None/"" to ignore) comes first; other
    headers match a canonical name or alias ignoring case, spaces and punctuation.
    """
    spec = KINDS[kind]
    headers = list(headers)
    names = {c.name for c in spec.columns}
    lookup = {_norm(a): c.name for c in spec.columns for a in (c.name, *c.aliases)}
    mapping = dict(mapping or {})
    errors: list[RowError] = []
    by_norm = {_norm(h): h for h in headers}
    explicit: dict[str, str | None] = {}
    for src, dst in mapping.items():
        header = src if src in headers else by_norm.get(_norm(src))
        if header is None:
            errors.append(RowError(1, src, f"the file has no column '{src}' to map"))
            continue
        dst = (dst or "").strip() or None
        if dst is not None and dst not in names:
            errors.append(RowError(1, src, f"'{dst}' is not a column of {kind} ({', '.join(c.name for c in spec.columns)})"))
            continue
        explicit[header] = dst
    result: dict[str, str] = {}
    ignored: list[str] = []
    for h in headers:
        target = explicit[h] if h in explicit else lookup.get(_norm(h))
        if target is None:
            ignored.append(h)
        else:
            result[h] = target
    targets: dict[str, str] = {}
    for h, t in result.items():
        if t in targets:
            errors.append(RowError(1, t, f"both '{targets[t]}' and '{h}' are mapped to {t}"))
        targets.setdefault(t, h)
    for name in spec.required:
        if name not in targets:
            errors.append(RowError(1, name, "required column is missing (map a column of the file to it)"))
    return result, errors, ignored


# --- Parsing cells ----------------------------------------------------------------------------------


class _Bad(Exception):
    pass


BAD = object()  # a cell that did not parse (its error is already reported)


def _ok(v: Any) -> bool:
    return v is not None and v is not BAD


def _parser(c: Column) -> Callable[[str], Any]:
    required, max_length = c.required, c.max_length

    def text(raw: str):
        s = raw.strip()
        if len(s) <= 4 and s.lower() in NULLS:
            if required:
                raise _Bad("a value is required")
            return None
        if max_length is not None and len(s) > max_length:
            raise _Bad(f"is {len(s)} characters long; at most {max_length} are allowed")
        return s

    if c.type == "text":
        return text
    if c.type == "email":
        def email(raw: str):
            s = text(raw)
            if s is not None and not EMAIL_RE.match(s):
                raise _Bad(f"'{s}' is not an email address")
            return s
        return email
    if c.type == "date":
        def date_(raw: str):
            s = text(raw)
            if s is None:
                return None
            if DATE_RE.match(s):
                try:
                    return date.fromisoformat(s)
                except ValueError:
                    pass
            raise _Bad(f"'{s}' is not a date (use YYYY-MM-DD)")
        return date_
    if c.type == "int":
        lo, hi = c.lo, c.hi

        def int_(raw: str):
            s = text(raw)
            if s is None:
                return None
            if not INT_RE.match(s):
                raise _Bad(f"'{s}' is not a whole number")
            n = int(s.split(".")[0])
            if (lo is not None and n < lo) or (hi is not None and n > hi):
                raise _Bad(f"{n} is not between {lo} and {hi}" if hi is not None else f"{n} is less than {lo}")
            return n
        return int_
    if c.type in ("decimal", "float"):
        lo, hi, places, as_float = c.lo, c.hi, c.places, c.type == "float"

        def number(raw: str):
            s = text(raw)
            if s is None:
                return None
            if not NUMBER_RE.match(s):
                raise _Bad(f"'{s}' is not a number (digits and a '.' only)")
            d = Decimal(s)
            if lo is not None and d < lo:
                raise _Bad(f"{s} is negative" if lo == 0 else f"{s} is less than {lo}")
            if hi is not None and d > hi:
                raise _Bad(f"{s} is more than {hi}" if not as_float else f"{s} is not between {lo} and {hi}")
            if places is not None and d != d.quantize(Decimal(1).scaleb(-places)):
                raise _Bad(f"{s} has more than {places} decimal place{'s' if places > 1 else ''}")
            return float(d) if as_float else d
        return number
    if c.type == "choice":
        allowed, label = set(c.choices), c.label

        def choice(raw: str):
            s = text(raw)
            if s is None:
                return None
            v = re.sub(r"[\s-]+", "_", s.lower())
            if v not in allowed:
                raise _Bad(f"'{s}' is not a {label} ({', '.join(c.choices)})")
            return v
        return choice
    if c.type == "skills":
        def skills(raw: str):
            s = text(raw)
            if s is None:
                return None
            out: dict[str, tuple[str, int]] = {}
            for item in s.split(";"):
                item = item.strip()
                if not item:
                    continue
                m = re.match(r"^(.*?)\s*:\s*(\S*)$", item)
                name, level = (m.group(1), m.group(2)) if m else (item, str(DEFAULT_PROFICIENCY))
                if not re.fullmatch(r"[1-5]", level):
                    raise _Bad(f"'{level}' is not a proficiency for skill '{name}' (1 to 5)")
                if not name or len(name) > 200:
                    raise _Bad(f"'{item}' needs a skill name of 1 to 200 characters")
                if name.lower() in out:
                    raise _Bad(f"skill '{name}' is listed twice")
                out[name.lower()] = (name, int(level))
            return out
        return skills
    raise ValueError(c.type)


def _parse_rows(spec: Kind, table: pd.DataFrame, errors: list[RowError], progress: Progress | None):
    """[(line, {column: value})] for every row; bad cells hold BAD and are reported."""
    present = [c for c in spec.columns if c.name in table.columns]
    parsers = [(c.name, _parser(c)) for c in present]
    cols = [table[c.name].tolist() for c in present]
    lines = table.index.tolist()
    out = []
    total = len(lines)
    for i, line in enumerate(lines):
        values = {}
        for (name, parse), col in zip(parsers, cols):
            try:
                values[name] = parse(col[i])
            except _Bad as exc:
                errors.append(RowError(line, name, str(exc)))
                values[name] = BAD
        out.append((line, values))
        if progress and i % CHUNK == CHUNK - 1:
            progress(0.4 * (i + 1) / total, f"Checked {i + 1:,} of {total:,} rows")
    return out


# --- Plans ------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import would do (or did): errors, or counts and a line-by-line preview."""

    kind: str
    target_id: int
    target_name: str
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Other rows an import creates on the way: departments, cohorts, skills, pdps.
    also_created: dict[str, int] = field(default_factory=dict)
    # (line, action, key, changes) for every valid row, in file order.
    actions: list[tuple[int, str, str, str]] = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0
    _write: Callable[[Session, Progress | None], None] | None = field(default=None, repr=False)
    _summaries: tuple[str, ...] = field(default=(), repr=False)  # summary parts the write changes (db/summaries.PARTS)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> bool:
        return bool(self.created or self.updated or any(self.also_created.values()))

    def counts(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                **{f"new_{k}": v for k, v in self.also_created.items() if v}}

    def summary(self) -> str:
        if self.errors:
            n = len(self.errors)
            return f"{n:,} problem{'s' if n != 1 else ''} in {_rows(self.rows)}; nothing was written."
        extra = "".join(f"; new {k}: {v:,}" for k, v in self.also_created.items() if v)
        if not self.changes:
            what = "the row is" if self.rows == 1 else f"all {self.rows:,} rows are"
            return f"Nothing changed: {what} already up to date."
        verb = ("Created", "updated", "left") if self.applied else ("Would create", "update", "leave")
        return (f"{verb[0]} {self.created:,}, {verb[1]} {self.updated:,}, {verb[2]} {self.unchanged:,} unchanged "
                f"({_rows(self.rows)}{extra}).")

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame([(e.row, e.column or "", e.message) for e in self.errors],
                            columns=["line", "column", "problem"])

    def preview(self, limit: int = 200) -> pd.DataFrame:
        """Up to ``limit`` rows of each action (create, update, unchanged), in file order."""
        taken = {"create": 0, "update": 0, "unchanged": 0}
        rows = []
        for a in self.actions:
            if taken[a[1]] < limit:
                taken[a[1]] += 1
                rows.append(a)
        return pd.DataFrame(rows, columns=["line", "action", "key", "changes"])


def _rows(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''}"


@dataclass
class _Ctx:
    session: Session
    scope: Scope
    spec: Kind
    plan: Plan
    present: set[str]
    progress: Progress | None
    bad: set[int] = field(default_factory=set)

    def err(self, line: int, column: str | None, message: str) -> None:
        self.plan.errors.append(RowError(line, column, message))
        self.bad.add(line)

    @property
    def target(self) -> int:
        return self.plan.target_id

    def dup(self, seen: dict, key, line: int, column: str, what: str) -> bool:
        """Report a natural key seen earlier in the file; True when it is a duplicate."""
        if key in seen:
            self.err(line, column, f"{what} is also on line {seen[key]}")
            return True
        seen[key] = line
        return False


def _show(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):  # skills
        return "; ".join(f"{n}:{lvl}" for n, lvl in sorted(v.values(), key=lambda t: t[0].lower())) or "—"
    return str(v)


def _diff(pairs: Iterable[tuple[str, Any, Any]]) -> list[str]:
    return [f"{name}: {_show(old)} → {_show(new)}" for name, old, new in pairs if old != new]


def _effective(values: dict, cur: Any, name: str, attr: str | None = None, default: Any = None) -> Any:
    """The value a field will have: from the file when its column is present, else the stored or default one."""
    if name in values:
        return values[name]
    if cur is not None:
        return getattr(cur, attr or name)
    return default


def _insert(session: Session, model, rows: list[dict], progress: Progress | None, label: str) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(model.__table__.insert(), rows[i:i + CHUNK])
        if progress and len(rows) > CHUNK:
            progress(0.5 + 0.4 * min(1.0, (i + CHUNK) / len(rows)), f"Wrote {min(i + CHUNK, len(rows)):,} {label}")


def _update(session: Session, model, rows: list[dict], stmt=None) -> int:
    """Executemany UPDATE ... WHERE id = :b_id; every dict has the same keys. Returns the rows matched."""
    if not rows:
        return 0
    if stmt is None:
        t = model.__table__
        stmt = t.update().where(t.c.id == bindparam("b_id"))
    n = 0
    for i in range(0, len(rows), CHUNK):
        n += session.execute(stmt, rows[i:i + CHUNK]).rowcount or 0
    return n


def _employer_lookups(session: Session, employer_id: int) -> dict[str, int]:
    return dict(session.execute(
        select(Employee.employee_ref, Employee.id).where(Employee.employer_id == employer_id)).all())


def _credential_lookups(session: Session, scope: Scope) -> dict[str, int]:
    return dict(session.execute(select(Credential.code, Credential.id).where(visible(scope, Credential))).all())


def _cohort_lookups(session: Session, scope: Scope) -> dict[tuple[int, str], tuple[int, date, date]]:
    rows = session.execute(
        select(Cohort.credential_id, Cohort.code, Cohort.id, Cohort.starts_on, Cohort.ends_on)
        .where(visible(scope, Cohort))).all()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


def _skill_lookups(session: Session) -> dict[str, tuple[int, str]]:
    return {name.lower(): (i, name) for i, name in session.execute(select(Skill.id, Skill.name)).all()}


def _not_employee(ctx: _Ctx, line: int, ref: str) -> None:
    ctx.err(line, "employee_ref", f"'{ref}' is not an employee of {ctx.plan.target_name}")


def _not_credential(ctx: _Ctx, line: int, code: str, column: str = "credential_code") -> None:
    ctx.err(line, column, f"credential '{code}' does not exist or is outside your access")


def _enrollment_key(ctx: _Ctx, seen: dict, line: int, v: dict, employees: dict, creds: dict,
                    what: str) -> tuple[int | None, int | None] | None:
    """A row naming an enrollment (employee_ref, credential_code, cohort): None when it repeats an
    earlier row, else (employee id, credential id), each None when unknown (the problem is reported).
    ``what`` describes the row for the duplicate message, with {ref}, {code} and {cohort} filled in."""
    ref, code, cohort = v["employee_ref"], v["credential_code"], v["cohort"]
    if _ok(ref) and _ok(code) and _ok(cohort) and ctx.dup(
            seen, (ref, code, cohort), line, "employee_ref", what.format(ref=ref, code=code, cohort=cohort)):
        return None
    emp_id = employees.get(ref) if _ok(ref) else None
    if _ok(ref) and emp_id is None:
        _not_employee(ctx, line, ref)
    cred_id = creds.get(code) if _ok(code) else None
    if _ok(code) and cred_id is None:
        _not_credential(ctx, line, code)
    return emp_id, cred_id


# --- Employees --------------------------------------------------------------------------------------

EMPLOYEE_FIELDS = {"name": "full_name", "email": "email", "job_title": "job_title", "location": "location",
                   "hired_on": "hired_on", "left_on": "left_on"}


def _plan_employees(ctx: _Ctx, rows) -> None:
    s, E, present = ctx.session, ctx.target, ctx.present
    existing = {r.employee_ref: r for r in s.execute(
        select(Employee.id, Employee.employee_ref, Employee.full_name, Employee.email, Employee.department_id,
               Employee.job_title, Employee.location, Employee.manager_id, Employee.hired_on, Employee.left_on)
        .where(Employee.employer_id == E)).all()}
    ref_of = {r.id: ref for ref, r in existing.items()}
    depts = {name.lower(): (i, name) for i, name in s.execute(
        select(Department.id, Department.name).where(Department.employer_id == E)).all()}
    dept_name = {i: name for i, name in depts.values()}
    in_file = {v["employee_ref"] for _, v in rows if _ok(v.get("employee_ref"))}
    seen: dict = {}
    new_depts: dict[str, str] = {}
    creates, updates = [], []
    for line, v in rows:
        ref = v["employee_ref"]
        if _ok(ref) and ctx.dup(seen, ref, line, "employee_ref", f"employee_ref '{ref}'"):
            continue
        cur = existing.get(ref) if _ok(ref) else None
        hired = _effective(v, cur, "hired_on")
        left = _effective(v, cur, "left_on")
        if _ok(hired) and _ok(left) and left < hired:
            ctx.err(line, "left_on", f"left_on {left} is before hired_on {hired}")
        manager = v.get("manager_ref")
        if _ok(manager) and _ok(ref):
            if manager == ref:
                ctx.err(line, "manager_ref", "an employee cannot be their own manager")
            elif manager not in in_file and manager not in existing:
                ctx.err(line, "manager_ref",
                        f"'{manager}' is not an employee of {ctx.plan.target_name} nor in this file")
        dept = v.get("department")
        if _ok(dept) and dept.lower() not in depts:
            new_depts.setdefault(dept.lower(), dept)
        if line in ctx.bad:
            continue
        if cur is None:
            creates.append((line, v))
            ctx.plan.actions.append((line, "create", ref, ""))
            continue
        pairs = [(col, getattr(cur, f), v[col]) for col, f in EMPLOYEE_FIELDS.items() if col in present]
        if "department" in present:
            pairs.append(("department", dept_name.get(cur.department_id),
                          depts[dept.lower()][1] if dept and dept.lower() in depts else dept))
        if "manager_ref" in present:
            pairs.append(("manager_ref", ref_of.get(cur.manager_id), manager))
        changed = _diff(pairs)
        if changed:
            updates.append((line, v, cur))
        ctx.plan.actions.append((line, "update" if changed else "unchanged", ref, "; ".join(changed)))
    ctx.plan.created, ctx.plan.updated = len(creates), len(updates)
    ctx.plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)
    ctx.plan.also_created["departments"] = len(new_depts)
    ctx.plan._summaries = tuple(summaries.PARTS)  # people may move between departments

    def write(session: Session, progress: Progress | None) -> None:
        if new_depts:
            _insert(session, Department, [{"employer_id": E, "name": n} for n in new_depts.values()], None, "")
        dept_ids = {name.lower(): i for i, name in session.execute(
            select(Department.id, Department.name).where(Department.employer_id == E)).all()}

        def fields(v: dict) -> dict:
            out = {f: v[col] for col, f in EMPLOYEE_FIELDS.items() if col in present}
            if "department" in present:
                out["department_id"] = dept_ids[v["department"].lower()] if v["department"] else None
            return out

        _insert(session, Employee, [
            {"employer_id": E, "employee_ref": v["employee_ref"], "full_name": v["name"], "email": None,
             "department_id": None, "job_title": None, "location": None, "manager_id": None,
             "hired_on": v["hired_on"], "left_on": None, **fields(v)} for _, v in creates], progress, "employees")
        _update(session, Employee, [{"b_id": cur.id, **fields(v)} for _, v, cur in updates])
        if "manager_ref" in present:
            ids = _employer_lookups(session, E)
            links = []
            for _, v in creates:
                if v["manager_ref"]:
                    links.append({"b_id": ids[v["employee_ref"]], "manager_id": ids[v["manager_ref"]]})
            for _, v, cur in updates:
                want = ids[v["manager_ref"]] if v["manager_ref"] else None
                if want != cur.manager_id:
                    links.append({"b_id": cur.id, "manager_id": want})
            _update(session, Employee, links)

    ctx.plan._write = write


# --- Credentials ------------------------------------------------------------------------------------

CREDENTIAL_FIELDS = {"title": "title", "summary": "summary", "level": "eqf_level", "credits": "ects_credits",
                     "hours": "learning_hours", "delivery_mode": "delivery_mode", "price": "price"}


def _plan_credentials(ctx: _Ctx, rows) -> None:
    s, U, present = ctx.session, ctx.target, ctx.present
    existing = {r.code.lower(): r for r in s.execute(
        select(Credential.id, Credential.university_id, Credential.code, Credential.title, Credential.summary,
               Credential.eqf_level, Credential.ects_credits, Credential.learning_hours, Credential.delivery_mode,
               Credential.price, Credential.status, Credential.version)).all()}
    skills = _skill_lookups(s)
    defaults = ctx.spec.defaults
    mapped: dict[int, dict[str, tuple[str, int]]] = {}
    for cid, name, level in s.execute(
            select(CredentialSkill.credential_id, Skill.name, CredentialSkill.proficiency)
            .join(Skill, Skill.id == CredentialSkill.skill_id)).all():
        mapped.setdefault(cid, {})[name.lower()] = (name, level)
    seen: dict = {}
    new_skills: dict[str, str] = {}
    creates, updates = [], []
    for line, v in rows:
        code = v["code"]
        if _ok(code):
            if not CODE_RE.match(code):
                ctx.err(line, "code", f"'{code}' is not a code: use letters, digits, '.', '_' and '-', "
                                      "starting with a letter or digit")
            elif ctx.dup(seen, code.lower(), line, "code", f"code '{code}'"):
                continue
        cur = existing.get(code.lower()) if _ok(code) else None
        if cur is not None and cur.university_id != U:
            ctx.err(line, "code", f"code '{code}' is used by another university's credential")
            continue
        if _ok(v.get("skills")):
            for key, (name, _) in v["skills"].items():
                if key not in skills:
                    new_skills.setdefault(key, name)
        if line in ctx.bad:
            continue
        if cur is None:
            creates.append((line, v))
            ctx.plan.actions.append((line, "create", code, ""))
            continue
        pairs = [(col, getattr(cur, f), v[col] if v[col] is not None else defaults[col])
                 for col, f in CREDENTIAL_FIELDS.items() if col in present]
        if "skills" in present:
            have = {k: lvl for k, (_, lvl) in mapped.get(cur.id, {}).items()}
            want = {k: lvl for k, (_, lvl) in (v["skills"] or {}).items()}
            if have != want:
                pairs.append(("skills", mapped.get(cur.id, {}), v["skills"] or {}))
        changed = _diff(pairs)
        if changed and cur.status != CredentialStatus.draft:
            ctx.err(line, "code", f"credential '{cur.code}' is {cur.status}: an import changes only draft "
                                  "credentials (change it on the Co-design page)")
            continue
        if changed:
            updates.append((line, v, cur))
        ctx.plan.actions.append((line, "update" if changed else "unchanged", cur.code, "; ".join(changed)))
    ctx.plan.created, ctx.plan.updated = len(creates), len(updates)
    ctx.plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)
    ctx.plan.also_created["skills"] = len(new_skills)

    def fields(v: dict) -> dict:
        return {f: (v[col] if v[col] is not None else defaults[col])
                for col, f in CREDENTIAL_FIELDS.items() if col in present}

    def write(session: Session, progress: Progress | None) -> None:
        from services import codesign

        now = utcnow()
        if new_skills:
            _insert(session, Skill, [{"name": n, "category": None, "esco_uri": None} for n in new_skills.values()],
                    None, "")
        skill_ids = {k: i for k, (i, _) in _skill_lookups(session).items()}
        # Baselines first: the content before this import, for drafts that had no revision yet.
        if updates:
            ids = [cur.id for _, _, cur in updates]
            have = set(session.execute(select(CredentialRevision.credential_id, CredentialRevision.version)
                                       .where(CredentialRevision.credential_id.in_(ids))).all())
            for cred in session.scalars(select(Credential).where(Credential.id.in_(ids))).all():
                if (cred.id, cred.version) not in have:
                    session.add(CredentialRevision(
                        credential_id=cred.id, version=cred.version, saved_by="(baseline)",
                        saved_at=cred.updated_at or now, summary="Content before the first tracked change",
                        snapshot=json.dumps(codesign.snapshot(session, cred), sort_keys=True)))
            session.flush()
        _insert(session, Credential, [
            {"university_id": U, "code": v["code"], "title": v["title"], "summary": "", "eqf_level": v["level"],
             "ects_credits": Decimal(0), "learning_hours": 0, "delivery_mode": DeliveryMode.online.value,
             "price": Decimal(0), "status": CredentialStatus.draft.value, "version": 1, "created_at": now,
             "updated_at": now, **fields(v)} for _, v in creates], None, "")
        # The version is the co-design optimistic lock: a save by someone else since the plan matches no row.
        t = Credential.__table__
        matched = _update(session, Credential,
                          [{"b_id": cur.id, "b_version": cur.version, "updated_at": now, **fields(v)}
                           for _, v, cur in updates],
                          stmt=t.update().where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                          .values(version=t.c.version + 1))
        if updates and session.get_bind().dialect.supports_sane_multi_rowcount and matched != len(updates):
            raise ImportFailed("Someone changed these credentials meanwhile.")
        ids = dict(session.execute(select(func.lower(Credential.code), Credential.id)
                                   .where(Credential.university_id == U)).all())
        if "skills" in present:
            touched = [(ids[v["code"].lower()], v["skills"] or {}) for _, v in creates] + \
                      [(cur.id, v["skills"] or {}) for _, v, cur in updates]
            if touched:
                session.execute(delete(CredentialSkill).where(CredentialSkill.credential_id.in_([c for c, _ in touched])))
                _insert(session, CredentialSkill, [
                    {"credential_id": cid, "skill_id": skill_ids[k], "proficiency": lvl}
                    for cid, wanted in touched for k, (_, lvl) in wanted.items()], None, "")
                summaries.refresh_for_credentials(session, [c for c, _ in touched])
        # One revision per created or changed credential: the co-design history stays complete.
        changed_ids = [ids[v["code"].lower()] for _, v in creates] + [cur.id for _, _, cur in updates]
        created_ids = {ids[v["code"].lower()] for _, v in creates}
        versions = []
        for cred in session.scalars(select(Credential).where(Credential.id.in_(changed_ids))
                                    .execution_options(populate_existing=True)).all():
            session.add(CredentialRevision(
                credential_id=cred.id, version=cred.version, saved_by=ctx.scope.email, saved_at=now,
                summary=f"{codesign.IMPORTED_FROM}{ctx.plan.filename}"[:500],
                snapshot=json.dumps(codesign.snapshot(session, cred), sort_keys=True)))
            versions.append((cred.id, cred.version))
        # The credential's own history names the import (the studio and catalogue read these events).
        _insert(session, AuditEvent, [
            {"occurred_at": now, "actor_email": ctx.scope.email, "organization_id": U, "action": "credential.import",
             "entity": "Credential", "entity_id": str(cid), "before": None,
             "after": json.dumps({"filename": ctx.plan.filename, "sha256": ctx.plan.sha256, "version": version,
                                  "created": cid in created_ids}, sort_keys=True)}
            for cid, version in versions], None, "")

    ctx.plan._write = write


# --- Enrollments ------------------------------------------------------------------------------------

ENROLLMENT_FIELDS = ("enrolled_on", "status", "completed_on", "withdrawn_on", "score", "cost", "sponsor",
                     "last_activity_on")


def _reachable(status: str) -> set[str]:
    out, todo = {status}, [EnrollmentStatus(status)]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt.value not in out:
                out.add(nxt.value)
                todo.append(nxt)
    return out


REACHABLE = {s.value: _reachable(s.value) for s in EnrollmentStatus}


def _problem_column(message: str) -> str:
    return "completed_on" if "completed_on" in message else "withdrawn_on" if "withdrawn_on" in message else "status"


def _plan_enrollments(ctx: _Ctx, rows) -> None:
    s, E, present, plan = ctx.session, ctx.target, ctx.present, ctx.plan
    employees = _employer_lookups(ctx.session, ctx.target)
    creds = _credential_lookups(ctx.session, ctx.scope)
    cohorts = _cohort_lookups(ctx.session, ctx.scope)
    existing = {(r.employee_id, r.credential_id, r.cohort_id): r for r in s.execute(
        select(Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.cohort_id,
               *[getattr(Enrollment, f) for f in ENROLLMENT_FIELDS])
        .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == E)).all()}
    may_create_cohorts = not ctx.scope.is_employer_side
    defaults = ctx.spec.defaults
    fields_present = [f for f in ENROLLMENT_FIELDS if f in present]
    new_cohorts: dict[tuple[int, str], tuple[date, date, int]] = {}
    seen: dict = {}
    creates, updates = [], []
    total = len(rows)
    for i, (line, v) in enumerate(rows):
        if ctx.progress and i % CHUNK == CHUNK - 1:
            ctx.progress(0.4 + 0.1 * (i + 1) / total, f"Compared {i + 1:,} of {total:,} rows")
        ref, code, cohort = v["employee_ref"], v["credential_code"], v["cohort"]
        ids = _enrollment_key(ctx, seen, line, v, employees, creds,
                              "the enrollment of '{ref}' in '{code}' cohort '{cohort}'")
        if ids is None:
            continue
        emp_id, cred_id = ids
        start, end = v.get("cohort_start"), v.get("cohort_end")
        if _ok(start) and _ok(end) and end < start:
            ctx.err(line, "cohort_end", f"cohort_end {end} is before cohort_start {start}")
        cohort_id = None
        if cred_id is not None and _ok(cohort):
            found = cohorts.get((cred_id, cohort))
            if found is not None:
                cohort_id = found[0]
                if _ok(start) and _ok(end) and (start, end) != (found[1], found[2]):
                    ctx.err(line, "cohort_start", f"cohort '{cohort}' of '{code}' runs {found[1]} to {found[2]}, "
                                                  f"not {start} to {end}")
            elif (cred_id, cohort) in new_cohorts:
                first = new_cohorts[(cred_id, cohort)]
                if _ok(start) and _ok(end) and (start, end) != first[:2]:
                    ctx.err(line, "cohort_start", f"cohort '{cohort}' of '{code}' has other dates on line {first[2]}")
            elif may_create_cohorts and _ok(start) and _ok(end):
                if end >= start:
                    new_cohorts[(cred_id, cohort)] = (start, end, line)
            else:
                hint = " (give cohort_start and cohort_end to create it)" if may_create_cohorts else ""
                ctx.err(line, "cohort", f"cohort '{cohort}' does not exist for credential '{code}'{hint}")
        cur = existing.get((emp_id, cred_id, cohort_id)) if cohort_id is not None and emp_id is not None else None
        status = _effective(v, cur, "status")
        enrolled = _effective(v, cur, "enrolled_on")
        completed = _effective(v, cur, "completed_on")
        withdrawn = _effective(v, cur, "withdrawn_on")
        if all(_ok(x) for x in (status, enrolled)) and completed is not BAD and withdrawn is not BAD:
            for problem in record_problems(status=status, enrolled_on=enrolled, completed_on=completed,
                                           withdrawn_on=withdrawn):
                ctx.err(line, _problem_column(problem), problem)
        if cur is not None and _ok(status) and status not in REACHABLE[cur.status]:
            ctx.err(line, "status", f"status cannot change from '{cur.status}' to '{status}' (an enrollment only "
                                    "moves forward: enrolled → in_progress → completed, failed or withdrawn)")
        if line in ctx.bad:
            continue
        key = f"{ref} · {code} · {cohort}"
        if cur is None:
            creates.append((emp_id, cred_id, cohort_id, cohort, v))
            plan.actions.append((line, "create", key, ""))
            continue
        pairs = [(f, getattr(cur, f), v[f] if v[f] is not None else defaults[f]) for f in fields_present]
        changed = _diff(pairs)
        if changed:
            updates.append((cur, v))
        plan.actions.append((line, "update" if changed else "unchanged", key, "; ".join(changed)))
    plan.created, plan.updated = len(creates), len(updates)
    plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)
    plan.also_created["cohorts"] = len(new_cohorts)
    plan._summaries = summaries.AFTER_ENROLLMENTS

    def fields(v: dict) -> dict:
        return {f: (v[f] if v[f] is not None else defaults[f]) for f in fields_present}

    def write(session: Session, progress: Progress | None) -> None:
        now = utcnow()
        if new_cohorts:
            _insert(session, Cohort, [{"credential_id": c, "code": code, "starts_on": a, "ends_on": b, "seats": 0}
                                      for (c, code), (a, b, _) in new_cohorts.items()], None, "")
            cohort_ids = {k: t[0] for k, t in _cohort_lookups(session, ctx.scope).items()}
        else:
            cohort_ids = {}
        _insert(session, Enrollment, [
            {"employee_id": e, "credential_id": c, "cohort_id": k if k is not None else cohort_ids[(c, code)],
             "completed_on": None, "withdrawn_on": None, "score": None, "cost": Decimal(0),
             "sponsor": Sponsor.employer.value, "last_activity_on": None, "updated_at": now, **fields(v)}
            for e, c, k, code, v in creates], progress, "enrollments")
        _update(session, Enrollment, [{"b_id": cur.id, "updated_at": now, **fields(v)} for cur, v in updates])

    plan._write = write


# --- Skill assessments ------------------------------------------------------------------------------


def _plan_assessments(ctx: _Ctx, rows) -> None:
    s, E, plan = ctx.session, ctx.target, ctx.plan
    employees = _employer_lookups(ctx.session, ctx.target)
    skills = _skill_lookups(s)
    existing: dict[tuple, list] = {}
    for r in s.execute(select(SkillAssessment.id, SkillAssessment.employee_id, SkillAssessment.skill_id,
                              SkillAssessment.assessed_on, SkillAssessment.source, SkillAssessment.level)
                       .join(Employee, Employee.id == SkillAssessment.employee_id)
                       .where(Employee.employer_id == E)).all():
        existing.setdefault((r.employee_id, r.skill_id, r.assessed_on, r.source), []).append(r)
    seen: dict = {}
    creates, updates = [], []
    for line, v in rows:
        ref, skill, on = v["employee_ref"], v["skill"], v["assessed_on"]
        source = v.get("source") or AssessmentSource.manager.value
        if all(_ok(x) for x in (ref, skill, on)) and source is not BAD and ctx.dup(
                seen, (ref, skill.lower(), on, source), line, "employee_ref",
                f"the {source} assessment of '{ref}' in '{skill}' on {on}"):
            continue
        emp_id = employees.get(ref) if _ok(ref) else None
        if _ok(ref) and emp_id is None:
            _not_employee(ctx, line, ref)
        skill_id = skills[skill.lower()][0] if _ok(skill) and skill.lower() in skills else None
        if _ok(skill) and skill_id is None:
            ctx.err(line, "skill", f"skill '{skill}' is not in the skills vocabulary")
        found = existing.get((emp_id, skill_id, on, source), [])
        if len(found) > 1:
            ctx.err(line, "assessed_on", f"{len(found)} such assessments are already stored; the row matches none "
                                         "of them uniquely")
        if line in ctx.bad:
            continue
        key = f"{ref} · {skill} · {on} · {source}"
        if not found:
            creates.append({"employee_id": emp_id, "skill_id": skill_id, "level": v["level"], "assessed_on": on,
                            "source": source})
            plan.actions.append((line, "create", key, ""))
            continue
        cur = found[0]
        changed = _diff([("level", cur.level, v["level"])])
        if changed:
            updates.append({"b_id": cur.id, "level": v["level"]})
        plan.actions.append((line, "update" if changed else "unchanged", key, "; ".join(changed)))
    plan.created, plan.updated = len(creates), len(updates)
    plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)

    def write(session: Session, progress: Progress | None) -> None:
        _insert(session, SkillAssessment, creates, progress, "assessments")
        _update(session, SkillAssessment, updates)

    plan._write = write
    plan._summaries = summaries.AFTER_ASSESSMENTS


# --- PDP goals --------------------------------------------------------------------------------------

GOAL_FIELDS = ("skill", "target_level", "credential_code", "due_on", "status")


def _plan_pdp_goals(ctx: _Ctx, rows) -> None:
    s, E, present, plan = ctx.session, ctx.target, ctx.present, ctx.plan
    people = {r[0]: (r[1], r[2]) for r in s.execute(
        select(Employee.employee_ref, Employee.id, Employee.manager_id).where(Employee.employer_id == E)).all()}
    skills = _skill_lookups(s)
    skill_name = {i: n for i, n in skills.values()}
    creds = _credential_lookups(ctx.session, ctx.scope)
    cred_code = {i: c for c, i in creds.items()}
    pdps = {(r[1], r[2]): r[0] for r in s.execute(
        select(Pdp.id, Pdp.employee_id, Pdp.period).join(Employee, Employee.id == Pdp.employee_id)
        .where(Employee.employer_id == E)).all()}
    existing: dict[tuple, list] = {}
    for r in s.execute(select(PdpGoal.id, Pdp.employee_id, Pdp.period, PdpGoal.title, PdpGoal.skill_id,
                              PdpGoal.credential_id, PdpGoal.target_level, PdpGoal.due_on, PdpGoal.status)
                       .join(Pdp, Pdp.id == PdpGoal.pdp_id).join(Employee, Employee.id == Pdp.employee_id)
                       .where(Employee.employer_id == E)).all():
        existing.setdefault((r.employee_id, r.period, r.title), []).append(r)
    seen: dict = {}
    new_pdps: dict[tuple[int, str], int | None] = {}
    creates, updates = [], []
    for line, v in rows:
        ref, period, title = v["employee_ref"], v["period"], v["title"]
        if all(_ok(x) for x in (ref, period, title)) and ctx.dup(
                seen, (ref, period, title), line, "title", f"the goal '{title}' of '{ref}' in plan {period}"):
            continue
        person = people.get(ref) if _ok(ref) else None
        if _ok(ref) and person is None:
            _not_employee(ctx, line, ref)
        skill, code = v.get("skill"), v.get("credential_code")
        skill_id = skills[skill.lower()][0] if _ok(skill) and skill.lower() in skills else None
        if _ok(skill) and skill_id is None:
            ctx.err(line, "skill", f"skill '{skill}' is not in the skills vocabulary")
        cred_id = creds.get(code) if _ok(code) else None
        if _ok(code) and cred_id is None:
            _not_credential(ctx, line, code)
        found = existing.get((person[0], period, title), []) if person else []
        if len(found) > 1:
            ctx.err(line, "title", f"plan {period} of '{ref}' already has {len(found)} goals titled '{title}'; "
                                   "the row matches none of them uniquely")
        cur = found[0] if len(found) == 1 else None
        eff_skill = v["skill"] if "skill" in v else (skill_name.get(cur.skill_id) if cur else None)
        eff_cred = v["credential_code"] if "credential_code" in v else (cred_code.get(cur.credential_id) if cur else None)
        eff_level = _effective(v, cur, "target_level")
        if eff_skill is None and eff_cred is None:
            ctx.err(line, "skill", "a goal needs a skill, a credential_code, or both")
        if eff_level is not None and eff_level is not BAD and eff_skill is None:
            ctx.err(line, "target_level", "a target_level needs a skill")
        if line in ctx.bad:
            continue
        key = f"{ref} · {period} · {title}"
        if cur is None:
            if (person[0], period) not in pdps:
                new_pdps.setdefault((person[0], period), person[1])
            creates.append((person[0], v, skill_id, cred_id))
            plan.actions.append((line, "create", key, ""))
            continue
        pairs = []
        if "skill" in present:
            pairs.append(("skill", skill_name.get(cur.skill_id), skills[skill.lower()][1] if skill else None))
        if "credential_code" in present:
            pairs.append(("credential_code", cred_code.get(cur.credential_id), code))
        pairs += [(f, getattr(cur, f), v[f] if v[f] is not None or f != "status" else PdpGoalStatus.planned.value)
                  for f in ("target_level", "due_on", "status") if f in present]
        changed = _diff(pairs)
        if changed:
            updates.append((cur, v, skill_id, cred_id))
        plan.actions.append((line, "update" if changed else "unchanged", key, "; ".join(changed)))
    plan.created, plan.updated = len(creates), len(updates)
    plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)
    plan.also_created["plans"] = len(new_pdps)

    def fields(v: dict, skill_id, cred_id) -> dict:
        out = {}
        if "skill" in present:
            out["skill_id"] = skill_id
        if "credential_code" in present:
            out["credential_id"] = cred_id
        for f in ("target_level", "due_on"):
            if f in present:
                out[f] = v[f]
        if "status" in present:
            out["status"] = v["status"] or PdpGoalStatus.planned.value
        return out

    def write(session: Session, progress: Progress | None) -> None:
        now = utcnow()
        if new_pdps:
            _insert(session, Pdp, [{"employee_id": e, "period": p, "manager_id": m, "status": PdpStatus.active.value,
                                    "created_at": now} for (e, p), m in new_pdps.items()], None, "")
        pdp_ids = {(r[1], r[2]): r[0] for r in session.execute(
            select(Pdp.id, Pdp.employee_id, Pdp.period).join(Employee, Employee.id == Pdp.employee_id)
            .where(Employee.employer_id == E)).all()}
        _insert(session, PdpGoal, [
            {"pdp_id": pdp_ids[(e, v["period"])], "title": v["title"], "skill_id": None, "credential_id": None,
             "target_level": None, "status": PdpGoalStatus.planned.value, "updated_at": now,
             **fields(v, skill_id, cred_id)} for e, v, skill_id, cred_id in creates], progress, "goals")
        _update(session, PdpGoal, [{"b_id": cur.id, "updated_at": now, **fields(v, skill_id, cred_id)}
                                   for cur, v, skill_id, cred_id in updates])

    plan._write = write
    plan._summaries = summaries.AFTER_GOALS


# --- Outcome surveys --------------------------------------------------------------------------------

SURVEY_FIELDS = ("surveyed_on", "performance_before", "performance_after", "satisfaction_before", "satisfaction_after")


def _plan_surveys(ctx: _Ctx, rows) -> None:
    s, E, plan = ctx.session, ctx.target, ctx.plan
    employees = _employer_lookups(ctx.session, ctx.target)
    creds = _credential_lookups(ctx.session, ctx.scope)
    cohorts = _cohort_lookups(ctx.session, ctx.scope)
    enrollments = {(r[1], r[2], r[3]): r[0] for r in s.execute(
        select(Enrollment.id, Enrollment.employee_id, Enrollment.credential_id, Enrollment.cohort_id)
        .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == E)).all()}
    existing = {r.enrollment_id: r for r in s.execute(
        select(OutcomeSurvey.id, OutcomeSurvey.enrollment_id, *[getattr(OutcomeSurvey, f) for f in SURVEY_FIELDS])
        .join(Employee, Employee.id == OutcomeSurvey.employee_id).where(Employee.employer_id == E)).all()}
    seen: dict = {}
    creates, updates = [], []
    for line, v in rows:
        ref, code, cohort = v["employee_ref"], v["credential_code"], v["cohort"]
        ids = _enrollment_key(ctx, seen, line, v, employees, creds,
                              "the survey of '{ref}' for '{code}' cohort '{cohort}'")
        if ids is None:
            continue
        emp_id, cred_id = ids
        cohort_id = None
        if cred_id is not None and _ok(cohort):
            found = cohorts.get((cred_id, cohort))
            if found is None:
                ctx.err(line, "cohort", f"cohort '{cohort}' does not exist for credential '{code}'")
            else:
                cohort_id = found[0]
        enr_id = enrollments.get((emp_id, cred_id, cohort_id))
        if emp_id is not None and cohort_id is not None and enr_id is None:
            ctx.err(line, "cohort", f"'{ref}' has no enrollment in '{code}' cohort '{cohort}'")
        if line in ctx.bad:
            continue
        key = f"{ref} · {code} · {cohort}"
        cur = existing.get(enr_id)
        if cur is None:
            creates.append({"employee_id": emp_id, "enrollment_id": enr_id, **{f: v[f] for f in SURVEY_FIELDS}})
            plan.actions.append((line, "create", key, ""))
            continue
        changed = _diff((f, getattr(cur, f), v[f]) for f in SURVEY_FIELDS)
        if changed:
            updates.append({"b_id": cur.id, **{f: v[f] for f in SURVEY_FIELDS}})
        plan.actions.append((line, "update" if changed else "unchanged", key, "; ".join(changed)))
    plan.created, plan.updated = len(creates), len(updates)
    plan.unchanged = len(rows) - len(creates) - len(updates) - len(ctx.bad)

    def write(session: Session, progress: Progress | None) -> None:
        _insert(session, OutcomeSurvey, creates, progress, "surveys")
        _update(session, OutcomeSurvey, updates)

    plan._write = write
    plan._summaries = summaries.AFTER_SURVEYS


PLANNERS = {"credentials": _plan_credentials, "employees": _plan_employees, "enrollments": _plan_enrollments,
            "assessments": _plan_assessments, "pdp_goals": _plan_pdp_goals, "surveys": _plan_surveys}


# --- Access and target ------------------------------------------------------------------------------


def target(session: Session, scope: Scope, kind: str, *, employer_id: int | None = None,
           university_id: int | None = None) -> Organization:
    """The organisation an import of ``kind`` writes into; AccessDenied or ImportFailed otherwise."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportFailed(f"Unknown kind '{kind}': choose one of {', '.join(KINDS)}.")
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if scope.role not in (Role.admin, Role.partnership_officer, Role.hr_manager):
        raise AccessDenied("Only HR managers, partnership officers and administrators import data.")
    if spec.side == "university":
        if scope.role == Role.hr_manager:
            raise AccessDenied("Only partnership officers and administrators import credentials.")
        if scope.role == Role.partnership_officer:
            if university_id is not None and university_id != scope.organization_id:
                raise AccessDenied("That organisation is outside your access.")
            university_id = scope.organization_id
        elif university_id is None:
            unis = session.scalars(select(Organization.id).where(Organization.kind == OrgKind.university)).all()
            if len(unis) != 1:
                raise ImportFailed("Choose the university whose credentials these are (--university CODE).")
            university_id = unis[0]
        org = session.get(Organization, university_id)
        if org is None or org.kind != OrgKind.university:
            raise ImportFailed("Credentials belong to a university: choose one.")
        return org
    if employer_id is None:
        if not scope.is_employer_side:
            raise ImportFailed("Choose the employer to import into (--employer CODE).")
        employer_id = scope.organization_id
    scope.require_employer(employer_id, write=True)
    org = session.get(Organization, employer_id)
    if org is None or org.kind != OrgKind.employer:
        raise ImportFailed("Choose an employer to import into.")
    return org


# --- Plan, apply, import ----------------------------------------------------------------------------


def plan(
    session: Session, scope: Scope, kind: str, table: pd.DataFrame, *, employer_id: int | None = None,
    university_id: int | None = None, mapping: dict[str, str | None] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Validate every row of ``table`` (from ``read_table``) and compare it with the database. Writes nothing."""
    org = target(session, scope, kind, employer_id=employer_id, university_id=university_id)
    spec = KINDS[kind]
    p = Plan(kind=kind, target_id=org.id, target_name=org.name, filename=table.attrs.get("filename", ""),
             sha256=table.attrs.get("sha256", ""), rows=len(table))
    columns, header_errors, ignored = resolve_columns(kind, table.columns, mapping)
    p.warnings += [f"column '{h}' is not a column of {kind} and is ignored" for h in ignored]
    if header_errors:
        p.errors = header_errors
        return p
    if not len(table):
        p.errors = [RowError(2, None, "the file has no data rows")]
        return p
    mapped = table[list(columns)].rename(columns=columns)
    ctx = _Ctx(session, scope, spec, p, set(mapped.columns), progress)
    rows = _parse_rows(spec, mapped, p.errors, progress)
    ctx.bad = {e.row for e in p.errors}
    PLANNERS[kind](ctx, rows)
    order = {c.name: i for i, c in enumerate(spec.columns)}
    p.errors.sort(key=lambda e: (e.row, order.get(e.column, -1), e.message))
    if p.errors:
        p.created = p.updated = p.unchanged = 0
        p.also_created = {}
    if progress:
        progress(0.5, "Checked every row")
    return p


def apply(session: Session, scope: Scope, p: Plan, *, progress: Progress | None = None) -> Plan:
    """Write a valid plan in one transaction (the session's), with one AuditEvent; commit. All or nothing."""
    if not p.ok or p._write is None:
        raise ImportFailed("This import has problems; nothing was written.")
    try:
        if p.changes:
            p._write(session, progress)
            if p._summaries:
                if progress:
                    progress(0.95, "Updating the dashboards' summaries")
                if session.get_bind().dialect.name == "postgresql" and p.created + p.updated >= ANALYZE_MIN_ROWS:
                    # Fresh statistics for the rows just written (visible to ANALYZE in this transaction):
                    # without them the planner picks nested loops and the summary rebuild takes 30 s, not 0.5 s.
                    session.execute(text("ANALYZE employee, enrollment"))
                summaries.refresh(session, [p.target_id], parts=p._summaries)
            bump_data_version(session)
        audit.record(session, actor_email=scope.email, action=f"import.{p.kind}", entity=KINDS[p.kind].entity,
                     organization_id=p.target_id,
                     after={"filename": p.filename, "sha256": p.sha256, **p.counts()})
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        session.rollback()
        raise ImportFailed("The data changed while importing, or the database refused a row; nothing was "
                           f"written. Try again. ({type(exc).__name__}: {str(exc.orig)[:200]})") from None
    except BaseException:
        session.rollback()
        raise
    p.applied = True
    if progress:
        progress(1.0, "Done")
    return p


def import_file(
    session: Session, scope: Scope, kind: str, source: bytes | str | Path, filename: str | None = None, *,
    employer_id: int | None = None, university_id: int | None = None,
    mapping: dict[str, str | None] | None = None, dry_run: bool = False, progress: Progress | None = None,
) -> Plan:
    """Read, plan and (unless ``dry_run`` or there are errors) apply, in one session transaction."""
    import time

    started = time.perf_counter()
    target(session, scope, kind, employer_id=employer_id, university_id=university_id)  # refuse before reading
    table = read_table(source, filename)
    p = plan(session, scope, kind, table, employer_id=employer_id, university_id=university_id, mapping=mapping,
             progress=progress)
    if p.ok and not dry_run:
        apply(session, scope, p, progress=progress)
    else:
        session.rollback()  # end the read transaction; nothing was written
    p.seconds = time.perf_counter() - started
    return p
