"""A person's record (services/people/record.py) and the manager's team (services/people/teams.py): scoped like
every list, with the HR records (goals, assessments, targets) only for those who may see them by name."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.models import Cohort, Employee, SeatReservation
from db.scope import AccessDenied
from services import learners, pdp, sharing
from services.filters import Filters
from services.people import PersonNotFound, managers, person_record
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def record(session, world, user: str, person: str):
    return person_record(session, world.scope(session, user), employee_id=world.id(person), today=TODAY)


def test_an_hr_manager_sees_their_own_persons_whole_record(session, world):
    ann = record(session, world, "hr@a", "a1")
    assert (ann.profile["full_name"], ann.profile["employee_ref"], ann.profile["employer"],
            ann.profile["department"], ann.profile["manager"]) == ("Ann One", "1", "Acme", "Operations", None)
    assert ann.records_shown and ann.withheld is None
    assert ann.goals[["period", "plan_status", "goal", "skill", "target_level", "status", "state"]].values.tolist() == [
        ["2026", "active", "Grow", "analyse big data", 4, "planned", "on_track"]]
    assert ann.enrollments[["code", "cohort", "status", "completed_on"]].values.tolist() == [
        ["K1", "K1-26Q1", "completed", date(2026, 4, 20)]]
    assert ann.badges[["code", "completed_on"]].values.tolist() == [["K1", date(2026, 4, 20)]]
    assert ann.levels[["skill", "assessed_on", "level", "source"]].values.tolist() == [
        ["analyse big data", date(2026, 1, 1), 2, "manager"]]
    assert ann.targets[["skill", "target_level"]].values.tolist() == [["analyse big data", 4]]
    assert ann.due[["what", "item", "on", "when"]].values.tolist() == [
        ["Goal", "Grow", date(2026, 12, 31), "in 184 days"]]
    assert (ann.open_goals, ann.completed, len(ann.badges)) == (1, 1, 1)


def test_the_manager_is_named_and_what_is_due_includes_learning_and_seats(session, world):
    k1 = world.id("K1")
    later = Cohort(credential_id=k1, code="K1-26Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 20), seats=5)
    session.add(later)
    session.flush()
    session.add(SeatReservation(cohort_id=later.id, employee_id=world.id("a2"), reserved_by="hr@acme.test"))
    session.commit()
    al = record(session, world, "hr@a", "a2")
    assert al.profile["manager"] == "Ann One"
    assert al.due[["what", "item", "on", "when"]].values.tolist() == [
        ["Learning", "K1 Credential K1 (cohort K1-26Q1 ends)", date(2026, 4, 30), "61 days overdue"],
        ["Seat reserved", "K1 Credential K1 (cohort K1-26Q4 starts)", date(2026, 10, 1), "in 93 days"]]
    assert al.badges.empty and al.goals.empty


def test_another_employers_person_is_refused(session, world):
    with pytest.raises(AccessDenied):
        record(session, world, "hr@a", "b1")
    with pytest.raises(AccessDenied):
        record(session, world, "officer@u2", "a1")
    with pytest.raises(PersonNotFound):
        person_record(session, world.scope(session, "hr@a"), employee_id=10**6, today=TODAY)


def test_an_officer_of_a_partnership_that_does_not_share_sees_learning_not_hr_records(session, world):
    ann = record(session, world, "officer@u", "a1")
    assert list(ann.enrollments["code"]) == ["K1"] and list(ann.badges["code"]) == ["K1"]
    assert not ann.records_shown
    assert ann.goals.empty and ann.levels.empty and ann.targets.empty
    assert ann.due.empty  # her only open item is a goal
    assert ann.open_goals is None
    assert ann.withheld == ("Acme keeps its people's PDP goals, skill assessments and targets to its own HR; its HR "
                            "manager can share them on the Privacy page.")


def test_an_officer_of_a_sharing_partnership_sees_the_goals(session, world):
    sharing.set_sharing(session, world.scope(session, "hr@a"), partnership_id=world.id("U-A"), share=True,
                        expected=False)
    ann = record(session, world, "officer@u", "a1")
    assert ann.records_shown and ann.withheld is None
    assert list(ann.goals["goal"]) == ["Grow"] and list(ann.levels["level"]) == [2]


def test_a_pseudonymised_person_gets_no_badge(session, world):
    ann = session.get(Employee, world.id("a1"))
    ann.pseudonymised_on = date(2026, 6, 1)
    session.commit()
    again = record(session, world, "hr@a", "a1")
    assert again.badges.empty and list(again.enrollments["code"]) == ["K1"]


# --- The manager's team ---------------------------------------------------------


def test_managers_are_those_in_scope_who_manage_someone(session, world):
    assert managers(session, world.scope(session, "hr@a")) == [(world.id("a1"), "Ann One (1 person)")]
    assert managers(session, world.scope(session, "hr@b")) == []
    assert managers(session, world.scope(session, "admin@u")) == [(world.id("a1"), "Ann One (1 person)")]


def test_the_team_narrows_the_learner_and_goal_lists_within_scope(session, world):
    hr = world.scope(session, "hr@a")
    pdp.add_goal(session, hr, employee_id=world.id("a2"), period="2026", title="Lead", due_on=date(2026, 11, 30),
                 skill_id=world.id("s2"), target_level=3)
    ann = world.id("a1")
    total, rows = learners.learners(session, hr, Filters(), today=TODAY, team_of=ann)
    assert total == 1 and list(rows["employee"]) == ["Al Two"]
    assert learners.learner_count(session, hr, Filters(), today=TODAY, team_of=ann) == 1
    total, goals = pdp.goals(session, hr, Filters(), today=TODAY, team_of=ann)
    assert total == 1 and list(goals["employee"]) == ["Al Two"]
    # Everyone: the whole list.
    assert pdp.goals(session, hr, Filters(), today=TODAY)[0] == 2
    # Another employer's manager narrows an HR manager's list to nobody, never to that manager's people.
    other = world.scope(session, "hr@b")
    assert learners.learners(session, other, Filters(), today=TODAY, team_of=ann)[0] == 0
    assert pdp.goals(session, other, Filters(), today=TODAY, team_of=ann)[0] == 0
    assert session.scalars(select(Employee.id).where(Employee.manager_id == ann)).all() == [world.id("a2")]
