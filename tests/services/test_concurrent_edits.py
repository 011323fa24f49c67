"""Concurrent edits never silently overwrite each other, wherever the product edits.

Each test is two people in two app processes: two Sessions on two engines that both read the same state.
The first one's change is saved; the second one's change, based on what they read, is refused with a
conflict error that says so, and the first one's change is there unchanged. Where the product only
appends (comments, a goal) both are kept. The "racing" tests let the other process commit between a
check and the write it guards (an engine hook), so the write itself must be conditional.

Written by hand from tests/world.py: K2 is a draft of Uni One co-designed by Acme, PR-K2 Acme's open
proposal on its title, K1 published; viewer@acme.test is an active Acme viewer; G-PDP-a1 is Ann One's
planned goal and Al Two (a2) has no plan for 2027.
Quarterly-review meeting actions are not in the product yet: there is nothing to edit there.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from db.engine import make_engine
from db.models import (
    Approval,
    AppUser,
    ChangeProposal,
    Credential,
    CredentialRevision,
    Pdp,
    PdpGoal,
    ProposalComment,
)
from services import codesign, pdp, users
from services.codesign import CodesignError, EditConflict
from tests.services.codesign_helpers import make_ready
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def other_engine(db_url):
    """The second app process's engine."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def two(engine, other_engine):
    """The first and the second person's sessions, each on its own engine."""
    with Session(engine) as first, Session(other_engine) as second:
        yield first, second


def stored(session, model, key):
    """The row as the database has it now."""
    session.expire_all()
    return session.get(model, key)


