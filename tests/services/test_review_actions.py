"""The quarterly review meeting's actions: added and updated by either side, conditional updates, scope, and
carried into the next quarter's pack."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from db.models import AuditEvent, ReviewAction
from db.scope import AccessDenied, scoped
from services.periods import parse_quarter
from services.review import build_pack
from services.review_actions import (
    ActionConflict,
    ActionError,
    Owner,
    actions_for_pack,
    actions_of,
    add_action,
    next_review_due,
    owner_choices,
    update_action,
)
from tests.world import TODAY, build_world

Q2, Q3 = parse_quarter("2026Q2"), parse_quarter("2026Q3")
HR_A = Owner(email="hr@acme.test")


@pytest.fixture
def world(session):
    return build_world(session)


def _add(session, world, user="hr@a", partnership="U-A", text="Book the Q3 cohort", quarter="2026Q2",
         owner=HR_A, due_on=date(2026, 8, 31)):
    return add_action(session, world.scope(session, user), partnership_id=world.id(partnership), quarter=quarter,
                      text=text, owner=owner, due_on=due_on)


def test_hr_manager_adds_an_action_owned_by_a_person_of_either_side(session, world):
    action = _add(session, world)
    assert (action.owner_name, action.owner_email, action.owner_side) == ("hr@a", "hr@acme.test", "employer")
    assert (action.status, action.version, action.created_by) == ("open", 1, "hr@acme.test")
    by_name = _add(session, world, user="officer@u", owner=Owner(name="Dana the dean", side="university"))
    assert (by_name.owner_name, by_name.owner_email, by_name.owner_side) == ("Dana the dean", None, "university")
    owners = {owner.email for owner in owner_choices(session, world.scope(session, "officer@u"),
                                                     partnership_id=world.id("U-A"))}
    assert {"hr@acme.test", "officer@uni-one.test", "admin@uni-one.test"} <= owners
    assert "hr@beta.test" not in owners and "viewer@acme.test" not in owners and "gone@acme.test" not in owners


def test_adding_and_updating_is_audited_where_both_sides_read_it(session, world):
    action = _add(session, world)
    update_action(session, world.scope(session, "officer@u"), action_id=action.id, expected_version=1,
                  status="done")
    for reader in ("hr@a", "officer@u"):
        events = session.execute(scoped(select(AuditEvent.action, AuditEvent.after).where(
            AuditEvent.entity == "ReviewAction", AuditEvent.entity_id == str(action.id)),
            world.scope(session, reader), AuditEvent).order_by(AuditEvent.id)).all()
        assert [name for name, _ in events] == ["review_action.add", "review_action.update"]
        assert json.loads(events[1][1])["status"] == "done"
    assert not session.execute(scoped(select(AuditEvent).where(AuditEvent.entity == "ReviewAction"),
                                      world.scope(session, "hr@b"), AuditEvent)).all()


def test_officer_updates_and_a_stale_edit_is_refused_with_the_current_values(session, world):
    action = _add(session, world)
    updated = update_action(session, world.scope(session, "officer@u"), action_id=action.id, expected_version=1,
                            status="in_progress", due_on=date(2026, 9, 15))
    assert (updated.status, updated.due_on, updated.version, updated.updated_by) == (
        "in_progress", date(2026, 9, 15), 2, "officer@uni-one.test")
    with pytest.raises(ActionConflict) as caught:  # the HR manager still has version 1 on screen
        update_action(session, world.scope(session, "hr@a"), action_id=action.id, expected_version=1,
                      status="dropped")
    assert "officer@uni-one.test" in str(caught.value) and "Nothing of yours was saved" in str(caught.value)
    assert caught.value.current["status"] == "in_progress" and caught.value.current["version"] == 2
    session.expire_all()
    stored = session.get(ReviewAction, action.id)
    assert (stored.status, stored.version) == ("in_progress", 2)


@pytest.mark.parametrize(("changes", "message"), [
    ({"text": "   "}, "text is empty"),
    ({"text": "x" * 1001}, "at most 1,000 characters"),
    ({"due_on": date(2026, 3, 31)}, "before the reviewed quarter 2026Q2 starts"),
    ({"owner": None}, "who owns the action"),
    ({"owner": Owner(name="Someone")}, "which side"),
    ({"owner": Owner(email="hr@beta.test")}, "not a user of this partnership"),
    ({"quarter": "2026-Q5"}, "is not a quarter"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(session, world, changes, message):
    with pytest.raises(ActionError, match=message):
        _add(session, world, **changes)
    session.rollback()
    assert session.execute(select(ReviewAction)).first() is None


def test_bad_update_changes_nothing(session, world):
    action = _add(session, world)
    scope = world.scope(session, "hr@a")
    for changes, message in (({"status": "finished"}, "not an action status"), ({"text": ""}, "text is empty"),
                             ({"due_on": date(2025, 1, 1)}, "before the reviewed quarter"), ({}, "Nothing to change")):
        with pytest.raises(ActionError, match=message):
            update_action(session, scope, action_id=action.id, expected_version=1, **changes)
    session.rollback()
    assert (session.get(ReviewAction, action.id).version, session.get(ReviewAction, action.id).status) == (1, "open")


def test_hr_manager_of_another_employer_can_neither_see_nor_change_the_actions(session, world):
    action = _add(session, world)
    attacker = world.scope(session, "hr@b")
    assert actions_of(session, attacker, partnership_id=world.id("U-A"), today=TODAY).empty
    assert actions_for_pack(session, attacker, quarter=Q3, employer_ids=None, today=TODAY).previous.empty
    # Asking by id: refused, nothing changed.
    with pytest.raises(AccessDenied):
        update_action(session, attacker, action_id=action.id, expected_version=1, status="dropped")
    with pytest.raises(AccessDenied):
        add_action(session, attacker, partnership_id=world.id("U-A"), quarter="2026Q2", text="Mine now",
                   owner=Owner(email="hr@beta.test"), due_on=date(2026, 8, 1))
    with pytest.raises(AccessDenied):
        owner_choices(session, attacker, partnership_id=world.id("U-A"))
    # An officer of another university neither.
    with pytest.raises(AccessDenied):
        update_action(session, world.scope(session, "officer@u2"), action_id=action.id, expected_version=1,
                      status="done")
    session.rollback()
    stored = session.get(ReviewAction, action.id)
    assert (stored.status, stored.version, stored.text) == ("open", 1, "Book the Q3 cohort")
    assert session.execute(select(ReviewAction).where(ReviewAction.text == "Mine now")).first() is None


def test_viewers_read_the_actions_but_do_not_change_them(session, world):
    action = _add(session, world)
    viewer = world.scope(session, "viewer@a")
    assert actions_of(session, viewer, partnership_id=world.id("U-A"), today=TODAY)["action"].tolist() == [
        "Book the Q3 cohort"]
    with pytest.raises(AccessDenied, match="read-only"):
        update_action(session, viewer, action_id=action.id, expected_version=1, status="done")
    with pytest.raises(AccessDenied, match="read-only"):
        _add(session, world, user="viewer@u")
    session.rollback()
    assert session.get(ReviewAction, action.id).status == "open"


def test_actions_agreed_in_q2_are_last_quarters_actions_in_the_q3_pack(session, world):
    done = _add(session, world, text="Share the cohort dates", due_on=date(2026, 7, 15))
    _add(session, world, text="Name the mentors", due_on=date(2026, 7, 20))  # still open, past due
    _add(session, world, text="Agree next year's budget", due_on=date(2026, 12, 20))
    _add(session, world, text="Plan 2027", quarter="2026Q3", due_on=date(2026, 11, 30))
    update_action(session, world.scope(session, "officer@u"), action_id=done.id, expected_version=1, status="done")
    today = date(2026, 10, 5)  # the 2026Q3 review meeting
    pack = build_pack(session, world.scope(session, "hr@a"), quarter=Q3, today=today)
    previous = pack.actions_previous.set_index("action")
    assert list(pack.actions_previous.columns) == ["action", "owner", "owner_side", "due_on", "status"]
    assert previous["status"].to_dict() == {"Share the cohort dates": "done", "Name the mentors": "overdue",
                                            "Agree next year's budget": "open"}
    # Due before the next review (by the end of 2026Q4), not done: whichever quarter agreed them.
    assert next_review_due(Q3) == date(2026, 12, 31)
    assert set(pack.actions_due["action"]) == {"Name the mentors", "Agree next year's budget", "Plan 2027"}
    assert ("Of the 3 actions agreed in the 2026Q2 review, 1 is done, 1 is open and 1 is overdue."
            in pack.narrative)
    # Another employer's pack has none of them.
    other = build_pack(session, world.scope(session, "hr@b"), quarter=Q3, today=today)
    assert other.actions_previous.empty and other.actions_due.empty
    # An officer narrowing to Acme sees them; narrowing to Beta does not.
    officer = world.scope(session, "officer@u")
    beta = actions_for_pack(session, officer, quarter=Q3, employer_ids=frozenset({world.id("B")}), today=today)
    assert beta.previous.empty
    acme = actions_for_pack(session, officer, quarter=Q3, employer_ids=frozenset({world.id("A")}), today=today)
    assert len(acme.previous) == 3
