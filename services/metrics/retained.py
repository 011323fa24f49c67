"""12-month retention as published: sums over whole cells of MIN_GROUP people or more
(docs/metrics.md, "Small groups"), like the survey ratings of ``cells``.

The groups are read at a quarter's end E and the same day a year before, R. A cell is one
employer's department cell (services/population.py) × completer or not, at that E: the
people employed on R, of whom those still employed on E were retained. A cell of MIN_GROUP
people or more stands alone; an employer's smaller cells of one kind (completers, others)
form one "other" cell, used only when it has MIN_GROUP people or more and the department
filter selects all of its department cells. The cells depend on the data and E only, and E
is a quarter's end (never any day), so every published figure at one E is a sum of whole
large cells. Credential and cohort filters would cut cells into pieces: with them it is not
shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import and_, case, func, select, true
from sqlmodel import Session

from db.models import Employee, Enrollment, EnrollmentStatus, FirstCompletion
from db.scope import Scope
from services import population
from services.filters import Filters, people_conditions, resolve_period
from services.frames import frame
from services.metrics.cells import NOT_FOR_CREDENTIALS, NOT_FOR_PART_QUARTERS, whole_quarters
from services.metrics.counts import employed_on, rate
from services.metrics.definitions import MIN_GROUP
from services.metrics.paths import is_raw_only

NOT_ENDED = "12-month retention is read at a quarter's end, and this period's last quarter has not ended yet."
NO_LARGE_RETENTION_GROUP = (f"Fewer than {MIN_GROUP} people in every group of this selection, so retention cannot "
                            "be shown without identifying individuals.")


@dataclass(frozen=True)
class RetentionShown:
    """Retention over the large cells of a selection; counts are 0 or MIN_GROUP or more."""

    reference_day: date | None  # R: a year before ``end``
    end: date | None  # E: the quarter's end it is read at
    completers: int
    completers_retained: int
    others: int
    others_retained: int
    note: str | None = None  # why nothing (or only one group) is shown

    @property
    def completer_rate(self) -> float | None:
        return rate(self.completers_retained, self.completers)

    @property
    def other_rate(self) -> float | None:
        return rate(self.others_retained, self.others)


def retention_end(filters: Filters, today: date) -> tuple[date | None, str | None]:
    """(E, None): the end of the period's last whole quarter; or (None, why retention is not shown)."""
    if filters.credential_ids is not None or filters.cohort_ids is not None:
        return None, NOT_FOR_CREDENTIALS
    quarters = whole_quarters(resolve_period(filters, today))
    if quarters is None:
        return None, NOT_FOR_PART_QUARTERS
    if quarters.end > today:
        return None, NOT_ENDED
    return quarters.end, None


def retention_cells(session: Session, scope: Scope, filters: Filters, end: date, reference: date) -> pd.DataFrame:
    """Per employer × department cell × completer: people employed on ``reference``, and of them still on
    ``end`` (only the groups with people in them)."""
    stmt = select().select_from(Employee)
    if is_raw_only():
        completer = Employee.id.in_(select(Enrollment.employee_id).where(
            Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on <= reference))
    else:  # each person's first completion is kept (db/summaries.py)
        completer = FirstCompletion.completed_on <= reference
        stmt = stmt.outerjoin(FirstCompletion, FirstCompletion.employee_id == Employee.id)
    counted = {"people": true(), "retained": employed_on(end), "completers": completer,
               "completers_retained": and_(completer, employed_on(end))}
    sums = [func.sum(case((condition, 1), else_=0)).label(name) for name, condition in counted.items()]
    # One pass over the employees in the order of their (employer, department) index, with no sort;
    # only its rows (one per department) are joined to the cells, each of which would else read its
    # employer's people again.
    per_department = (stmt.add_columns(Employee.employer_id.label("employer_id"),
                                       population.employee_choice().label("choice"),
                                       *sums)
                      .where(*people_conditions(scope, filters), employed_on(reference))
                      .group_by(Employee.employer_id, Employee.department_id).subquery("per_department"))
    cells = population.department_cells()
    keys = (per_department.c.employer_id, cells.c.cell)
    stmt = (select(*keys, *(func.sum(per_department.c[name]) for name in counted))
            .join(cells, (cells.c.employer_id == per_department.c.employer_id)
                  & (cells.c.choice == per_department.c.choice))
            .group_by(*keys))
    sums = frame(session.execute(stmt), ["employer_id", "cell", *counted]).astype("int64")
    completers = sums.assign(completer=1, people=sums["completers"], retained=sums["completers_retained"])
    others = sums.assign(completer=0, people=sums["people"] - sums["completers"],
                         retained=sums["retained"] - sums["completers_retained"])
    both = pd.concat([completers, others], ignore_index=True)
    return both[both["people"] > 0][["employer_id", "cell", "completer", "people", "retained"]].reset_index(drop=True)


def retention_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> RetentionShown:
    """``retention``'s definition, read at a quarter's end over the large cells of the selection only."""
    end, refused = retention_end(filters, today)
    if refused:
        return RetentionShown(None, None, 0, 0, 0, 0, refused)
    reference = end.replace(year=end.year - 1)  # a quarter's end is never 29 February
    every_department = Filters(filters.period, filters.employer_ids)
    cells = retention_cells(session, scope, every_department, end, reference)
    chosen = population.selected_cells(session, filters.department_ids)
    cells["picked"] = [chosen is None or (int(employer), int(cell)) in chosen
                       for employer, cell in zip(cells["employer_id"], cells["cell"], strict=True)]
    large = cells["people"] >= MIN_GROUP
    merged = cells[~large].groupby(["employer_id", "completer"], as_index=False).agg(
        people=("people", "sum"), retained=("retained", "sum"), all_picked=("picked", "all"))
    shown = pd.concat([cells[large & cells["picked"]][["completer", "people", "retained"]],
                       merged[(merged["people"] >= MIN_GROUP) & merged["all_picked"]][["completer", "people",
                                                                                         "retained"]]])
    sums = {int(kind): (int(people), int(retained)) for kind, people, retained in
            shown.groupby("completer")[["people", "retained"]].sum().itertuples()}
    (completers, kept), (others, others_kept) = sums.get(1, (0, 0)), sums.get(0, (0, 0))
    note = NO_LARGE_RETENTION_GROUP if not (completers and others) else None
    return RetentionShown(reference, end, completers, kept, others, others_kept, note)
