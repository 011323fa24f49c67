"""Open Badges 3.0 export: schema-valid files, signatures that verify, tampering detected, scope respected."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.jwk import ECKey
from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy import select

import manage
from db.models import AccessLogEntry, Credential, CredentialPartner, Employee, Enrollment, Organization, Skill
from db.scope import Scope
from services import badges
from services.metrics import Filters
from services.periods import Period
from tests.world import build_world

# The official file as kept in the repository (services/schemas/README.md), read here without services/badges/.
SCHEMA = Path(__file__).resolve().parents[2] / "services" / "schemas" / "openbadges-3.0" / \
    "ob_v3p0_achievementcredential_schema.json"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keys" / "badge-key.json"
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(path))
    monkeypatch.setenv("BADGE_BASE_URL", "https://badges.uni-one.test")
    return path


@pytest.fixture
def world(session):
    return build_world(session)


def official_validator() -> Draft201909Validator:
    """The official schema, loaded here independently of services/badges/."""
    return Draft201909Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())


def exported(session, world, tmp_path, user=None, filters=None) -> dict[str, dict]:
    scope = world.scope(session, user) if user else Scope.system()
    out = tmp_path / (user or "all")
    paths = badges.export(session, scope, out, filters)
    return {p.name: json.loads(p.read_text()) for p in paths}


def enrollment_labels(world, docs: dict[str, dict]) -> set[str]:
    return {world.label_of(Enrollment, int(name.rsplit("_", 1)[1].removesuffix(".json"))) for name in docs}


def test_every_exported_file_is_schema_valid_and_verifies(session, world, tmp_path):
    docs = exported(session, world, tmp_path)
    assert enrollment_labels(world, docs) == {"E-a1-K1", "E-b1-K1", "E-c1-K6"}
    validator = official_validator()
    out = tmp_path / "all"
    for name, doc in docs.items():
        assert list(validator.iter_errors(doc)) == [], name
        assert badges.schema_errors(doc) == []
        result = badges.verify_file(out / name)
        assert result.ok, (name, result.problems)
        assert badges.verify_file(out / name.replace(".json", ".jwt")).ok
        # The JWS payload is the credential plus the VC-JWT claims.
        payload = json.loads(jws.extract_compact((out / name.replace(".json", ".jwt")).read_text().strip().encode())
                             .payload)
        assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf")} == doc
        assert (payload["iss"], payload["jti"]) == (doc["issuer"]["id"], doc["id"])
    # The issuer's keys as a JWKS: one RS256 public key (the default), named by the URL the badges' kid gives.
    (public,) = json.loads((out / badges.JWKS_FILE).read_text())["keys"]
    assert "d" not in public and (public["kty"], public["alg"], public["use"]) == ("RSA", "RS256", "sig")
    key = badges.signing_key()
    assert public["kid"] == f"https://badges.uni-one.test/.well-known/jwks.json#{key.thumbprint()}"
    assert key.raw_value.key_size == 2048


def test_the_badge_describes_the_credential_and_the_completion(session, world, tmp_path):
    s1 = session.get(Skill, world.id("s1"))
    s1.esco_uri = "http://data.europa.eu/esco/skill/abc-123"
    e = session.get(Enrollment, world.id("E-a1-K1"))
    e.score = 87.5
    session.commit()
    doc = badges.build(session, e)
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["issuer"] == {"id": "https://badges.uni-one.test/issuers/U1", "type": ["Profile"], "name": "Uni One"}
    assert doc["validFrom"] == "2026-04-20T00:00:00Z"
    subject = doc["credentialSubject"]
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2026-01-02T00:00:00Z", "2026-04-20T00:00:00Z")
    assert subject["result"] == [
        {"type": ["Result"], "resultDescription": "https://badges.uni-one.test/achievements/K1#status",
         "status": "Completed"},
        {"type": ["Result"], "resultDescription": "https://badges.uni-one.test/achievements/K1#grade",
         "value": "87.5"},
    ]
    ach = subject["achievement"]
    assert (ach["achievementType"], ach["name"], ach["creditsAvailable"]) == ("MicroCredential", "Credential K1", 5.0)
    assert "1. Outcome of K1" in ach["criteria"]["narrative"]
    assert ach["alignment"][1:] == [{
        "type": ["Alignment"], "targetName": "analyse big data",
        "targetUrl": "http://data.europa.eu/esco/skill/abc-123", "targetCode": "http://data.europa.eu/esco/skill/abc-123",
        "targetFramework": "ESCO", "targetType": "ext:ESCOSkill", "targetDescription": "Proficiency 3 of 5",
    }]
    assert ach["creator"] == {"id": "https://badges.uni-one.test/issuers/ACME", "type": ["Profile"], "name": "Acme"}
    assert list(official_validator().iter_errors(doc)) == []


def test_the_badge_holds_the_european_elements_with_the_databases_values(session, world):
    """Annex I's elements where OB 3.0 has a place for them (services/badges/building.py), schema-valid."""
    credential = session.get(Credential, world.id("K1"))
    credential.eqf_level, credential.ects_credits, credential.delivery_mode = 6, Decimal("7.5"), "workplace"
    credential.issuer_country, credential.qualification_cycle = "ES-CT", "first_cycle"
    credential.assessment_type = "A project,\n graded by two assessors"
    credential.assessment_supervision = "supervised_identity_check"
    credential.prerequisites, credential.quality_assurance = "EQF level 5 in data", "Internal review by the faculty"
    credential.stackability, credential.stacks_towards = "stackable", "MSc Data Science"
    credential.further_information = "https://uni-one.test/k1"
    session.get(Organization, world.id("U")).legal_identifier = "ESQ0818001J"
    s1 = session.get(Skill, world.id("s1"))
    s1.esco_uri = "http://data.europa.eu/esco/skill/abc-123"
    enrollment = session.get(Enrollment, world.id("E-a1-K1"))
    enrollment.score = 91.0
    session.commit()

    doc = badges.build(session, enrollment)
    assert doc["issuer"] == {
        "id": "https://badges.uni-one.test/issuers/U1", "type": ["Profile"], "name": "Uni One",
        "address": {"type": ["Address"], "addressCountryCode": "ES", "addressCountry": "Spain",
                    "addressRegion": "ES-CT"},
        "otherIdentifier": [{"type": "IdentifierEntry", "identifier": "ESQ0818001J",
                             "identifierType": "ext:LegalIdentifier"}],
    }
    subject = doc["credentialSubject"]
    ach = subject["achievement"]
    assert (ach["creditsAvailable"], subject["creditsEarned"]) == (7.5, 7.5)
    assert ach["alignment"] == [
        {"type": ["Alignment"], "targetName": "EQF level 6", "targetUrl": "http://data.europa.eu/snb/eqf/6",
         "targetCode": "6", "targetFramework": "European Qualifications Framework", "targetType": "ext:EQFLevel"},
        {"type": ["Alignment"], "targetName": "analyse big data", "targetUrl": "http://data.europa.eu/esco/skill/abc-123",
         "targetCode": "http://data.europa.eu/esco/skill/abc-123", "targetFramework": "ESCO",
         "targetType": "ext:ESCOSkill", "targetDescription": "Proficiency 3 of 5"},
    ]
    assert ach["tag"] == ["EQF level 6", "onsite (at the workplace)", "First cycle (QF-EHEA)", "Stackable"]
    assert ach["criteria"]["narrative"].endswith(
        "Co-designed by Uni One with Acme.\n\n"
        "- **Form of participation**: onsite (at the workplace)\n"
        "- **Type of assessment**: A project, graded by two assessors\n"
        "- **Supervision and identity verification during assessment**: Supervised, with identity check\n"
        "- **Prerequisites to enrol**: EQF level 5 in data\n"
        "- **Type of quality assurance**: Internal review by the faculty\n"
        "- **Integration and stackability**: Stackable, towards MSc Data Science\n"
        "- **Further information**: https://uni-one.test/k1")
    grade = {"id": "https://badges.uni-one.test/achievements/K1#grade", "type": ["ResultDescription"],
             "name": "Grade", "resultType": "Percent", "valueMin": "0", "valueMax": "100"}
    assert grade in ach["resultDescription"]
    assert subject["result"][1] == {"type": ["Result"], "resultDescription": grade["id"], "value": "91"}
    assert list(official_validator().iter_errors(doc)) == [] and badges.schema_errors(doc) == []


