"""Co-design: sign-off state machine, approvals, optimistic locking, revisions and diffs, proposals, audit.

Expectations are written by hand from tests/world.py: K2 is a draft co-designed by Acme (A),
K3 a draft co-designed by Beta (B), K1 published (co-designed by A), K4 retired, K5 in review
(no co-designer), K6 published by Uni Two.
"""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import product

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from db.engine import make_engine
from db.models import (
    Approval,
    AuditEvent,
    ChangeProposal,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    LearningOutcome,
    ProposalComment,
    ProposalDecision,
)
from db.scope import AccessDenied, scoped
from services import codesign
from services.codesign import CodesignError, EditConflict, InvalidTransition
from tests.world import build_world

STATUSES = ["draft", "in_review", "approved", "published", "retired"]
# Written out by hand from the issue: draft → in_review → approved → published → retired, back to draft
# from review, and back to review when an approved credential is edited.
LEGAL = {
    ("draft", "in_review"),
    ("in_review", "draft"), ("in_review", "approved"),
    ("approved", "draft"), ("approved", "in_review"), ("approved", "published"),
    ("published", "retired"),
}


@pytest.fixture
def world(session):
    return build_world(session)


def sc(session, world, label):
    return world.scope(session, label)


def cred(session, world, label="K2") -> Credential:
    session.expire_all()
    return session.get(Credential, world.id(label))


def audit_actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_email != "seed")
                                .order_by(AuditEvent.id)).all())


def make_ready(session, world, label="K2", *, status="draft", approvals=()) -> Credential:
    """Give a credential what review needs (summary, outcome, skill), then put it in ``status``."""
    c = session.get(Credential, world.id(label))
    c.summary = "Data skills for banking teams"
    c.status = status
    session.add(c)
    if not session.get(CredentialSkill, (c.id, world.id("s1"))):
        session.add(CredentialSkill(credential_id=c.id, skill_id=world.id("s1"), proficiency=3))
    for org in approvals:
        session.add(Approval(credential_id=c.id, version=c.version, organization_id=world.id(org),
                             approver_email=f"someone@{org}"))
    session.commit()
    return c


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


# --- Revisions, diffs, audit ------------------------------------------------------------


def test_every_save_is_a_revision_with_a_full_snapshot(session, world):
    k2 = world.id("K2")
    hr_a = sc(session, world, "hr@a")
    codesign.add_outcome(session, hr_a, credential_id=k2, expected_version=1, text="Explain risk models")
    codesign.set_skill(session, hr_a, credential_id=k2, expected_version=2, skill_id=world.id("s2"), proficiency=4)
    codesign.save_draft(session, hr_a, credential_id=k2, expected_version=3,
                        changes={"price": "1250.5", "delivery_mode": "blended"}, summary="Price for 2027")
    revs = session.scalars(select(CredentialRevision).where(CredentialRevision.credential_id == k2)
                           .order_by(CredentialRevision.version)).all()
    assert [(r.version, r.saved_by) for r in revs] == [
        (1, "(baseline)"), (2, "hr@acme.test"), (3, "hr@acme.test"), (4, "hr@acme.test")]
    assert revs[-1].summary == "Price for 2027"
    snap = json.loads(revs[-1].snapshot)
    assert snap == {
        "code": "K2", "title": "Credential K2", "summary": "", "eqf_level": 5, "ects_credits": "5.0",
        "learning_hours": 125, "delivery_mode": "blended", "price": "1250.50",
        "outcomes": ["Outcome of K2", "Explain risk models"],
        "skills": [{"skill_id": world.id("s2"), "name": "lead a team", "proficiency": 4, "esco_uri": None}],
        "partners": [{"employer_id": world.id("A"), "code": "ACME", "name": "Acme"}],
    }
    assert codesign.diff(revs[0], revs[-1]) == [
        codesign.Change("Delivery mode", "online", "blended"),
        codesign.Change("Price", "£1,000.00", "£1,250.50"),
        codesign.Change("Learning outcome 2", "—", "Explain risk models"),
        codesign.Change("Skill: lead a team", "—", "proficiency 4"),
    ]
    assert codesign.compare(session, hr_a, k2, 2, 3) == [codesign.Change("Skill: lead a team", "—", "proficiency 4")]
    assert codesign.compare(session, hr_a, k2, 4, 4) == []


