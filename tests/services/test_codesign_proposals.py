"""Co-design: change proposals and their decision rule, co-designers, the history of credentials.


Expectations are written by hand from tests/world.py: K2 is a draft co-designed by Acme (A),
K3 a draft co-designed by Beta (B), K1 published (co-designed by A), K4 retired, K5 in review
(no co-designer), K6 published by Uni Two.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select
from sqlmodel import Session

from db.engine import make_engine
from db.models import (
    AuditEvent,
    ChangeProposal,
    Credential,
    CredentialPartner,
    ProposalDecision,
)
from db.scope import AccessDenied, scoped
from services import codesign
from services.codesign import CodesignError, EditConflict
from tests.services import codesign_helpers
from tests.services.codesign_helpers import audit_actions, complete, cred, make_ready, sc

world = codesign_helpers.world  # the shared fixture, bound here so pytest finds it


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
    k2 = complete(session, world, "K2").id  # the European elements, so that it can be submitted
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