def test_without_the_optional_elements_the_badge_leaves_them_out(session, world):
    """An issuer country from the university when the credential has none; no empty lines or tags."""
    session.get(Organization, world.id("U")).country = "IE"
    session.commit()
    doc = badges.build(session, session.get(Enrollment, world.id("E-a1-K1")))
    assert doc["issuer"]["address"] == {"type": ["Address"], "addressCountryCode": "IE", "addressCountry": "Ireland"}
    assert "otherIdentifier" not in doc["issuer"]
    ach = doc["credentialSubject"]["achievement"]
    assert ach["tag"] == ["EQF level 5", "online"]
    assert ach["criteria"]["narrative"].endswith(
        "Co-designed by Uni One with Acme.\n\n- **Form of participation**: online")
    assert list(official_validator().iter_errors(doc)) == []


def test_the_recipient_email_is_hashed_never_written(session, world, tmp_path):
    a1 = session.get(Employee, world.id("a1"))
    a1.email = "Ann.One@Acme.test"
    session.commit()
    out = tmp_path / "out"
    badges.export(session, world.scope(session, "hr@a"), out)
    (name,) = [p for p in out.glob("*.json") if p.name != badges.JWKS_FILE]
    assert b"ann.one" not in name.read_bytes().lower()
    assert b"ann.one" not in (out / name.name.replace(".json", ".jwt")).read_bytes().lower()
    (ident,) = json.loads(name.read_text())["credentialSubject"]["identifier"]
    assert (ident["identityType"], ident["hashed"]) == ("emailAddress", True)
    expected = hashlib.sha256(("ann.one@acme.test" + ident["salt"]).encode()).hexdigest()
    assert ident["identityHash"] == f"sha256${expected}"


