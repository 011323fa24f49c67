"""Co-design: revisions and diffs, audit, validation, the catalogue, new drafts, what needs attention.


Expectations are written by hand from tests/world.py: K2 is a draft co-designed by Acme (A),
K3 a draft co-designed by Beta (B), K1 published (co-designed by A), K4 retired, K5 in review
(no co-designer), K6 published by Uni Two.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import (
    AuditEvent,
    ChangeProposal,
    Credential,
    CredentialRevision,
    LearningOutcome,
    ProposalComment,
)
from db.scope import AccessDenied
from services import codesign
from services.codesign import CodesignError
from services.codesign.rules import EUROPEAN_DEFAULTS  # noqa: E402
from tests.services import codesign_helpers
from tests.services.codesign_helpers import audit_actions, complete, cred, make_ready, sc

world = codesign_helpers.world  # the shared fixture, bound here so pytest finds it


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
        "learning_hours": 125, "delivery_mode": "blended", "price": "1250.50", **EUROPEAN_DEFAULTS,
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
    k2 = complete(session, world, "K2").id  # the European elements, so that it can be submitted and published
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    steps = [
        (lambda: codesign.save_draft(session, officer, credential_id=k2, expected_version=1,
                                     changes={"summary": "Data for banks"}), ["credential.edit"]),
        (lambda: codesign.add_outcome(session, hr_a, credential_id=k2, expected_version=2, text="Read a model"),
         ["credential.edit"]),
        (lambda: codesign.move_outcome(session, hr_a, credential_id=k2, expected_version=3, index=1, delta=-1),
         ["credential.edit"]),
        (lambda: codesign.propose_new_skill(session, hr_a, name="risk modelling",
                                            esco_uri="http://data.europa.eu/esco/skill/x"), ["skill.propose"]),
        (lambda: codesign.add_skill(session, officer, name="credit scoring"), ["skill.add"]),
        (lambda: codesign.accept_skill(session, officer, skill_id=world.id("s3")), ["skill.accept"]),
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
    for add, who in ((codesign.add_skill, "officer@u"), (codesign.propose_new_skill, "hr@a")):
        scope = sc(session, world, who)
        if ok:
            skill = add(session, scope, name=f"skill {who} {uri}", esco_uri=uri)
            assert skill.esco_uri == (uri or None)
        else:
            with pytest.raises(CodesignError, match=r"http\(s\)"):
                add(session, scope, name="bad", esco_uri=uri)


def test_a_skill_name_is_added_once(session, world):
    with pytest.raises(CodesignError, match="already in the list"):
        codesign.add_skill(session, sc(session, world, "officer@u"), name="Lead a Team")


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


def test_the_co_designer_filter_never_answers_for_an_employer_outside_the_scope(session, world):
    """Beta's catalogue shows K1 as co-designed by "1 other employer": asking for Acme's credentials must not
    tell it that this employer is Acme."""
    a, b, c = world.id("A"), world.id("B"), world.id("C")
    hr_b = sc(session, world, "hr@b")
    assert _codes(codesign.catalogue(session, hr_b, partner_ids=[a])) == []
    assert _codes(codesign.catalogue(session, hr_b, partner_ids=[a, b])) == ["K3"]
    assert _codes(codesign.catalogue(session, hr_b, partner_ids=[b])) == ["K3"]
    officer = sc(session, world, "officer@u")
    assert _codes(codesign.catalogue(session, officer, partner_ids=[c])) == []  # Gamma is Uni Two's partner
    assert _codes(codesign.catalogue(session, officer, partner_ids=[a, c])) == ["K1", "K2"]


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
    # Approved but lacking a European element (e.g. set so by an import): publishing would be refused, so say so.
    session.get(Credential, world.id("K2")).issuer_country = None
    session.commit()
    assert ("K2 · Credential K2 · Approved — 1 proposal to decide; European elements to complete before publishing"
            in picker("officer@u"))
    assert picker("viewer@u") == []
