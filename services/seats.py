"""Cohort seats: how many are taken, and the cohorts still open with seats left.

A seat is taken by each person with an enrollment in the cohort that is not withdrawn, or with a seat
reservation there (db/models.SeatReservation); a person with both takes one seat.

Seats taken are counted over every employer's people, deliberately outside the scope's row rule: a
cohort is shared, and booking needs the true number left. Only that number leaves this module, never who
holds the seats or for which employer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
from sqlalchemy import func, literal_column, select, union
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import Cohort, Credential, Employee, Enrollment, EnrollmentStatus, SeatReservation
from db.scope import AccessDenied, Scope, visible
from services import audit, periods, permissions
from services.formatting import counted
from services.frames import frame

OPEN_COHORT_COLUMNS = ["credential_id", "cohort_id", "cohort", "starts_on", "ends_on", "seats", "seats_left"]


def _holders(cohort_ids):
    """(cohort_id, employee_id) of everyone holding a seat in ``cohort_ids`` (a list or a subquery)."""
    enrolled = select(Enrollment.cohort_id, Enrollment.employee_id).where(
        Enrollment.cohort_id.in_(cohort_ids), Enrollment.status != EnrollmentStatus.withdrawn)
    reserved = select(SeatReservation.cohort_id, SeatReservation.employee_id).where(
        SeatReservation.cohort_id.in_(cohort_ids))
    return union(enrolled, reserved).subquery()  # UNION drops the person counted twice


def seats_taken(session: Session, *, cohort_ids: list[int]) -> dict[int, int]:
    """Seats taken per cohort (0 for a cohort nobody holds a seat in)."""
    if not cohort_ids:
        return {}
    holders = _holders(sorted(set(cohort_ids)))
    rows = session.execute(select(holders.c.cohort_id, func.count()).group_by(holders.c.cohort_id)).all()
    taken = {int(cohort_id): int(count) for cohort_id, count in rows}
    return {cohort_id: taken.get(cohort_id, 0) for cohort_id in cohort_ids}


def open_cohorts(session: Session, scope: Scope, *, credential_ids: list[int], today: date,
                 per_credential: int = 3) -> pd.DataFrame:
    """The next cohorts (starting after ``today``) of the credentials the scope may see that still have
    seats left, soonest first, at most ``per_credential`` each."""
    if not credential_ids:
        return pd.DataFrame(columns=OPEN_COHORT_COLUMNS)
    upcoming = (select(Cohort.id).join(Credential, Credential.id == Cohort.credential_id)
                .where(Cohort.credential_id.in_(sorted(set(credential_ids))), Cohort.starts_on > today,
                       visible(scope, Cohort), visible(scope, Credential)))
    holders = _holders(upcoming.scalar_subquery())
    taken = (select(holders.c.cohort_id, func.count().label("taken")).group_by(holders.c.cohort_id).subquery())
    left = (Cohort.seats - func.coalesce(taken.c.taken, 0)).label("seats_left")
    stmt = (select(Cohort.credential_id, Cohort.id, Cohort.code, Cohort.starts_on, Cohort.ends_on, Cohort.seats, left)
            .outerjoin(taken, taken.c.cohort_id == Cohort.id)
            .where(Cohort.id.in_(upcoming.scalar_subquery()), left > literal_column("0"))
            .order_by(Cohort.credential_id, Cohort.starts_on, Cohort.code))
    df = frame(session.execute(stmt), OPEN_COHORT_COLUMNS)
    df[["seats", "seats_left"]] = df[["seats", "seats_left"]].astype("int64")
    return df.groupby("credential_id", sort=False).head(per_credential).reset_index(drop=True)


# --- Reserving seats -------------------------------------------------------
# Two HR managers at once must never overbook a cohort. The first statement of a reservation writes: a
# no-op UPDATE of the cohort's row. On PostgreSQL that takes the row's lock, so a second reservation of the
# same cohort waits there until the first commits, and its count (READ COMMITTED: a fresh snapshot per
# statement) then includes the first one's seats. On SQLite the UPDATE takes the database's one write lock
# (the second writer waits up to the engine's 30 s busy timeout, db/engine.py); because it writes before it
# reads, the transaction never holds a read snapshot that a commit could make stale (SQLITE_BUSY_SNAPSHOT).
# The unique (cohort_id, employee_id) constraint backs it: one person never holds two seats in a cohort.

MAX_RESERVATIONS = 500


class SeatsError(ValueError):
    """A reservation that was refused, with a message for the person who asked; nothing was saved."""


class SeatsFull(SeatsError):
    """The cohort has fewer seats left than people asking. ``left``: how many are left."""

    def __init__(self, message: str, *, left: int):
        super().__init__(message)
        self.left = left


def lock_cohort(session: Session, cohort_id: int) -> Cohort:
    """Take the cohort's write lock for this transaction (see above), then read it; SeatsError when missing."""
    locked = session.execute(Cohort.__table__.update().where(Cohort.id == cohort_id)
                             .values(seats=Cohort.__table__.c.seats))
    if locked.rowcount != 1:
        raise SeatsError("That cohort does not exist.")
    return session.execute(select(Cohort).where(Cohort.id == cohort_id)
                           .execution_options(populate_existing=True)).scalar_one()