def _co_design(session, world, credential="K1", employer="B"):
    session.add(CredentialPartner(credential_id=world.id(credential), employer_id=world.id(employer)))
    session.commit()


def _exported_texts(out: Path) -> dict[str, str]:
    """Every badge file of an export as text: the .json as written, the .jwt's signed payload decoded."""
    texts = {}
    for path in sorted(out.iterdir()):
        if path.name == badges.JWKS_FILE:
            continue
        raw = path.read_text()
        texts[path.name] = (jws.extract_compact(raw.strip().encode()).payload.decode()
                            if path.suffix == ".jwt" else raw)
    return texts


def test_with_several_co_designers_a_badge_names_only_the_learners_employer(session, world):
    _co_design(session, world)  # K1: Acme and Beta
    for learner, named, hidden in [("E-a1-K1", "Acme", "Beta"), ("E-b1-K1", "Beta", "Acme")]:
        doc = badges.build(session, session.get(Enrollment, world.id(learner)))
        ach = doc["credentialSubject"]["achievement"]
        assert ach["creator"]["name"] == "Uni One"
        assert [p["name"] for p in ach["coDesigners"]] == [named]
        assert f"\n\nCo-designed by Uni One with {named} and 1 other employer.\n\n" in ach["criteria"]["narrative"]
        assert hidden not in json.dumps(doc)
        assert list(official_validator().iter_errors(doc)) == []


def test_an_employers_badge_export_names_no_other_employer(session, world, tmp_path):
    """Beta sees K1 in its catalogue as co-designed by "1 other employer" (Acme): its badges never say whom,
    in any field of the .json or of the signed .jwt."""
    acme = session.get(Organization, world.id("A"))
    for case, co_designers in [("Acme alone", ()), ("Acme and Beta", ("B",))]:
        for employer in co_designers:
            _co_design(session, world, employer=employer)
        out = tmp_path / case
        badges.export(session, world.scope(session, "hr@b"), out)
        texts = _exported_texts(out)
        assert len(texts) == 2, case  # Bea One's badge: .json and .jwt
        for name, text in texts.items():
            for secret in (acme.name, acme.code, f"/issuers/{acme.code}"):
                assert secret.lower() not in text.lower(), (case, name, secret)
            # Every profile the badge names is the university's or Beta's.
            assert set(re.findall(r"/issuers/([A-Za-z0-9%._-]+)", text)) <= {"U1", "BETA"}, (case, name)
        doc = json.loads(next(text for name, text in texts.items() if name.endswith(".json")))
        ach = doc["credentialSubject"]["achievement"]
        assert doc["issuer"]["name"] == "Uni One" and ach["creator"]["name"] == "Uni One"
        assert [p["name"] for p in ach.get("coDesigners", [])] == (["Beta"] if co_designers else [])


def test_a_badge_is_the_same_whoever_exports_it(session, world, tmp_path):
    _co_design(session, world)
    badges.export(session, world.scope(session, "hr@b"), tmp_path / "beta")
    badges.export(session, world.scope(session, "officer@u"), tmp_path / "officer")
    beta = _exported_texts(tmp_path / "beta")
    officer = _exported_texts(tmp_path / "officer")
    assert beta and all(officer[name] == text for name, text in beta.items() if name.endswith(".json"))
    acme_badge = next(text for name, text in officer.items() if "_ACME-1_" in name and name.endswith(".json"))
    assert "Beta" not in acme_badge and "BETA" not in acme_badge


