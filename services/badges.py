"""Open Badges 3.0: one signed OpenBadgeCredential per completed enrollment the user may see.

Files written per badge (``export``)::

    <name>.json   the OpenBadgeCredential, readable; valid against the official 1EdTech JSON schema
    <name>.jwt    the same credential signed as a VC-JWT: a compact JWS (ES256) whose payload is the
                  credential plus the JWT claims iss (= issuer.id), jti (= id) and nbf (= validFrom)

and once per export ``issuer-public-key.jwk.json`` (the public key; its ``kid`` is in every JWS header).
The .jwt is the proof; the .json must be byte-identical to the credential in it (``verify`` checks).

Decisions
- Issuer: the credential's university as a Profile; ``creator`` of the Achievement: the co-designing
  employer when there is one; Open Badges allows a single creator, so with several co-designers
  ``creator`` is the university and all of them are listed in the extension property ``coDesigners``.
- Recipient: never the plain email. ``credentialSubject.identifier`` is an IdentityObject holding
  ``sha256$hex(email + salt)`` (the OB 3.0 IdentityHash), with a per-badge salt; employees without an
  email are identified by their employer's HRIS id, hashed the same way.
- The badge's content does not depend on who exports it (so a re-export signs the same claims);
  only *which* enrollments are exported depends on the scope.
- Key: an ES256 (P-256) private JWK generated on first use at BADGE_SIGNING_KEY (default
  data/keys/badge-signing-key.json, git-ignored), mode 0600; never in the repository.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry
from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy import select
from sqlmodel import Session

from db.engine import ROOT
from db.models import (
    Cohort,
    Credential,
    CredentialPartner,
    CredentialSkill,
    Employee,
    Enrollment,
    EnrollmentStatus,
    LearningOutcome,
    Organization,
    Skill,
)
from db.scope import Scope, visible
from services.filters import Filters, resolve_period, scoped_enrollments

log = logging.getLogger(__name__)

ALG = "ES256"
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
JWT_CLAIMS = ("iss", "jti", "nbf")
PUBLIC_KEY_FILE = "issuer-public-key.jwk.json"
DEFAULT_BASE_URL = "https://microcredentials.invalid"  # set BADGE_BASE_URL in a deployment
MAX_PAGE_BADGES = 2000


class BadgeError(RuntimeError):
    """Badges cannot be built, signed or verified, with the reason."""


def schema_dir() -> Path:
    """The Open Badges 3.0 schema kept in the repository (services/schemas/README.md), or OB_SCHEMA_DIR."""
    return Path(os.environ.get("OB_SCHEMA_DIR") or Path(__file__).resolve().parent / "schemas" / "openbadges-3.0")


def key_path() -> Path:
    return Path(os.environ.get("BADGE_SIGNING_KEY") or ROOT / "data" / "keys" / "badge-signing-key.json")


def base_url() -> str:
    return (os.environ.get("BADGE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


# --- Schema validation ---------------------------------------------------------

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker() -> FormatChecker:
    """Format checks on, including date-time (jsonschema skips it without an optional package)."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:  # noqa: ANN001
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.match(value):
            return False
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T").replace("Z", "+00:00"))
        return True

    return checker


@lru_cache(maxsize=4)
def _validator(directory: str) -> Draft201909Validator:
    path = Path(directory) / SCHEMA_FILE
    if not path.is_file():
        raise BadgeError(f"The Open Badges 3.0 schema is missing: {path} (set OB_SCHEMA_DIR).")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_format_checker())


