"""Exporting Open Badges: the completed enrollments in scope, their files (<stem>.json, <stem>.jwt, and the
issuer's JWKS, jwks.json, that the deployment serves at settings.jwks_url()), written to a directory or zipped
for the page's download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from db.models import Cohort, Credential, Employee, Enrollment, EnrollmentStatus, Organization
from db.scope import Scope, visible
from services.badges.building import build
from services.badges.keys import jwks, store_keys
from services.badges.schema import schema_errors
from services.badges.settings import JWKS_FILE, MAX_PAGE_BADGES, BadgeError
from services.badges.verifying import render, sign
from services.filters import Filters, resolve_period, scoped_enrollments


def completed_enrollments(session: Session, scope: Scope, filters: Filters | None = None, *,
                          today: date | None = None, limit: int | None = None) -> list[Enrollment]:
    """Completed enrollments the scope may see, narrowed by the filters (period: completed in it), of people
    not pseudonymised."""
    filters = filters or Filters()
    stmt = (
        scoped_enrollments(scope, filters, Enrollment, listed=True)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None),
               visible(scope, Enrollment), visible(scope, Credential),
               # A pseudonymised person is issued no more badges (services/people, "Badges").
               Enrollment.employee_id.not_in(select(Employee.id).where(Employee.pseudonymised_on.is_not(None))))
        .order_by(Enrollment.completed_on, Enrollment.id)
    )
    if filters.period is not None:
        period = resolve_period(filters, today or date.today())
        stmt = stmt.where(Enrollment.completed_on >= period.start, Enrollment.completed_on <= period.end)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).all())


def _file_stem(session: Session, enrollment: Enrollment, stems: dict) -> str:
    """<credential code>_<employer code>-<employee ref>_<enrollment id>, safe as a file name."""
    key = (enrollment.credential_id, enrollment.employee_id)
    if key not in stems:
        credential_code = session.get(Credential, enrollment.credential_id).code
        employee = session.get(Employee, enrollment.employee_id)
        employer_code = session.get(Organization, employee.employer_id).code
        stems[key] = f"{credential_code}_{employer_code}-{employee.employee_ref}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{stems[key]}_{enrollment.id}")


def _preload(session: Session, enrollments: list[Enrollment]) -> list:
    """Load the rows ``build`` reads in a few bulk queries, not one query per badge.

    The session's identity map holds objects weakly: keep the returned list while building.
    """
    def load(model, ids) -> list:
        ids, rows = sorted(set(ids)), []
        for i in range(0, len(ids), 1000):
            rows += session.scalars(select(model).where(model.id.in_(ids[i:i + 1000]))).all()
        return rows

    employees = load(Employee, (enrollment.employee_id for enrollment in enrollments))
    credentials = load(Credential, (enrollment.credential_id for enrollment in enrollments))
    cohorts = load(Cohort, (enrollment.cohort_id for enrollment in enrollments))
    organizations = load(Organization, [employee.employer_id for employee in employees]
                         + [credential.university_id for credential in credentials])
    return [*employees, *credentials, *cohorts, *organizations]


def badge_files(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
                limit: int | None = None, validate: bool = True) -> dict[str, bytes]:
    """{file name: bytes} for every completed enrollment in scope: <stem>.json, <stem>.jwt, and the JWKS."""
    keys = store_keys()
    key = keys[-1]  # the active key signs; the JWKS also holds the retired ones, for the badges they signed
    files: dict[str, bytes] = {}
    achievements: dict = {}
    stems: dict = {}
    enrollments = completed_enrollments(session, scope, filters, today=today, limit=limit)
    rows = _preload(session, enrollments)  # noqa: F841  (kept alive: the identity map is weak)
    for enrollment in enrollments:
        credential = build(session, enrollment, _achievements=achievements)
        if validate:
            errors = schema_errors(credential)
            if errors:
                raise BadgeError(f"The badge of enrollment {enrollment.id} is not schema-valid: "
                                 f"{'; '.join(errors[:3])}")
        stem = _file_stem(session, enrollment, stems)
        files[f"{stem}.json"] = render(credential)
        files[f"{stem}.jwt"] = (sign(credential, key) + "\n").encode("ascii")
    if files:
        files[JWKS_FILE] = (json.dumps(jwks(keys), indent=2) + "\n").encode("utf-8")
    return files


def export(session: Session, scope: Scope, out_dir: str | Path, filters: Filters | None = None, *,
           today: date | None = None) -> list[Path]:
    """Write the badge files into ``out_dir``; returns the .json paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in badge_files(session, scope, filters, today=today).items():
        (out / name).write_bytes(data)
        if name.endswith(".json") and name != JWKS_FILE:
            written.append(out / name)
    return written


def export_zip(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
               limit: int = MAX_PAGE_BADGES) -> tuple[int, bytes]:
    """(badges, zip bytes) for the page's download button."""
    files = badge_files(session, scope, filters, today=today, limit=limit)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return sum(1 for name in files if name.endswith(".jwt")), buffer.getvalue()
