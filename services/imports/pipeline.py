"""Plan, apply, import_file: the organisation an import writes into, then checking every row, writing
a valid plan, and the two together."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import Organization, OrgKind
from db.scope import Scope
from services import audit, permissions
from services.imports.assessments import plan_assessments
from services.imports.cells import parse_rows
from services.imports.common import ANALYZE_MIN_ROWS, ImportFailed, Progress, RowError
from services.imports.credentials import plan_credentials
from services.imports.employees import plan_employees
from services.imports.enrollments import plan_enrollments
from services.imports.kinds import KINDS
from services.imports.mapping import resolve_columns
from services.imports.pdp_goals import plan_pdp_goals
from services.imports.planning import Plan, PlanContext
from services.imports.reading import open_table
from services.imports.surveys import plan_surveys

PLANNERS = {"credentials": plan_credentials, "employees": plan_employees, "enrollments": plan_enrollments,
            "assessments": plan_assessments, "pdp_goals": plan_pdp_goals, "surveys": plan_surveys}


def _university(session: Session, scope: Scope, university_id: int | None) -> Organization:
    university_id = permissions.import_university_id(scope, university_id)
    if university_id is None:
        found = session.scalars(select(Organization.id).where(Organization.kind == OrgKind.university)).all()
        if len(found) != 1:
            raise ImportFailed("Choose the university whose credentials these are (--university CODE).")
        university_id = found[0]
    org = session.get(Organization, university_id)
    if org is None or org.kind != OrgKind.university:
        raise ImportFailed("Credentials belong to a university: choose one.")
    return org


def _employer(session: Session, scope: Scope, employer_id: int | None) -> Organization:
    employer_id = permissions.import_employer_id(scope, employer_id)
    if employer_id is None:
        raise ImportFailed("Choose the employer to import into (--employer CODE).")
    org = session.get(Organization, employer_id)
    if org is None or org.kind != OrgKind.employer:
        raise ImportFailed("Choose an employer to import into.")
    return org


def target(session: Session, scope: Scope, kind: str, *, employer_id: int | None = None,
           university_id: int | None = None) -> Organization:
    """The organisation an import of ``kind`` writes into; AccessDenied or ImportFailed otherwise."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportFailed(f"Unknown kind '{kind}': choose one of {', '.join(KINDS)}.")
    permissions.require_import(scope, spec.side)
    if spec.side == "university":
        return _university(session, scope, university_id)
    org = _employer(session, scope, employer_id)
    if kind in permissions.HR_RECORD_KINDS:
        # The preview compares the file with the stored records: it would show them to someone who may not see them.
        permissions.require_records_of(scope, org.id, org.name, permissions.HR_RECORD_KINDS[kind])
    return org


def plan(
    session: Session, scope: Scope, kind: str, table: pd.DataFrame, *, employer_id: int | None = None,
    university_id: int | None = None, mapping: dict[str, str | None] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Validate every row of ``table`` (from ``read_table``, or ``TableFile.header_table()`` for a header
    that fails its check) and compare it with the database. Writes nothing."""
    org = target(session, scope, kind, employer_id=employer_id, university_id=university_id)
    spec = KINDS[kind]
    import_plan = Plan(kind=kind, target_id=org.id, target_name=org.name, filename=table.attrs.get("filename", ""),
                       sha256=table.attrs.get("sha256", ""), rows=len(table),
                       header_only=table.attrs.get("header_only", False))
    columns, header_errors, ignored = resolve_columns(kind, table.columns, mapping)
    import_plan.warnings += [f"column '{header}' is not a column of {kind} and is ignored" for header in ignored]
    if header_errors:
        import_plan.errors = header_errors
        return import_plan
    if not len(table):
        import_plan.errors = [RowError(2, None, "the file has no data rows")]
        return import_plan
    mapped = table[list(columns)].rename(columns=columns)
    ctx = PlanContext(session, scope, spec, import_plan, set(mapped.columns), progress)
    rows = parse_rows(spec, mapped, import_plan.errors, progress)
    ctx.bad = {error.row for error in import_plan.errors}
    PLANNERS[kind](ctx, rows)
    order = {column.name: i for i, column in enumerate(spec.columns)}
    import_plan.errors.sort(key=lambda error: (error.row, order.get(error.column, -1), error.message))
    if import_plan.errors:
        import_plan.created = import_plan.updated = import_plan.unchanged = 0
        import_plan.also_created = {}
    if progress:
        progress(0.5, "Checked every row")
    return import_plan


def _write_changes(session: Session, import_plan: Plan, progress: Progress | None) -> None:
    """The plan's rows, the dashboards' summaries they change, and a new data version."""
    keep_summaries = import_plan._write(session, progress)
    if import_plan._summaries or keep_summaries:
        if progress:
            progress(0.95, "Updating the dashboards' summaries")
        written = import_plan.created + import_plan.updated
        if session.get_bind().dialect.name == "postgresql" and written >= ANALYZE_MIN_ROWS:
            # Fresh statistics for the rows just written (visible to ANALYZE in this transaction):
            # without them the planner picks nested loops and the summary rebuild takes 30 s, not 0.5 s.
            session.execute(text("ANALYZE employee, enrollment"))
        if keep_summaries:
            keep_summaries()  # at the cost of the rows written (db/summaries/incremental.py)
        else:
            summaries.refresh(session, [import_plan.target_id], parts=import_plan._summaries)
    bump_data_version(session)


def apply(session: Session, scope: Scope, import_plan: Plan, *, progress: Progress | None = None) -> Plan:
    """Write a valid plan in one transaction (the session's), with one AuditEvent; commit. All or nothing."""
    if not import_plan.ok or import_plan._write is None:
        raise ImportFailed("This import has problems; nothing was written.")
    try:
        if import_plan.changes:
            _write_changes(session, import_plan, progress)
        audit.record(session, actor_email=scope.email, action=f"import.{import_plan.kind}",
                     entity=KINDS[import_plan.kind].entity, organization_id=import_plan.target_id,
                     after={"filename": import_plan.filename, "sha256": import_plan.sha256,
                            **import_plan.counts()})
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        session.rollback()
        raise ImportFailed("The data changed while importing, or the database refused a row; nothing was "
                           f"written. Try again. ({type(exc).__name__}: {str(exc.orig)[:200]})") from None
    except BaseException:
        session.rollback()
        raise
    import_plan.applied = True
    if progress:
        progress(1.0, "Done")
    return import_plan


def import_file(
    session: Session, scope: Scope, kind: str, source: bytes | str | Path, filename: str | None = None, *,
    employer_id: int | None = None, university_id: int | None = None,
    mapping: dict[str, str | None] | None = None, dry_run: bool = False, progress: Progress | None = None,
) -> Plan:
    """Read, plan and (unless ``dry_run`` or there are errors) apply, in one session transaction. The rows
    are read only once the header has the kind's required columns (after ``mapping``)."""
    started = time.perf_counter()
    target(session, scope, kind, employer_id=employer_id, university_id=university_id)  # refuse before reading
    with open_table(source, filename) as opened:
        _, header_errors, _ = resolve_columns(kind, opened.header, mapping)
        table = opened.header_table() if header_errors else opened.table()
    import_plan = plan(session, scope, kind, table, employer_id=employer_id, university_id=university_id,
                       mapping=mapping, progress=progress)
    if import_plan.ok and not dry_run:
        apply(session, scope, import_plan, progress=progress)
    else:
        session.rollback()  # end the read transaction; nothing was written
    import_plan.seconds = time.perf_counter() - started
    return import_plan