# --- Scope --------------------------------------------------------------------------


@pytest.mark.parametrize("user,expected", [
    ("admin@u", {"E-a1-K1", "E-b1-K1", "E-c1-K6"}),
    ("officer@u", {"E-a1-K1", "E-b1-K1"}),
    ("officer@u2", {"E-c1-K6"}),
    ("hr@a", {"E-a1-K1"}),
    ("viewer@a", {"E-a1-K1"}),
    ("hr@b", {"E-b1-K1"}),
])
def test_nothing_is_exported_outside_the_scope(session, world, tmp_path, user, expected):
    assert enrollment_labels(world, exported(session, world, tmp_path, user)) == expected


def test_filters_narrow_but_never_widen(session, world, tmp_path):
    officer = world.scope(session, "officer@u")
    only_beta = Filters(employer_ids=frozenset({world.id("B")}))
    assert {e.id for e in badges.completed_enrollments(session, officer, only_beta)} == {world.id("E-b1-K1")}
    gamma = Filters(employer_ids=frozenset({world.id("C")}))
    assert badges.completed_enrollments(session, officer, gamma) == []
    april = Filters(period=Period(date(2026, 4, 21), date(2026, 4, 30), "late April"))
    assert {e.id for e in badges.completed_enrollments(session, officer, april)} == {world.id("E-b1-K1")}
    assert badges.export(session, world.scope(session, "hr@b"), tmp_path / "none", gamma) == []


# --- Key --------------------------------------------------------------------------------