def schema_errors(credential: dict) -> list[str]:
    """Why ``credential`` is not a valid OpenBadgeCredential (empty when it is)."""
    errors = sorted(_validator(str(schema_dir())).iter_errors(credential), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


# --- The signing key -------------------------------------------------------------


def _kid(key: ECKey) -> str:
    return key.thumbprint()


def signing_key(*, create: bool = True) -> ECKey:
    """The deployment's private key, generated on first use (file mode 0600, directory 0700)."""
    path = key_path()
    if not path.exists():
        if not create:
            raise BadgeError(f"No badge signing key at {path} (set BADGE_SIGNING_KEY).")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = ECKey.generate_key("P-256", private=True)
        data = {**key.as_dict(private=True), "kid": _kid(key), "alg": ALG, "use": "sig"}
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the key meanwhile: then use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        log.info("generated a badge signing key at %s", path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("badge signing key %s is readable by others (mode %o); run chmod 600", path, mode)
    try:
        key = JWKRegistry.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, JoseError) as exc:
        raise BadgeError(f"{path} is not a JWK private key: {exc}") from None
    if not isinstance(key, ECKey) or not key.is_private:
        raise BadgeError(f"{path} must hold an EC P-256 private key (for {ALG}).")
    return key


def public_jwk(key: ECKey | None = None) -> dict:
    key = key or signing_key()
    return {**key.as_dict(private=False), "kid": _kid(key), "alg": ALG, "use": "sig"}


def load_public_key(path: Path) -> ECKey:
    """A public (or private) JWK, or a JWKS with one key, from a file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if "keys" in data:
            data = data["keys"][0]
        key = JWKRegistry.import_key({k: v for k, v in data.items() if k != "d"})
    except (OSError, ValueError, KeyError, IndexError, JoseError) as exc:
        raise BadgeError(f"Cannot read a public key from {path}: {exc}") from None
    if not isinstance(key, ECKey):
        raise BadgeError(f"{path} does not hold an EC key.")
    return key


# --- Building ------------------------------------------------------------------------


def _dt(d: date | datetime) -> str:
    if isinstance(d, datetime):
        return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{d.isoformat()}T00:00:00Z"


def _profile(org: Organization) -> dict:
    return {"id": f"{base_url()}/issuers/{quote(org.code, safe='')}", "type": ["Profile"], "name": org.name}


def credential_uri(enrollment_id: int) -> str:
    """Stable per enrollment and deployment, so a re-export keeps the badge's id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/enrollments/{enrollment_id}')}"


def achievement(session: Session, cred: Credential) -> dict:
    """The credential as an OB 3.0 Achievement (MicroCredential)."""
    uni = session.get(Organization, cred.university_id)
    ach_id = f"{base_url()}/achievements/{quote(cred.code, safe='')}"
    outcomes = session.scalars(select(LearningOutcome.text).where(LearningOutcome.credential_id == cred.id)
                               .order_by(LearningOutcome.position)).all()
    skills = session.execute(
        select(Skill.id, Skill.name, Skill.esco_uri, CredentialSkill.proficiency)
        .join(CredentialSkill, CredentialSkill.skill_id == Skill.id)
        .where(CredentialSkill.credential_id == cred.id).order_by(Skill.name)
    ).all()
    partners = session.scalars(
        select(Organization).join(CredentialPartner, CredentialPartner.employer_id == Organization.id)
        .where(CredentialPartner.credential_id == cred.id).order_by(Organization.name)
    ).all()
    narrative = "Learners who earn this micro-credential can:\n\n" + "\n".join(
        f"{i}. {t}" for i, t in enumerate(outcomes, 1)) if outcomes else "Completion of the micro-credential."
    if partners:
        narrative += f"\n\nCo-designed by {uni.name} with {', '.join(p.name for p in partners)}."
    out: dict[str, Any] = {
        "id": ach_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": cred.title,
        "description": cred.summary or cred.title,
        "criteria": {"narrative": narrative},
        "humanCode": cred.code,
        "version": str(cred.version),
        "creditsAvailable": float(cred.ects_credits),
        "tag": [f"EQF level {cred.eqf_level}", cred.delivery_mode.replace("_", " ")],
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": name,
                "targetUrl": esco or f"{base_url()}/skills/{sid}",
                "targetCode": esco or str(sid),
                "targetFramework": "ESCO" if esco else f"{uni.name} skills",
                "targetType": "ext:ESCOSkill" if esco else "ext:Skill",
                "targetDescription": f"Proficiency {prof} of 5",
            }
            for sid, name, esco, prof in skills
        ],
        "resultDescription": [
            {"id": f"{ach_id}#status", "type": ["ResultDescription"], "name": "Status", "resultType": "Status"},
            {"id": f"{ach_id}#score", "type": ["ResultDescription"], "name": "Score", "resultType": "Percent",
             "valueMin": "0", "valueMax": "100"},
        ],
    }
    if len(partners) == 1:
        out["creator"] = _profile(partners[0])
    elif partners:
        out["creator"] = _profile(uni)
        out["coDesigners"] = [_profile(p) for p in partners]
    return out


