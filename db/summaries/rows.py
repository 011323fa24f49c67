"""Which summary rows a refresh rebuilds, and the conditions that select them and their sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, func, or_, select
from sqlmodel import Session

from db.models import Employee, Enrollment

CHUNK = 5000  # ids per statement (SQLite allows 32,766 parameters; the month events use three per id)


@dataclass(frozen=True)
class Rows:
    """All summary rows, some employers', or some departments'; ``since``/``until`` narrow a
    rebuild to the periods (months or quarters, by their first day) in that span."""

    employers: tuple[int, ...] | None = None
    departments: tuple[tuple[int, int], ...] | None = None  # (employer, department or 0)
    since: date | None = None
    until: date | None = None

    @classmethod
    def of_people(cls, session: Session, employee_ids: Iterable[int], **span) -> Rows:
        """The rows of the departments these people are in (their employer's "no department" row
        for people without one), read in chunks that stay inside SQLite's parameter limit."""
        ids, pairs = sorted(set(employee_ids)), set()
        for i in range(0, len(ids), CHUNK):
            pairs.update(session.execute(select(Employee.employer_id, func.coalesce(Employee.department_id, 0))
                                         .where(Employee.id.in_(ids[i:i + CHUNK])).distinct()).all())
        return cls(departments=tuple(sorted((int(e), int(d)) for e, d in pairs)), **span)

    def people(self) -> list:
        """Conditions on Employee selecting the people whose rows these are."""
        if self.departments is not None:
            return [self._either(Employee.department_id, Employee.employer_id, Employee.department_id.is_(None))]
        return [] if self.employers is None else [Employee.employer_id.in_(self.employers)]

    def of(self, table, period=None) -> list:
        """Conditions on a summary table selecting these rows (``period``: its month or quarter column)."""
        if self.departments is not None:
            out = [self._either(table.department_id, table.employer_id, table.department_id == 0)]
        else:
            out = [] if self.employers is None else [table.employer_id.in_(self.employers)]
        return out + self.within(period) if period is not None else out

    def within(self, column) -> list:
        """Conditions keeping ``column`` (a period's first day, or a day) inside the span."""
        return ([column >= self.since] if self.since is not None else []) + \
            ([column <= self.until] if self.until is not None else [])

    def _either(self, department, employer, no_department):
        # Department ids are unique across employers; "no department" needs the employer too.
        # (Plain columns rather than row values, so the indexes serve.)
        named = sorted({d for _, d in self.departments if d})
        bare = sorted({e for e, d in self.departments if not d})
        return or_(department.in_(named), and_(no_department, employer.in_(bare)))


def base(rows: Rows):
    """Enrollments joined to their people, restricted to ``rows``' people."""
    return select().select_from(Enrollment).join(Employee, Employee.id == Enrollment.employee_id).where(*rows.people())


def keys():
    return [Employee.employer_id.label("employer_id"),
            func.coalesce(Employee.department_id, 0).label("department_id"),
            Enrollment.credential_id.label("credential_id")]


def clear(session: Session, tables, rows: Rows) -> None:
    for table in tables:
        session.execute(delete(table).where(*rows.of(table)))
