"""Co-design: the sign-off state machine and approvals, who may do what, optimistic locking.


Expectations are written by hand from tests/world.py: K2 is a draft co-designed by Acme (A),
K3 a draft co-designed by Beta (B), K1 published (co-designed by A), K4 retired, K5 in review
(no co-designer), K6 published by Uni Two.
"""

from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from db.engine import make_engine
from db.models import (
    Approval,
    Credential,
    CredentialPartner,
    CredentialRevision,
)
from db.scope import AccessDenied
from services import codesign
from services.codesign import CodesignError, EditConflict, InvalidTransition
from tests.services import codesign_helpers
from tests.services.codesign_helpers import audit_actions, cred, make_ready, sc

world = codesign_helpers.world  # the shared fixture, bound here so pytest finds it
STATUSES = ["draft", "in_review", "approved", "published", "retired"]
# Written out by hand from the issue: draft → in_review → approved → published → retired, back to draft
# from review, and back to review when an approved credential is edited.
LEGAL = {
    ("draft", "in_review"),
    ("in_review", "draft"), ("in_review", "approved"),
    ("approved", "draft"), ("approved", "in_review"), ("approved", "published"),
    ("published", "retired"),
}


# --- The state machine ---------------------------------------------------------


@pytest.mark.parametrize("current,new", list(product(STATUSES, STATUSES)))
def test_every_transition_is_legal_or_refused(current, new):
    if (current, new) in LEGAL:
        codesign.check_transition(current, new)
    else:
        with pytest.raises(InvalidTransition, match="cannot go from"):
            codesign.check_transition(current, new)


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="Unknown"):
        codesign.check_transition("draft", "archived")


ACTIONS = {
    # action: {start status: resulting status}; every other start status is refused.
    "submit": {"draft": "in_review"},
    "approve": {"in_review": "in_review"},  # only the university approved: Acme still has to
    "publish": {"approved": "published"},
    "return_to_draft": {"in_review": "draft", "approved": "draft"},
    "retire": {"published": "retired"},
    "edit": {"draft": "draft", "in_review": "in_review", "approved": "in_review"},
}


def _run(action, session, scope, cid, version):
    kw = dict(credential_id=cid, expected_version=version)
    if action == "submit":
        return codesign.submit_for_review(session, scope, **kw)
    if action == "edit":
        return codesign.save_draft(session, scope, changes={"title": "Changed title"}, **kw)
    return getattr(codesign, action)(session, scope, **kw)


@pytest.mark.parametrize("action,start", list(product(ACTIONS, STATUSES)))
def test_every_action_from_every_status(session, world, action, start):
    """Each sign-off action, as the university's officer, from each status: done or refused with a message."""
    c = make_ready(session, world, status=start, approvals=("U", "A") if start == "approved" else ())
    officer = sc(session, world, "officer@u")
    expected = ACTIONS[action].get(start)
    if expected is None:
        with pytest.raises(CodesignError):
            _run(action, session, officer, c.id, c.version)
        assert cred(session, world).status == start
    else:
        _run(action, session, officer, c.id, c.version)
        assert cred(session, world).status == expected


def test_review_needs_summary_outcome_and_skill(session, world):
    officer = sc(session, world, "officer@u")
    with pytest.raises(CodesignError, match="needs a summary, at least one skill"):
        codesign.submit_for_review(session, officer, credential_id=world.id("K2"), expected_version=1)
    assert cred(session, world).status == "draft"


def test_publication_needs_the_university_and_every_co_designer(session, world):
    k2 = world.id("K2")
    session.add(CredentialPartner(credential_id=k2, employer_id=world.id("B")))
    session.commit()
    make_ready(session, world)
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    codesign.submit_for_review(session, hr_a, credential_id=k2, expected_version=1)
    assert [o for o in codesign.missing_approvals(session, cred(session, world))] == \
        [world.id("U"), world.id("A"), world.id("B")]

    codesign.approve(session, officer, credential_id=k2, expected_version=1)
    codesign.approve(session, hr_a, credential_id=k2, expected_version=1)
    assert cred(session, world).status == "in_review"  # Beta has not approved
    with pytest.raises(InvalidTransition):
        codesign.publish(session, officer, credential_id=k2, expected_version=1)

    codesign.approve(session, hr_b, credential_id=k2, expected_version=1)
    assert cred(session, world).status == "approved"
    codesign.publish(session, officer, credential_id=k2, expected_version=1)
    assert cred(session, world).status == "published"


