"""The Plan an import makes, and what planning every kind shares: the context a planner works in,
how a change is shown, lookups loaded once per import, and executemany (or COPY) inserts and updates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, select
from sqlmodel import Session

from db.copying import copy_rows, uses_copy
from db.models import Cohort, Credential, Employee, Skill, SkillStatus
from db.scope import Scope, visible
from services.imports.cells import has_value
from services.imports.common import CHUNK, Progress, RowError
from services.imports.kinds import Kind


@dataclass
class Plan:
    """What an import would do (or did): errors, or counts and a line-by-line preview."""

    kind: str
    target_id: int
    target_name: str
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    header_only: bool = False  # the header failed its check, so the rows were not read
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
    # Writes the rows; may return what keeps the summaries exact itself (then _summaries is not rebuilt).
    _write: Callable[[Session, Progress | None], Callable[[], None] | None] | None = field(default=None, repr=False)
    _summaries: tuple[str, ...] = field(default=(), repr=False)  # summary parts the write changes (db/summaries.PARTS)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> bool:
        return bool(self.created or self.updated or any(self.also_created.values()))

    def counts(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                **{f"new_{what}": count for what, count in self.also_created.items() if count}}

    def summary(self) -> str:
        if self.errors:
            count = len(self.errors)
            where = "the header (its rows were not read)" if self.header_only else _rows(self.rows)
            return f"{count:,} problem{'s' if count != 1 else ''} in {where}; nothing was written."
        extra = "".join(f"; new {what}: {count:,}" for what, count in self.also_created.items() if count)
        if not self.changes:
            what = "the row is" if self.rows == 1 else f"all {self.rows:,} rows are"
            return f"Nothing changed: {what} already up to date."
        verb = ("Created", "updated", "left") if self.applied else ("Would create", "update", "leave")
        return (f"{verb[0]} {self.created:,}, {verb[1]} {self.updated:,}, {verb[2]} {self.unchanged:,} unchanged "
                f"({_rows(self.rows)}{extra}).")

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame([(error.row, error.column or "", error.message) for error in self.errors],
                            columns=["line", "column", "problem"])

    def preview(self, limit: int = 200) -> pd.DataFrame:
        """Up to ``limit`` rows of each action (create, update, unchanged), in file order."""
        taken = {"create": 0, "update": 0, "unchanged": 0}
        rows = []
        for action in self.actions:
            if taken[action[1]] < limit:
                taken[action[1]] += 1
                rows.append(action)
        return pd.DataFrame(rows, columns=["line", "action", "key", "changes"])


def _rows(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


@dataclass
class PlanContext:
    """What a planner works with: the session and scope, the kind, the plan it fills in, the columns the
    file has, and the lines with an error so far (they are neither created nor updated)."""

    session: Session
    scope: Scope
    spec: Kind
    plan: Plan
    present: set[str]
    progress: Progress | None
    bad: set[int] = field(default_factory=set)

    def error(self, line: int, column: str | None, message: str) -> None:
        self.plan.errors.append(RowError(line, column, message))
        self.bad.add(line)

    @property
    def target(self) -> int:
        return self.plan.target_id

    def is_duplicate(self, seen: dict, key, line: int, column: str, what: str) -> bool:
        """Report a natural key seen earlier in the file; True when it is a duplicate."""
        if key in seen:
            self.error(line, column, f"{what} is also on line {seen[key]}")
            return True
        seen[key] = line
        return False

    def will_create(self, line: int, key: str) -> None:
        """The preview row of a record the import creates."""
        self.plan.actions.append((line, "create", key, ""))

    def compared(self, line: int, key: str, changed: list[str]) -> None:
        """The preview row of a stored record: updated when anything changed, else unchanged."""
        self.plan.actions.append((line, "update" if changed else "unchanged", key, "; ".join(changed)))

    def set_counts(self, rows: list, creates: list, updates: list) -> None:
        """The plan's counts from the creates and updates (every other row without an error is unchanged)."""
        self.plan.created, self.plan.updated = len(creates), len(updates)
        self.plan.unchanged = len(rows) - len(creates) - len(updates) - len(self.bad)


def shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):  # skills
        return "; ".join(f"{name}:{level}" for name, level in sorted(value.values(), key=lambda t: t[0].lower())) \
            or "—"
    return str(value)


def differences(pairs: Iterable[tuple[str, Any, Any]]) -> list[str]:
    """"name: old → new" for each (name, stored, from the file) that differs."""
    return [f"{name}: {shown(old)} → {shown(new)}" for name, old, new in pairs if old != new]