def test_outcomes_add_reorder_edit_remove(session, world):
    k2 = world.id("K2")
    officer = sc(session, world, "officer@u")
    codesign.add_outcome(session, officer, credential_id=k2, expected_version=1, text="Second")
    codesign.add_outcome(session, officer, credential_id=k2, expected_version=2, text="First", position=1)
    texts = lambda: session.scalars(select(LearningOutcome.text).where(LearningOutcome.credential_id == k2)  # noqa: E731
                                    .order_by(LearningOutcome.position)).all()
    assert texts() == ["First", "Outcome of K2", "Second"]
    codesign.move_outcome(session, officer, credential_id=k2, expected_version=3, index=2, delta=-1)
    assert texts() == ["First", "Second", "Outcome of K2"]
    codesign.edit_outcome(session, officer, credential_id=k2, expected_version=4, index=2, text="Third")
    codesign.reorder_outcomes(session, officer, credential_id=k2, expected_version=5, order=[2, 0, 1])
    assert texts() == ["Third", "First", "Second"]
    codesign.remove_outcome(session, officer, credential_id=k2, expected_version=6, index=0)
    assert texts() == ["First", "Second"]
    assert codesign.compare(session, officer, k2, 5, 6) == [codesign.Change(
        "Learning outcomes (order)", "1. First\n2. Second\n3. Third", "1. Third\n2. First\n3. Second")]
    with pytest.raises(CodesignError, match="cannot move further"):
        codesign.move_outcome(session, officer, credential_id=k2, expected_version=7, index=0, delta=-1)
    with pytest.raises(CodesignError, match="every learning outcome once"):
        codesign.reorder_outcomes(session, officer, credential_id=k2, expected_version=7, order=[0, 0])


def test_diff_of_partial_snapshots(session, world):
    """Revisions written before every key existed (the world's RV-K1) still diff."""
    rv = session.get(CredentialRevision, world.id("RV-K1"))
    assert codesign.diff(rv, {"code": "K1", "title": "Credential K1", "eqf_level": 6}) == [
        codesign.Change("EQF level", "—", "6")]


def test_design_record_is_not_shown_outside_the_co_designers(session, world):
    hr_b = sc(session, world, "hr@b")
    d = codesign.detail(session, hr_b, world.id("K1"))  # published: in Beta's catalogue
    assert not d.design_visible and d.revisions is None and d.proposals == []
    assert d.partners == "1 other employer"  # Acme's name is not Beta's to see
    with pytest.raises(CodesignError, match="no saved version"):
        codesign.compare(session, hr_b, world.id("K1"), 1, 1)
    d = codesign.detail(session, sc(session, world, "hr@a"), world.id("K1"))
    assert d.design_visible and d.partners == "Acme" and list(d.revisions["version"]) == [1]


def test_every_change_writes_an_audit_event(session, world):
    k2 = world.id("K2")
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    steps = [
        (lambda: codesign.save_draft(session, officer, credential_id=k2, expected_version=1,
                                     changes={"summary": "Data for banks"}), ["credential.edit"]),
        (lambda: codesign.add_outcome(session, hr_a, credential_id=k2, expected_version=2, text="Read a model"),
         ["credential.edit"]),
        (lambda: codesign.move_outcome(session, hr_a, credential_id=k2, expected_version=3, index=1, delta=-1),
         ["credential.edit"]),
        (lambda: codesign.add_skill(session, hr_a, name="risk modelling", esco_uri="http://data.europa.eu/esco/skill/x"),
         ["skill.add"]),
        (lambda: codesign.set_skill(session, hr_a, credential_id=k2, expected_version=4, skill_id=world.id("s1"),
                                    proficiency=3), ["credential.edit"]),
        (lambda: codesign.comment(session, officer, proposal_id=world.id("PR-K2"), text="Shorter?"),
         ["proposal.comment"]),
        (lambda: codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=5),
         ["proposal.decision", "credential.edit", "proposal.accepted"]),
        (lambda: codesign.propose(session, officer, credential_id=k2, field="eqf_level", new_value=6,
                                  rationale="Harder"), ["proposal.create"]),
        (lambda: codesign.withdraw(session, officer, proposal_id=_last_proposal(session)), ["proposal.withdrawn"]),
        (lambda: codesign.propose(session, hr_a, credential_id=k2, field="learning_hours", new_value=150,
                                  rationale="More practice"), ["proposal.create"]),
        (lambda: codesign.reject(session, officer, proposal_id=_last_proposal(session), note="Budget"),
         ["proposal.decision", "proposal.rejected"]),
        (lambda: codesign.submit_for_review(session, hr_a, credential_id=k2, expected_version=6),
         ["credential.status"]),
        (lambda: codesign.approve(session, officer, credential_id=k2, expected_version=6), ["credential.approve"]),
        (lambda: codesign.approve(session, hr_a, credential_id=k2, expected_version=6),
         ["credential.approve", "credential.status"]),
        (lambda: codesign.publish(session, officer, credential_id=k2, expected_version=6), ["credential.status"]),
        (lambda: codesign.retire(session, officer, credential_id=k2, expected_version=6), ["credential.status"]),
    ]
    seen = 0
    for call, expected in steps:
        call()
        actions = audit_actions(session)
        assert actions[seen:] == expected, expected
        seen = len(actions)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.edit")
                            .order_by(AuditEvent.id)).first()
    assert json.loads(event.before) == {"version": 1, "summary": ""}
    assert json.loads(event.after) == {"version": 2, "summary": "Data for banks"}
    assert event.actor_email == "officer@uni-one.test" and event.organization_id == world.id("U")
    assert session.scalar(select(ProposalComment.text).where(ProposalComment.text == "Budget")) == "Budget"


def _last_proposal(session) -> int:
    return session.scalar(select(func.max(ChangeProposal.id)))


# --- Validation ---------------------------------------------------------------------


