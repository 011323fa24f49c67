"""Department population cells: the groups of people every aggregate figure is made of
(docs/metrics.md, "Small groups").

Per employer, each department with MIN_GROUP or more people on record (everyone ever
recorded in it, leavers included; people without a department form their own group) is a
cell of its own; the smaller departments together form one "Other departments" cell, and
when that cell would still hold fewer than MIN_GROUP people the smallest large departments
join it until it does not. An employer with fewer than MIN_GROUP people on record counts in
no aggregate figure. The cells depend on the data only, never on anyone's filters, and
``services/filters.py`` widens every department filter of an aggregate figure to whole
cells: so no sum or difference of figures isolates fewer than MIN_GROUP people.

A department "choice" is how a filter names a department: its id, or minus the employer's
id for the employer's people without a department (one value for both, unique across
employers). A cell is (employer id, cell id): the choice of a department alone, or
OTHER_CELL for the merged one.
"""

from __future__ import annotations

import os

from sqlalchemy import and_, case, func, or_, select, tuple_
from sqlmodel import Session

from db.models import Department, Employee, EmployeeMonthSummary, Organization


def _min_group() -> int:
    """The small-group threshold: MIN_GROUP_SIZE from the environment (read at start-up), else 5."""
    text = os.environ.get("MIN_GROUP_SIZE", "").strip() or "5"
    if not text.isdigit() or int(text) < 2:
        raise ValueError(f"MIN_GROUP_SIZE must be a whole number of 2 or more, not '{text}'.")
    return int(text)


# Groups with fewer people than this are not shown, so no individual can be recognised.
MIN_GROUP = _min_group()
OTHER_CELL = 0  # the cell id of an employer's merged "Other departments" (no choice is 0)
OTHER_DEPARTMENTS = "Other departments"
NO_DEPARTMENT = "(no department)"


def employee_choice():
    """The department choice of an Employee row."""
    return func.coalesce(Employee.department_id, -Employee.employer_id)


def table_choice(table):
    """The department choice of a summary-table row (db/summaries.py keeps 0 for no department)."""
    return case((table.department_id == 0, -table.employer_id), else_=table.department_id)


def _on_summary() -> bool:
    # Imported here: services.metrics imports services.filters, which imports this module.
    from services.metrics.paths import is_raw_only

    return not is_raw_only()


def _department_sizes():
    """Subquery: people on record per employer and department choice (employer_id, choice, people).
    Everyone is hired in exactly one month, so the hires of every month of the payroll summary
    count them in about a sixth of the rows of Employee; ``raw_only`` counts the employee rows."""
    if not _on_summary():
        choice = employee_choice()
        return (select(Employee.employer_id.label("employer_id"), choice.label("choice"),
                       func.count().label("people"))
                .group_by(Employee.employer_id, choice).subquery("department_sizes"))
    months = EmployeeMonthSummary
    choice = table_choice(months)
    return (select(months.employer_id.label("employer_id"), choice.label("choice"),
                   func.sum(months.hires).label("people"))
            .group_by(months.employer_id, choice).having(func.sum(months.hires) > 0)
            .subquery("department_sizes"))


def department_cells():
    """Subquery: per employer and department choice, its people on record, its cell id and
    the employer's people on record (employer_id, choice, people, cell, employer_people)."""
    sizes = _department_sizes()
    employer, small = sizes.c.employer_id, sizes.c.people < MIN_GROUP
    large_people = case((small, 0), else_=sizes.c.people)
    ranked = select(
        employer, sizes.c.choice, sizes.c.people,
        func.sum(case((small, sizes.c.people), else_=0)).over(partition_by=employer).label("small_total"),
        func.sum(sizes.c.people).over(partition_by=employer).label("employer_people"),
        # Large departments in the order they join a merged cell that is still too small: smallest first.
        func.coalesce(func.sum(large_people).over(partition_by=employer, order_by=(sizes.c.people, sizes.c.choice),
                                                  rows=(None, -1)), 0).label("large_before"),
    ).subquery("department_ranks")
    merged = or_(ranked.c.people < MIN_GROUP,
                 and_(ranked.c.small_total > 0, ranked.c.small_total + ranked.c.large_before < MIN_GROUP))
    return select(ranked.c.employer_id, ranked.c.choice, ranked.c.people,
                  case((merged, OTHER_CELL), else_=ranked.c.choice).label("cell"),
                  ranked.c.employer_people).subquery("department_cells")


COUNTED_KEY = ("counted_employers",)


