"""The learner drill-down: enrollments the user may see, one row each, a page at a time."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, or_, select
from sqlmodel import Session

from db.models import Cohort, Credential, Department, Employee, Enrollment, Organization
from services.filters import Filters, enrollment_conditions, people_conditions, resolve_period, scoped_enrollments
from services.paging import after as after_cursor
from services.people.teams import team_condition

# employee_id is for the access log (the people a page showed), never shown.
COLUMNS = ["employee_id", "employee_ref", "employee", "employer", "department", "credential", "cohort", "status",
           "enrolled_on", "completed_on", "withdrawn_on", "score", "cost", "enrollment_id"]
MAX_EXPORT_ROWS = 200_000
MAX_PAGE = 1_000  # longer lists (downloads) are read in one sorted query
# A page is first sought among the enrollments of this many days before its cursor (see ``learners``).
SEEK_DAYS = 31


def _by_date(scope, f: Filters):
    """scoped_enrollments, joined so that the planner walks enrollments by date: ``employee_id + 0`` cannot
    use the employee_id index, so the employer index no longer leads to each person's enrollments (which then
    need sorting, every match of them); each enrollment finds its employee by primary key instead. Portable
    SQL, unlike SQLite's INDEXED BY."""
    return (select().select_from(Enrollment).join(Employee, Employee.id == Enrollment.employee_id + 0)
            .where(*people_conditions(scope, f, listed=True), *enrollment_conditions(scope, f)))


def _matching(scope, f: Filters, p, statuses, search, team_of, *, by_date: bool = False):
    """Enrollments active in or touching the period, narrowed by status, a name/id search and a manager's
    team (services/people/teams.py: named lists only)."""
    stmt = (_by_date(scope, f) if by_date else scoped_enrollments(scope, f, listed=True)).where(
        team_condition(team_of),
        Enrollment.enrolled_on <= p.end,
        or_(Enrollment.completed_on.is_(None), Enrollment.completed_on >= p.start),
        or_(Enrollment.withdrawn_on.is_(None), Enrollment.withdrawn_on >= p.start),
    )
    if statuses is not None:
        stmt = stmt.where(Enrollment.status.in_(sorted(statuses)))
    if search.strip():
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Employee.full_name).like(like), func.lower(Employee.employee_ref).like(like)))
    return stmt


def learner_count(session: Session, scope, f: Filters, *, today: date, statuses: frozenset[str] | None = None,
                  search: str = "", team_of: int | None = None) -> int:
    """How many enrollments the drill-down lists (no joins to names: the count needs none). A scan of every
    match: the page asks for it only when the pages do not already tell (ui/paging.py)."""
    stmt = _matching(scope, f, resolve_period(f, today), statuses, search, team_of)
    return int(session.execute(stmt.with_only_columns(func.count(Enrollment.id))).scalar_one())


def cursor_after(page: pd.DataFrame) -> tuple[date, int] | None:
    """The cursor of the page that follows ``page`` (its last row's sort key), None for an empty page."""
    if page.empty:
        return None
    last = page.iloc[-1]
    return last["enrolled_on"], int(last["enrollment_id"])


def learners(
    session: Session, scope, f: Filters, *, today: date, statuses: frozenset[str] | None = None,
    search: str = "", limit: int = 100, offset: int = 0, count: bool = True, team_of: int | None = None,
    after: tuple[date, int] | None = None,
) -> tuple[int | None, pd.DataFrame]:
    """(how many match, one page of them): enrollments active in or touching the period, latest enrolled
    first. ``after``: the page after that cursor (``cursor_after``), read by seeking on the enrolled_on index
    (keyset paging: no sort of every match); ``count=False`` skips the count (None) for a page whose total
    is already known; ``team_of``: only that manager's direct reports."""
    total = learner_count(session, scope, f, today=today, statuses=statuses, search=search,
                          team_of=team_of) if count else None
    period = resolve_period(f, today)

    def page(floor: date | None, size: int, *, by_date: bool) -> list:
        stmt = (
            _matching(scope, f, period, statuses, search, team_of, by_date=by_date)
            .join(Organization, Organization.id == Employee.employer_id)
            .outerjoin(Department, Department.id == Employee.department_id)
            .join(Credential, Credential.id == Enrollment.credential_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(after_cursor(Enrollment.enrolled_on, Enrollment.id, after, descending=True))
        )
        if floor is not None:
            stmt = stmt.where(Enrollment.enrolled_on >= floor if by_date else Enrollment.enrolled_on < floor)
        return session.execute(
            stmt.with_only_columns(
                Employee.id, Employee.employee_ref, Employee.full_name, Organization.name,
                func.coalesce(Department.name, "(no department)"), Credential.code, Cohort.code, Enrollment.status,
                Enrollment.enrolled_on, Enrollment.completed_on, Enrollment.withdrawn_on, Enrollment.score,
                Enrollment.cost, Enrollment.id,
            )
            # Both keys on Enrollment, so the enrolled_on index (with the row id) serves the order; the id
            # breaks ties between equal dates.
            .order_by(Enrollment.enrolled_on.desc(), Enrollment.id.desc())
            .limit(size)
            .offset(offset)
        ).all() if size else []

    if offset or limit > MAX_PAGE:  # downloads and the old OFFSET pages: one sorted query
        rows = page(None, limit, by_date=False)
    else:
        # Keyset page in two steps, whichever plan the database would choose: the enrollments of the SEEK_DAYS
        # before the cursor, walked by date (a page of a long list is there: about a page read); then, if the
        # page is not full (few matches: a small team, a search), the older ones, found as the planner likes
        # (by employer, then sorted: few rows). Each step reads at most the window or the old query's rows.
        floor = (after[0] if after is not None else period.end) - timedelta(days=SEEK_DAYS)
        rows = page(floor, limit, by_date=True)
        rows += page(floor, limit - len(rows), by_date=False)
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["cost"] = df["cost"].astype("float64")
    return total, df