@pytest.mark.parametrize("changes,message", [
    ({"title": "  "}, "Title is required."),
    ({"title": "x" * 201}, "Title is 201 characters long; at most 200 are allowed."),
    ({"eqf_level": 0}, "EQF level must be a whole number from 1 to 8; got 0."),
    ({"eqf_level": 9}, "EQF level must be a whole number from 1 to 8; got 9."),
    ({"eqf_level": "five"}, "EQF level must be a whole number from 1 to 8."),
    ({"eqf_level": 4.5}, "EQF level must be a whole number from 1 to 8."),
    ({"ects_credits": -1}, "ECTS credits cannot be negative."),
    ({"ects_credits": "2.55"}, "ECTS credits has at most 1 decimal place."),
    ({"ects_credits": "lots"}, "ECTS credits must be a number (e.g. 5.0)."),
    ({"price": -0.01}, "Price cannot be negative."),
    ({"price": "NaN"}, "Price must be a number (e.g. 5.00)."),
    ({"learning_hours": -3}, "Learning hours must be a whole number from 0 to 100000; got -3."),
    ({"delivery_mode": "moon"}, "Delivery mode must be one of: online, blended, on_campus, workplace."),
    ({"code": "K 2"}, "Code may hold letters, digits"),
    ({"code": "k1"}, "Code k1 is already used by another credential."),
    ({"summary": "x" * 5001}, "Summary is 5,001 characters long; at most 5,000 are allowed."),
    ({"outcomes": ["Fine", ""]}, "Learning outcome 2 is required."),
    ({"outcomes": "one string"}, "Learning outcomes must be a list of texts."),
    ({"skills": [{"skill_id": 1, "proficiency": 6}]}, "Proficiency must be a whole number from 1 to 5; got 6."),
    ({"skills": [{"skill_id": 999, "proficiency": 2}]}, "That skill does not exist"),
    ({"colour": "red"}, "Unknown field 'colour'"),
    ({"title": "", "eqf_level": 12}, "Title is required. EQF level must be a whole number from 1 to 8; got 12."),
])
def test_invalid_input_is_refused_with_a_clear_message(session, world, changes, message):
    with pytest.raises(CodesignError) as err:
        codesign.save_draft(session, sc(session, world, "officer@u"), credential_id=world.id("K2"),
                            expected_version=1, changes=changes)
    assert message in str(err.value)
    assert cred(session, world).version == 1
    assert audit_actions(session) == []


def test_text_is_stored_as_typed(session, world):
    """No HTML escaping or stripping in storage; pages escape on display (ui/safe.py)."""
    title = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    codesign.save_draft(session, sc(session, world, "officer@u"), credential_id=world.id("K2"), expected_version=1,
                        changes={"title": title})
    assert cred(session, world).title == title


@pytest.mark.parametrize("uri,ok", [
    ("http://data.europa.eu/esco/skill/abc", True), ("https://example.org/s", True), ("", True),
    ("ftp://data.europa.eu/x", False), ("javascript:alert(1)", False), ("data.europa.eu/esco", False),
    ("http://exa mple.org", False),
])
def test_esco_uri_must_be_http(session, world, uri, ok):
    hr = sc(session, world, "hr@a")
    if ok:
        skill = codesign.add_skill(session, hr, name=f"skill {uri}", esco_uri=uri)
        assert skill.esco_uri == (uri or None)
    else:
        with pytest.raises(CodesignError, match=r"http\(s\)"):
            codesign.add_skill(session, hr, name="bad", esco_uri=uri)


def test_a_skill_name_is_added_once(session, world):
    with pytest.raises(CodesignError, match="already in the list"):
        codesign.add_skill(session, sc(session, world, "hr@a"), name="Lead a Team")


# --- Proposals ---------------------------------------------------------------------------


def test_the_other_side_decides_and_accepting_applies_the_change(session, world):
    k2 = world.id("K2")
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    pr = world.id("PR-K2")  # Acme proposed a new title
    with pytest.raises(AccessDenied, match="Your organisation made this proposal"):
        codesign.accept(session, hr_a, proposal_id=pr, expected_version=1)
    codesign.comment(session, hr_a, proposal_id=pr, text="Our board asked for it")
    done = codesign.accept(session, officer, proposal_id=pr, expected_version=1)
    rev = done.revision
    assert done.status == "accepted" and rev.version == 2
    assert rev.summary.startswith(f"Accepted proposal #{pr} by hr@acme.test")
    assert cred(session, world).title == "Credential K2 for banks"
    p = session.get(ChangeProposal, pr)
    session.refresh(p)
    assert (p.status, p.decided_by) == ("accepted", "officer@uni-one.test")

    # A university proposal is decided by the co-designing employer.
    prop = codesign.propose(session, officer, credential_id=k2, field="outcomes",
                            new_value=["Build a data pipeline", "Explain it to a board"], rationale="Clearer")
    with pytest.raises(AccessDenied, match="Your organisation made this proposal"):
        codesign.reject(session, officer, proposal_id=prop.id)
    codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=2)
    assert codesign.detail(session, hr_a, k2).outcomes == ["Build a data pipeline", "Explain it to a board"]


