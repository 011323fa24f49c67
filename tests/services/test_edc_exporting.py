"""Exporting European Digital Credentials: the Open Badges' scope exactly, values equal to the database's, every
exported payload conforms, the command line (export, verify, organisations) and its access log."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

import manage
from db.models import AccessLogEntry, AuditEvent, Enrollment, Organization
from db.scope import Scope
from services import edc
from tests.services import edc_helpers

edc_world, seal_files = edc_helpers.edc_world, edc_helpers.seal_files


def exported(session, world, tmp_path, user=None, **filters) -> dict[str, dict]:
    scope = world.scope(session, user) if user else Scope.system()
    paths = edc.export(session, scope, tmp_path / (user or "all"), check="none")
    return {path.name: edc.verify_file(path, conformance=False) for path in paths}


def labels(world, names) -> set[str]:
    return {world.label_of(Enrollment, int(name.rsplit("_", 1)[1].removesuffix(".jsonld"))) for name in names}


def test_the_system_exports_every_completion_and_each_payload_conforms(session, edc_world, tmp_path):
    results = exported(session, edc_world, tmp_path)
    assert labels(edc_world, results) == {"E-a1-K1", "E-b1-K1", "E-c1-K6"}
    for name, result in results.items():
        assert result.ok, (name, result.problems)
        assert edc.conformance_problems(result.credential) == [], name
    assert (tmp_path / "all" / edc.CERTIFICATE_FILE).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_exported_values_equal_the_databases(session, edc_world, tmp_path):
    results = exported(session, edc_world, tmp_path)
    by_label = {world_label: results[name].credential
                for name in results for world_label in labels(edc_world, [name])}
    ann, cy = by_label["E-a1-K1"], by_label["E-c1-K6"]
    spec = ann["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert (spec["creditPoint"]["point"], spec["eqfLevel"]["id"]) == ("2.5", "http://data.europa.eu/snb/eqf/6")
    assert ann["issued"] == "2026-04-20T00:00:00Z" and cy["issued"] == "2026-04-28T00:00:00Z"
    assert ann["credentialSubject"]["hasClaim"]["provenBy"]["grade"]["noteLiteral"]["en"] == "87.5 out of 100"
    cy_spec = cy["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert (cy_spec["creditPoint"]["point"], cy_spec["eqfLevel"]["id"]) == ("5", "http://data.europa.eu/snb/eqf/5")
    assert [outcome["title"]["en"] for outcome in cy_spec["learningOutcome"]] == ["Outcome of K6"]
    assert cy["issuer"]["eIDASIdentifier"]["notation"] == "EE-REG 70000740"
    assert cy["issuer"]["location"]["address"]["countryCode"]["id"].endswith("/country/EST")
    # Supervised with an identity check: no vocabulary URI vouched for here, so a note.
    assert cy["credentialSubject"]["hasClaim"]["provenBy"]["additionalNote"][0]["noteLiteral"]["en"] == \
        "Supervision: supervised, with identity check"


def test_an_hr_manager_exports_only_their_employees(session, edc_world, tmp_path):
    assert labels(edc_world, exported(session, edc_world, tmp_path, "hr@a")) == {"E-a1-K1"}
    assert labels(edc_world, exported(session, edc_world, tmp_path, "hr@b")) == {"E-b1-K1"}
    assert labels(edc_world, exported(session, edc_world, tmp_path, "officer@u2")) == {"E-c1-K6"}


def test_a_pseudonymised_person_gets_no_credential(session, edc_world, tmp_path):
    from datetime import date

    from db.models import Employee

    session.get(Employee, edc_world.id("a1")).pseudonymised_on = date(2026, 6, 1)
    session.commit()
    assert labels(edc_world, exported(session, edc_world, tmp_path)) == {"E-b1-K1", "E-c1-K6"}


def test_the_zip_for_the_page(session, edc_world):
    count, data = edc.export_zip(session, edc_world.scope(session, "hr@a"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert count == 1
    assert sorted(names) == [f"K1_ACME-1_{edc_world.id('E-a1-K1')}.jsonld", edc.CERTIFICATE_FILE]


def test_cli_export_verify_and_the_access_log(session, edc_world, tmp_path, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "cli"
    assert manage.main(["badges", "export", "--format", "edc", "--employer", "BETA", "--out", str(out)]) == 0
    assert "Wrote 1 sealed European Digital Credentials" in capsys.readouterr().out
    (path,) = out.glob("*.jsonld")
    assert path.name == f"K1_BETA-1_{edc_world.id('E-b1-K1')}.jsonld"
    assert manage.main(["badges", "verify", str(path)]) == 0
    assert f"VALID {path}" in capsys.readouterr().out
    text = path.read_text()
    path.write_text(text.replace("Bea One", "Bea Two"))
    assert manage.main(["badges", "verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert "FAILED: the seal does not match" in err and f"NOT VALID {path}" in err

    # An HR manager of Acme asking for Beta's people: nothing.
    attack = tmp_path / "attack"
    assert manage.main(["badges", "export", "--format", "edc", "--as", "hr@acme.test", "--employer", "BETA",
                        "--out", str(attack)]) == 0
    assert list(attack.glob("*.jsonld")) == []
    logged = session.execute(select(AccessLogEntry.actor_email, AccessLogEntry.employer_id, AccessLogEntry.rows)
                             .where(AccessLogEntry.view == "EDC export (command line)")
                             .order_by(AccessLogEntry.id)).all()
    assert logged == [("system", edc_world.id("B"), 1)]


def test_the_open_badges_stay_the_default_format(session, edc_world, tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert manage.main(["badges", "export", "--employer", "BETA", "--out", str(tmp_path / "ob")]) == 0
    assert list((tmp_path / "ob").glob("*.jsonld")) == [] and len(list((tmp_path / "ob").glob("*.jwt"))) == 1


def test_an_admin_sets_the_legal_identity_audited(session, edc_world, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert manage.main(["organizations", "set", "--code", "U2", "--legal-identifier", " EE  123 ",
                        "--country", "ee"]) == 0
    assert "Uni Two (U2): legal identifier EE 123, country EE." in capsys.readouterr().out
    session.expire_all()
    two = session.get(Organization, edc_world.id("U2"))
    assert (two.legal_identifier, two.country) == ("EE 123", "EE")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "organization.legal_identity")).one()
    assert (event.actor_email, event.entity_id) == ("system", str(two.id))
    assert json.loads(event.before)["legal_identifier"] == "EE-REG 70000740"
    # Someone else's admin, an officer, a bad country: refused, nothing changed.
    for argv, message in [
        (["--code", "U2", "--legal-identifier", "X", "--country", "EE", "--as", "admin@uni-one.test"], "Only an admin"),
        (["--code", "U1", "--legal-identifier", "X", "--country", "GB", "--as", "officer@uni-one.test"], "Only an"),
        (["--code", "U1", "--legal-identifier", "X", "--country", "XX"], "not an ISO 3166"),
        (["--code", "NOPE", "--legal-identifier", "X", "--country", "GB"], "No organisation"),
    ]:
        assert manage.main(["organizations", "set", *argv]) == 1
        assert message in capsys.readouterr().err
    session.expire_all()
    assert session.get(Organization, edc_world.id("U")).legal_identifier == "UKPRN 10001234"
    assert manage.main(["organizations", "set", "--code", "U1", "--legal-identifier", "UKPRN 1",
                        "--country", "GB", "--as", "admin@uni-one.test"]) == 0


def test_one_persons_credentials_follow_the_scope(session, edc_world):
    files = edc.person_files(session, edc_world.scope(session, "hr@a"), edc_world.id("a1"))
    assert list(files) == [f"K1_ACME-1_{edc_world.id('E-a1-K1')}.jsonld"]
    assert edc.verify_document(json.loads(files[next(iter(files))])).ok
    assert edc.person_files(session, edc_world.scope(session, "hr@b"), edc_world.id("a1")) == {}
    assert edc.person_files(session, edc_world.scope(session, "hr@a"), edc_world.id("a2")) == {}  # not completed


def test_a_concurrent_change_of_the_legal_identity_is_never_overwritten(session, edc_world, engine):
    from sqlmodel import Session

    from db.models import AuditEvent as Event

    one = session.get(Organization, edc_world.id("U"))
    assert one.legal_identifier == "UKPRN 10001234"  # what this admin's form showed
    with Session(engine) as other:  # another admin saves first
        other.get(Organization, edc_world.id("U")).legal_identifier = "UKPRN 999"
        other.commit()
    with pytest.raises(edc.EdcError, match="changed meanwhile; nothing was overwritten"):
        edc.set_legal_identity(session, Scope.system(), code="U1", legal_identifier="UKPRN 1", country="GB")
    session.expire_all()
    assert session.get(Organization, edc_world.id("U")).legal_identifier == "UKPRN 999"
    assert session.scalars(select(Event).where(Event.action == "organization.legal_identity")).all() == []


def test_cli_verifies_the_commissions_sample_against_its_certificate(capsys):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "elm-3" / "Sample-MC-Annex1-signed.jsonld"
    thumbprint = "yFhiSlOALcqZZiW0-YfDctVcCXm96bUTtj5xN6pqvwQ"  # its x5t#S256 header
    assert manage.main(["badges", "verify", str(sample), "--key", thumbprint]) == 0
    out = capsys.readouterr().out
    assert "ok: the seal matches the payload and the header" in out
    assert "ok: the credential conforms to the EDC generic shapes" in out
    assert manage.main(["badges", "verify", str(sample)]) == 1  # not the deployment's certificate
    assert "neither the deployment's nor the one given as trusted" in capsys.readouterr().err
