"""Signing a badge as a VC-JWT (compact JWS, RS256 or ES256) and verifying one: key, signature, claims, schema,
file bytes. The header's ``kid`` ("{jwks_url}#{thumbprint}", or a bare thumbprint in badges of earlier versions)
names the key among the trusted ones (the key store's, or a JWKS given); a kid not among them fails.

Verification never raises on a bad token: it returns a ``Verification`` naming each problem found.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.jwk import JWKRegistry

from services.badges.keys import Key, key_alg, key_id, key_url, signing_key, store_keys
from services.badges.schema import schema_errors
from services.badges.settings import ALGORITHMS, JWT_CLAIMS, BadgeError


def render(credential: dict) -> bytes:
    """The exact bytes of a badge's .json file."""
    return (json.dumps(credential, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sign(credential: dict, key: Key | None = None) -> str:
    """The VC-JWT (compact JWS) of ``credential``: payload = credential + iss, jti, nbf; signed with ``key``
    (default: the store's active key) by its algorithm; header kid = the key's URL in the JWKS. No ``jwk`` in
    the header (earlier versions had one): the key comes from the issuer's JWKS, never from the token, and an
    RSA public key would not fit the 512-byte header joserfc accepts."""
    key = key or signing_key()
    alg = key_alg(key)
    not_before = int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": not_before}
    header = {"alg": alg, "typ": "JWT", "kid": key_url(key)}
    return jws.serialize_compact(header, json.dumps(payload, ensure_ascii=False).encode("utf-8"), key,
                                 algorithms=[alg])


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    credential: dict | None = None


def decode_base64url(part: str, what: str, *, error: type[Exception] = BadgeError, altered: str = "token") -> bytes:
    """``part`` decoded, or ``error`` naming ``what``; strict: one value, one encoding. Lenient decoders ignore
    a last character's spare bits, so a changed byte there would otherwise go unnoticed."""
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, base64.binascii.Error):
        raise error(f"the {what} is not base64url") from None
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != part:
        raise error(f"the {what} is not canonical base64url: the {altered} was altered")
    return raw


def _paths_differing(signed: Any, on_file: Any, path: str = "") -> list[str]:
    """Where the .json file's content differs from the signed credential, as JSON-pointer-like paths."""
    if isinstance(signed, dict) and isinstance(on_file, dict):
        differences = []
        for name in list(signed) + [name for name in on_file if name not in signed]:
            if name not in signed or name not in on_file:
                differences.append(f"{path}/{name} ({'added' if name not in signed else 'removed'} in the JSON file)")
            else:
                differences += _paths_differing(signed[name], on_file[name], f"{path}/{name}")
        return differences
    if isinstance(signed, list) and isinstance(on_file, list) and len(signed) == len(on_file):
        return [difference
                for i, (signed_item, file_item) in enumerate(zip(signed, on_file, strict=True))
                for difference in _paths_differing(signed_item, file_item, f"{path}/{i}")]
    if signed != on_file:
        signed_text, file_text = (json.dumps(value, ensure_ascii=False)[:60] for value in (signed, on_file))
        return [f"{path or '/'}: signed {signed_text} ≠ file {file_text}"]
    return []


def _read_header(token: str, result: Verification) -> dict | None:
    """The JWS header of a well-formed compact token signed with RS256 or ES256, or None (the problem recorded)."""
    parts = token.split(".")
    if len(parts) != 3:
        result.problems.append(f"not a compact JWS: expected 3 dot-separated parts, found {len(parts)}")
        return None
    try:
        header = json.loads(decode_base64url(parts[0], "JWS header"))
        decode_base64url(parts[1], "JWS payload")  # checks the encoding is canonical
        decode_base64url(parts[2], "JWS signature")
    except (BadgeError, ValueError) as exc:
        result.problems.append(str(exc) if isinstance(exc, BadgeError) else f"the JWS header is not JSON: {exc}")
        return None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        result.problems.append(f"unexpected signature algorithm "
                               f"{header.get('alg') if isinstance(header, dict) else '?'!r} "
                               f"(badges are signed with {' or '.join(ALGORITHMS)})")
        return None
    return header


def _thumbprint(kid: object) -> str | None:
    """The key's thumbprint in a header kid: the fragment of "{jwks_url}#{thumbprint}", or a bare thumbprint."""
    return str(kid).rpartition("#")[2] if isinstance(kid, str) and kid else None


def _valid_for_embedded_key(token: str, header: dict) -> bool:
    """Whether the token verifies with the public key in its own header (badges of earlier versions carry one):
    then it is signed, just not by a key we trust."""
    embedded = header.get("jwk")
    if not isinstance(embedded, dict):
        return False
    try:
        jws.deserialize_compact(token, JWKRegistry.import_key(embedded), algorithms=[header["alg"]])
    except Exception:  # noqa: BLE001 - a malformed or non-matching embedded key: not valid
        return False
    return True


def _unknown_key(token: str, header: dict, trusted: dict[str, Key]) -> str:
    """Why a token whose kid names none of the trusted keys fails, readably."""
    valid = _valid_for_embedded_key(token, header)
    return (f"signed with a different key (kid {header.get('kid')}), not one of the issuer's keys "
            f"({', '.join(trusted)}): the key is not in the JWKS"
            + (", so it is not trusted although the signature is valid for the key in its header" if valid else ""))


def _trusted_key(token: str, header: dict, trusted: dict[str, Key], result: Verification) -> Key | None:
    """The trusted key the header's kid names (without a kid: the only trusted key of the header's algorithm)."""
    thumbprint = _thumbprint(header.get("kid"))
    if thumbprint is None:
        fitting = [key for key in trusted.values() if key_alg(key) == header["alg"]]
        if len(fitting) == 1:
            return fitting[0]
        result.problems.append("the JWS header names no key (kid) and the issuer has several: cannot tell which")
        return None
    key = trusted.get(thumbprint)
    if key is None:
        result.problems.append(_unknown_key(token, header, trusted))
    elif key_alg(key) != header["alg"]:
        result.problems.append(f"the header's algorithm {header['alg']} does not fit the key {thumbprint} "
                               f"({key_alg(key)}): the header was changed")
        return None
    return key


def _check_claims(payload: dict, credential: dict, result: Verification) -> None:
    claims_problems = []
    if payload.get("iss") != (credential.get("issuer") or {}).get("id"):
        claims_problems.append("iss ≠ issuer.id")
    if payload.get("jti") != credential.get("id"):
        claims_problems.append("jti ≠ id")
    try:
        not_before = int(datetime.fromisoformat(str(credential.get("validFrom")).replace("Z", "+00:00")).timestamp())
    except ValueError:
        not_before = None
    if payload.get("nbf") != not_before:
        claims_problems.append("nbf ≠ validFrom")
    if claims_problems:
        result.problems.append("the JWT claims disagree with the credential: " + ", ".join(claims_problems))
    else:
        result.checks.append("JWT claims iss, jti, nbf match the credential")


def _compare_file(credential: dict, json_bytes: bytes, result: Verification) -> None:
    """The .json file beside the token must be the signed credential, byte for byte."""
    if json_bytes == render(credential):
        result.checks.append("the .json file is byte-identical to the signed credential")
        return
    try:
        on_file = json.loads(json_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        result.problems.append(f"the .json file differs from the signed credential: it is not valid JSON ({exc})")
        return
    differences = _paths_differing(credential, on_file)
    if differences:
        result.problems.append("the .json file differs from the signed credential at "
                               + "; ".join(differences[:5]) + (" …" if len(differences) > 5 else ""))
    else:
        result.problems.append("the .json file has the signed content but not its exact bytes "
                               "(whitespace or formatting was changed)")


def verify_token(token: str, keys: Key | list[Key], json_bytes: bytes | None = None) -> Verification:
    """Check a VC-JWT against the trusted ``keys`` (one key, or the issuer's active and retired keys) and, when
    given, the .json file's bytes."""
    result = Verification(ok=False)
    token = token.strip()
    header = _read_header(token, result)
    if header is None:
        return result
    trusted = {key_id(key): key for key in (keys if isinstance(keys, list) else [keys])}
    key = _trusted_key(token, header, trusted, result)
    if key is None:
        return result
    try:
        signed = jws.deserialize_compact(token, key, algorithms=[header["alg"]])
        result.checks.append(f"signature valid ({header['alg']}) for the issuer's key {key_id(key)}")
    except Exception as exc:  # untrusted input: joserfc may raise KeyError/TypeError on odd headers too
        result.problems.append("signature does not match the header and payload: the signed content (or the "
                               f"signature) was changed after signing ({type(exc).__name__})")
        return result
    try:
        payload = json.loads(signed.payload)
    except ValueError:
        result.problems.append("the signed payload is not JSON")
        return result
    credential = {name: value for name, value in payload.items() if name not in JWT_CLAIMS}
    result.credential = credential
    _check_claims(payload, credential, result)
    errors = schema_errors(credential)
    if errors:
        result.problems.append("the signed credential is not a valid OpenBadgeCredential: " + "; ".join(errors[:5]))
    else:
        result.checks.append("valid against the Open Badges 3.0 AchievementCredential schema")
    if json_bytes is not None:
        _compare_file(credential, json_bytes, result)
    result.ok = not result.problems
    return result


def verify_file(path: str | Path, *, key: Key | list[Key] | None = None) -> Verification:
    """Verify ``<name>.jwt`` or ``<name>.json`` (with its sibling): signature, claims, schema, and bytes."""
    path = Path(path)
    jwt_path = path if path.suffix == ".jwt" else path.with_suffix(".jwt")
    json_path = path if path.suffix == ".json" else path.with_suffix(".json")
    if not jwt_path.is_file():
        return Verification(ok=False, problems=[f"no signature: {jwt_path.name} not found next to {path.name}"])
    try:
        token = jwt_path.read_text(encoding="ascii")
    except (UnicodeDecodeError, OSError) as exc:
        return Verification(ok=False, problems=[f"{jwt_path.name} is not an ASCII compact JWS ({exc})"])
    trusted = key or store_keys(create=False)  # the active and retired keys: old badges still verify
    json_bytes = json_path.read_bytes() if json_path.is_file() else None
    if path.suffix == ".json" and json_bytes is None:
        return Verification(ok=False, problems=[f"{path} not found"])
    return verify_token(token, trusted, json_bytes)
