"""The one filter pipeline: what the user narrowed the view to, the period it resolves to,
and its translation, with the access scope, into SQL conditions.

Both ways of computing a figure use it: the raw rows (enrollments through their employee)
and the summary tables of db/summaries/ (one row per month and employer, department,
credential). Employer narrowing is written once, in ``requested_employers``.

Figures see people only in whole department cells (services/population.py): here, and
only here, a department filter is widened to the whole cells it touches (the sidebar offers
an employer's small departments as one "Other departments" choice) and, for aggregate
figures, employers with fewer than MIN_GROUP people on record are left out, whatever ids a
page, the CLI or a URL passes. Named lists (``listed=True``) keep those employers: they show
people by name to those entitled anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from db.models import Employee, Enrollment
from db.scope import Scope, visible
from services.periods import Period
from services.population import counted_employers, employee_choice, table_choice, whole_cell_choices


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Every filter narrows the scope, never widens it.

    ``None`` means "no filter"; an empty set means "nothing".
    """

    period: Period | None = None
    employer_ids: frozenset[int] | None = None
    department_ids: frozenset[int] | None = None
    credential_ids: frozenset[int] | None = None
    cohort_ids: frozenset[int] | None = None

    def with_period(self, period: Period | None) -> Filters:
        return Filters(period, self.employer_ids, self.department_ids, self.credential_ids, self.cohort_ids)


# The period of "no period filter": everything up to today.
ALL_TIME_START = date(1900, 1, 1)


def resolve_period(filters: Filters, today: date) -> Period:
    if filters.period is not None:
        return filters.period
    return Period(ALL_TIME_START, today, "to date")


def requested_employers(scope: Scope, employer_ids: frozenset[int] | None) -> frozenset[int] | None:
    """The employers a filter asks for, within the scope; None when the filter asks for none
    (then the scope's own rule, ``visible``, is the only narrowing)."""
    return None if employer_ids is None else scope.employers(employer_ids)


@dataclass(frozen=True)
class FilterColumns:
    """Where each filter applies in a query: the columns holding employer, department
    (its choice, services/population.py), credential and cohort (None where the rows do not
    record it)."""

    employer: Any
    department: Any
    credential: Any = None
    cohort: Any = None


def filter_conditions(scope: Scope, filters: Filters, columns: FilterColumns, *, listed: bool = False) -> list:
    """The filters as SQL conditions on ``columns`` (the scope's row rule is added by the callers):
    people in whole department cells, of employers large enough to count unless ``listed``."""
    conditions = []
    if columns.employer is not None:
        employers = requested_employers(scope, filters.employer_ids)
        if employers is not None:
            conditions.append(columns.employer.in_(sorted(employers)))
        if not listed:
            conditions.append(columns.employer.in_(counted_employers()))
    if columns.department is not None and filters.department_ids is not None:
        conditions.append(columns.department.in_(whole_cell_choices(filters.department_ids)))
    for column, ids in ((columns.credential, filters.credential_ids), (columns.cohort, filters.cohort_ids)):
        if column is not None and ids is not None:
            conditions.append(column.in_(sorted(ids)))
    return conditions


PEOPLE = FilterColumns(employer=Employee.employer_id, department=employee_choice())
ENROLLMENTS = FilterColumns(employer=None, department=None, credential=Enrollment.credential_id,
                            cohort=Enrollment.cohort_id)


def people_conditions(scope: Scope, filters: Filters, *, listed: bool = False) -> list:
    """Conditions on Employee: the scope, then the employer and department filters (``listed``:
    for a named list, which keeps the employers too small to count in figures)."""
    return [visible(scope, Employee), *filter_conditions(scope, filters, PEOPLE, listed=listed)]


def enrollment_conditions(scope: Scope, filters: Filters) -> list:
    """The credential and cohort filters on Enrollment (people are narrowed by ``people_conditions``)."""
    return filter_conditions(scope, filters, ENROLLMENTS)


def scoped_enrollments(scope: Scope, filters: Filters, *columns, listed: bool = False):
    """SELECT ``columns`` FROM enrollments joined to their employee, in scope and filters
    (``listed``: for a named list)."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*people_conditions(scope, filters, listed=listed), *enrollment_conditions(scope, filters))
    )


def summary_conditions(scope: Scope, filters: Filters, table) -> list:
    """Conditions on a summary table of db/summaries/: the scope, then the filters its rows record."""
    columns = FilterColumns(employer=table.employer_id, department=table_choice(table),
                            credential=getattr(table, "credential_id", None))
    return [visible(scope, table), *filter_conditions(scope, filters, columns)]
