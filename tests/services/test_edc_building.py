"""Building a European Digital Credential: the database's values, EU vocabulary URIs, conformance to the
official SHACL shapes, and a clear refusal when the awarding body lacks its legal identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.models import Enrollment, Organization
from services.edc import EdcError, build, conformance_problems
from tests.services import edc_helpers

edc_world, seal_files = edc_helpers.edc_world, edc_helpers.seal_files

DATA = Path(__file__).resolve().parents[1] / "data" / "elm-3"


def test_the_commissions_signed_sample_conforms_and_the_unsigned_one_does_not():
    signed = json.loads((DATA / "Sample-MC-Annex1-signed.jsonld").read_text())
    assert conformance_problems(json.loads(signed["payload"])) == []
    problems = conformance_problems(json.loads((DATA / "Sample-MC-Annex1-unsigned.jsonld").read_text()))
    assert any("eidasLegalIdentifier" in problem for problem in problems)
    assert any("credentials#issued" in problem for problem in problems)


def test_a_remote_context_is_refused_not_fetched():
    document = json.loads((DATA / "Sample-MC-Annex1-unsigned.jsonld").read_text())
    document["@context"].append("https://contexts.example.test/evil.jsonld")
    assert conformance_problems(document)[0].startswith("not JSON-LD the product can read offline")


def test_the_credential_carries_the_annex_i_elements_from_the_database(session, edc_world):
    document = build(session, session.get(Enrollment, edc_world.id("E-a1-K1")))
    assert document["@context"] == ["https://www.w3.org/2018/credentials/v1",
                                    "http://data.europa.eu/snb/model/context/edc-ap"]
    assert document["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert document["issued"] == document["validFrom"] == "2026-04-20T00:00:00Z"
    subject = document["credentialSubject"]
    assert subject["type"] == "Person" and subject["fullName"] == {"en": "Ann One"}
    claim = subject["hasClaim"]
    spec = claim["specifiedBy"]
    assert spec["title"] == {"en": "Credential K1"}
    assert spec["creditPoint"]["point"] == "2.5"
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert [outcome["title"] for outcome in spec["learningOutcome"]] == [{"en": "Outcome of K1"}]
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"  # blended
    assert spec["entryRequirement"]["noteLiteral"] == {"en": "Basic statistics"}
    assert spec["volumeOfLearning"] == "PT60H"
    notes = [note["noteLiteral"]["en"] for note in spec["additionalNote"]]
    assert notes == ["Qualifications Framework of the European Higher Education Area: first cycle",
                     "Quality assurance: Internal review by the faculty board",
                     "Stackability: stackable, towards MSc Data Science",
                     "Further information: See the course page"]
    proof = claim["provenBy"]
    assert proof["title"] == {"en": "Written exam"}
    assert proof["grade"]["noteLiteral"] == {"en": "87.5 out of 100"}
    assert proof["idVerification"]["id"] == "http://data.europa.eu/snb/supervision-verification/c598449d64"
    body = claim["awardedBy"]["awardingBody"]
    assert body == document["issuer"]
    assert body["legalName"] == {"en": "Uni One"}
    assert body["eIDASIdentifier"]["notation"] == "UKPRN 10001234"
    # The credential's own issuer country (IE) wins over the organisation's (GB).
    assert body["location"]["address"]["countryCode"]["id"] == \
        "http://publications.europa.eu/resource/authority/country/IRL"
    assert body["eIDASIdentifier"]["spatial"]["id"] == "http://publications.europa.eu/resource/authority/country/GBR"
    assert body["eIDASIdentifier"]["spatial"]["prefLabel"] == {"en": "United Kingdom"}


def test_ids_are_stable_per_enrollment(session, edc_world):
    enrollment = session.get(Enrollment, edc_world.id("E-b1-K1"))
    first, second = build(session, enrollment), build(session, enrollment)
    assert first == second
    assert first["id"].startswith("urn:uuid:")
    assert first["id"] != build(session, session.get(Enrollment, edc_world.id("E-a1-K1")))["id"]


def test_a_credential_with_fewer_elements_set(session, edc_world):
    # Every exported payload's conformance: tests/services/test_edc_exporting.py.
    k6 = build(session, session.get(Enrollment, edc_world.id("E-c1-K6")))
    assert k6["issuer"]["location"]["address"]["countryCode"]["id"].endswith("/country/EST")
    assert k6["credentialSubject"]["hasClaim"]["provenBy"]["grade"]["noteLiteral"] == {"en": "Passed"}  # no score


def test_an_awarding_body_without_a_legal_identifier_is_refused_by_name(session, edc_world):
    session.get(Organization, edc_world.id("U2")).legal_identifier = None
    with pytest.raises(EdcError, match=r"Uni Two \(U2\) has no legal identifier.*organizations set --code U2"):
        build(session, session.get(Enrollment, edc_world.id("E-c1-K6")))


def test_a_completion_is_needed(session, edc_world):
    with pytest.raises(EdcError, match="not completed"):
        build(session, session.get(Enrollment, edc_world.id("E-a2-K1")))