def counted_employers():
    """The employers with MIN_GROUP people or more on record (the others count in no figure): their
    ids when a ``reusing`` block has read them (remember_counted_employers), else a SELECT of them."""
    from services.metrics.reuse import recalled  # services.metrics imports this module

    known = recalled(COUNTED_KEY)
    return list(known) if known is not None else _counted_select()


def remember_counted_employers(session: Session) -> None:
    """Read the counted employers once for the ``reusing`` block in use (its store lives as long as
    one data version, and only a write changes who is on record)."""
    from services.metrics.reuse import remembered

    remembered(COUNTED_KEY, lambda: tuple(sorted(session.execute(_counted_select()).scalars().all())))


def _counted_select():
    """From the payroll summary's hires as ``_department_sizes`` (Employee rows under ``raw_only``)."""
    if not _on_summary():
        return (select(Employee.employer_id).group_by(Employee.employer_id)
                .having(func.count() >= MIN_GROUP).correlate(None))
    months = EmployeeMonthSummary
    return (select(months.employer_id).group_by(months.employer_id)
            .having(func.sum(months.hires) >= MIN_GROUP).correlate(None))


def whole_cell_choices(department_ids: frozenset[int]):
    """SELECT every department choice in a cell that one of ``department_ids`` falls in: a
    department filter of an aggregate figure, widened to whole cells."""
    cells, touched = department_cells(), department_cells()
    hit = select(touched.c.employer_id, touched.c.cell).where(touched.c.choice.in_(sorted(department_ids)))
    return (select(cells.c.choice)
            .where(tuple_(cells.c.employer_id, cells.c.cell).in_(hit.correlate(None)))
            .correlate(None))


def cell_rows(session: Session, employer_ids: frozenset[int] | None = None) -> list[tuple]:
    """(employer id, employer name, cell id, choice, department name) per department choice,
    for the employers counted in figures."""
    cells = department_cells()
    stmt = (select(cells.c.employer_id, Organization.name, cells.c.cell, cells.c.choice,
                   func.coalesce(Department.name, NO_DEPARTMENT))
            .join(Organization, Organization.id == cells.c.employer_id)
            .outerjoin(Department, Department.id == cells.c.choice)
            .where(cells.c.employer_people >= MIN_GROUP)
            .order_by(Organization.name, cells.c.cell, cells.c.choice))
    if employer_ids is not None:
        stmt = stmt.where(cells.c.employer_id.in_(sorted(employer_ids)))
    return [tuple(row) for row in session.execute(stmt).all()]


def selected_cells(session: Session, department_ids: frozenset[int] | None) -> set[tuple[int, int]] | None:
    """The (employer id, cell id) cells a department filter selects, widened to whole cells (None: all)."""
    if department_ids is None:
        return None
    cells = department_cells()
    stmt = select(cells.c.employer_id, cells.c.cell).where(cells.c.choice.in_(sorted(department_ids))).distinct()
    return {(int(employer), int(cell)) for employer, cell in session.execute(stmt).all()}


def widened_choices(session: Session, department_ids: frozenset[int] | None) -> frozenset[int] | None:
    """Every department choice of the cells ``department_ids`` touch (None: no department filter)."""
    if department_ids is None:
        return None
    return frozenset(session.execute(whole_cell_choices(department_ids)).scalars().all())


def cell_groups(employer_column, choice):
    """GROUP BY columns (employer, department: a cell's name) and the joins they need, for rows
    whose employer is ``employer_column`` and department choice ``choice``: one group per cell."""
    cells = department_cells()
    name = case((cells.c.cell == OTHER_CELL, OTHER_DEPARTMENTS), else_=func.coalesce(Department.name, NO_DEPARTMENT))
    group = (Organization.name.label("employer"), name.label("department"))
    on = [cells.c.employer_id == employer_column, cells.c.choice == choice]
    table = employer_column.class_
    if table is not Employee:  # a summary table: its key (employer, department) finds a cell's rows alone
        on.append(table.department_id == case((cells.c.choice < 0, 0), else_=cells.c.choice))
    joins = [(Organization, Organization.id == employer_column),
             (cells, and_(*on)),
             (Department, Department.id == cells.c.cell, "outer")]
    return group, joins


def uncounted_employers(session: Session, employer_ids: frozenset[int] | None) -> list[str]:
    """The names of the employers (of ``employer_ids``, None: all) with fewer than MIN_GROUP people on record."""
    cells = department_cells()
    stmt = (select(Organization.name).join(cells, cells.c.employer_id == Organization.id)
            .where(cells.c.employer_people < MIN_GROUP).distinct().order_by(Organization.name))
    if employer_ids is not None:
        stmt = stmt.where(Organization.id.in_(sorted(employer_ids)))
    return list(session.execute(stmt).scalars().all())