def effective(values: dict, current: Any, name: str, attr: str | None = None, default: Any = None) -> Any:
    """The value a field will have: from the file when its column is present, else the stored or default one."""
    if name in values:
        return values[name]
    if current is not None:
        return getattr(current, attr or name)
    return default


def insert_rows(session: Session, model, rows: list[dict], progress: Progress | None, label: str) -> None:
    """Executemany INSERTs in CHUNKs; on PostgreSQL one COPY (db/copying.py)."""
    if uses_copy(session.connection()):
        session.flush()

        def written(count: int) -> None:
            if progress and len(rows) > CHUNK:
                progress(0.5 + 0.4 * count / len(rows), f"Wrote {count:,} {label}")

        copy_rows(session.connection(), model.__table__, rows, written)
        return
    for i in range(0, len(rows), CHUNK):
        session.execute(model.__table__.insert(), rows[i:i + CHUNK])
        if progress and len(rows) > CHUNK:
            progress(0.5 + 0.4 * min(1.0, (i + CHUNK) / len(rows)), f"Wrote {min(i + CHUNK, len(rows)):,} {label}")


def update_rows(session: Session, model, rows: list[dict], stmt=None) -> int:
    """Executemany UPDATE ... WHERE id = :b_id; every dict has the same keys. Returns the rows matched."""
    if not rows:
        return 0
    if stmt is None:
        table = model.__table__
        stmt = table.update().where(table.c.id == bindparam("b_id"))
    matched = 0
    for i in range(0, len(rows), CHUNK):
        matched += session.execute(stmt, rows[i:i + CHUNK]).rowcount or 0
    return matched


def employee_ids(session: Session, employer_id: int) -> dict[str, int]:
    """{employee_ref: id} of one employer's employees."""
    return dict(session.execute(
        select(Employee.employee_ref, Employee.id).where(Employee.employer_id == employer_id)).all())


def credential_ids(session: Session, scope: Scope) -> dict[str, int]:
    """{code: id} of the credentials the scope sees."""
    return dict(session.execute(select(Credential.code, Credential.id).where(visible(scope, Credential))).all())


def cohorts_by_code(session: Session, scope: Scope) -> dict[tuple[int, str], tuple[int, date, date]]:
    """{(credential id, cohort code): (cohort id, starts on, ends on)} of the cohorts the scope sees."""
    rows = session.execute(
        select(Cohort.credential_id, Cohort.code, Cohort.id, Cohort.starts_on, Cohort.ends_on)
        .where(visible(scope, Cohort))).all()
    return {(row[0], row[1]): (row[2], row[3], row[4]) for row in rows}


def skills_by_name(session: Session) -> dict[str, tuple[int, str]]:
    """{lower-case name: (id, name)} of the skills vocabulary (accepted skills: a proposed one is used nowhere)."""
    return {name.lower(): (skill_id, name) for skill_id, name in session.execute(
        select(Skill.id, Skill.name).where(Skill.status == SkillStatus.accepted)).all()}


def not_employee(ctx: PlanContext, line: int, ref: str) -> None:
    ctx.error(line, "employee_ref", f"'{ref}' is not an employee of {ctx.plan.target_name}")


def not_credential(ctx: PlanContext, line: int, code: str, column: str = "credential_code") -> None:
    ctx.error(line, column, f"credential '{code}' does not exist or is outside your access")


def enrollment_key(ctx: PlanContext, seen: dict, line: int, values: dict, employees: dict, credentials: dict,
                   what: str) -> tuple[int | None, int | None] | None:
    """A row naming an enrollment (employee_ref, credential_code, cohort): None when it repeats an
    earlier row, else (employee id, credential id), each None when unknown (the problem is reported).
    ``what`` describes the row for the duplicate message, with {ref}, {code} and {cohort} filled in."""
    ref, code, cohort = values["employee_ref"], values["credential_code"], values["cohort"]
    if has_value(ref) and has_value(code) and has_value(cohort) and ctx.is_duplicate(
            seen, (ref, code, cohort), line, "employee_ref", what.format(ref=ref, code=code, cohort=cohort)):
        return None
    employee_id = employees.get(ref) if has_value(ref) else None
    if has_value(ref) and employee_id is None:
        not_employee(ctx, line, ref)
    credential_id = credentials.get(code) if has_value(code) else None
    if has_value(code) and credential_id is None:
        not_credential(ctx, line, code)
    return employee_id, credential_id