def test_key_is_generated_on_first_use_private_and_reused(key_file):
    store = key_file.with_name("badge-key.keys")
    assert badges.key_store_path() == store and not store.exists()
    key = badges.signing_key()
    assert sorted(p.name for p in store.iterdir()) == ["0001.json"]
    assert stat.S_IMODE(os.stat(store / "0001.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o700
    assert badges.signing_key().thumbprint() == key.thumbprint()
    assert badges.public_jwk(key)["kid"] == f"https://badges.uni-one.test/.well-known/jwks.json#{key.thumbprint()}"
    assert not key_file.exists()  # the single key file is only read (a legacy key), never written


def test_verify_without_a_key_does_not_create_one(key_file, tmp_path):
    (tmp_path / "x.jwt").write_text("a.b.c")
    with pytest.raises(badges.BadgeError, match="No badge signing key"):
        badges.verify_file(tmp_path / "x.jwt")
    assert not key_file.exists() and not badges.key_store_path().exists()


# --- Tampering ----------------------------------------------------------------------------


@pytest.fixture
def one_badge(session, world, tmp_path) -> tuple[Path, Path]:
    out = tmp_path / "one"
    (path,) = badges.export(session, world.scope(session, "hr@a"), out)
    return path, path.with_suffix(".jwt")


def test_every_changed_character_of_the_token_fails(one_badge):
    """Each position of the .jwt, changed to another base64url character, fails verification."""
    _, jwt_path = one_badge
    token = jwt_path.read_text().strip()
    key = badges.signing_key()
    assert badges.verify_token(token, key).ok
    reasons = set()
    for i, ch in enumerate(token):
        if ch == ".":
            continue
        other = B64URL[(B64URL.index(ch) + 1) % 64]
        result = badges.verify_token(token[:i] + other + token[i + 1:], key)
        assert not result.ok, i
        reasons.add(result.problems[0].split(":")[0].split(" (")[0])
    assert "signature does not match the header and payload" in reasons
    assert "the JWS signature is not canonical base64url" in reasons


def test_every_changed_byte_of_the_json_fails(one_badge):
    json_path, jwt_path = one_badge
    original = json_path.read_bytes()
    token = jwt_path.read_text()
    key = badges.signing_key()
    for i in range(0, len(original), 3):  # every third byte keeps the test fast; each is a distinct edit
        changed = original[:i] + bytes([original[i] ^ 0x01]) + original[i + 1:]
        assert not badges.verify_token(token, key, changed).ok, i


def test_reasons_are_precise(one_badge, tmp_path):
    json_path, jwt_path = one_badge
    key = badges.signing_key()
    token = jwt_path.read_text().strip()
    header, payload, signature = token.split(".")

    # The JSON file edited: which field differs.
    doc = json.loads(json_path.read_text())
    doc["credentialSubject"]["result"][0]["status"] = "Failed"
    json_path.write_text(json.dumps(doc, indent=2) + "\n")
    result = badges.verify_file(json_path)
    assert not result.ok
    assert result.problems == ['the .json file differs from the signed credential at '
                               '/credentialSubject/result/0/status: signed "Completed" ≠ file "Failed"']

    # The same content with other whitespace: not the signed bytes.
    doc["credentialSubject"]["result"][0]["status"] = "Completed"
    json_path.write_text(json.dumps(doc, indent=4) + "\n")
    assert badges.verify_file(json_path).problems == [
        "the .json file has the signed content but not its exact bytes (whitespace or formatting was changed)"]

    # The payload re-encoded with a change, keeping the signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 50.0
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    problems = badges.verify_token(f"{header}.{forged}.{signature}", key).problems
    assert len(problems) == 1 and problems[0].startswith("signature does not match the header and payload")

    # Signed with another key: its kid is not among the issuer's keys.
    other = ECKey.generate_key("P-256", private=True)
    resigned = badges.sign({k: v for k, v in claims.items() if k not in badges.JWT_CLAIMS}, other)
    assert badges.verify_token(resigned, key).problems == [
        f"signed with a different key (kid https://badges.uni-one.test/.well-known/jwks.json#{other.thumbprint()}), "
        f"not one of the issuer's keys ({key.thumbprint()}): the key is not in the JWKS"]

    # No signature next to the file, or not a JWS at all.
    jwt_path.unlink()
    assert badges.verify_file(json_path).problems == [
        f"no signature: {jwt_path.name} not found next to {json_path.name}"]
    assert badges.verify_token("not-a-token", key).problems == [
        "not a compact JWS: expected 3 dot-separated parts, found 1"]
    # alg "none" is never accepted.
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert "unexpected signature algorithm 'none'" in badges.verify_token(f"{none_header}.{payload}.", key).problems[0]


def test_verify_with_a_public_key_file(one_badge, tmp_path):
    json_path, _ = one_badge
    public = badges.load_public_keys(json_path.parent / badges.JWKS_FILE)
    assert badges.verify_file(json_path, key=public).ok
    stranger = tmp_path / "stranger.jwk.json"
    stranger.write_text(json.dumps(ECKey.generate_key("P-256", private=True).as_dict(private=False)))
    result = badges.verify_file(json_path, key=badges.load_public_keys(stranger))
    assert not result.ok and result.problems[0].startswith("signed with a different key")


# --- Command line ----------------------------------------------------------------------------


def test_cli_export_and_verify(session, world, tmp_path, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "cli"
    assert manage.main(["badges", "export", "--employer", "BETA", "--out", str(out)]) == 0
    assert "Wrote 1 Open Badges 3.0 credentials" in capsys.readouterr().out
    (path,) = [p for p in out.glob("*.json") if p.name != badges.JWKS_FILE]
    assert path.name == f"K1_BETA-1_{world.id('E-b1-K1')}.json"
    assert manage.main(["badges", "verify", str(path)]) == 0
    assert f"VALID {path}" in capsys.readouterr().out

    data = bytearray(path.read_bytes())
    data[data.index(b"Completed")] ^= 0x20  # "Completed" -> "completed"
    path.write_bytes(bytes(data))
    assert manage.main(["badges", "verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert "FAILED: the .json file differs from the signed credential at /credentialSubject/result/0/status" in err
    assert f"NOT VALID {path}" in err

    out_hr = tmp_path / "cli-hr"
    assert manage.main(["badges", "export", "--as", "hr@acme.test", "--out", str(out_hr)]) == 0
    assert sorted(p.name for p in out_hr.glob("*.jwt")) == [f"K1_ACME-1_{world.id('E-a1-K1')}.jwt"]
    # Each export is in the access log, under the employer whose people the files name.
    logged = session.execute(select(AccessLogEntry.actor_email, AccessLogEntry.employer_id, AccessLogEntry.rows)
                             .where(AccessLogEntry.view == "badge export (command line)")
                             .order_by(AccessLogEntry.id)).all()
    assert logged == [("system", world.id("B"), 1), ("hr@acme.test", world.id("A"), 1)]


def test_schema_directory_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("OB_SCHEMA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(badges.BadgeError, match="schema is missing"):
        badges.schema_errors({})
