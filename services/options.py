"""Choices for filter widgets, each limited to what the scope may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Cohort, Credential, Enrollment, Organization, OrgKind
from db.scope import Scope, scoped
from services import population
from services.periods import Period


def employers(session: Session, scope: Scope) -> list[tuple[int, str]]:
    stmt = scoped(
        select(Organization.id, Organization.name).where(Organization.kind == OrgKind.employer)
        .order_by(Organization.name),
        scope, Organization,
    )
    return [tuple(r) for r in session.execute(stmt).all()]


def departments(session: Session, scope: Scope, employer_ids: frozenset[int] | None) -> list[tuple[int, str]]:
    """The department cells in scope (services/population.py), never a part of one: each large
    department by name, and one "Other departments" per employer standing for its smaller
    ones (its value is one of their choices; figures widen it to the whole cell)."""
    rows = population.cell_rows(session, scope.employers(employer_ids))
    many = len({row[1] for row in rows}) > 1
    cells: dict[tuple[int, int], tuple[tuple, int, str]] = {}
    for employer_id, employer, cell, choice, department in rows:
        other = cell == population.OTHER_CELL
        name = population.OTHER_DEPARTMENTS if other else department
        # Per employer, its departments by name, then its "Other departments".
        shown = f"{name} ({employer})" if many else name
        cells.setdefault((employer_id, cell), ((employer, other, name), choice, shown))
    return [(choice, name) for _, choice, name in sorted(cells.values())]


def credentials(session: Session, scope: Scope) -> list[tuple[int, str]]:
    stmt = scoped(select(Credential.id, Credential.code, Credential.title).order_by(Credential.code), scope, Credential)
    return [(r[0], f"{r[1]} · {r[2]}") for r in session.execute(stmt).all()]


def cohorts(session: Session, scope: Scope, credential_ids: frozenset[int] | None,
            period: Period | None = None) -> list[tuple[int, str]]:
    """Cohorts in scope, newest first; with ``period``, only those running during it (a
    large university runs tens of thousands; a list of all of them helps nobody)."""
    stmt = scoped(select(Cohort.id, Cohort.code).order_by(Cohort.starts_on.desc(), Cohort.code), scope, Cohort)
    if credential_ids is not None:
        stmt = stmt.where(Cohort.credential_id.in_(sorted(credential_ids)))
    if period is not None:
        stmt = stmt.where(Cohort.starts_on <= period.end, Cohort.ends_on >= period.start)
    return [tuple(r) for r in session.execute(stmt).all()]


def first_enrollment(session: Session, scope: Scope) -> date | None:
    """The day of the first enrollment in scope (None: no data yet). Period pickers offer
    nothing before its quarter: those periods can only be empty."""
    return session.execute(scoped(select(func.min(Enrollment.enrolled_on)), scope, Enrollment)).scalar()


def uncounted_employers(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """(index, name) of the employers in scope too small to count in any figure (services/population.py)."""
    return list(enumerate(population.uncounted_employers(session, scope.employers())))
