"""Sealing and verifying European Digital Credentials: RS256 over the unencoded payload with the certificate in
x5c, the development seal outside the repository (0600), every altered byte caught, trust, the sample."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from db.models import Enrollment
from services.edc import EdcError, build
from services.edc.seal import seal, thumbprint
from services.edc.sealing import seal_credential
from services.edc.verifying import verify_document, verify_file
from tests.services import edc_helpers

edc_world, seal_files = edc_helpers.edc_world, edc_helpers.seal_files
DATA = Path(__file__).resolve().parents[1] / "data" / "elm-3"


def header_of(sealed: dict) -> dict:
    protected = sealed["signatures"][0]["protected"]
    return json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))


@pytest.fixture
def sealed(session, edc_world):
    return seal_credential(build(session, session.get(Enrollment, edc_world.id("E-a1-K1"))))


def test_the_development_seal_is_made_once_outside_the_repository(seal_files):
    first = seal()
    key_file = seal_files / "edc-seal-key.pem"
    assert (seal_files / "edc-seal-cert.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(seal_files.stat().st_mode) == 0o700
    assert first.key.key_size == 3072
    again = seal()
    assert thumbprint(again.certificate) == thumbprint(first.certificate)  # not regenerated
    assert "not qualified" in first.certificate.subject.rfc4514_string()


def test_the_seal_follows_the_commissions_header(sealed):
    header = header_of(sealed)
    assert header["alg"] == "RS256" and header["b64"] is False and header["crit"] == ["b64"]
    assert header["typ"] == "jose+json"
    certificate = seal().certificate
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert header["x5c"] == [base64.b64encode(der).decode()]
    assert header["x5t#S256"] == thumbprint(certificate)
    assert json.loads(sealed["payload"])["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]


def test_a_sealed_credential_verifies_and_conforms(sealed):
    result = verify_document(sealed)
    assert result.ok, result.problems
    assert "the seal's certificate is trusted" in result.checks
    assert "the credential conforms to the EDC generic shapes" in result.checks
    assert result.credential["credentialSubject"]["fullName"] == {"en": "Ann One"}


def _flip(text: str, at: int) -> str:
    replacement = "A" if text[at] != "A" else "B"
    return text[:at] + replacement + text[at + 1:]


@pytest.mark.parametrize("part", ["payload", "protected", "signature"])
def test_a_changed_byte_fails_with_a_readable_problem(sealed, part):
    for at in (0, 17, -2):
        document = json.loads(json.dumps(sealed))
        if part == "payload":
            text = document["payload"]
            where = text.index("Ann One") + (at % 7)
            document["payload"] = _flip(text, where)
        else:
            signature = document["signatures"][0]
            signature[part] = _flip(signature[part], at % len(signature[part]))
        result = verify_document(document, conformance=False)
        assert not result.ok
        assert result.problems and all(isinstance(problem, str) and problem for problem in result.problems)
    assert verify_document(sealed, conformance=False).ok


def test_an_unknown_certificate_is_not_trusted(sealed, tmp_path, monkeypatch):
    monkeypatch.setenv("EDC_SEAL_KEY", str(tmp_path / "other" / "key.pem"))
    result = verify_document(sealed, conformance=False)
    assert result.problems == ["the seal's certificate is neither the deployment's nor the one given as trusted"]


def test_the_commissions_signed_sample_verifies_against_its_own_certificate():
    document = json.loads((DATA / "Sample-MC-Annex1-signed.jsonld").read_text())
    fingerprint = header_of(document)["x5t#S256"]
    # Its conformance: tests/services/test_edc_building.py.
    result = verify_document(document, trusted=fingerprint, conformance=False)
    assert result.ok, result.problems
    untrusted = verify_document(document, conformance=False)
    assert untrusted.problems == ["the seal's certificate is neither the deployment's nor the one given as trusted"]


def test_a_file_that_is_not_a_sealed_credential(tmp_path):
    path = tmp_path / "x.jsonld"
    path.write_text(json.dumps({"hello": 1}))
    assert verify_file(path).problems == ["not a sealed credential: no JWS payload"]
    path.write_text("{")
    assert verify_file(path).problems[0].startswith("cannot read")


def _issued_chain(tmp_path):
    """A CA and a seal certificate it issued, as a trust service would provide (key, chain, CA)."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    def certificate(subject, issuer, public_key, signing_key, ca):
        now = datetime.now(timezone.utc)
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(signing_key, hashes.SHA256()))

    # Two distinct keys (the fixture hands every other test one shared key).
    ca_key, seal_key = (edc_helpers._generate(public_exponent=65537, key_size=2048) for _ in range(2))
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test QTSP CA")])
    seal_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Uni One seal")])
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
    leaf = certificate(seal_name, ca_name, seal_key.public_key(), ca_key, False)
    pem = serialization.Encoding.PEM
    (tmp_path / "key.pem").write_bytes(seal_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
    (tmp_path / "chain.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    return tmp_path / "key.pem", tmp_path / "chain.pem", tmp_path / "ca.pem"


def test_a_deployment_seal_from_a_trust_service(session, edc_world, tmp_path, monkeypatch):
    key, chain, ca = _issued_chain(tmp_path)
    monkeypatch.setenv("EDC_SEAL_KEY", str(key))
    monkeypatch.setenv("EDC_SEAL_CERT", str(chain))
    sealed = seal_credential(build(session, session.get(Enrollment, edc_world.id("E-b1-K1"))))
    assert len(header_of(sealed)["x5c"]) == 2  # the chain, the seal's certificate first
    assert verify_document(sealed, conformance=False).ok  # the deployment's own certificate
    assert verify_document(sealed, trusted=ca, conformance=False).ok  # issued by a trusted CA
    (tmp_path / "other").mkdir()
    *_, other_ca = _issued_chain(tmp_path / "other")
    assert not verify_document(sealed, trusted=other_ca, conformance=False).ok


def test_a_configured_seal_is_never_replaced_by_a_development_one(tmp_path, monkeypatch):
    monkeypatch.setenv("EDC_SEAL_KEY", str(tmp_path / "missing-key.pem"))
    monkeypatch.setenv("EDC_SEAL_CERT", str(tmp_path / "missing-chain.pem"))
    with pytest.raises(EdcError, match="No EDC seal"):
        seal()
    assert not (tmp_path / "missing-key.pem").exists()
