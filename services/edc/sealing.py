"""Sealing a credential as the Commission seals its sample: a JWS in JSON serialisation whose payload is the
credential itself, unencoded (RFC 7797, "b64": false), signed RS256, the protected header naming the seal's
certificate chain (x5c), its SHA-256 thumbprint (x5t#S256) and, as kid, its issuer and serial number."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from services.edc.seal import Seal, b64url, issuer_serial, seal, thumbprint
from services.edc.settings import ALG, SEAL_TYPE


def payload_text(credential: dict) -> str:
    """The payload: the credential as compact JSON (no base64: it stays readable in the file)."""
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def protected_header(the_seal: Seal) -> dict:
    return {
        "alg": ALG,
        "typ": SEAL_TYPE,
        "cty": "application/ld+json",
        "kid": issuer_serial(the_seal.certificate),
        "x5t#S256": thumbprint(the_seal.certificate),
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in the_seal.chain],
        "b64": False,
        "crit": ["b64"],
    }


def signing_input(protected: str, payload: str) -> bytes:
    """RFC 7797: the protected header (base64url) '.' the payload's own bytes."""
    return protected.encode("ascii") + b"." + payload.encode("utf-8")


def seal_credential(credential: dict, the_seal: Seal | None = None) -> dict:
    """The sealed document (JWS JSON serialisation) of ``credential``."""
    the_seal = the_seal or seal()
    protected = b64url(json.dumps(protected_header(the_seal), separators=(",", ":")).encode("utf-8"))
    payload = payload_text(credential)
    signature = the_seal.key.sign(signing_input(protected, payload), padding.PKCS1v15(), hashes.SHA256())
    return {"payload": payload, "signatures": [{"protected": protected, "signature": b64url(signature)}]}


def render(sealed: dict) -> bytes:
    """The bytes of a sealed .jsonld file."""
    return (json.dumps(sealed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
