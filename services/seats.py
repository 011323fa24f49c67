"""Cohort seats: how many are taken, and the cohorts still open with seats left.

A seat is taken by each person with an enrollment in the cohort that is not withdrawn, or with a seat
reservation there (db/models.SeatReservation); a person with both takes one seat.

Seats taken are counted over every employer's people, deliberately outside the scope's row rule: a
cohort is shared, and booking needs the true number left. Only that number leaves this module, never who
holds the seats or for which employer.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, literal_column, select, union
from sqlmodel import Session

from db.models import Cohort, Credential, Enrollment, EnrollmentStatus, SeatReservation
from db.scope import Scope, visible

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
    df = pd.DataFrame(session.execute(stmt).all(), columns=OPEN_COHORT_COLUMNS)
    df[["seats", "seats_left"]] = df[["seats", "seats_left"]].astype("int64")
    return df.groupby("credential_id", sort=False).head(per_credential).reset_index(drop=True)
