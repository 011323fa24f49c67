"""The European elements (Annex I) in co-design: submit and publish refuse an incomplete credential, naming every
missing element, and change nothing; a proposal on a new field applies; the history reads the new fields.

Expectations by hand from tests/world.py: K2 is a draft of Uni One co-designed by Acme, with one outcome,
5 ECTS credits, EQF 5, delivery mode online (the default), and none of the new elements.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import AuditEvent, Credential, CredentialRevision, LearningOutcome
from services import codesign
from services.codesign import CodesignError
from tests.services import codesign_helpers
from tests.services.codesign_helpers import ELEMENTS, cred, make_ready, sc

world = codesign_helpers.world

# What makes each mandatory element missing (the title cannot be blank in the database; the delivery mode
# always has a value), and the name the refusal gives it.
MISSING = [
    ("issuer_country", None, "Country or region of the issuer"),
    ("outcomes", None, "Learning outcomes"),
    ("ects_credits", 0, "Notional workload (ECTS credits)"),
    ("assessment_type", "", "Type of assessment"),
    ("quality_assurance", "", "Type of quality assurance"),
]


def _lack(session, world, field, value, label="K2") -> None:
    credential_id = world.id(label)
    if field == "outcomes":
        session.execute(LearningOutcome.__table__.delete().where(LearningOutcome.credential_id == credential_id))
    else:
        row = session.get(Credential, credential_id)
        setattr(row, field, value)
        session.add(row)
    session.commit()


def _record(session, world) -> tuple:
    """What a refused step must leave as it was: status, version, audit trail, revisions."""
    session.expire_all()
    c = session.get(Credential, world.id("K2"))
    return (c.status, c.version, session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(CredentialRevision)))


@pytest.mark.parametrize(("field", "value", "element"), MISSING)
def test_submit_is_refused_naming_the_missing_element_and_nothing_changes(session, world, field, value, element):
    make_ready(session, world)
    _lack(session, world, field, value)
    before = _record(session, world)
    with pytest.raises(CodesignError) as refused:
        codesign.submit_for_review(session, sc(session, world, "officer@u"), credential_id=world.id("K2"),
                                   expected_version=1)
    if field == "outcomes":  # the studio's own rule says it first, and the element is not named twice
        assert str(refused.value) == "Before review, K2 needs at least one learning outcome."
    else:
        assert str(refused.value) == (
            "Before review, K2 needs every mandatory element of the European standard for micro-credentials. "
            f"Missing: {element}.")
    assert _record(session, world) == before


@pytest.mark.parametrize(("field", "value", "element"), MISSING)
def test_publish_is_refused_naming_the_missing_element_and_nothing_changes(session, world, field, value, element):
    """Approved by both parties, then an element lost (content edited in review, or an import): not published."""
    make_ready(session, world, status="approved", approvals=("U", "A"))
    _lack(session, world, field, value)
    before = _record(session, world)
    with pytest.raises(CodesignError) as refused:
        codesign.publish(session, sc(session, world, "officer@u"), credential_id=world.id("K2"), expected_version=1)
    assert str(refused.value) == (
        "Before publication, K2 needs every mandatory element of the European standard for micro-credentials. "
        f"Missing: {element}.")
    assert _record(session, world) == before
    assert cred(session, world).status == "approved"


def test_one_refusal_names_the_studio_rule_and_every_missing_element(session, world):
    """The world's K2 as it is: no summary, no skill, none of the three new mandatory elements."""
    with pytest.raises(CodesignError) as refused:
        codesign.submit_for_review(session, sc(session, world, "officer@u"), credential_id=world.id("K2"),
                                   expected_version=1)
    assert str(refused.value) == (
        "Before review, K2 needs a summary, at least one skill and every mandatory element of the European "
        "standard for micro-credentials. Missing: Country or region of the issuer, Type of assessment, "
        "Type of quality assurance.")
    assert cred(session, world).status == "draft"


def test_a_complete_credential_is_submitted_and_published(session, world):
    make_ready(session, world, status="approved", approvals=("U", "A"))
    codesign.publish(session, sc(session, world, "officer@u"), credential_id=world.id("K2"), expected_version=1)
    assert cred(session, world).status == "published"


def test_an_element_cleared_in_review_stops_publication_after_every_approval(session, world):
    """The approval path cannot carry an incomplete version to publication: publish checks the content."""
    k2 = world.id("K2")
    make_ready(session, world)
    officer, hr_a = sc(session, world, "officer@u"), sc(session, world, "hr@a")
    codesign.submit_for_review(session, officer, credential_id=k2, expected_version=1)
    codesign.save_draft(session, hr_a, credential_id=k2, expected_version=1, changes={"quality_assurance": ""})
    codesign.approve(session, officer, credential_id=k2, expected_version=2)
    codesign.approve(session, hr_a, credential_id=k2, expected_version=2)
    assert cred(session, world).status == "approved"
    with pytest.raises(CodesignError, match="Missing: Type of quality assurance."):
        codesign.publish(session, officer, credential_id=k2, expected_version=2)
    assert cred(session, world).status == "approved"


def test_an_accepted_proposal_on_a_new_field_is_saved(session, world):
    k2 = world.id("K2")
    hr_a, officer = sc(session, world, "hr@a"), sc(session, world, "officer@u")
    proposal = codesign.propose(session, hr_a, credential_id=k2, field="assessment_supervision",
                                new_value="supervised_identity_check", rationale="Our staff sit it on site",
                                expected_version=1)
    codesign.accept(session, officer, proposal_id=proposal.id, expected_version=1)
    c = cred(session, world)
    assert (c.assessment_supervision, c.version) == ("supervised_identity_check", 2)
    assert [(change.field, change.before, change.after) for change in codesign.compare(session, officer, k2, 1, 2)] \
        == [("Supervision and identity verification", "—", "Supervised, with identity check")]


def test_a_save_of_two_elements_reads_as_two_changes_in_the_history(session, world):
    k2 = world.id("K2")
    officer = sc(session, world, "officer@u")
    rev = codesign.save_draft(session, officer, credential_id=k2, expected_version=1,
                              changes={"issuer_country": "ie", "assessment_type": ELEMENTS["assessment_type"]})
    assert rev.version == 2
    assert [(change.field, change.before, change.after) for change in codesign.compare(session, officer, k2, 1, 2)] \
        == [("Country or region of the issuer", "—", "Ireland (IE)"),
            ("Type of assessment", "—", "A written exam and a workplace project")]
    assert rev.summary == "Changed Country or region of the issuer; Type of assessment"
    with Session(session.get_bind()) as fresh:  # audited once, as every save
        assert fresh.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "credential.edit", AuditEvent.entity_id == str(k2))) == 1
