"""The European elements of a micro-credential (Annex I): the checklist, and the SQL rule that agrees with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from db.models import Credential, LearningOutcome
from services.codesign import completeness
from services.codesign.versions import snapshot
from tests.services import codesign_helpers

world = codesign_helpers.world

COMPLETE = {"issuer_country": "IE", "assessment_type": "Portfolio and a written exam",
            "quality_assurance": "Internal QA of Uni One, reviewed by the national agency"}


def _content(**changes) -> dict:
    base = {"title": "Data for managers", "outcomes": ["Read a chart"], "ects_credits": "5.0", "eqf_level": 6,
            "delivery_mode": "online", **COMPLETE}
    return {**base, **changes}


def test_a_complete_content_lacks_nothing():
    assert completeness.missing(_content()) == []


@pytest.mark.parametrize(("change", "element"), [
    ({"title": ""}, "Title"),
    ({"issuer_country": None}, "Country or region of the issuer"),
    ({"outcomes": []}, "Learning outcomes"),
    ({"ects_credits": "0.0"}, "Notional workload (ECTS credits)"),
    ({"assessment_type": "  "}, "Type of assessment"),
    ({"delivery_mode": ""}, "Form of participation"),
    ({"quality_assurance": ""}, "Type of quality assurance"),
])
def test_each_mandatory_element_is_named_when_missing(change, element):
    assert completeness.missing(_content(**change)) == [element]
    with pytest.raises(completeness.CodesignError, match=element.replace("(", r"\(").replace(")", r"\)")):
        completeness.require_complete(_content(**change), "MC-1", "review")


def test_the_checklist_lists_every_element_with_its_value():
    elements = completeness.checklist(_content(assessment_type=""), awarding_body="Uni One")
    by_name = {element.name: element for element in elements}
    assert len([element for element in elements if element.mandatory]) == 11
    assert by_name["Awarding body"].shown == "Uni One" and by_name["Awarding body"].met
    assert not by_name["Type of assessment"].met and by_name["Type of assessment"].shown == "—"
    assert by_name["Country or region of the issuer"].shown == "Ireland (IE)"
    assert by_name["Learning outcomes"].shown == "1 learning outcome"
    assert not by_name["Prerequisites to enrol"].met


def test_the_sql_rule_agrees_with_the_snapshot_rule(session, world):
    """Every credential of the test world, made complete or not field by field: both rules say the same."""
    ids = session.scalars(select(Credential.id)).all()
    for number, credential_id in enumerate(ids):
        values = dict(COMPLETE) if number % 2 else {"issuer_country": "IE"}
        if number % 3 == 0:
            values["ects_credits"] = 0
        session.execute(update(Credential).where(Credential.id == credential_id).values(**values))
    if ids:
        session.execute(LearningOutcome.__table__.delete().where(LearningOutcome.credential_id == ids[-1]))
    session.commit()
    in_sql = set(session.scalars(select(Credential.id).where(completeness.complete_condition())).all())
    with Session(session.get_bind()) as fresh:
        in_python = {credential.id for credential in fresh.scalars(select(Credential)).all()
                     if not completeness.missing(snapshot(fresh, credential))}
    assert in_sql == in_python
    assert 0 < len(in_sql) < len(ids)
