"""The catalogue to the European standard: the elements of a credential, its next review, the filter on
complete / incomplete, and the published change list (only published versions, for whoever reads it)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from db.models import Credential, CredentialRevision, Organization
from db.scope import visible
from services import codesign
from services.codesign import published
from services.codesign.rules import CodesignError
from tests.services import codesign_helpers

world = codesign_helpers.world

ELEMENTS = {"issuer_country": "GB", "assessment_type": "Project report and oral presentation",
            "quality_assurance": "Internal quality assurance of Uni One"}


def _complete(session, world, label: str) -> Credential:
    cred = session.get(Credential, world.id(label))
    for name, value in ELEMENTS.items():
        setattr(cred, name, value)
    session.add(cred)
    session.commit()
    return cred


def _revision(session, credential_id: int, version: int, content: dict, published_at: datetime | None) -> None:
    session.add(CredentialRevision(credential_id=credential_id, version=version, saved_by="officer@uni-one.test",
                                   snapshot=json.dumps(content, sort_keys=True), summary=f"version {version}",
                                   published_at=published_at))


def test_the_list_says_how_many_elements_each_credential_lacks_and_filters_on_it(session, world):
    # K1 has an outcome and now the three element texts: complete. K2 and K3 have an outcome but lack the
    # three texts; K4 and K5 lack their outcome too.
    _complete(session, world, "K1")
    officer = world.scope(session, "officer@u")
    every = codesign.catalogue(session, officer).set_index("code")["european_standard"].to_dict()
    assert every == {"K1": "Complete", "K2": "Missing 3 elements", "K3": "Missing 3 elements",
                     "K4": "Missing 4 elements", "K5": "Missing 4 elements"}
    assert list(codesign.catalogue(session, officer, european="complete")["code"]) == ["K1"]
    assert list(codesign.catalogue(session, officer, european="incomplete")["code"]) == ["K2", "K3", "K4", "K5"]
    with pytest.raises(ValueError):
        codesign.catalogue(session, officer, european="half")


def test_the_elements_name_the_awarding_body_with_its_country_and_legal_identifier(session, world):
    _complete(session, world, "K1")
    university = session.get(Organization, world.id("U"))
    university.country, university.legal_identifier = "GB", "UKPRN 10001234"
    session.add(university)
    session.commit()
    shown = {element.name: (element.met, element.shown)
             for element in published.elements(session, world.scope(session, "hr@b"), world.id("K1"))}
    assert shown["Awarding body"] == (True, "Uni One (GB, UKPRN 10001234)")
    assert shown["Country or region of the issuer"] == (True, "United Kingdom (GB)")
    assert shown["Type of quality assurance"] == (True, "Internal quality assurance of Uni One")
    assert shown["Prerequisites to enrol"] == (False, "—")


def test_the_next_review_reads_as_a_date_or_as_overdue():
    today = date(2026, 7, 1)
    assert published.review_text(date(2026, 9, 30), today) == "Due by 30 Sep 2026"
    assert published.review_text(date(2026, 7, 1), today) == "Due by 1 Jul 2026"
    assert published.review_text(date(2026, 6, 30), today) == "Overdue since 30 Jun 2026"
    assert published.review_text(None, today) == "No review date set"


def _k1_history(session, world) -> None:
    """K1: version 1 published, version 2 a draft (a secret title), version 3 published."""
    k1 = world.id("K1")
    session.execute(CredentialRevision.__table__.delete().where(CredentialRevision.credential_id == k1))
    base = {"code": "K1", "title": "Credential K1", "summary": "", "eqf_level": 5, "ects_credits": "5.0",
            "outcomes": ["Outcome of K1"]}
    _revision(session, k1, 1, base, datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    _revision(session, k1, 2, {**base, "title": "Secret draft title"}, None)
    _revision(session, k1, 3, {**base, "ects_credits": "7.5", "outcomes": ["Outcome of K1", "Read a chart"]},
              datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc))
    session.commit()


def test_the_change_list_is_each_published_version_field_by_field(session, world):
    _k1_history(session, world)
    rows = published.change_list(session, world.scope(session, "officer@u"), world.id("K1")).to_dict("records")
    first, later = date(2026, 1, 5), date(2026, 3, 2)
    assert rows == [
        {"version": 1, "published_on": first, "field": "Code", "before": "—", "after": "K1"},
        {"version": 1, "published_on": first, "field": "Title", "before": "—", "after": "Credential K1"},
        {"version": 1, "published_on": first, "field": "EQF level", "before": "—", "after": "5"},
        {"version": 1, "published_on": first, "field": "ECTS credits", "before": "—", "after": "5.0"},
        {"version": 1, "published_on": first, "field": "Learning outcome 1", "before": "—", "after": "Outcome of K1"},
        # Compared with version 1, the version published before it: the draft in between is no published version.
        {"version": 3, "published_on": later, "field": "ECTS credits", "before": "5.0", "after": "7.5"},
        {"version": 3, "published_on": later, "field": "Learning outcome 2", "before": "—", "after": "Read a chart"},
    ]


def test_an_employer_that_does_not_co_design_gets_only_published_versions(session, world):
    """HR of Beta (partnered with Uni One, not a co-designer of K1) asks for everything it can."""
    _k1_history(session, world)
    _revision(session, world.id("K6"), 1, {"code": "K6", "title": "Credential K6"},
              datetime(2026, 1, 5, tzinfo=timezone.utc))
    session.commit()
    beta = world.scope(session, "hr@b")
    frame = published.change_list(session, beta, world.id("K1"))
    assert sorted(set(frame["version"])) == [1, 3]
    assert "Secret draft title" not in frame.to_string()
    readable = session.execute(select(CredentialRevision.credential_id, CredentialRevision.version).where(
        visible(beta, CredentialRevision), CredentialRevision.credential_id == world.id("K1"))).all()
    assert sorted(version for _, version in readable) == [1, 3]  # the draft revision is not readable at all
    with pytest.raises(CodesignError, match="outside your access"):  # Uni Two is not partnered with Beta
        published.change_list(session, beta, world.id("K6"))
    assert session.execute(select(CredentialRevision.id).where(
        visible(beta, CredentialRevision), CredentialRevision.credential_id == world.id("K6"))).all() == []
    # Acme co-designs K1: its design record holds the draft too, but the change list stays the published one.
    acme = published.change_list(session, world.scope(session, "hr@a"), world.id("K1"))
    assert sorted(set(acme["version"])) == [1, 3]