def test_accepting_never_overwrites_a_later_change_to_the_same_field(session, world):
    k2 = world.id("K2")
    officer = sc(session, world, "officer@u")
    codesign.save_draft(session, officer, credential_id=k2, expected_version=1, changes={"title": "Officer's title"})
    with pytest.raises(CodesignError, match="Title changed after this proposal was made"):
        codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=2)
    # A change to another field does not block it.
    prop = codesign.propose(session, sc(session, world, "hr@a"), credential_id=k2, field="eqf_level", new_value="6",
                            rationale="Harder")
    codesign.save_draft(session, officer, credential_id=k2, expected_version=2, changes={"summary": "s"})
    codesign.accept(session, officer, proposal_id=prop.id, expected_version=3)
    assert cred(session, world).eqf_level == 6


def test_proposal_checks(session, world):
    k2, k5 = world.id("K2"), world.id("K5")
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    with pytest.raises(CodesignError, match="already has that value"):
        codesign.propose(session, hr_a, credential_id=k2, field="eqf_level", new_value=5, rationale="r")
    with pytest.raises(CodesignError, match="Rationale is required"):
        codesign.propose(session, hr_a, credential_id=k2, field="eqf_level", new_value=6, rationale=" ")
    with pytest.raises(CodesignError, match="A proposal changes one of"):
        codesign.propose(session, hr_a, credential_id=k2, field="partners", new_value=[], rationale="r")
    with pytest.raises(CodesignError, match="EQF level must be"):
        codesign.propose(session, hr_a, credential_id=k2, field="eqf_level", new_value=11, rationale="r")
    with pytest.raises(CodesignError, match="no co-designing employer"):
        codesign.propose(session, officer, credential_id=k5, field="title", new_value="x", rationale="r")
    with pytest.raises(AccessDenied, match="proposing organisation"):
        codesign.withdraw(session, officer, proposal_id=world.id("PR-K2"))
    codesign.withdraw(session, hr_a, proposal_id=world.id("PR-K2"))
    with pytest.raises(CodesignError, match="already withdrawn"):
        codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=1)
    assert cred(session, world).title == "Credential K2"


# --- Catalogue --------------------------------------------------------------------------


def _codes(df) -> list[str]:
    return list(df["code"])


def test_catalogue_search_and_filters(session, world):
    officer = sc(session, world, "officer@u")
    assert _codes(codesign.catalogue(session, officer)) == ["K1", "K2", "K3", "K4", "K5"]
    assert _codes(codesign.catalogue(session, officer, statuses=["draft"])) == ["K2", "K3"]
    assert _codes(codesign.catalogue(session, officer, partner_ids=[world.id("A")])) == ["K1", "K2"]
    assert _codes(codesign.catalogue(session, officer, skill_ids=[world.id("s2")])) == ["K3"]
    assert _codes(codesign.catalogue(session, officer, levels=[5], search="k4")) == ["K4"]
    assert _codes(codesign.catalogue(session, officer, levels=[6])) == []
    row = codesign.catalogue(session, officer, search="K1").iloc[0]
    assert (row["partners"], row["skills"], row["status"]) == ("Acme", "analyse big data", "published")
    hr_b = codesign.catalogue(session, sc(session, world, "hr@b"))
    assert _codes(hr_b) == ["K1", "K3", "K4"]
    assert list(hr_b["partners"]) == ["1 other employer", "Beta", ""]
    assert codesign.partner_choices(session, sc(session, world, "hr@b")) == [(world.id("B"), "Beta")]
    # A filter cannot widen the scope.
    assert _codes(codesign.catalogue(session, sc(session, world, "hr@b"), partner_ids=[world.id("A")])) == ["K1"]


def test_editable_choices(session, world):
    names = lambda user: [label.split(" ")[0] for _, label in  # noqa: E731
                          codesign.editable_choices(session, sc(session, world, user))]
    assert names("officer@u") == ["K1", "K2", "K3", "K5"]
    assert names("hr@a") == ["K1", "K2"]
    assert names("hr@b") == ["K3"]
    assert names("viewer@u") == [] and names("viewer@a") == []


def test_detail_lists_cohorts_pathways_and_skills(session, world):
    d = codesign.detail(session, sc(session, world, "officer@u"), world.id("K1"))
    assert list(d.cohorts["cohort"]) == ["K1-26Q1"]
    assert d.pathways.to_dict("records") == [{"pathway": "P1", "title": "Data path", "step": 1, "steps": 2}]
    assert list(d.skills["skill"]) == ["analyse big data"] and d.outcomes == ["Outcome of K1"]
    assert list(d.signoff["state"]) == ["approved", "approved"]
    assert d.credential.price == Decimal("1000.00")


