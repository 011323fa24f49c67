"""Verifying a sealed European Digital Credential: the file's structure, the seal (RS256 against the
certificate in x5c), whether that certificate is trusted, and the payload's conformance to the EDC shapes.

Never raises on a bad file: it returns a ``Verification`` naming each check passed and each problem found.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from services.badges.verifying import Verification, decode_base64url
from services.edc.conformance import conformance_problems
from services.edc.seal import issuer_serial, load_chain, thumbprint
from services.edc.sealing import signing_input
from services.edc.settings import ALG, CONTEXT, TYPE, EdcError, cert_path


def _base64url(part: str, what: str) -> bytes:
    return decode_base64url(part, what, error=EdcError, altered="file")


def _structure(document) -> tuple[str, str, str]:
    """(protected, payload, signature) of a JWS in JSON serialisation with one signature."""
    if not isinstance(document, dict) or not isinstance(document.get("payload"), str):
        raise EdcError("not a sealed credential: no JWS payload")
    signatures = document.get("signatures")
    if not (isinstance(signatures, list) and len(signatures) == 1 and isinstance(signatures[0], dict)):
        raise EdcError("a sealed credential has exactly one signature")
    protected, signature = signatures[0].get("protected"), signatures[0].get("signature")
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise EdcError("the signature has no protected header or no signature value")
    return protected, document["payload"], signature


def _chain(header: dict) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(value, validate=True)) for value in header["x5c"]]
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise EdcError("the header has no readable certificate (x5c)") from None


def _trusted_in_chain(chain: list[x509.Certificate], trusted: set[str]) -> bool:
    """The seal's certificate is trusted, or is issued (through the chain in x5c) by a trusted certificate.
    Only the signatures along the chain are checked, not validity dates, key usage or revocation."""
    for position, certificate in enumerate(chain):
        if thumbprint(certificate) in trusted:
            try:
                for lower, upper in zip(chain[:position], chain[1:position + 1], strict=True):
                    lower.verify_directly_issued_by(upper)
            except (ValueError, TypeError, InvalidSignature):
                return False
            return True
    return False


def _header(protected: str) -> tuple[dict, x509.Certificate]:
    try:
        header = json.loads(_base64url(protected, "protected header"))
    except ValueError:
        raise EdcError("the protected header is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") != ALG:
        raise EdcError(f"the seal's algorithm is not {ALG}")
    if header.get("b64", True) is not False or "b64" not in (header.get("crit") or []):
        raise EdcError("the payload must be unencoded (b64 false, critical), as the Commission's sample")
    chain = _chain(header)
    if not chain:
        raise EdcError("the header has no readable certificate (x5c)")
    certificate = chain[0]
    if "x5t#S256" in header and header["x5t#S256"] != thumbprint(certificate):
        raise EdcError("the certificate thumbprint (x5t#S256) is not the certificate's")
    if "kid" in header and header["kid"] != issuer_serial(certificate):
        raise EdcError("the kid is not the certificate's issuer and serial number")
    return header, certificate


def _trusted_thumbprints(trusted: str | Path | None) -> set[str]:
    """What the verifier trusts: every certificate in a given PEM file (a seal's, or its CA's), or a given
    x5t#S256 thumbprint; by default the deployment's own seal certificate only (which is how its self-signed
    development certificate is trusted)."""
    if trusted is None:
        path = cert_path()
        return {thumbprint(load_chain(path)[0])} if path.exists() else set()
    if Path(str(trusted)).is_file():
        return {thumbprint(certificate) for certificate in load_chain(Path(trusted))}
    return {str(trusted).strip()}


def verify_document(document, *, trusted: str | Path | None = None, conformance: bool = True) -> Verification:
    result = Verification(ok=False)
    try:
        protected, payload, signature = _structure(document)
        header, certificate = _header(protected)
        result.checks.append(f"JWS structure, {ALG}, certificate {certificate.subject.rfc4514_string()[:80]}")
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise EdcError("the certificate's key is not RSA")
        try:
            public_key.verify(_base64url(signature, "signature"), signing_input(protected, payload),
                              padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise EdcError("the seal does not match: the payload or the header was changed after sealing") from None
        result.checks.append("the seal matches the payload and the header")
        if _trusted_in_chain(_chain(header), _trusted_thumbprints(trusted)):
            result.checks.append("the seal's certificate is trusted")
        else:
            result.problems.append("the seal's certificate is neither the deployment's nor the one given as trusted")
        credential = json.loads(payload)
    except EdcError as exc:
        result.problems.append(str(exc))
        return result
    except ValueError:
        result.problems.append("the payload is not JSON")
        return result
    result.credential = credential
    if not isinstance(credential, dict) or credential.get("type") != TYPE or \
            credential.get("@context") != CONTEXT:
        result.problems.append("the payload is not a EuropeanDigitalCredential with the ELM v3 contexts")
    elif conformance:
        problems = conformance_problems(credential)
        result.problems += [f"shapes: {problem}" for problem in problems[:10]]
        if not problems:
            result.checks.append("the credential conforms to the EDC generic shapes")
    result.ok = not result.problems
    return result


def verify_file(path: str | Path, *, trusted: str | Path | None = None, conformance: bool = True) -> Verification:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Verification(ok=False, problems=[f"cannot read {path} as JSON: {exc}"])
    return verify_document(document, trusted=trusted, conformance=conformance)
