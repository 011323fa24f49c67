"""Exporting European Digital Credentials: the completed enrollments in scope, exactly those the Open Badges
export takes (services.badges.completed_enrollments: same scope, filters, pseudonymised people left out), one
sealed ``<stem>.jsonld`` each, and the seal's certificate, written to a directory or zipped for the page.

Conformance at export: the SHACL check costs about half a second a credential, and every credential of one
micro-credential has the same structure (only the learner, the dates and the grade differ), so ``check="first"``
(the default) checks the first credential of each micro-credential in the export; ``"all"`` checks every one.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlmodel import Session

from db.models import Credential, Employee, Enrollment, Organization
from db.scope import Scope
from services.badges import completed_enrollments
from services.edc.building import build
from services.edc.conformance import conformance_problems
from services.edc.seal import seal
from services.edc.sealing import render, seal_credential
from services.edc.settings import MAX_PAGE_CREDENTIALS, EdcError
from services.filters import Filters

CERTIFICATE_FILE = "edc-seal-certificate.pem"
CHECKS = ("first", "all", "none")


def file_stem(session: Session, enrollment: Enrollment) -> str:
    """<credential code>_<employer code>-<employee ref>_<enrollment id>, safe as a file name (as the badges)."""
    credential = session.get(Credential, enrollment.credential_id)
    employee = session.get(Employee, enrollment.employee_id)
    employer = session.get(Organization, employee.employer_id)
    return re.sub(r"[^A-Za-z0-9._-]+", "-",
                  f"{credential.code}_{employer.code}-{employee.employee_ref}_{enrollment.id}")


def _preload(session: Session, enrollments: list[Enrollment]) -> list:
    """The rows ``build`` and ``file_stem`` read, in a few bulk queries rather than several per credential."""
    def load(model, ids) -> list:
        ids, rows = sorted(set(ids)), []
        for start in range(0, len(ids), 1000):
            rows += session.scalars(select(model).where(model.id.in_(ids[start:start + 1000]))).all()
        return rows

    employees = load(Employee, (enrollment.employee_id for enrollment in enrollments))
    credentials = load(Credential, (enrollment.credential_id for enrollment in enrollments))
    organizations = load(Organization, [employee.employer_id for employee in employees]
                         + [credential.university_id for credential in credentials])
    return [*employees, *credentials, *organizations]


def credential_files(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
                     limit: int | None = None, check: str = "first") -> dict[str, bytes]:
    """{file name: bytes}: a sealed <stem>.jsonld per completion in scope, and the seal's certificate."""
    if check not in CHECKS:
        raise EdcError(f"check must be one of {', '.join(CHECKS)}")
    the_seal = seal()
    files: dict[str, bytes] = {}
    checked: set[int] = set()
    specifications: dict = {}
    enrollments = completed_enrollments(session, scope, filters, today=today, limit=limit)
    rows = _preload(session, enrollments)  # noqa: F841  (kept alive: the identity map holds rows weakly)
    for enrollment in enrollments:
        credential = build(session, enrollment, _specifications=specifications)
        if check == "all" or (check == "first" and enrollment.credential_id not in checked):
            problems = conformance_problems(credential)
            if problems:
                raise EdcError(f"The credential of enrollment {enrollment.id} does not conform to the EDC "
                               f"shapes: {'; '.join(problems[:3])}")
            checked.add(enrollment.credential_id)
        files[f"{file_stem(session, enrollment)}.jsonld"] = render(seal_credential(credential, the_seal))
    if files:
        files[CERTIFICATE_FILE] = b"".join(certificate.public_bytes(serialization.Encoding.PEM)
                                           for certificate in the_seal.chain)
    return files


@dataclass(frozen=True)
class PersonCredential:
    """One of a person's sealed credentials, with what its download button says."""

    file_name: str
    content: bytes
    title: str
    completed_on: date


def person_credentials(session: Session, scope: Scope, employee_id: int) -> list[PersonCredential]:
    """One person's completions sealed, as the exports count them (same scope, a pseudonymised person none);
    each conforms (a person has few)."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        return []
    # The person's employer and department narrow the scan (filters only ever narrow the scope).
    filters = Filters(employer_ids=frozenset({employee.employer_id}),
                      department_ids=None if employee.department_id is None else frozenset({employee.department_id}))
    the_seal, sealed = seal(), []
    for enrollment in completed_enrollments(session, scope, filters):
        if enrollment.employee_id == employee_id:
            credential = build(session, enrollment)
            problems = conformance_problems(credential)
            if problems:
                raise EdcError(f"The credential of enrollment {enrollment.id} does not conform to the EDC "
                               f"shapes: {'; '.join(problems[:3])}")
            sealed.append(PersonCredential(f"{file_stem(session, enrollment)}.jsonld",
                                           render(seal_credential(credential, the_seal)),
                                           session.get(Credential, enrollment.credential_id).title,
                                           enrollment.completed_on))
    return sealed


def person_files(session: Session, scope: Scope, employee_id: int) -> dict[str, bytes]:
    """{<stem>.jsonld: sealed bytes} of one person's completions (``person_credentials``)."""
    return {item.file_name: item.content for item in person_credentials(session, scope, employee_id)}


def export(session: Session, scope: Scope, out_dir: str | Path, filters: Filters | None = None, *,
           today: date | None = None, check: str = "first") -> list[Path]:
    """Write the files into ``out_dir``; returns the .jsonld paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in credential_files(session, scope, filters, today=today, check=check).items():
        (out / name).write_bytes(data)
        if name.endswith(".jsonld"):
            written.append(out / name)
    return written


def export_zip(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
               limit: int = MAX_PAGE_CREDENTIALS) -> tuple[int, bytes]:
    """(credentials, zip bytes) for the page's download button."""
    files = credential_files(session, scope, filters, today=today, limit=limit)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return sum(1 for name in files if name.endswith(".jsonld")), buffer.getvalue()