def test_create_draft(session, world):
    officer = sc(session, world, "officer@u")
    c = codesign.create_draft(session, officer, code="DS-101", title="Data stories", eqf_level=4,
                              partner_ids=[world.id("B")])
    assert (c.status, c.version, c.university_id) == ("draft", 1, world.id("U"))
    assert codesign.partner_ids(session, c.id) == {world.id("B")}
    assert "DS-101" in _codes(codesign.catalogue(session, sc(session, world, "hr@b")))
    with pytest.raises(AccessDenied):
        codesign.create_draft(session, sc(session, world, "hr@a"), code="X1", title="x", eqf_level=4,
                              university_id=world.id("U"))
    with pytest.raises(CodesignError, match="already used"):
        codesign.create_draft(session, officer, code="ds-101", title="Again", eqf_level=4)


# --- The decision rule: every other party accepts --------------------------------------
# K2 is co-designed by Acme and, in these tests, Beta too: a proposal then has two or three deciders.


def _two_employers(session, world) -> int:
    k2 = world.id("K2")
    session.add(CredentialPartner(credential_id=k2, employer_id=world.id("B")))
    session.commit()
    return k2


def _decisions(session, proposal_id) -> dict[str, str]:
    rows = session.execute(select(ProposalDecision.organization_id, ProposalDecision.decision)
                           .where(ProposalDecision.proposal_id == proposal_id)).all()
    return {org: decision for org, decision in rows}


def test_a_university_proposal_applies_only_when_both_employers_accept(session, world):
    k2 = _two_employers(session, world)
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    prop = codesign.propose(session, officer, credential_id=k2, field="eqf_level", new_value=6, rationale="Harder")
    assert codesign.deciders(session, cred(session, world), prop) == [world.id("A"), world.id("B")]

    first = codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=1, note="Fine for Acme")
    assert (first.status, first.revision, first.waiting_for) == ("open", None, ("Beta",))
    assert first.message == f"You accepted proposal #{prop.id}. It is applied once Beta accepts too."
    assert cred(session, world).eqf_level == 5 and cred(session, world).version == 1  # one employer is not enough
    with pytest.raises(CodesignError, match="already accepted"):
        codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=1)
    with pytest.raises(AccessDenied, match="Your organisation made this proposal"):
        codesign.accept(session, officer, proposal_id=prop.id, expected_version=1)

    # What each of them sees on the proposal: who decided, who still has to, and what they may do.
    for user, rights in ((hr_a, (False, False, False)), (hr_b, (True, True, False)), (officer, (False, False, True))):
        p = next(p for p in codesign.proposals(session, user, k2) if p["id"] == prop.id)
        assert [(r["organization"], r["decision"], r["by"]) for r in p["decisions"]] == [
            ("Acme", "accepted", "hr@acme.test"), ("Beta", "to_decide", "")]
        assert p["waiting_for"] == ["Beta"] and p["decisions"][0]["note"] == "Fine for Acme"
        assert (p["can_accept"], p["can_reject"], p["can_withdraw"]) == rights

    last = codesign.accept(session, hr_b, proposal_id=prop.id, expected_version=1)
    assert (last.status, last.revision.version) == ("accepted", 2)
    assert last.message == f"Proposal #{prop.id} accepted by every party and applied as version 2."
    assert cred(session, world).eqf_level == 6
    assert _decisions(session, prop.id) == {world.id("A"): "accepted", world.id("B"): "accepted"}
    p = session.get(ChangeProposal, prop.id)
    session.refresh(p)
    assert (p.status, p.decided_by) == ("accepted", "hr@beta.test")


def test_an_employer_proposal_needs_the_university_and_the_other_employer_and_one_rejection_closes_it(session, world):
    k2 = _two_employers(session, world)
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    prop = codesign.propose(session, hr_a, credential_id=k2, field="learning_hours", new_value=150,
                            rationale="Practice")
    assert codesign.deciders(session, cred(session, world), prop) == [world.id("U"), world.id("B")]
    assert codesign.accept(session, officer, proposal_id=prop.id, expected_version=1).waiting_for == ("Beta",)
    done = codesign.reject(session, hr_b, proposal_id=prop.id, note="Too long for shift workers")
    assert done.status == "rejected" and done.message.startswith(f"Proposal #{prop.id} rejected: it is closed")
    assert cred(session, world).learning_hours == 125
    assert _decisions(session, prop.id) == {world.id("U"): "accepted", world.id("B"): "rejected"}
    with pytest.raises(CodesignError, match="already rejected"):
        codesign.withdraw(session, hr_a, proposal_id=prop.id)
    p = codesign.proposals(session, hr_a, k2)[0]
    assert [r["decision"] for r in p["decisions"]] == ["accepted", "rejected"] and p["waiting_for"] == []
    assert audit_actions(session)[-3:] == ["proposal.decision", "proposal.decision", "proposal.rejected"]


def test_the_proposer_withdraws_an_open_proposal_even_after_one_acceptance(session, world):
    k2 = _two_employers(session, world)
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    prop = codesign.propose(session, hr_b, credential_id=k2, field="title", new_value="Data for care", rationale="r")
    codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=1)
    with pytest.raises(AccessDenied, match="proposing organisation"):
        codesign.withdraw(session, officer, proposal_id=prop.id)
    codesign.withdraw(session, hr_b, proposal_id=prop.id)
    with pytest.raises(CodesignError, match="already withdrawn"):
        codesign.accept(session, officer, proposal_id=prop.id, expected_version=1)
    assert cred(session, world).title == "Credential K2"


