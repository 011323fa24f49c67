"""Choices for filter widgets, each limited to what the scope may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from db.models import Cohort, Credential, Department, Organization, OrgKind
from db.scope import Scope, scoped


def employers(session: Session, scope: Scope) -> list[tuple[int, str]]:
    stmt = scoped(
        select(Organization.id, Organization.name).where(Organization.kind == OrgKind.employer)
        .order_by(Organization.name),
        scope, Organization,
    )
    return [tuple(r) for r in session.execute(stmt).all()]


def departments(session: Session, scope: Scope, employer_ids: frozenset[int] | None) -> list[tuple[int, str]]:
    stmt = (
        select(Department.id, Department.name, Organization.name)
        .join(Organization, Organization.id == Department.employer_id)
        .order_by(Organization.name, Department.name)
    )
    stmt = scoped(stmt, scope, Department)
    ids = scope.employers(employer_ids)
    if ids is not None:
        stmt = stmt.where(Department.employer_id.in_(sorted(ids)))
    rows = session.execute(stmt).all()
    many = len({r[2] for r in rows}) > 1
    return [(r[0], f"{r[1]} ({r[2]})" if many else r[1]) for r in rows]


def credentials(session: Session, scope: Scope) -> list[tuple[int, str]]:
    stmt = scoped(select(Credential.id, Credential.code, Credential.title).order_by(Credential.code), scope, Credential)
    return [(r[0], f"{r[1]} · {r[2]}") for r in session.execute(stmt).all()]


def cohorts(session: Session, scope: Scope, credential_ids: frozenset[int] | None) -> list[tuple[int, str]]:
    stmt = scoped(select(Cohort.id, Cohort.code).order_by(Cohort.starts_on.desc(), Cohort.code), scope, Cohort)
    if credential_ids is not None:
        stmt = stmt.where(Cohort.credential_id.in_(sorted(credential_ids)))
    return [tuple(r) for r in session.execute(stmt).all()]
