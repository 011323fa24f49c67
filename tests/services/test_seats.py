"""Cohort seats: taken by enrollments that are not withdrawn and by reservations, each person once."""

from __future__ import annotations

from datetime import date

import pytest

from db.models import Cohort, Enrollment, SeatReservation
from services import seats
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def _future_cohort(session, world, *, seats_total: int, credential: str = "K1", code: str = "K1-NEXT") -> Cohort:
    cohort = Cohort(credential_id=world.id(credential), code=code, starts_on=date(2026, 9, 7),
                    ends_on=date(2026, 11, 27), seats=seats_total)
    session.add(cohort)
    session.commit()
    return cohort


def test_seats_taken_counts_each_person_once_and_not_withdrawals(session, world):
    # C-K1 holds a1 (completed), a2 (in progress), b1 (completed), b2 (enrolled); C-K4 only a withdrawal.
    assert seats.seats_taken(session, cohort_ids=[world.id("C-K1"), world.id("C-K4")]) == {
        world.id("C-K1"): 4, world.id("C-K4"): 0}
    # A reservation for someone already enrolled takes no second seat; one for a new person does.
    session.add(SeatReservation(cohort_id=world.id("C-K1"), employee_id=world.id("a1"), reserved_by="hr@acme.test"))
    session.add(SeatReservation(cohort_id=world.id("C-K1"), employee_id=world.id("c1"), reserved_by="x"))
    session.commit()
    assert seats.seats_taken(session, cohort_ids=[world.id("C-K1")]) == {world.id("C-K1"): 5}


def test_open_cohorts_are_future_in_scope_and_with_seats_left(session, world):
    assert TODAY < date(2026, 9, 7)
    cohort = _future_cohort(session, world, seats_total=2)
    hr = world.scope(session, "hr@a")
    df = seats.open_cohorts(session, hr, credential_ids=[world.id("K1"), world.id("K6")], today=TODAY)
    # K1's past cohort is not offered; K6 belongs to a university Acme has no partnership with.
    assert df.to_dict("records") == [dict(credential_id=world.id("K1"), cohort_id=cohort.id, cohort="K1-NEXT",
                                          starts_on=date(2026, 9, 7), ends_on=date(2026, 11, 27), seats=2,
                                          seats_left=2)]
    # Beta's learner holds a seat: Acme sees one left (the count spans employers), then none.
    session.add(Enrollment(employee_id=world.id("b1"), credential_id=world.id("K1"), cohort_id=cohort.id,
                           enrolled_on=TODAY))
    session.commit()
    assert list(seats.open_cohorts(session, hr, credential_ids=[world.id("K1")], today=TODAY)["seats_left"]) == [1]
    session.add(SeatReservation(cohort_id=cohort.id, employee_id=world.id("a2"), reserved_by="hr@acme.test"))
    session.commit()
    assert seats.open_cohorts(session, hr, credential_ids=[world.id("K1")], today=TODAY).empty