def test_a_decision_on_a_stale_version_or_a_changed_field_is_refused(session, world):
    k2 = _two_employers(session, world)
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    prop = codesign.propose(session, officer, credential_id=k2, field="title", new_value="New", rationale="r")
    codesign.save_draft(session, hr_a, credential_id=k2, expected_version=1, changes={"title": "Acme's title"})
    with pytest.raises(EditConflict):
        codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=1)
    with pytest.raises(CodesignError, match="Title changed after this proposal was made"):
        codesign.accept(session, hr_a, proposal_id=prop.id, expected_version=2)
    assert _decisions(session, prop.id) == {}


# --- Co-designers -------------------------------------------------------------------


def test_the_university_adds_and_removes_co_designers(session, world):
    k2 = world.id("K2")
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    assert codesign.partner_options(session, officer) == [(world.id("A"), "Acme"), (world.id("B"), "Beta")]
    with pytest.raises(AccessDenied, match="university chooses"):
        codesign.set_partners(session, hr_a, credential_id=k2, expected_version=1,
                              employer_ids=[world.id("A"), world.id("B")])
    with pytest.raises(CodesignError, match="partnership with the credential's university"):
        codesign.set_partners(session, officer, credential_id=k2, expected_version=1, employer_ids=[world.id("C")])
    rev = codesign.set_partners(session, officer, credential_id=k2, expected_version=1,
                                employer_ids=[world.id("A"), world.id("B")], summary="Beta joins")
    assert rev.version == 2 and rev.summary == "Beta joins"
    assert codesign.partner_ids(session, k2) == {world.id("A"), world.id("B")}
    assert codesign.detail(session, sc(session, world, "hr@b"), k2).can_edit  # Beta now co-designs it
    assert codesign.set_partners(session, officer, credential_id=k2, expected_version=2,
                                 employer_ids=[world.id("B"), world.id("A")]) is None  # unchanged
    assert [c.field for c in codesign.compare(session, officer, k2, 1, 2)] == ["Co-designing employers"]
    assert "partners" in codesign.detail(session, officer, k2).actions
    assert "partners" not in codesign.detail(session, hr_a, k2).actions


def test_changing_co_designers_settles_open_proposals(session, world):
    k2 = _two_employers(session, world)
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    uni_prop = codesign.propose(session, officer, credential_id=k2, field="eqf_level", new_value=6, rationale="r")
    codesign.accept(session, hr_a, proposal_id=uni_prop.id, expected_version=1)  # Beta has not decided
    beta_prop = codesign.propose(session, hr_b, credential_id=k2, field="title", new_value="For care", rationale="r")
    # Beta leaves: its own proposal can no longer be decided by a party, so it closes; the university's
    # proposal has every remaining party's acceptance (Acme's), so it applies.
    codesign.set_partners(session, officer, credential_id=k2, expected_version=1, employer_ids=[world.id("A")])
    session.expire_all()
    assert session.get(ChangeProposal, beta_prop.id).status == "withdrawn"
    assert session.get(ChangeProposal, uni_prop.id).status == "accepted"
    c = cred(session, world)
    assert (c.version, c.eqf_level, c.title) == (3, 6, "Credential K2")
    assert "no one is left to decide" in codesign.proposals(session, officer, k2)[0]["comments"][-1]["text"]


# --- A new draft, as the studio's form sends it -----------------------------------------


def test_create_draft_from_the_form_inputs(session, world):
    officer = sc(session, world, "officer@u")
    # st.number_input gives floats for credits and price, ints for level and hours.
    c = codesign.create_draft(session, officer, code="DS-201", title="Data stories for managers", eqf_level=6,
                              summary="Tell the story in the numbers", ects_credits=7.5, learning_hours=190,
                              delivery_mode="blended", price=1250.0, partner_ids=[world.id("A"), world.id("B")])
    session.expire_all()
    c = session.get(Credential, c.id)
    assert (c.eqf_level, c.ects_credits, c.learning_hours, c.delivery_mode, c.price, c.status, c.version) == \
        (6, Decimal("7.5"), 190, "blended", Decimal("1250.00"), "draft", 1)
    rev = codesign.revision(session, officer, c.id, 1)
    snap = json.loads(rev.snapshot)
    assert (rev.summary, snap["ects_credits"], snap["price"]) == ("Created", "7.5", "1250.00")
    assert [p["name"] for p in snap["partners"]] == ["Acme", "Beta"]
    assert codesign.history_events(session, officer, c.id)["event"].tolist() == ["Created (version 1)"]
    assert list(codesign.detail(session, officer, c.id).signoff["state"]) == ["not_in_review"] * 3
    # Every problem at once, nothing written.
    with pytest.raises(CodesignError) as err:
        codesign.create_draft(session, officer, code="bad code", title=" ", eqf_level=9, ects_credits=-1,
                              delivery_mode="by post")
    for part in ("Code may hold letters", "Title is required", "EQF level must be", "ECTS credits cannot be negative",
                 "Delivery mode must be one of"):
        assert part in str(err.value)
    assert session.scalar(select(func.count()).select_from(Credential)) == 7
    assert not codesign.may_create(sc(session, world, "hr@a")) and codesign.may_create(officer)