def test_employer_alone_cannot_get_it_published(session, world):
    """Only Acme approved: even if the status were forced to approved, publish names who is missing."""
    c = make_ready(session, world, status="approved", approvals=("A",))
    with pytest.raises(InvalidTransition, match="still needs the approval of: Uni One"):
        codesign.publish(session, sc(session, world, "officer@u"), credential_id=c.id, expected_version=c.version)
    c = make_ready(session, world, "K3", status="approved", approvals=("U",))
    with pytest.raises(InvalidTransition, match="still needs the approval of: Beta"):
        codesign.publish(session, sc(session, world, "officer@u"), credential_id=c.id, expected_version=c.version)


def test_an_edit_after_approval_withdraws_the_approvals(session, world):
    k2 = world.id("K2")
    make_ready(session, world)
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    codesign.submit_for_review(session, officer, credential_id=k2, expected_version=1)
    codesign.approve(session, officer, credential_id=k2, expected_version=1)
    codesign.approve(session, hr_a, credential_id=k2, expected_version=1)
    assert cred(session, world).status == "approved"

    codesign.save_draft(session, hr_a, credential_id=k2, expected_version=1, changes={"learning_hours": 130})
    c = cred(session, world)
    assert (c.version, c.status) == (2, "in_review")
    assert codesign.missing_approvals(session, c) == [world.id("U"), world.id("A")]
    with pytest.raises(InvalidTransition):
        codesign.publish(session, officer, credential_id=k2, expected_version=2)
    # The earlier approvals stay as history, for version 1.
    assert session.scalar(select(func.count()).select_from(Approval).where(
        Approval.credential_id == k2, Approval.version == 1)) == 2

    codesign.approve(session, officer, credential_id=k2, expected_version=2)
    codesign.approve(session, hr_a, credential_id=k2, expected_version=2)
    codesign.publish(session, officer, credential_id=k2, expected_version=2)
    assert cred(session, world).status == "published"


def test_an_organisation_approves_once_per_version(session, world):
    k2 = world.id("K2")
    make_ready(session, world, status="in_review")
    hr_a = sc(session, world, "hr@a")
    codesign.approve(session, hr_a, credential_id=k2, expected_version=1)
    with pytest.raises(CodesignError, match="already approved version 1"):
        codesign.approve(session, hr_a, credential_id=k2, expected_version=1)


def test_retire_keeps_history(session, world):
    k1 = world.id("K1")
    officer = sc(session, world, "officer@u")
    codesign.retire(session, officer, credential_id=k1, expected_version=1, reason="superseded")
    assert cred(session, world, "K1").status == "retired"
    assert session.scalar(select(func.count()).select_from(Approval).where(Approval.credential_id == k1)) == 2
    assert session.scalar(select(func.count()).select_from(CredentialRevision)
                          .where(CredentialRevision.credential_id == k1)) == 1
    with pytest.raises(CodesignError, match="frozen"):
        codesign.save_draft(session, officer, credential_id=k1, expected_version=1, changes={"title": "x"})


# --- Who may do what -------------------------------------------------------------


@pytest.mark.parametrize("user", ["viewer@a", "viewer@u"])
def test_viewers_never_change_anything(session, world, user):
    viewer = sc(session, world, user)
    k2 = world.id("K2")
    make_ready(session, world, status="draft")
    calls = [
        lambda: codesign.save_draft(session, viewer, credential_id=k2, expected_version=1, changes={"title": "x"}),
        lambda: codesign.add_outcome(session, viewer, credential_id=k2, expected_version=1, text="x"),
        lambda: codesign.propose(session, viewer, credential_id=k2, field="title", new_value="x", rationale="r"),
        lambda: codesign.comment(session, viewer, proposal_id=world.id("PR-K2"), text="x"),
        lambda: codesign.accept(session, viewer, proposal_id=world.id("PR-K2"), expected_version=1),
        lambda: codesign.submit_for_review(session, viewer, credential_id=k2, expected_version=1),
        lambda: codesign.approve(session, viewer, credential_id=k2, expected_version=1),
        lambda: codesign.add_skill(session, viewer, name="new skill"),
    ]
    for call in calls:
        with pytest.raises(AccessDenied, match="read-only"):
            call()
    assert cred(session, world).version == 1
    assert audit_actions(session) == []