def seats_left(session: Session, cohort: Cohort) -> int:
    return max(cohort.seats - seats_taken(session, cohort_ids=[cohort.id])[cohort.id], 0)


def holders_among(session: Session, *, cohort_id: int, employee_ids: list[int]) -> set[int]:
    """Which of ``employee_ids`` already hold a seat in the cohort (an enrollment or a reservation)."""
    if not employee_ids:
        return set()
    holders = _holders([cohort_id])
    return set(session.scalars(select(holders.c.employee_id).where(holders.c.employee_id.in_(sorted(employee_ids)))))


def full_message(cohort: Cohort, *, left: int, asked: int) -> str:
    return full_message_for(cohort.code, left=left, asked=asked)


def full_message_for(cohort_code: str, *, left: int, asked: int) -> str:
    seats = "no seats" if left == 0 else ("1 seat" if left == 1 else f"{left} seats")
    people = "1 person" if asked == 1 else f"{asked} people"
    return (f"Cohort {cohort_code} has {seats} left, not enough for {people}. Nothing was saved: "
            "choose fewer people or another cohort.")


def reserve_locked(session: Session, scope: Scope, *, cohort: Cohort, employee_ids: list[int],
                   goal_ids: Mapping[int, int] | None = None) -> list[SeatReservation]:
    """Reserve the seats inside the caller's transaction, after ``lock_cohort``: counts, inserts, audits;
    neither commits nor rolls back. SeatsFull when too few seats are left, SeatsError for someone already
    holding a seat. The caller has checked the people and its right to act for them."""
    already = holders_among(session, cohort_id=cohort.id, employee_ids=employee_ids)
    if already:
        raise SeatsError(f"{counted(len(already), 'person already holds', 'people already hold')} a seat in "
                         f"cohort {cohort.code}. Nothing was saved.")
    left = seats_left(session, cohort)
    if left < len(employee_ids):
        raise SeatsFull(full_message(cohort, left=left, asked=len(employee_ids)), left=left)
    goal_ids = goal_ids or {}
    rows = [SeatReservation(cohort_id=cohort.id, employee_id=employee_id, pdp_goal_id=goal_ids.get(employee_id),
                            reserved_by=scope.email) for employee_id in employee_ids]
    session.add_all(rows)
    try:
        session.flush()
    except IntegrityError:  # a seat taken meanwhile by a writer that did not lock the cohort
        raise SeatsError(f"Someone else reserved a seat in cohort {cohort.code} for one of these people "
                         "meanwhile. Nothing was saved.") from None
    employers = dict(session.execute(select(Employee.id, Employee.employer_id)
                                     .where(Employee.id.in_(employee_ids))).all())
    for row in rows:
        audit.record(session, actor_email=scope.email, action="seat.reserve", entity="SeatReservation",
                     entity_id=row.id, organization_id=employers.get(row.employee_id),
                     after={"cohort_id": cohort.id, "cohort": cohort.code, "employee_id": row.employee_id,
                            "pdp_goal_id": row.pdp_goal_id})
    return rows


