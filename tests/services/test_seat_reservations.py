"""Seat reservations: all or nothing, refused when the cohort is full, audited, and never overbooked by
reservations racing each other from their own connections (SQLite file database; PostgreSQL too when
TEST_DATABASE_URL is set).

Written by hand from tests/world.py: K1 (Uni One, published) is Acme's and Beta's; a1, a2 are Acme's current
staff, a3 left in 2025; b1 is Beta's. The future cohorts are added here (TODAY is 2026-06-30).
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import AppUser, AuditEvent, Cohort, Employee, Enrollment, SeatReservation
from db.scope import AccessDenied
from services import seats
from services.seats import SeatsError, SeatsFull
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def future_cohort(session, world, *, seats_total: int, credential: str = "K1", code: str = "K1-26Q3",
                  starts_on: date = date(2026, 9, 7)) -> Cohort:
    cohort = Cohort(credential_id=world.id(credential), code=code, starts_on=starts_on,
                    ends_on=date(2026, 11, 27), seats=seats_total)
    session.add(cohort)
    session.commit()
    return cohort


def reservations(session, cohort_id: int) -> set[int]:
    return set(session.scalars(select(SeatReservation.employee_id).where(SeatReservation.cohort_id == cohort_id)))


def test_reserve_writes_one_seat_per_person_and_an_audit_event_each(session, world):
    cohort = future_cohort(session, world, seats_total=3)
    rows = seats.reserve(session, world.scope(session, "hr@a"), cohort_id=cohort.id,
                         employee_ids=[world.id("a1"), world.id("a2")], today=TODAY)
    assert {row.employee_id for row in rows} == reservations(session, cohort.id) == {world.id("a1"), world.id("a2")}
    assert all(row.reserved_by == "hr@acme.test" for row in rows)
    events = session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "seat.reserve")).all()
    assert sorted(events) == sorted(str(row.id) for row in rows)
    assert seats.seats_taken(session, cohort_ids=[cohort.id]) == {cohort.id: 2}


def test_a_full_cohort_refuses_all_and_says_how_many_are_left(session, world):
    cohort = future_cohort(session, world, seats_total=2)
    session.add(Enrollment(employee_id=world.id("b1"), credential_id=world.id("K1"), cohort_id=cohort.id,
                           enrolled_on=TODAY))
    session.commit()
    with pytest.raises(SeatsFull, match="has 1 seat left, not enough for 2 people") as refused:
        seats.reserve(session, world.scope(session, "hr@a"), cohort_id=cohort.id,
                      employee_ids=[world.id("a1"), world.id("a2")], today=TODAY)
    assert refused.value.left == 1
    assert reservations(session, cohort.id) == set()  # all or nothing
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seat.reserve")) == 0


@pytest.mark.parametrize("user", ["hr@b", "officer@u", "viewer@a", "admin@u"])
def test_only_the_employers_hr_and_admins_reserve(session, world, user):
    cohort = future_cohort(session, world, seats_total=5)
    scope = world.scope(session, user)
    if user == "admin@u":
        seats.reserve(session, scope, cohort_id=cohort.id, employee_ids=[world.id("a1")], today=TODAY)
        assert reservations(session, cohort.id) == {world.id("a1")}
        return
    with pytest.raises(AccessDenied):
        seats.reserve(session, scope, cohort_id=cohort.id, employee_ids=[world.id("a1")], today=TODAY)
    assert reservations(session, cohort.id) == set()


def test_refused_reservations_say_why(session, world):
    hr = world.scope(session, "hr@a")
    cohort = future_cohort(session, world, seats_total=5)
    started = future_cohort(session, world, seats_total=5, code="K1-26Q2", starts_on=TODAY)
    other_university = future_cohort(session, world, seats_total=5, credential="K6", code="K6-26Q3")
    cases = [
        (dict(cohort_id=started.id, employee_ids=[world.id("a1")]), "has already started"),
        (dict(cohort_id=other_university.id, employee_ids=[world.id("a1")]), "outside your access"),
        (dict(cohort_id=999_999, employee_ids=[world.id("a1")]), "does not exist"),
        (dict(cohort_id=cohort.id, employee_ids=[world.id("a3")]), "have left"),
        (dict(cohort_id=cohort.id, employee_ids=[]), "at least one person"),
        (dict(cohort_id=cohort.id, employee_ids=[world.id("a1"), world.id("a1")]), "chosen twice"),
    ]
    for arguments, message in cases:
        with pytest.raises(SeatsError, match=message):
            seats.reserve(session, hr, today=TODAY, **arguments)
    with pytest.raises(AccessDenied, match="outside your access"):  # Beta's person
        seats.reserve(session, hr, cohort_id=cohort.id, employee_ids=[world.id("b1")], today=TODAY)
    seats.reserve(session, hr, cohort_id=cohort.id, employee_ids=[world.id("a1")], today=TODAY)
    with pytest.raises(SeatsError, match="1 person already holds a seat"):
        seats.reserve(session, hr, cohort_id=cohort.id, employee_ids=[world.id("a1"), world.id("a2")], today=TODAY)
    assert reservations(session, cohort.id) == {world.id("a1")}


def test_release_gives_the_seat_back_audited(session, world):
    hr = world.scope(session, "hr@a")
    cohort = future_cohort(session, world, seats_total=1)
    [row] = seats.reserve(session, hr, cohort_id=cohort.id, employee_ids=[world.id("a1")], today=TODAY)
    with pytest.raises(AccessDenied):
        seats.release(session, world.scope(session, "viewer@a"), reservation_id=row.id)
    with pytest.raises(SeatsError, match="outside your access"):
        seats.release(session, world.scope(session, "hr@b"), reservation_id=row.id)
    seats.release(session, hr, reservation_id=row.id)
    assert reservations(session, cohort.id) == set()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "seat.release")).one()
    assert (event.entity_id, event.actor_email) == (str(row.id), "hr@acme.test")
    seats.reserve(session, hr, cohort_id=cohort.id, employee_ids=[world.id("a2")], today=TODAY)  # the seat is free


def _many_people(session, world, count: int) -> list[int]:
    people = [Employee(employer_id=world.id("A"), employee_ref=f"R-{n}", full_name=f"Racer {n}",
                       department_id=world.id("A-IT"), hired_on=date(2024, 1, 1)) for n in range(count)]
    session.add_all(people)
    session.commit()
    return [person.id for person in people]


@pytest.mark.parametrize("racers, asking, seats_total", [(8, 1, 3), (6, 2, 5)])
def test_concurrent_reservations_never_overbook(session, world, db_url, racers, asking, seats_total):
    """Each racer is another app process (its own engine and connection) reserving ``asking`` seats at the
    same moment; exactly as many succeed as the seats allow, the others are told the cohort is full."""
    from db.engine import make_engine

    cohort = future_cohort(session, world, seats_total=seats_total)
    people = _many_people(session, world, racers * asking)
    hr_id = world.id("hr@a")
    start = threading.Barrier(racers)
    outcomes: list[str] = []

    def race(index: int) -> None:
        engine = make_engine(db_url)
        try:
            with Session(engine) as own:
                scope = world.scope(own, "hr@a")
                assert own.get(AppUser, hr_id).email == "hr@acme.test"
                start.wait()
                try:
                    seats.reserve(own, scope, cohort_id=cohort.id,
                                  employee_ids=people[index * asking:(index + 1) * asking], today=TODAY)
                    outcomes.append("reserved")
                except SeatsFull:
                    outcomes.append("full")
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test below, with its reason
            outcomes.append(repr(exc))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = seats_total // asking
    assert sorted(outcomes) == sorted(["reserved"] * winners + ["full"] * (racers - winners))
    taken = seats.seats_taken(session, cohort_ids=[cohort.id])[cohort.id]
    assert taken == winners * asking <= seats_total