def _identity(email: str | None, employer_code: str, employee_ref: str, salt: str) -> dict:
    if email and email.strip():
        value, kind = email.strip().lower(), "emailAddress"
    else:
        value, kind = f"{employer_code}:{employee_ref}", "sourcedId"
    digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": kind, "hashed": True,
            "salt": salt}


def build(session: Session, enrollment: Enrollment, *, _achievements: dict | None = None) -> dict:
    """The OpenBadgeCredential for one completed enrollment (unsigned)."""
    if enrollment.status != EnrollmentStatus.completed or enrollment.completed_on is None:
        raise BadgeError(f"Enrollment {enrollment.id} is not completed; only completions earn a badge.")
    cred = session.get(Credential, enrollment.credential_id)
    emp = session.get(Employee, enrollment.employee_id)
    employer = session.get(Organization, emp.employer_id)
    uni = session.get(Organization, cred.university_id)
    cache = _achievements if _achievements is not None else {}
    if cred.id not in cache:
        cache[cred.id] = achievement(session, cred)
    ach = cache[cred.id]
    cid = credential_uri(enrollment.id)
    salt = hashlib.sha256(f"salt:{cid}".encode()).hexdigest()[:16]
    results: list[dict] = [{"type": ["Result"], "resultDescription": f"{ach['id']}#status", "status": "Completed"}]
    if enrollment.score is not None:
        results.append({"type": ["Result"], "resultDescription": f"{ach['id']}#score",
                        "value": f"{enrollment.score:g}"})
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(emp.email, employer.code, emp.employee_ref, salt)],
        "achievement": ach,
        "activityStartDate": _dt(enrollment.enrolled_on),
        "activityEndDate": _dt(enrollment.completed_on),
        "creditsEarned": float(cred.ects_credits),
        "result": results,
    }
    cohort = session.get(Cohort, enrollment.cohort_id)
    if cohort is not None:
        subject["term"] = cohort.code
    return {
        "@context": list(CONTEXT),
        "id": cid,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": cred.title,
        "issuer": _profile(uni),
        "validFrom": _dt(enrollment.completed_on),
        "awardedDate": _dt(enrollment.completed_on),
        "credentialSubject": subject,
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }


# --- Signing and verifying -------------------------------------------------------------


