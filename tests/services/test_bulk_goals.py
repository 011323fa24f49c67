"""Goals in bulk from a recommendation: the preview is what is created, all or nothing, equivalent open goals
skipped and listed, scope enforced, every row audited.

Written by hand from tests/world.py: K1 (Uni One, published, teaches s1 "analyse big data" at 3) is Acme's;
Ann One (a1) has an open 2026 goal on s1 with no credential; Al Two (a2) has no plan; Ada Three (a3) left in
2025; Bea One (b1) is Beta's. TODAY is 2026-06-30; the future cohort K1-26Q3 is added here.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Cohort, Pdp, PdpGoal, SeatReservation
from db.scope import AccessDenied
from services import seats
from services.pdp import PdpError
from services.planning import goals
from services.planning.choice import PlanChoice
from services.planning.goals import PlanChanged
from tests.world import TODAY, build_world

DUE = date(2026, 11, 27)


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def cohort(session, world) -> Cohort:
    row = Cohort(credential_id=world.id("K1"), code="K1-26Q3", starts_on=date(2026, 9, 7), ends_on=DUE, seats=3)
    session.add(row)
    session.commit()
    return row


def choice_for(world, *people: str, skill: str = "s1", level: int = 3, employer: str = "A") -> PlanChoice:
    return PlanChoice(employer_id=world.id(employer), credential_id=world.id("K1"),
                      targets=tuple((world.id(person), world.id(skill), level) for person in people))


def counts(session) -> tuple[int, int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in
                 (PdpGoal, Pdp, SeatReservation, AuditEvent))


def test_preview_lists_goals_and_who_is_skipped_and_why(session, world, cohort):
    hr = world.scope(session, "hr@a")
    before = counts(session)
    plan = goals.preview_goals(session, hr, choice=choice_for(world, "a1", "a2", "a3"), due_on=DUE,
                               cohort_id=cohort.id, today=TODAY)
    assert [(g.employee, g.skill, g.target_level, g.title) for g in plan.goals] == [
        ("Ann One", "analyse big data", 3, "Reach level 3 in analyse big data through K1"),
        ("Al Two", "analyse big data", 3, "Reach level 3 in analyse big data through K1")]
    assert [(s.employee, s.reason) for s in plan.skipped] == [("Ada Three", "has left the organisation")]
    assert (plan.period, plan.cohort, plan.seats, plan.seats_left) == (
        "2026", "K1-26Q3", (world.id("a1"), world.id("a2")), 3)
    assert counts(session) == before  # a preview writes nothing


def test_create_writes_what_the_preview_showed_then_skips_it_as_a_duplicate(session, world, cohort):
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, "a1", "a2")
    preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY)
    result = goals.create_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY,
                                expected=preview)
    assert result == preview
    created = session.execute(
        select(Pdp.employee_id, Pdp.period, PdpGoal.title, PdpGoal.skill_id, PdpGoal.target_level,
               PdpGoal.credential_id, PdpGoal.due_on, PdpGoal.status, PdpGoal.id)
        .join(Pdp, Pdp.id == PdpGoal.pdp_id).where(PdpGoal.credential_id == world.id("K1"))
        .order_by(Pdp.employee_id)).all()
    assert [row[:8] for row in created] == [
        (world.id(person), "2026", "Reach level 3 in analyse big data through K1", world.id("s1"), 3,
         world.id("K1"), DUE, "planned") for person in ("a1", "a2")]
    # Al Two had no plan for 2026: it was created. Each seat points at the person's new goal.
    held = dict(session.execute(select(SeatReservation.employee_id, SeatReservation.pdp_goal_id)).all())
    assert held == {row[0]: row[8] for row in created}
    assert seats.seats_taken(session, cohort_ids=[cohort.id]) == {cohort.id: 2}
    # Every created row is traceable to one audit event, by whom.
    events = session.execute(select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.actor_email)
                             .where(AuditEvent.action.in_(["pdp_goal.add", "seat.reserve"]))).all()
    reservation_ids = session.scalars(select(SeatReservation.id)).all()
    assert sorted(events) == sorted([("pdp_goal.add", str(row[8]), "hr@acme.test") for row in created]
                                    + [("seat.reserve", str(i), "hr@acme.test") for i in reservation_ids])
    # The same action again: both are skipped, as already having the goal, and nobody needs a seat.
    again = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY)
    assert again.goals == () and again.seats == ()
    assert [(s.employee, s.reason) for s in again.skipped] == [
        ("Ann One", goals.ALREADY_HAS_GOAL), ("Al Two", goals.ALREADY_HAS_GOAL)]
    with pytest.raises(PdpError, match="no goal to create"):
        goals.create_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY, expected=again)


def test_only_open_goals_of_the_same_credential_and_skill_count_as_duplicates(session, world):
    hr = world.scope(session, "hr@a")
    # Ann One's open goal on s1 names no credential: not the same goal. Once through K1 it is, until dropped.
    assert len(goals.preview_goals(session, hr, choice=choice_for(world, "a1"), due_on=DUE, cohort_id=None,
                                   today=TODAY).goals) == 1
    goal = session.get(PdpGoal, world.id("G-PDP-a1"))
    goal.credential_id = world.id("K1")
    session.commit()
    assert goals.preview_goals(session, hr, choice=choice_for(world, "a1"), due_on=DUE, cohort_id=None,
                               today=TODAY).goals == ()
    goal.status = "dropped"
    session.commit()
    assert len(goals.preview_goals(session, hr, choice=choice_for(world, "a1"), due_on=DUE, cohort_id=None,
                                   today=TODAY).goals) == 1


def test_a_cohort_that_fills_up_after_the_preview_writes_nothing(session, world, cohort):
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, "a1", "a2")
    preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY)
    # Beta's HR takes two of the three seats meanwhile.
    seats.reserve(session, world.scope(session, "admin@u"), cohort_id=cohort.id,
                  employee_ids=[world.id("b1"), world.id("c1")], today=TODAY)
    before = counts(session)
    with pytest.raises(seats.SeatsFull, match="has 1 seat left, not enough for 2 people"):
        goals.create_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY,
                           expected=preview)
    assert counts(session) == before


def test_a_plan_changed_since_the_preview_is_refused_naming_the_change(session, world):
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, "a1", "a2")
    preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=None, today=TODAY)
    # Someone else gives Al Two the same goal meanwhile.
    goals.create_goals(session, hr, choice=choice_for(world, "a2"), due_on=DUE, cohort_id=None, today=TODAY,
                       expected=goals.preview_goals(session, hr, choice=choice_for(world, "a2"), due_on=DUE,
                                                    cohort_id=None, today=TODAY))
    before = counts(session)
    with pytest.raises(PlanChanged, match="Al Two .analyse big data. already has an open goal.*Nothing was saved"):
        goals.create_goals(session, hr, choice=choice, due_on=DUE, cohort_id=None, today=TODAY, expected=preview)
    assert counts(session) == before


def test_a_failure_mid_way_writes_nothing(session, world, cohort, monkeypatch):
    """The reservation fails after the goals were inserted: the goals go too."""
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, "a1", "a2")
    preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY)
    before = counts(session)

    def fails(*args, **kwargs):
        raise seats.SeatsError("Someone else reserved a seat meanwhile. Nothing was saved.")

    monkeypatch.setattr(seats, "reserve_locked", fails)
    with pytest.raises(seats.SeatsError):
        goals.create_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort.id, today=TODAY,
                           expected=preview)
    assert counts(session) == before


@pytest.mark.parametrize("change, message", [
    (dict(choice_level=7), "target level must be between 1 and 5"),
    (dict(skill="s3"), "not in the skills list"),
    (dict(due_on=date(2026, 6, 1)), "due date is in the past"),
    (dict(due_on=None), "Give a due date"),
    (dict(cohort="C-K1"), "has already started"),
    (dict(cohort="C-K6"), "not a cohort of K1"),
    (dict(people=()), "at least one person"),
])
def test_bad_requests_are_refused_with_a_reason(session, world, change, message):
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, *change.get("people", ("a1", "a2")), skill=change.get("skill", "s1"),
                        level=change.get("choice_level", 3))
    cohort_id = world.id(change["cohort"]) if "cohort" in change else None
    before = counts(session)
    with pytest.raises(PdpError, match=message):
        goals.preview_goals(session, hr, choice=choice, due_on=change.get("due_on", DUE), cohort_id=cohort_id,
                            today=TODAY)
    assert counts(session) == before


def test_at_most_500_people_at_a_time(session, world):
    choice = PlanChoice(employer_id=world.id("A"), credential_id=world.id("K1"),
                        targets=tuple((n, world.id("s1"), 3) for n in range(1, 502)))
    with pytest.raises(PdpError, match="at most 500 people"):
        goals.preview_goals(session, world.scope(session, "hr@a"), choice=choice, due_on=DUE, cohort_id=None,
                            today=TODAY)


@pytest.mark.parametrize("user", ["hr@b", "officer@u", "viewer@a"])
def test_only_the_employers_hr_sets_goals(session, world, user):
    hr = world.scope(session, "hr@a")
    choice = choice_for(world, "a2")
    preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=None, today=TODAY)
    scope = world.scope(session, user)
    before = counts(session)
    with pytest.raises(AccessDenied):
        goals.preview_goals(session, scope, choice=choice, due_on=DUE, cohort_id=None, today=TODAY)
    with pytest.raises(AccessDenied):
        goals.create_goals(session, scope, choice=choice, due_on=DUE, cohort_id=None, today=TODAY, expected=preview)
    assert counts(session) == before


def test_another_employers_people_are_refused_whole(session, world):
    """Acme's HR naming Beta's Bea One among their own: the whole request is refused, not just her."""
    hr = world.scope(session, "hr@a")
    mixed = PlanChoice(employer_id=world.id("A"), credential_id=world.id("K1"),
                       targets=((world.id("a2"), world.id("s1"), 3), (world.id("b1"), world.id("s1"), 3)))
    with pytest.raises(AccessDenied, match="outside your access"):
        goals.preview_goals(session, hr, choice=mixed, due_on=DUE, cohort_id=None, today=TODAY)
    # An admin sees both, but one action is for one employer's people.
    with pytest.raises(AccessDenied, match="another employer"):
        goals.preview_goals(session, world.scope(session, "admin@u"), choice=mixed, due_on=DUE, cohort_id=None,
                            today=TODAY)


def test_an_admin_sets_goals_for_an_employer(session, world):
    admin = world.scope(session, "admin@u")
    choice = choice_for(world, "b1", employer="B")
    preview = goals.preview_goals(session, admin, choice=choice, due_on=DUE, cohort_id=None, today=TODAY)
    assert goals.create_goals(session, admin, choice=choice, due_on=DUE, cohort_id=None, today=TODAY,
                              expected=preview) == preview
    assert session.scalar(select(func.count()).select_from(PdpGoal).where(PdpGoal.credential_id == world.id("K1"))) == 1


def _race(db_url, world, actions) -> list[str]:
    """Run each action (given its own session and Acme's HR scope) at the same moment, each on its own engine
    (another app process); the outcome of each: "created" or the error's class name."""
    import threading

    from sqlmodel import Session

    from db.engine import make_engine

    start, outcomes = threading.Barrier(len(actions)), []

    def run(action) -> None:
        engine = make_engine(db_url)
        try:
            with Session(engine) as own:
                scope = world.scope(own, "hr@a")
                start.wait()
                try:
                    action(own, scope)
                    outcomes.append("created")
                except (PdpError, seats.SeatsError) as exc:
                    outcomes.append(type(exc).__name__)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_racing_bulk_actions_neither_overbook_nor_duplicate(session, world, cohort, db_url):
    from db.models import Employee

    hr = world.scope(session, "hr@a")
    people = [Employee(employer_id=world.id("A"), employee_ref=f"R-{n}", full_name=f"Racer {n}",
                       department_id=world.id("A-IT"), hired_on=date(2024, 1, 1)) for n in range(5)]
    session.add_all(people)
    session.commit()

    def action(person_id: int, cohort_id: int | None):
        choice = PlanChoice(employer_id=world.id("A"), credential_id=world.id("K1"),
                            targets=((person_id, world.id("s1"), 3),))
        preview = goals.preview_goals(session, hr, choice=choice, due_on=DUE, cohort_id=cohort_id, today=TODAY)
        return lambda own, scope: goals.create_goals(own, scope, choice=choice, due_on=DUE, cohort_id=cohort_id,
                                                     today=TODAY, expected=preview)

    # Five people for the cohort's three seats, each by another HR manager at once.
    assert _race(db_url, world, [action(p.id, cohort.id) for p in people]) == ["SeatsFull"] * 2 + ["created"] * 3
    assert seats.seats_taken(session, cohort_ids=[cohort.id]) == {cohort.id: 3}
    # The same goal for Al Two, four times at once: one is created, the others see it changed.
    assert _race(db_url, world, [action(world.id("a2"), None) for _ in range(4)]) == ["PlanChanged"] * 3 + ["created"]
    assert session.scalar(select(func.count()).select_from(PdpGoal).join(Pdp, Pdp.id == PdpGoal.pdp_id)
                          .where(Pdp.employee_id == world.id("a2"))) == 1