def _people_for_seats(session: Session, scope: Scope, employee_ids: list[int], today: date) -> None:
    if not employee_ids:
        raise SeatsError("Choose at least one person.")
    if len(employee_ids) > MAX_RESERVATIONS:
        raise SeatsError(f"Reserve seats for at most {MAX_RESERVATIONS} people at a time.")
    if len(set(employee_ids)) != len(employee_ids):
        raise SeatsError("Each person can hold one seat in a cohort: a person was chosen twice.")
    people = session.execute(select(Employee.id, Employee.employer_id, Employee.left_on)
                             .where(Employee.id.in_(employee_ids), visible(scope, Employee))).all()
    if len(people) != len(employee_ids):
        raise AccessDenied("Some of these people are outside your access.")
    for employer_id in sorted({employer_id for _, employer_id, _ in people}):
        permissions.require_goal_editor(scope, employer_id)
    if any(left_on is not None and left_on <= today for _, _, left_on in people):
        raise SeatsError("Some of these people have left: seats are reserved for current staff only.")


def reserve(session: Session, scope: Scope, *, cohort_id: int, employee_ids: list[int],
            goal_ids: Mapping[int, int] | None = None, today: date | None = None) -> list[SeatReservation]:
    """Reserve one seat in the cohort for each person, all or nothing, and commit. SeatsFull when the
    cohort has fewer seats left than people; the cohort must be one the user sees, starting after today."""
    today = today or periods.today()
    employee_ids = list(employee_ids)
    try:
        # Permission before the lock: a refused user writes nothing, not even the no-op update.
        _people_for_seats(session, scope, employee_ids, today)
        cohort = lock_cohort(session, cohort_id)
        require_open(session, scope, cohort, today=today)
        rows = reserve_locked(session, scope, cohort=cohort, employee_ids=employee_ids, goal_ids=goal_ids)
        bump_data_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return rows


def require_open(session: Session, scope: Scope, cohort: Cohort, *, today: date) -> None:
    """SeatsError unless the user sees the cohort and it starts after ``today``."""
    seen = session.execute(select(Cohort.id).join(Credential, Credential.id == Cohort.credential_id)
                           .where(Cohort.id == cohort.id, visible(scope, Cohort), visible(scope, Credential))).first()
    if seen is None:
        raise SeatsError("That cohort does not exist or is outside your access.")
    if cohort.starts_on <= today:
        raise SeatsError(f"Cohort {cohort.code} has already started: seats are reserved in cohorts that start "
                         "after today.")


def release(session: Session, scope: Scope, *, reservation_id: int) -> None:
    """Give a reserved seat back (audited), e.g. when the person will not take the cohort after all."""
    row = session.execute(
        select(SeatReservation, Employee.employer_id, Cohort.code)
        .join(Employee, Employee.id == SeatReservation.employee_id)
        .join(Cohort, Cohort.id == SeatReservation.cohort_id)
        .where(SeatReservation.id == reservation_id, visible(scope, SeatReservation))).first()
    if row is None:
        raise SeatsError("That seat reservation does not exist or is outside your access.")
    reservation, employer_id, cohort_code = row
    permissions.require_goal_editor(scope, employer_id)
    before = {"cohort_id": reservation.cohort_id, "cohort": cohort_code, "employee_id": reservation.employee_id,
              "pdp_goal_id": reservation.pdp_goal_id, "reserved_by": reservation.reserved_by}
    try:
        deleted = session.execute(SeatReservation.__table__.delete().where(SeatReservation.id == reservation_id))
        if deleted.rowcount != 1:
            raise SeatsError("That seat was released meanwhile. Nothing was changed.")
        session.expunge(reservation)
        audit.record(session, actor_email=scope.email, action="seat.release", entity="SeatReservation",
                     entity_id=reservation_id, organization_id=employer_id, before=before)
        bump_data_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