def render(credential: dict) -> bytes:
    """The exact bytes of a badge's .json file."""
    return (json.dumps(credential, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sign(credential: dict, key: ECKey | None = None) -> str:
    """The VC-JWT (compact JWS) of ``credential``: payload = credential + iss, jti, nbf."""
    key = key or signing_key()
    nbf = int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": nbf}
    header = {"alg": ALG, "typ": "JWT", "kid": _kid(key), "jwk": key.as_dict(private=False)}
    return jws.serialize_compact(header, json.dumps(payload, ensure_ascii=False).encode("utf-8"), key,
                                 algorithms=[ALG])


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    credential: dict | None = None


def _b64(part: str, what: str) -> bytes:
    pad = "=" * (-len(part) % 4)
    try:
        raw = base64.urlsafe_b64decode(part + pad)
    except (ValueError, base64.binascii.Error):
        raise BadgeError(f"the {what} is not base64url") from None
    # Strict: one token, one encoding. Lenient decoders ignore a last character's spare bits,
    # so a changed byte there would otherwise go unnoticed.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != part:
        raise BadgeError(f"the {what} is not canonical base64url: the token was altered")
    return raw


def _paths_differing(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}/{k} ({'added' if k not in a else 'removed'} in the JSON file)")
            else:
                out += _paths_differing(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in _paths_differing(x, y, f"{path}/{i}")]
    if a != b:
        signed, on_file = (json.dumps(value, ensure_ascii=False)[:60] for value in (a, b))
        return [f"{path or '/'}: signed {signed} ≠ file {on_file}"]
    return []


def _read_header(token: str, result: Verification) -> dict | None:
    """The JWS header of a well-formed compact token signed with ALG, or None (the problem recorded)."""
    parts = token.split(".")
    if len(parts) != 3:
        result.problems.append(f"not a compact JWS: expected 3 dot-separated parts, found {len(parts)}")
        return None
    try:
        header = json.loads(_b64(parts[0], "JWS header"))
        _b64(parts[1], "JWS payload")  # checks the encoding is canonical
        _b64(parts[2], "JWS signature")
    except (BadgeError, ValueError) as exc:
        result.problems.append(str(exc) if isinstance(exc, BadgeError) else f"the JWS header is not JSON: {exc}")
        return None
    if not isinstance(header, dict) or header.get("alg") != ALG:
        result.problems.append(f"unexpected signature algorithm "
                               f"{header.get('alg') if isinstance(header, dict) else '?'!r} "
                               f"(badges are signed with {ALG})")
        return None
    return header


def _why_signature_fails(token: str, header: dict, trusted_kid: str, exc: Exception) -> str:
    """Name the reason a signature did not verify with the deployment key."""
    embedded = header.get("jwk")
    if isinstance(embedded, dict):
        try:
            other = JWKRegistry.import_key(embedded)
            jws.deserialize_compact(token, other, algorithms=[ALG])
        except Exception:  # noqa: BLE001 - a malformed or non-matching embedded key: the reasons below
            pass
        else:
            if header.get("kid") != trusted_kid or _kid(other) != trusted_kid:
                return (f"signed with a different key (kid {header.get('kid')}), not the deployment key "
                        f"{trusted_kid}: the signature is valid but the key is not trusted")
            return "signature does not match"
    if header.get("kid") not in (None, trusted_kid):
        return f"signed with a different key (kid {header.get('kid')}; expected {trusted_kid})"
    return ("signature does not match the header and payload: the signed content (or the "
            f"signature) was changed after signing ({type(exc).__name__})")


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


def verify_token(token: str, key: ECKey, json_bytes: bytes | None = None) -> Verification:
    """Check a VC-JWT against the trusted ``key`` and, when given, the .json file's bytes."""
    result = Verification(ok=False)
    token = token.strip()
    header = _read_header(token, result)
    if header is None:
        return result
    trusted_kid = _kid(key)
    try:
        signed = jws.deserialize_compact(token, key, algorithms=[ALG])
        result.checks.append(f"signature valid for the deployment key {trusted_kid}")
    except Exception as exc:  # untrusted input: joserfc may raise KeyError/TypeError on odd headers too
        result.problems.append(_why_signature_fails(token, header, trusted_kid, exc))
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


def verify_file(path: str | Path, *, key: ECKey | None = None) -> Verification:
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
    trusted = key or signing_key(create=False)
    json_bytes = json_path.read_bytes() if json_path.is_file() else None
    if path.suffix == ".json" and json_bytes is None:
        return Verification(ok=False, problems=[f"{path} not found"])
    return verify_token(token, trusted, json_bytes)


# --- Export -------------------------------------------------------------------------


def completed_enrollments(session: Session, scope: Scope, filters: Filters | None = None, *,
                          today: date | None = None, limit: int | None = None) -> list[Enrollment]:
    """Completed enrollments the scope may see, narrowed by the filters (period: completed in it)."""
    f = filters or Filters()
    stmt = (
        scoped_enrollments(scope, f, Enrollment)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .where(Enrollment.status == EnrollmentStatus.completed, Enrollment.completed_on.is_not(None),
               visible(scope, Enrollment), visible(scope, Credential))
        .order_by(Enrollment.completed_on, Enrollment.id)
    )
    if f.period is not None:
        p = resolve_period(f, today or date.today())
        stmt = stmt.where(Enrollment.completed_on >= p.start, Enrollment.completed_on <= p.end)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).all())