# --- What needs the user's attention ---------------------------------------------------


def test_the_studio_lists_what_needs_the_user_first(session, world):
    def picker(user):
        return [a.label for a in codesign.studio_choices(session, sc(session, world, user))]

    # K5 waits for the officer's approval, K2 for their decision on Acme's proposal; K3 is a draft; K1 is published.
    assert [x.split(" · ")[0] for x in picker("officer@u")] == ["K5", "K2", "K3", "K1"]
    assert picker("officer@u")[:2] == ["K5 · Credential K5 · In review — your approval of version 1",
                                       "K2 · Credential K2 · Draft — 1 proposal to decide"]
    assert picker("officer@u")[-1] == "K1 · Credential K1 · Published"
    assert picker("hr@a") == [
        "K2 · Credential K2 · Draft — to complete and submit for review; 1 proposal of yours open",
        "K1 · Credential K1 · Published",
    ]
    make_ready(session, world, "K2", status="in_review")
    assert picker("hr@a")[0] == "K2 · Credential K2 · In review — your approval of version 1; 1 proposal of yours open"
    codesign.approve(session, sc(session, world, "hr@a"), credential_id=world.id("K2"), expected_version=1)
    assert picker("hr@a")[0].endswith("In review — waiting for the other parties' approval; 1 proposal of yours open")
    codesign.approve(session, sc(session, world, "officer@u"), credential_id=world.id("K2"), expected_version=1)
    assert "K2 · Credential K2 · Approved — 1 proposal to decide; ready to publish" in picker("officer@u")
    assert picker("viewer@u") == []


# --- History of seeded and imported credentials ----------------------------------------


def test_seeded_credentials_have_the_history_of_their_versions_and_sign_off(engine):
    from datetime import date

    from db.scope import scope_for_user
    from seed.demo import seed_database
    from services.identity import find_user

    seed_database(engine, employees=40, seed=7, today=date(2026, 5, 20))
    with Session(engine) as session:
        officer = scope_for_user(session, find_user(session, "officer@northbridge.ac.uk"))
        hvb = scope_for_user(session, find_user(session, "hr@harbourvale.co.uk"))
        for c in session.scalars(select(Credential)).all():
            d = codesign.detail(session, officer, c.id)
            # One revision per version, the last one equal to what the credential holds now.
            assert sorted(d.revisions["version"]) == list(range(1, c.version + 1)), c.code
            assert json.loads(codesign.revision(session, officer, c.id, c.version).snapshot) == \
                codesign.snapshot(session, c), c.code
            states = set(d.signoff["state"])
            expected = {"published": {"approved"}, "retired": {"approved"}, "approved": {"approved"},
                        "in_review": {"approved", "waiting"}, "draft": {"not_in_review"}}[c.status]
            assert states == expected, (c.code, states)
            events = codesign.history_events(session, officer, c.id)["event"].tolist()
            assert events[-1] == "Created (version 1)"
            if c.status in ("published", "retired"):
                assert "Status → Published" in events and d.signoff_note == ""
        data101 = session.scalar(select(Credential).where(Credential.code == "MC-DATA-101"))
        d = codesign.detail(session, officer, data101.id)
        assert (data101.status, data101.version) == ("published", 2)
        assert d.revisions[["version", "saved_by", "summary"]].values.tolist() == [
            [2, "hr@harbourvale.co.uk", "Added learning outcome 4"], [1, "officer@northbridge.ac.uk", "Created"]]
        assert d.signoff[["organization", "state", "approved_by"]].values.tolist() == [
            ["Northbridge University", "approved", "officer@northbridge.ac.uk"],
            ["Harbour & Vale Bank", "approved", "hr@harbourvale.co.uk"],
            ["Northbridge City Council", "approved", "hr@northbridgecouncil.gov.uk"]]
        assert [ch.field for ch in codesign.compare(session, hvb, data101.id, 1, 2)] == ["Learning outcome 4"]
        assert codesign.history_events(session, officer, data101.id)["event"].tolist()[:2] == [
            "Status → Published", "Status → Approved (approved by the university and every co-designing employer)"]


def test_an_imported_credential_records_its_import_and_says_so_in_the_sign_off(session, world):
    from services import imports

    officer = sc(session, world, "officer@u")
    imports.import_file(session, officer, "credentials", b"code,title,level\r\nIMP-1,Imported one,5\r\n",
                        "catalogue.csv")
    cid = session.scalar(select(Credential.id).where(Credential.code == "IMP-1"))
    d = codesign.detail(session, officer, cid)
    assert d.revisions[["version", "saved_by", "summary"]].values.tolist() == [
        [1, "officer@uni-one.test", "Imported from catalogue.csv"]]
    assert codesign.history_events(session, officer, cid)["event"].tolist() == [
        "Created by the import of catalogue.csv (version 1)"]
    assert codesign.came_by_import(session, officer, cid) == "catalogue.csv"
    # Published without this dashboard's workflow (the import is the only record): said as it is, never "waiting".
    session.execute(Credential.__table__.update().where(Credential.__table__.c.id == cid).values(status="published"))
    session.commit()
    d = codesign.detail(session, officer, cid)
    assert list(d.signoff["state"]) == ["not_recorded"]
    assert d.signoff_note == "Imported as published, no sign-off recorded in this dashboard."
    # A credential that predates the dashboard (no revision of its version, no approval): no "waiting" either.
    k4 = codesign.detail(session, officer, world.id("K4"))
    assert list(k4.signoff["state"]) == ["not_recorded"]
    assert k4.signoff_note.startswith("Retired without a sign-off recorded in this dashboard")