def count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@contextmanager
def racing(engine, statement_start: str, competitor):
    """Run ``competitor`` (the other process, to its commit) just before ``engine`` sends the first
    statement that starts with ``statement_start``; yields the list that records that it ran."""
    fired: list[str] = []

    def meanwhile(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith(statement_start.upper()) and not fired:
            fired.append(statement)
            competitor()

    event.listen(engine, "before_cursor_execute", meanwhile)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", meanwhile)


# --- Users ----------------------------------------------------------------------


def shown_user(session, world, user_id: int) -> dict:
    """What the users page shows an administrator of a user: the change is based on it."""
    row = users.list_users(session, world.scope(session, "admin@u")).set_index("id").loc[user_id]
    return {"expected_role": row.role, "expected_active": bool(row.active)}


@pytest.mark.parametrize("first_change,second_change", [
    ({"role": "hr_manager"}, {"is_active": False}),
    ({"is_active": False}, {"role": "hr_manager"}),
    ({"role": "hr_manager"}, {"role": "viewer", "is_active": True}),
], ids=["role, then deactivate", "deactivate, then role", "role, then role"])
def test_a_user_change_based_on_what_another_admin_changed_is_refused(world, two, session, first_change,
                                                                      second_change):
    first, second = two
    viewer = world.id("viewer@a")
    seen_first, seen_second = shown_user(first, world, viewer), shown_user(second, world, viewer)
    assert seen_first == seen_second == {"expected_role": "viewer", "expected_active": True}

    users.update_user(first, world.scope(first, "admin@u"), user_id=viewer, **first_change, **seen_first)
    with pytest.raises(users.UserConflict) as err:
        users.update_user(second, world.scope(second, "admin@u"), user_id=viewer, **second_change, **seen_second)

    now = {"role": "viewer", "is_active": True, **first_change}
    user = stored(session, AppUser, viewer)
    assert (user.role, user.is_active) == (now["role"], now["is_active"])
    assert "admin@uni-one.test changed viewer@acme.test" in str(err.value)
    assert str(err.value).endswith("Nothing was saved: check the user and choose again.")
    assert (err.value.role, err.value.is_active) == (now["role"], now["is_active"])


def test_a_user_change_racing_past_the_check_is_refused(world, engine, other_engine, session):
    """The other admin commits between this one's check and its UPDATE: the UPDATE matches no row."""
    viewer = world.id("viewer@a")

    def other_admin():
        with Session(other_engine) as other:
            users.update_user(other, world.scope(other, "admin@u"), user_id=viewer, is_active=False,
                              expected_role="viewer", expected_active=True)

    with racing(engine, "UPDATE appuser", other_admin) as fired, Session(engine) as mine, \
            pytest.raises(users.UserConflict, match="now a viewer, deactivated"):
        users.update_user(mine, world.scope(mine, "admin@u"), user_id=viewer, role="hr_manager",
                          expected_role="viewer", expected_active=True)
    assert fired
    user = stored(session, AppUser, viewer)
    assert (user.role, user.is_active) == ("viewer", False)


def test_one_user_added_by_two_admins_at_once_is_added_once(world, engine, other_engine, session):
    def other_admin():
        with Session(other_engine) as other:
            users.add_user(other, world.scope(other, "admin@u"), email="new@acme.test", display_name="Theirs",
                           role="viewer", organization_id=world.id("A"))

    with racing(engine, "INSERT INTO appuser", other_admin) as fired, Session(engine) as mine, \
            pytest.raises(users.UserError, match="A user with the email new@acme.test already exists"):
        users.add_user(mine, world.scope(mine, "admin@u"), email="new@acme.test", display_name="Mine",
                       role="hr_manager", organization_id=world.id("A"))
    assert fired
    session.expire_all()
    assert session.scalars(select(AppUser.display_name).where(AppUser.email == "new@acme.test")).all() == ["Theirs"]


# --- PDP goals ------------------------------------------------------------------------


def test_a_goal_status_based_on_what_another_manager_changed_is_refused(world, two, session):
    first, second = two
    goal = world.id("G-PDP-a1")
    assert first.get(PdpGoal, goal).status == second.get(PdpGoal, goal).status == "planned"
    pdp.update_goal_status(first, world.scope(first, "hr@a"), goal_id=goal, status="in_progress",
                           expected_status="planned")
    with pytest.raises(pdp.GoalConflict, match="Nothing was saved"):
        pdp.update_goal_status(second, world.scope(second, "hr@a"), goal_id=goal, status="dropped",
                               expected_status="planned")
    assert stored(session, PdpGoal, goal).status == "in_progress"


def test_a_goal_status_racing_past_the_check_is_refused(world, engine, other_engine, session):
    goal = world.id("G-PDP-a1")

    def other_manager():
        with Session(other_engine) as other:
            pdp.update_goal_status(other, world.scope(other, "hr@a"), goal_id=goal, status="achieved",
                                   expected_status="planned")

    with racing(engine, "UPDATE pdpgoal", other_manager) as fired, Session(engine) as mine, \
            pytest.raises(pdp.GoalConflict, match="from Planned to Achieved"):
        pdp.update_goal_status(mine, world.scope(mine, "hr@a"), goal_id=goal, status="dropped",
                               expected_status="planned")
    assert fired
    assert stored(session, PdpGoal, goal).status == "achieved"


def test_two_goals_that_start_the_same_plan_at_once_are_both_kept_in_one_plan(world, engine, other_engine, session):
    """Both managers add the first goal of Al Two's 2027 plan: one creates the plan, the other's goal joins it."""
    employee = world.id("a2")
    goal = dict(employee_id=employee, period="2027", due_on=date(2027, 6, 30), skill_id=world.id("s1"))

    def other_manager():
        with Session(other_engine) as other:
            pdp.add_goal(other, world.scope(other, "hr@a"), title="Theirs", **goal)

    with racing(engine, "INSERT INTO pdp ", other_manager) as fired, Session(engine) as mine:
        pdp.add_goal(mine, world.scope(mine, "hr@a"), title="Mine", **goal)
    assert fired
    session.expire_all()
    [plan] = session.scalars(select(Pdp.id).where(Pdp.employee_id == employee, Pdp.period == "2027")).all()
    assert sorted(session.scalars(select(PdpGoal.title).where(PdpGoal.pdp_id == plan)).all()) == ["Mine", "Theirs"]


# --- Co-design: content ------------------------------------------------------------

SECOND_EDITS = {  # the second person's change to K2, made to version 1 (what they read): (who, change)
    "fields": ("hr@a", lambda s, w, scope: codesign.save_draft(
        s, scope, credential_id=w.id("K2"), expected_version=1, changes={"summary": "Second's summary"})),
    "outcome added": ("hr@a", lambda s, w, scope: codesign.add_outcome(
        s, scope, credential_id=w.id("K2"), expected_version=1, text="Second's outcome")),
    "outcome edited": ("hr@a", lambda s, w, scope: codesign.edit_outcome(
        s, scope, credential_id=w.id("K2"), expected_version=1, index=0, text="Second's outcome")),
    "outcome removed": ("hr@a", lambda s, w, scope: codesign.remove_outcome(
        s, scope, credential_id=w.id("K2"), expected_version=1, index=0)),
    "skill mapped": ("hr@a", lambda s, w, scope: codesign.set_skill(
        s, scope, credential_id=w.id("K2"), expected_version=1, skill_id=w.id("s2"), proficiency=2)),
    "co-designers": ("officer@u", lambda s, w, scope: codesign.set_partners(
        s, scope, credential_id=w.id("K2"), expected_version=1, employer_ids=[w.id("A"), w.id("B")])),
    "proposal": ("hr@a", lambda s, w, scope: codesign.propose(
        s, scope, credential_id=w.id("K2"), field="summary", new_value="Second's summary", rationale="Why",
        expected_version=1)),
    "proposal accepted": ("officer@u", lambda s, w, scope: codesign.accept(
        s, scope, proposal_id=w.id("PR-K2"), expected_version=1)),
}


@pytest.mark.parametrize("edit", list(SECOND_EDITS))
def test_a_content_change_to_a_version_another_party_saved_over_is_refused(world, two, session, edit):
    first, second = two
    k2 = world.id("K2")
    assert first.get(Credential, k2).version == second.get(Credential, k2).version == 1
    proposals_before = count(session, ChangeProposal)
    codesign.save_draft(first, world.scope(first, "officer@u"), credential_id=k2, expected_version=1,
                        changes={"learning_hours": 40})
    who, change = SECOND_EDITS[edit]
    with pytest.raises(EditConflict, match="officer@uni-one.test saved version 2") as err:
        change(second, world, world.scope(second, who))
    assert "Nothing of yours was saved" in str(err.value)

    cred = stored(session, Credential, k2)
    content = codesign.snapshot(session, cred)
    assert (cred.version, content["learning_hours"], content["summary"], content["title"]) == \
        (2, 40, "", "Credential K2")
    assert (content["outcomes"], content["skills"]) == (["Outcome of K2"], [])
    assert codesign.partner_ids(session, k2) == {world.id("A")}
    assert count(session, ChangeProposal) == proposals_before
    assert stored(session, ChangeProposal, world.id("PR-K2")).status == "open"
    assert count(session, CredentialRevision, CredentialRevision.credential_id == k2) == 2  # baseline + first's


def test_a_content_save_racing_past_the_version_check_is_refused(world, engine, other_engine, session):
    k2 = world.id("K2")

    def other_party():
        with Session(other_engine) as other:
            codesign.save_draft(other, world.scope(other, "hr@a"), credential_id=k2, expected_version=1,
                                changes={"summary": "Theirs"})

    with racing(engine, "UPDATE credential", other_party) as fired, Session(engine) as mine, \
            pytest.raises(EditConflict):
        codesign.save_draft(mine, world.scope(mine, "officer@u"), credential_id=k2, expected_version=1,
                            changes={"summary": "Mine"})
    assert fired
    cred = stored(session, Credential, k2)
    assert (cred.version, cred.summary) == (2, "Theirs")


# --- Co-design: sign-off -------------------------------------------------------------

STEPS = {
    "submit": codesign.submit_for_review, "approve": codesign.approve, "publish": codesign.publish,
    "return to draft": codesign.return_to_draft, "retire": codesign.retire,
}
SIGN_OFF_RACES = [  # status both read, approvals given, first step (who), second step (who), status after
    ("draft", (), ("submit", "hr@a"), ("submit", "officer@u"), "in_review"),
    ("in_review", ("A",), ("return to draft", "hr@a"), ("approve", "officer@u"), "draft"),
    ("in_review", ("A",), ("approve", "officer@u"), ("return to draft", "hr@a"), "approved"),
    ("approved", ("U", "A"), ("publish", "officer@u"), ("return to draft", "hr@a"), "published"),
    ("approved", ("U", "A"), ("return to draft", "officer@u"), ("publish", "officer@u"), "draft"),
    ("published", ("U", "A"), ("retire", "officer@u"), ("retire", "officer@u"), "retired"),
]


@pytest.mark.parametrize("status,approvals,first_step,second_step,after", SIGN_OFF_RACES,
                         ids=[f"{race[0]}: {race[2][0]}, then {race[3][0]}" for race in SIGN_OFF_RACES])
def test_a_sign_off_step_based_on_a_status_another_party_changed_is_refused(world, two, session, status,
                                                                           approvals, first_step, second_step,
                                                                           after):
    first, second = two
    k2 = world.id("K2")
    make_ready(session, world, status=status, approvals=approvals)
    seen = {"credential_id": k2, "expected_version": 1, "expected_status": status}
    assert (first.get(Credential, k2).status, second.get(Credential, k2).status) == (status, status)
    approvals_before = count(session, Approval, Approval.credential_id == k2)

    (step, who), (second_step_name, second_who) = first_step, second_step
    STEPS[step](first, world.scope(first, who), **seen)
    with pytest.raises(EditConflict, match="K2 changed status meanwhile") as err:
        STEPS[second_step_name](second, world.scope(second, second_who), **seen)
    assert "nothing was saved" in str(err.value)

    cred = stored(session, Credential, k2)
    assert (cred.status, cred.version) == (after, 1)
    assert count(session, Approval, Approval.credential_id == k2) == approvals_before + (step == "approve")


# --- Co-design: proposals ------------------------------------------------------------

DECISIONS = {
    "accepted": ("officer@u", lambda s, scope, proposal: codesign.accept(
        s, scope, proposal_id=proposal, expected_version=1)),
    "rejected": ("officer@u", lambda s, scope, proposal: codesign.reject(s, scope, proposal_id=proposal)),
    "withdrawn": ("hr@a", lambda s, scope, proposal: codesign.withdraw(s, scope, proposal_id=proposal)),
}
DECISION_RACES = [("rejected", "accepted"), ("withdrawn", "accepted"), ("accepted", "withdrawn"),
                  ("rejected", "withdrawn"), ("withdrawn", "rejected")]


@pytest.mark.parametrize("first_decision,second_decision", DECISION_RACES,
                         ids=[f"{first}, then {second}" for first, second in DECISION_RACES])
def test_a_decision_on_a_proposal_another_party_closed_is_refused(world, two, session, first_decision,
                                                                  second_decision):
    first, second = two
    proposal = world.id("PR-K2")
    assert first.get(ChangeProposal, proposal).status == second.get(ChangeProposal, proposal).status == "open"
    who, decide = DECISIONS[first_decision]
    decide(first, world.scope(first, who), proposal)
    who, decide = DECISIONS[second_decision]
    with pytest.raises(CodesignError, match=f"This proposal is already {first_decision}"):
        decide(second, world.scope(second, who), proposal)

    assert stored(session, ChangeProposal, proposal).status == first_decision
    title = "Credential K2 for banks" if first_decision == "accepted" else "Credential K2"
    assert stored(session, Credential, world.id("K2")).title == title


def test_a_decision_racing_past_the_open_check_is_refused(world, engine, other_engine, session):
    proposal = world.id("PR-K2")

    def proposer_withdraws():
        with Session(other_engine) as other:
            codesign.withdraw(other, world.scope(other, "hr@a"), proposal_id=proposal)

    with racing(engine, "UPDATE changeproposal", proposer_withdraws) as fired, Session(engine) as mine, \
            pytest.raises(CodesignError, match="Someone decided this proposal meanwhile"):
        codesign.reject(mine, world.scope(mine, "officer@u"), proposal_id=proposal, note="No")
    assert fired
    assert stored(session, ChangeProposal, proposal).status == "withdrawn"
    assert count(session, ProposalComment, ProposalComment.text == "No") == 0


def test_two_comments_at_once_are_both_kept(world, two, session):
    """A comment only adds: both people's comments stay, next to the world's one."""
    first, second = two
    proposal = world.id("PR-K2")
    codesign.comment(first, world.scope(first, "officer@u"), proposal_id=proposal, text="First")
    codesign.comment(second, world.scope(second, "hr@a"), proposal_id=proposal, text="Second")
    session.expire_all()
    texts = session.scalars(select(ProposalComment.text).where(ProposalComment.proposal_id == proposal)
                            .order_by(ProposalComment.id)).all()
    assert texts[-2:] == ["First", "Second"] and len(texts) == 3