def _file_stem(session: Session, enrollment: Enrollment, cache: dict) -> str:
    key = (enrollment.credential_id, enrollment.employee_id)
    if key not in cache:
        code = session.get(Credential, enrollment.credential_id).code
        emp = session.get(Employee, enrollment.employee_id)
        employer = session.get(Organization, emp.employer_id).code
        cache[key] = f"{code}_{employer}-{emp.employee_ref}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{cache[key]}_{enrollment.id}")


def _preload(session: Session, enrollments: list[Enrollment]) -> list:
    """Load the rows ``build`` reads in a few bulk queries, not one query per badge.

    The session's identity map holds objects weakly: keep the returned list while building.
    """
    def load(model, ids) -> list:
        ids, rows = sorted(set(ids)), []
        for i in range(0, len(ids), 1000):
            rows += session.scalars(select(model).where(model.id.in_(ids[i:i + 1000]))).all()
        return rows

    employees = load(Employee, (e.employee_id for e in enrollments))
    credentials = load(Credential, (e.credential_id for e in enrollments))
    cohorts = load(Cohort, (e.cohort_id for e in enrollments))
    orgs = load(Organization, [x.employer_id for x in employees] + [c.university_id for c in credentials])
    return [*employees, *credentials, *cohorts, *orgs]


def badge_files(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
                limit: int | None = None, validate: bool = True) -> dict[str, bytes]:
    """{file name: bytes} for every completed enrollment in scope: <stem>.json, <stem>.jwt, and the public key."""
    key = signing_key()
    files: dict[str, bytes] = {}
    achievements: dict = {}
    names: dict = {}
    enrollments = completed_enrollments(session, scope, filters, today=today, limit=limit)
    rows = _preload(session, enrollments)  # noqa: F841  (kept alive: the identity map is weak)
    for enr in enrollments:
        doc = build(session, enr, _achievements=achievements)
        if validate:
            errors = schema_errors(doc)
            if errors:
                raise BadgeError(f"The badge of enrollment {enr.id} is not schema-valid: {'; '.join(errors[:3])}")
        stem = _file_stem(session, enr, names)
        files[f"{stem}.json"] = render(doc)
        files[f"{stem}.jwt"] = (sign(doc, key) + "\n").encode("ascii")
    if files:
        files[PUBLIC_KEY_FILE] = (json.dumps(public_jwk(key), indent=2) + "\n").encode("utf-8")
    return files


def export(session: Session, scope: Scope, out_dir: str | Path, filters: Filters | None = None, *,
           today: date | None = None) -> list[Path]:
    """Write the badge files into ``out_dir``; returns the .json paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in badge_files(session, scope, filters, today=today).items():
        (out / name).write_bytes(data)
        if name.endswith(".json") and name != PUBLIC_KEY_FILE:
            written.append(out / name)
    return written


def export_zip(session: Session, scope: Scope, filters: Filters | None = None, *, today: date | None = None,
               limit: int = MAX_PAGE_BADGES) -> tuple[int, bytes]:
    """(badges, zip bytes) for the page's download button."""
    files = badge_files(session, scope, filters, today=today, limit=limit)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return sum(1 for n in files if n.endswith(".jwt")), buf.getvalue()