def test_only_parties_edit(session, world):
    k1, k2 = world.id("K1"), world.id("K2")
    with pytest.raises(CodesignError, match="outside your access"):  # Beta does not see Acme's draft
        codesign.save_draft(session, sc(session, world, "hr@b"), credential_id=k2, expected_version=1,
                            changes={"title": "x"})
    with pytest.raises(CodesignError, match="outside your access"):
        codesign.save_draft(session, sc(session, world, "officer@u2"), credential_id=k2, expected_version=1,
                            changes={"title": "x"})
    with pytest.raises(AccessDenied, match="co-designing employer"):  # Beta sees published K1 but did not design it
        codesign.propose(session, sc(session, world, "hr@b"), credential_id=k1, field="title", new_value="x",
                         rationale="r")
    hr_a = sc(session, world, "hr@a")
    with pytest.raises(AccessDenied, match="university chooses"):
        codesign.save_draft(session, hr_a, credential_id=k2, expected_version=1, changes={"partners": []})
    make_ready(session, world, status="approved", approvals=("U", "A"))
    with pytest.raises(AccessDenied, match="university publishes"):
        codesign.publish(session, hr_a, credential_id=k2, expected_version=1)
    # The admin may edit any credential.
    codesign.save_draft(session, sc(session, world, "admin@u"), credential_id=k2, expected_version=1,
                        changes={"title": "By the admin"})


def test_the_university_chooses_co_designers(session, world):
    officer = sc(session, world, "officer@u")
    k2 = world.id("K2")
    codesign.save_draft(session, officer, credential_id=k2, expected_version=1,
                        changes={"partners": [world.id("A"), world.id("B")]})
    assert codesign.partner_ids(session, k2) == {world.id("A"), world.id("B")}
    with pytest.raises(CodesignError, match="in partnership"):  # Gamma partners Uni Two only
        codesign.save_draft(session, officer, credential_id=k2, expected_version=2,
                            changes={"partners": [world.id("C")]})


# --- Concurrency -------------------------------------------------------------------


def test_second_save_of_the_same_version_is_refused_with_the_other_change(session, world, engine):
    k2 = world.id("K2")
    with Session(engine) as first, Session(engine) as second:
        officer, hr_a = sc(first, world, "officer@u"), sc(second, world, "hr@a")
        assert first.get(Credential, k2).version == second.get(Credential, k2).version == 1
        codesign.save_draft(first, officer, credential_id=k2, expected_version=1, changes={"title": "Officer's title"})
        with pytest.raises(EditConflict) as err:
            codesign.save_draft(second, hr_a, credential_id=k2, expected_version=1,
                                changes={"title": "HR's title", "learning_hours": 99})
    assert "officer@uni-one.test saved version 2" in str(err.value)
    assert "Nothing of yours was saved" in str(err.value)
    assert err.value.current_version == 2
    assert err.value.theirs == [codesign.Change("Title", "Credential K2", "Officer's title")]
    c = cred(session, world)
    assert (c.version, c.title, c.learning_hours) == (2, "Officer's title", 125)


def test_conditional_update_refuses_a_save_that_raced_past_the_version_check(session, world, engine, db_url):
    """Another process commits between our version check and our UPDATE: the UPDATE matches no row."""
    k2 = world.id("K2")
    other_engine = make_engine(db_url)
    fired = []

    def competitor(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE CREDENTIAL") and not fired:
            fired.append(True)
            with Session(other_engine) as other:
                codesign.save_draft(other, sc(other, world, "hr@a"), credential_id=k2, expected_version=1,
                                    changes={"summary": "HR's summary"})

    event.listen(engine, "before_cursor_execute", competitor)
    try:
        with Session(engine) as mine, pytest.raises(EditConflict) as err:
            codesign.save_draft(mine, sc(mine, world, "officer@u"), credential_id=k2, expected_version=1,
                                changes={"title": "Officer's title"})
    finally:
        event.remove(engine, "before_cursor_execute", competitor)
        other_engine.dispose()
    assert fired
    assert "hr@acme.test saved version 2" in str(err.value)
    assert err.value.theirs == [codesign.Change("Summary", "—", "HR's summary")]
    c = cred(session, world)
    assert (c.version, c.title, c.summary) == (2, "Credential K2", "HR's summary")
    assert session.scalar(select(func.count()).select_from(CredentialRevision)
                          .where(CredentialRevision.credential_id == k2)) == 2  # baseline + HR's


def test_stale_version_refuses_sign_off_and_decisions(session, world):
    k2 = world.id("K2")
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    make_ready(session, world, status="in_review")
    codesign.save_draft(session, officer, credential_id=k2, expected_version=1, changes={"learning_hours": 10})
    with pytest.raises(EditConflict):
        codesign.approve(session, hr_a, credential_id=k2, expected_version=1)
    with pytest.raises(EditConflict):
        codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=1)
    codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=2)
    with pytest.raises(CodesignError, match="already accepted"):
        codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=3)
