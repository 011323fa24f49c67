"""Keeping the summaries exact after a write of enrollment rows, at the cost of the rows written
rather than of the employer's history (GitHub issue 18).

* The additive tables (events per month, completion days, outcome surveys) get the difference the
  written rows make: what they add after the write less what they added before it.
* The distinct counts (learners per quarter, skills gained, assessed levels, surveyed people, first
  completions) are rebuilt only for the departments of the people written and the quarters the changes
  touch.

Use: ``changes = EnrollmentChanges.before(session, updating=ids)``, write (new rows stamped with
``updated_at = written_at``), then ``changes.after(session, written_at=...)``, in one transaction.
tests/db/test_incremental_summaries.py checks the result equals a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, exists, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from db.models import (
    AssessmentLevelSummary,
    CompletionDaysSummary,
    Enrollment,
    EnrollmentMonthSummary,
    EnrollmentStatus,
    FirstCompletion,
    LearnerQuarterSummary,
    OutcomeMonthSummary,
    SkillGainQuarterSummary,
    SurveyedQuarterSummary,
)
from db.sqlfuncs import quarter_bounds
from db.summaries.enrollment_parts import (
    DAYS_COLUMNS,
    FIRST_COLUMNS,
    LEARNER_COLUMNS,
    MONTH_COLUMNS,
    OUTCOME_COLUMNS,
    SURVEYED_COLUMNS,
    days_select,
    first_select,
    learner_select,
    month_select,
    outcome_select,
    surveyed_select,
)
from db.summaries.rows import CHUNK, Rows
from db.summaries.skill_parts import build_gains, build_levels

# (table, its columns, how many are the key, the SELECT of what rows add, the counts that make a row empty)
ADDITIVE = (
    (EnrollmentMonthSummary, MONTH_COLUMNS, 4, month_select, ("enrolled", "completed", "failed", "withdrawn")),
    (CompletionDaysSummary, DAYS_COLUMNS, 5, days_select, ("completions",)),
    (OutcomeMonthSummary, OUTCOME_COLUMNS, 4, outcome_select, ("surveys",)),
)
_VERSION = (Enrollment.id, Enrollment.employee_id, Enrollment.enrolled_on, Enrollment.status, Enrollment.completed_on)


@dataclass
class EnrollmentChanges:
    updating: list[int]
    last_id: int
    old: dict[int, tuple]

    @classmethod
    def before(cls, session: Session, *, updating: Iterable[int]) -> EnrollmentChanges:
        """Before the write: take what the rows it will update add to the additive tables away."""
        ids = sorted(set(updating))
        last_id = session.execute(select(func.max(Enrollment.id))).scalar() or 0
        changes = cls(ids, last_id, _versions(session, ids, lock=True))
        for chunk in _chunks(ids):
            _add_all(session, Enrollment.id.in_(chunk), sign=-1)
        return changes

    def after(self, session: Session, *, written_at: datetime) -> None:
        """After the write: the summaries as a full rebuild would leave them."""
        # New rows: past the last id before the write (a range on the primary key) and stamped by it.
        inserted = and_(Enrollment.id > self.last_id, Enrollment.updated_at == written_at)
        new = _versions(session, self.updating)
        new.update((row[0], tuple(row)) for row in session.execute(select(*_VERSION).where(inserted)))
        if not new:
            return
        for selection in [Enrollment.id.in_(chunk) for chunk in _chunks(self.updating)] + [inserted]:
            _add_all(session, selection, sign=1)
        departments = Rows.of_people(session, {version[1] for version in new.values()}).departments
        employers = sorted({employer for employer, _ in departments})
        for table, _, _, _, counts in ADDITIVE:  # rows that the changes emptied
            session.execute(delete(table).where(table.employer_id.in_(employers),
                                                *[getattr(table, name) == 0 for name in counts]))
        learners, completions = _spans(self.old, new)
        if learners:
            _rebuild_learners(session, _window(departments, learners))
        if completions:
            _rebuild_completions(session, _window(departments, completions))


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _versions(session: Session, ids: list[int], *, lock: bool = False) -> dict[int, tuple]:
    out = {}
    for chunk in _chunks(ids):
        query = select(*_VERSION).where(Enrollment.id.in_(chunk))
        out.update((row[0], tuple(row)) for row in session.execute(query.with_for_update() if lock else query))
    return out


def _add_all(session: Session, selection, *, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) what the enrollments ``selection`` picks add to each additive
    table, in SQL: INSERT ... SELECT ... ON CONFLICT DO UPDATE adds to the rows of the same key."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for table, columns, key_count, select_, _ in ADDITIVE:
        added = select_(Rows(), selection).subquery()
        values = list(added.c)
        # WHERE true: SQLite needs it to tell the upsert's ON CONFLICT from a join constraint.
        rows = select(*values[:key_count], *[value * sign for value in values[key_count:]]).where(true())
        statement = dialect.insert(table).from_select(columns, rows)
        statement = statement.on_conflict_do_update(
            index_elements=columns[:key_count],
            set_={name: getattr(table, name) + statement.excluded[name] for name in columns[key_count:]})
        session.execute(statement)


def _completed(version: tuple | None) -> date | None:
    return version[4] if version and version[3] == EnrollmentStatus.completed and version[4] else None


def _spans(old: dict, new: dict) -> tuple[list[date], list[date]]:
    """The days whose quarters the distinct counts must be rebuilt for: enrolling days that changed
    (learners), and completion days of rows whose completion or enrolling day changed (the rest)."""
    learners, completions = [], []
    for enrollment_id, now in new.items():
        was = old.get(enrollment_id)
        if was is None or was[2] != now[2]:
            learners += [version[2] for version in (was, now) if version]
        if was is None or was[2:] != now[2:]:
            completions += [day for day in (_completed(was), _completed(now)) if day]
    return learners, completions


def _window(departments, days: list[date]) -> Rows:
    return Rows(departments=departments, since=quarter_bounds(min(days))[0], until=quarter_bounds(max(days))[1])


def _rebuild_learners(session: Session, rows: Rows) -> None:
    table = LearnerQuarterSummary
    session.execute(delete(table).where(*rows.of(table, table.quarter)))
    session.execute(insert(table).from_select(
        LEARNER_COLUMNS, learner_select(rows, *rows.within(Enrollment.enrolled_on))))


def _rebuild_completions(session: Session, rows: Rows) -> None:
    for table in (SkillGainQuarterSummary, AssessmentLevelSummary, SurveyedQuarterSummary):
        session.execute(delete(table).where(*rows.of(table, table.quarter)))
    build_gains(session, rows)
    build_levels(session, rows)
    session.execute(insert(SurveyedQuarterSummary).from_select(
        SURVEYED_COLUMNS, surveyed_select(rows, *rows.within(Enrollment.completed_on))))
    # First completions before the span cannot have changed; later ones are found again.
    session.execute(delete(FirstCompletion).where(
        *rows.of(FirstCompletion), FirstCompletion.completed_on >= rows.since))
    everyone = Rows(departments=rows.departments)
    session.execute(insert(FirstCompletion).from_select(FIRST_COLUMNS, first_select(
        everyone, Enrollment.completed_on >= rows.since,
        ~exists().where(and_(FirstCompletion.employee_id == Enrollment.employee_id)))))