def test_publishing_closes_open_proposals_and_decisions_are_design_record(session, world):
    from db.scope import scoped

    k2 = world.id("K2")
    officer, hr_a, hr_b = (sc(session, world, x) for x in ("officer@u", "hr@a", "hr@b"))
    done = codesign.accept(session, officer, proposal_id=world.id("PR-K2"), expected_version=1)
    assert done.revision.version == 2
    # Decisions are read like the rest of the design record: the co-designers and the university only.
    rows = lambda user: session.scalars(scoped(select(ProposalDecision.id), user, ProposalDecision)).all()  # noqa: E731
    assert len(rows(officer)) == len(rows(hr_a)) == 1 and rows(hr_b) == []
    open_prop = codesign.propose(session, hr_a, credential_id=k2, field="eqf_level", new_value=6, rationale="r")
    make_ready(session, world, status="approved", approvals=("U", "A"))
    codesign.publish(session, officer, credential_id=k2, expected_version=2)
    session.expire_all()
    assert session.get(ChangeProposal, open_prop.id).status == "withdrawn"
    p = next(p for p in codesign.proposals(session, hr_a, k2) if p["id"] == open_prop.id)
    assert p["comments"][-1]["text"] == "Closed when version 2 was published: published content is frozen."
    assert not (p["can_accept"] or p["can_reject"] or p["can_withdraw"] or p["can_comment"])


def test_two_last_acceptances_at_the_same_moment_still_apply_the_change(session, world, engine, db_url):
    """Beta accepts while Acme's acceptance is being written: the row lock on the open proposal makes Beta
    wait for Acme's commit, so Beta sees Acme's decision and applies the change (without it, each would
    count only its own acceptance and the proposal would stay open with everyone agreed)."""
    import threading
    import time

    k2 = _two_employers(session, world)
    officer = sc(session, world, "officer@u")
    prop = codesign.propose(session, officer, credential_id=k2, field="eqf_level", new_value=6, rationale="r")
    other_engine = make_engine(db_url)
    results: list = []

    def beta_accepts():
        with Session(other_engine) as other:
            results.append(codesign.accept(other, sc(other, world, "hr@b"), proposal_id=prop.id, expected_version=1))

    thread = threading.Thread(target=beta_accepts)

    def meanwhile(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PROPOSALDECISION") and not thread.is_alive() \
                and not results:
            thread.start()
            time.sleep(0.5)  # Beta reaches the lock (and waits there) before Acme goes on

    event.listen(engine, "before_cursor_execute", meanwhile)
    try:
        with Session(engine) as mine:
            first = codesign.accept(mine, sc(mine, world, "hr@a"), proposal_id=prop.id, expected_version=1)
    finally:
        event.remove(engine, "before_cursor_execute", meanwhile)
    thread.join(30)
    other_engine.dispose()
    assert first.status == "open" and first.waiting_for == ("Beta",)
    assert [r.status for r in results] == ["accepted"]
    c = cred(session, world)
    assert (c.eqf_level, c.version) == (6, 2)
    assert _decisions(session, prop.id) == {world.id("A"): "accepted", world.id("B"): "accepted"}


def test_co_designers_read_a_credentials_history_and_no_one_else_does(session, world):
    """Status changes are recorded under the university; the co-designing employer reads them as part
    of the design record, another employer (even one that sees the published credential) does not."""
    k2 = world.id("K2")
    officer = world.scope(session, "officer@u")
    codesign.save_draft(session, officer, credential_id=k2, expected_version=1, changes={"summary": "For banks"})
    codesign.set_skill(session, officer, credential_id=k2, expected_version=2, skill_id=world.id("s1"), proficiency=3)
    codesign.submit_for_review(session, officer, credential_id=k2, expected_version=3)
    seen_by_officer = codesign.history_events(session, officer, k2)
    acme = codesign.history_events(session, world.scope(session, "hr@a"), k2)
    assert any("review" in e.lower() for e in acme["event"]), acme
    assert acme["event"].tolist() == seen_by_officer["event"].tolist()
    assert codesign.history_events(session, world.scope(session, "hr@b"), k2).empty
    # Other organisations' own events stay private.
    beta_events = session.execute(scoped(select(AuditEvent.id).where(AuditEvent.entity == "Organization"),
                                         world.scope(session, "hr@a"), AuditEvent)).scalars().all()
    assert beta_events == [world.id("AE-A")]
