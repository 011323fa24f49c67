"""Survey ratings and assessed levels, published only as sums over whole cells of
MIN_GROUP people or more (docs/metrics.md, "Sensitive measures").

A cell is one department's completions of one quarter at one employer (× skill × side for
assessed levels) when it has MIN_GROUP people or more; the employer's smaller departments
of that quarter form one "other departments" cell. Every filter the product offers for
these measures (scope, employers, departments, a period cut to the whole quarters it holds)
selects a union of whole cells (a department filter, first widened to whole department
cells as every aggregate's is (services/population.py), takes the "other" cell only when it
selects all of its departments), and cells with fewer than MIN_GROUP people count in no
figure at all, not even in a total.
So every published figure is a function of the large cells' sums alone, and no sum,
difference or other combination of published figures, across any filter choices, can
isolate fewer than MIN_GROUP people. Credential and cohort filters would cut cells into
unknown pieces, so with them these measures are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from db import summaries
from db.models import (
    AssessmentLevelSummary,
    Employee,
    Enrollment,
    EnrollmentStatus,
    OutcomeMonthSummary,
    OutcomeSurvey,
    Skill,
    SurveyedQuarterSummary,
)
from db.scope import Scope
from db.sqlfuncs import quarter_start
from services.filters import Filters, people_conditions, resolve_period, summary_conditions
from services.frames import frame
from services.metrics.definitions import MIN_GROUP
from services.metrics.paths import is_raw_only
from services.periods import Period, quarter_of
from services.population import employee_choice, table_choice, widened_choices

CELL_COLUMNS = ["employer_id", "department_id", "quarter", "skill", "side", "people", "n", "total"]
NOT_FOR_CREDENTIALS = ("Not shown with a credential or cohort filter: such small selections could be told "
                       "apart and reveal individual answers. Clear those filters to see it.")
NOT_FOR_PART_QUARTERS = ("Shown for whole quarters only, and this period holds no whole quarter. "
                         "Choose a quarter or a longer range.")
NO_LARGE_GROUP = (f"Fewer than {MIN_GROUP} people with answers in every group of this selection, so nothing "
                  "can be shown without identifying individuals.")


def whole_quarters(period: Period) -> Period | None:
    """The whole quarters inside ``period`` as one range, or None when it holds none."""
    first = quarter_of(period.start)
    if first.start < period.start:
        first = quarter_of(first.end + timedelta(days=1))
    last = quarter_of(period.end)
    if last.end > period.end:
        last = quarter_of(last.start - timedelta(days=1))
    if first.start > last.end:
        return None
    label = first.label if first == last else f"{first.label} – {last.label}"
    return Period(first.start, last.end, label)


def cells_period(filters: Filters, today: date) -> tuple[Period | None, str | None]:
    """(the quarters the cells cover, None) or (None, why these measures are not shown)."""
    if filters.credential_ids is not None or filters.cohort_ids is not None:
        return None, NOT_FOR_CREDENTIALS
    quarters = whole_quarters(resolve_period(filters, today))
    return (quarters, None) if quarters is not None else (None, NOT_FOR_PART_QUARTERS)


def selected_cells(cells: pd.DataFrame, chosen: frozenset[int] | None, *, within: list[str],
                   sums: list[str]) -> pd.DataFrame:
    """The cells a department filter selects, from the cells of every department.

    ``chosen``: the department choices the filter selects, widened to whole department cells
    (services/population.py; None: no filter). In each ``within`` group (an employer's
    quarter, for levels also a skill and side), a department of MIN_GROUP people or more is a
    cell of its own; the smaller ones are merged into one "other departments" cell, used only
    when it has MIN_GROUP people or more and the filter selects all of its departments. The
    cells depend on the data only, never on the filters, so every figure is a sum of whole
    cells of MIN_GROUP people or more.
    """
    picked = cells["department_id"].isin(sorted(chosen)) if chosen is not None else pd.Series(True, cells.index)
    large = cells["people"] >= MIN_GROUP
    merged = cells[~large].assign(picked=picked[~large]).groupby(within, as_index=False).agg(
        **{column: (column, "sum") for column in [*sums, "people"]}, all_picked=("picked", "all"))
    merged = merged[(merged["people"] >= MIN_GROUP) & merged["all_picked"]]
    return pd.concat([cells[large & picked][[*within, *sums, "people"]], merged[[*within, *sums, "people"]]],
                     ignore_index=True)


@dataclass(frozen=True)
class OutcomeShown:
    n: int  # surveys in the cells shown (0, or MIN_GROUP or more)
    performance_change: float | None
    satisfaction_change: float | None
    quarters: Period | None  # the whole quarters the figures cover
    note: str | None = None  # why nothing is shown, for the page

    @property
    def shown(self) -> bool:
        return self.performance_change is not None


OUTCOME_CELL_COLUMNS = ["employer_id", "department_id", "quarter", "people", "surveys", "performance", "satisfaction"]


def outcome_cells(session: Session, scope: Scope, filters: Filters, quarters: Period) -> pd.DataFrame:
    """Per employer × department × quarter of completion: people, surveys and the sums of the changes,
    from the survey summaries (the raw rows are read only under ``raw_only``)."""
    if is_raw_only():
        return _raw_outcome_cells(session, scope, filters, quarters)
    surveys, people = OutcomeMonthSummary, SurveyedQuarterSummary
    cell = (surveys.employer_id, table_choice(surveys), quarter_start(surveys.month))
    sums = frame(session.execute(
        select(*cell, func.sum(surveys.surveys), func.sum(surveys.performance_change),
               func.sum(surveys.satisfaction_change))
        .where(*summary_conditions(scope, filters, surveys), surveys.month.in_(quarters.month_starts()))
        .group_by(*cell)), ["employer_id", "department_id", "quarter", "surveys", "performance", "satisfaction"])
    starts = [day for day in quarters.month_starts() if day.month % 3 == 1]
    counted = frame(session.execute(
        select(people.employer_id, table_choice(people), people.quarter, people.people)
        .where(*summary_conditions(scope, filters, people), people.quarter.in_(starts))),
        ["employer_id", "department_id", "quarter", "people"])
    return counted.merge(sums, on=["employer_id", "department_id", "quarter"])[OUTCOME_CELL_COLUMNS]


def _raw_outcome_cells(session: Session, scope: Scope, filters: Filters, quarters: Period) -> pd.DataFrame:
    cell = (Employee.employer_id, employee_choice(), quarter_start(Enrollment.completed_on))
    stmt = (
        select(*cell, func.count(func.distinct(Enrollment.employee_id)), func.count(OutcomeSurvey.id),
               func.sum(OutcomeSurvey.performance_after - OutcomeSurvey.performance_before),
               func.sum(OutcomeSurvey.satisfaction_after - OutcomeSurvey.satisfaction_before))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(OutcomeSurvey, OutcomeSurvey.enrollment_id == Enrollment.id)
        # Credential and cohort filters are refused before this point (cells_period).
        .where(*people_conditions(scope, filters), Enrollment.status == EnrollmentStatus.completed,
               Enrollment.completed_on.between(quarters.start, quarters.end))
        .group_by(*cell)
    )
    return frame(session.execute(stmt), OUTCOME_CELL_COLUMNS)


def outcome_change_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> OutcomeShown:
    """Mean after-minus-before ratings over the large cells of the selection (``outcome_change``'s
    definition, restricted so that no combination of figures reveals a small group)."""
    quarters, refused = cells_period(filters, today)
    if refused:
        return OutcomeShown(0, None, None, None, refused)
    every_department = Filters(filters.period, filters.employer_ids)
    cells = selected_cells(outcome_cells(session, scope, every_department, quarters),
                           widened_choices(session, filters.department_ids),
                           within=["employer_id", "quarter"], sums=["surveys", "performance", "satisfaction"])
    n = int(cells["surveys"].sum())
    if not n:
        return OutcomeShown(0, None, None, quarters, NO_LARGE_GROUP)
    return OutcomeShown(n, float(cells["performance"].sum()) / n, float(cells["satisfaction"].sum()) / n, quarters)


def assessment_cells(session: Session, scope: Scope, filters: Filters, quarters: Period) -> pd.DataFrame:
    """Per employer × department × quarter of completion × skill × side: people, assessments, level total.
    The summary holds exactly these cells (one row each); the raw rows are read only under ``raw_only``."""
    if is_raw_only():
        return _raw_assessment_cells(session, scope, filters, quarters)
    table = AssessmentLevelSummary
    choice = case((table.department_id == 0, -table.employer_id), else_=table.department_id)
    stmt = (select(table.employer_id, choice, table.quarter, Skill.name, table.side, table.people,
                   table.assessments, table.level_total)
            .join(Skill, Skill.id == table.skill_id)
            .where(*summary_conditions(scope, filters, table), table.quarter >= quarters.start,
                   table.quarter <= quarters.end))
    return frame(session.execute(stmt), CELL_COLUMNS)


def _raw_assessment_cells(session: Session, scope: Scope, filters: Filters, quarters: Period) -> pd.DataFrame:
    levels = summaries.assessed_levels(people_conditions=people_conditions(scope, filters),
                                       start=quarters.start, end=quarters.end)
    # The department's choice (services/population.py): the levels keep 0 for no department.
    choice = case((levels.c.department_id == 0, -levels.c.employer_id), else_=levels.c.department_id)
    cell = (levels.c.employer_id, choice, quarter_start(levels.c.completed_on), Skill.name, levels.c.side)
    stmt = (
        select(*cell, func.count(func.distinct(levels.c.employee_id)), func.count(), func.sum(levels.c.level))
        .join(Skill, Skill.id == levels.c.skill_id)
        .group_by(*cell)
    )
    return frame(session.execute(stmt), CELL_COLUMNS)


def assessment_levels_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """Per skill and side, the mean assessed level over the large cells of the selection
    (``assessment_levels``' definition); people = the sum of the cells' people. Empty when
    refused (credential or cohort filter, no whole quarter) or when no cell is large."""
    quarters, refused = cells_period(filters, today)
    if refused:
        return pd.DataFrame(columns=["skill", "side", "mean_level", "people"])
    every_department = Filters(filters.period, filters.employer_ids)
    cells = selected_cells(assessment_cells(session, scope, every_department, quarters),
                           widened_choices(session, filters.department_ids),
                           within=["employer_id", "quarter", "skill", "side"], sums=["n", "total"])
    sums = cells.groupby(["skill", "side"], as_index=False)[["total", "n", "people"]].sum()
    sums["mean_level"] = sums["total"].astype("float64") / sums["n"].astype("float64")
    sums["people"] = sums["people"].astype("int64")
    return sums[["skill", "side", "mean_level", "people"]].sort_values(["skill", "side"], ignore_index=True)


def assessment_levels_note(filters: Filters, *, today: date) -> str | None:
    """Why assessed levels are not shown for these filters, if they are refused."""
    return cells_period(filters, today)[1]
