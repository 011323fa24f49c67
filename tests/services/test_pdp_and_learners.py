"""PDP goal changes (validation, audit, conflicts) and the learner drill-down's scope."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from db.engine import data_version
from db.models import AuditEvent, PdpGoal
from db.scope import AccessDenied
from services import learners as learners_mod
from services import pdp
from services.metrics import Filters
from services.periods import parse_quarter
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def test_learner_list_is_scoped_and_paged(session, world):
    hr = world.scope(session, "hr@a")
    total, rows = learners_mod.learners(session, hr, Filters(), today=TODAY)
    assert total == 3 and set(rows["employer"]) == {"Acme"}
    # Another employer's filter gives nothing, not Beta's people.
    total, rows = learners_mod.learners(session, hr, Filters(employer_ids=frozenset({world.id("B")})), today=TODAY)
    assert total == 0 and rows.empty
    officer = world.scope(session, "officer@u")
    total, page = learners_mod.learners(session, officer, Filters(), today=TODAY, limit=2, offset=2)
    assert total == 5 and len(page) == 2
    total, rows = learners_mod.learners(session, officer, Filters(parse_quarter("2026Q2")), today=TODAY,
                                        statuses=frozenset({"completed"}))
    assert sorted(rows["employee"]) == ["Ann One", "Bea One"]
    total, rows = learners_mod.learners(session, officer, Filters(), today=TODAY, search="bea")
    assert list(rows["employee"]) == ["Bea One"]


def test_goal_list_is_scoped(session, world):
    total, rows = pdp.goals(session, world.scope(session, "hr@b"), Filters(), today=TODAY)
    assert total == 1 and list(rows["employer"]) == ["Beta"]
    total, rows = pdp.goals(session, world.scope(session, "hr@b"), Filters(), today=date(2027, 1, 1),
                            states=frozenset({"overdue"}))
    assert total == 1 and list(rows["state"]) == ["overdue"]


def test_hr_manager_updates_goal_status_with_audit(session, world):
    hr = world.scope(session, "hr@a")
    version = data_version(session)
    goal = pdp.update_goal_status(session, hr, goal_id=world.id("G-PDP-a1"), status="in_progress",
                                  expected_status="planned")
    assert goal.status == "in_progress"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "pdp_goal.status")).one()
    assert (event.actor_email, json.loads(event.before), json.loads(event.after)) == (
        "hr@acme.test", {"status": "planned"}, {"status": "in_progress"})
    assert event.organization_id == world.id("A")
    assert data_version(session) == version + 1


def test_stale_goal_status_is_refused(session, world):
    hr = world.scope(session, "hr@a")
    pdp.update_goal_status(session, hr, goal_id=world.id("G-PDP-a1"), status="in_progress", expected_status="planned")
    # A second person still looking at "planned" tries to drop it: refused, nothing changes.
    with pytest.raises(pdp.GoalConflict, match="hr@acme.test changed this goal from Planned to In progress"):
        pdp.update_goal_status(session, hr, goal_id=world.id("G-PDP-a1"), status="dropped", expected_status="planned")
    assert session.get(PdpGoal, world.id("G-PDP-a1")).status == "in_progress"


def test_goal_changes_outside_scope_or_role_are_refused(session, world):
    with pytest.raises(pdp.PdpError, match="outside your access"):
        pdp.update_goal_status(session, world.scope(session, "hr@a"), goal_id=world.id("G-PDP-b1"),
                               status="achieved", expected_status="planned")
    with pytest.raises(AccessDenied):
        pdp.update_goal_status(session, world.scope(session, "viewer@a"), goal_id=world.id("G-PDP-a1"),
                               status="achieved", expected_status="planned")
    with pytest.raises(AccessDenied, match="Only HR managers"):
        pdp.update_goal_status(session, world.scope(session, "officer@u"), goal_id=world.id("G-PDP-a1"),
                               status="achieved", expected_status="planned")
    assert session.get(PdpGoal, world.id("G-PDP-b1")).status == "planned"


def test_add_goal_validates_and_audits(session, world):
    hr = world.scope(session, "hr@a")
    with pytest.raises(pdp.PdpError) as err:
        pdp.add_goal(session, hr, employee_id=world.id("a2"), period="", title=" ", due_on=None, target_level=9)
    assert str(err.value) == (
        "Give the goal a title of 1 to 200 characters. Give the plan period, e.g. 2026 (at most 20 characters). "
        "Choose a target skill, a credential, or both. The target level must be between 1 and 5. "
        "A target level needs a target skill. Give a due date.")
    with pytest.raises(pdp.PdpError, match="Choose an employee of your organisation"):
        pdp.add_goal(session, hr, employee_id=world.id("b1"), period="2026", title="x", due_on=TODAY,
                     skill_id=world.id("s1"))
    with pytest.raises(pdp.PdpError, match="outside your access"):
        pdp.add_goal(session, hr, employee_id=world.id("a2"), period="2026", title="x", due_on=TODAY,
                     credential_id=world.id("K3"))  # Beta's draft

    goal = pdp.add_goal(session, hr, employee_id=world.id("a2"), period="2026", title="Lead the data team",
                        due_on=date(2026, 9, 30), skill_id=world.id("s2"), target_level=3,
                        credential_id=world.id("K1"))
    assert goal.id and goal.status == "planned"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "pdp_goal.add")).one().entity_id == str(goal.id)
    total, _ = pdp.goals(session, hr, Filters(), today=TODAY, search="al two")
    assert total == 1
