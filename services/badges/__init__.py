"""Open Badges 3.0: one signed OpenBadgeCredential per completed enrollment the user may see.

Files written per badge (``export``)::

    <name>.json   the OpenBadgeCredential, readable; valid against the official 1EdTech JSON schema
    <name>.jwt    the same credential signed as a VC-JWT: a compact JWS (RS256 by default, or ES256) whose
                  payload is the credential plus the JWT claims iss (= issuer.id), jti (= id) and nbf (= validFrom)

and once per export ``jwks.json``: the issuer's public keys, active and retired, as a JWKS (RFC 7517), which
the deployment serves at ``{BADGE_BASE_URL}/.well-known/jwks.json``; each JWS header's ``kid`` is that URL +
"#" + the key's RFC 7638 thumbprint, the ``kid`` of the same key in the JWKS.
The .jwt is the proof; the .json must be byte-identical to the credential in it (``verify`` checks).

Decisions
- Issuer: the credential's university as a Profile. Co-designers: a badge names only the learner's
  employer (when it co-designs the credential) and counts the others ("with Beta and 1 other
  employer"), since the learner's employer may not see which other employers co-design it (its
  catalogue says "1 other employer"). ``creator`` of the Achievement: the learner's employer when it
  co-designed the credential alone; otherwise the university (Open Badges allows a single creator),
  with the learner's employer, if a co-designer, in the extension property ``coDesigners``.
- Recipient: never the plain email. ``credentialSubject.identifier`` is an IdentityObject holding
  ``sha256$hex(email + salt)`` (the OB 3.0 IdentityHash), with a per-badge salt; employees without an
  email are identified by their employer's HRIS id, hashed the same way.
- The badge's content does not depend on who exports it (so a re-export signs the same claims, and an
  officer's export names no more than the employer's own); only *which* enrollments are exported
  depends on the scope.
- Keys: a key store (keys.py) beside BADGE_SIGNING_KEY (default: the user's data folder,
  settings.default_key_path): numbered private JWK files, mode 0600 in a 0700 folder, each written once, never
  in the repository. The highest number is active and signs; ``rotate_key`` adds a new one and so retires the
  previous, whose public part stays in the JWKS. New keys are RSA 2048 for RS256 (the 1EdTech minimum for
  interoperability), or P-256 for ES256 with BADGE_SIGNING_ALG=ES256; a badge is signed by the active key's
  algorithm, and verification accepts both. The single ES256 key of earlier versions (BADGE_SIGNING_KEY, or
  data/keys/ moved out) becomes the store's key 1, retired at once when new keys are RS256, so its badges
  still verify.
- The issuer Profile does not carry the JWKS URL: OB 3.0 defines no Profile property for keys (the bundled
  schema and context have none; an undefined term would not survive JSON-LD processing). The ``kid`` is
  where OB 3.0 looks for the key.

The package, in the order a badge is made: ``settings`` (constants, BadgeError, the environment's
schema directory, key path and base URL), ``schema`` (validation against the bundled Open Badges
schema), ``keys`` (the signing key and its public JWK), ``building`` (Achievement and
OpenBadgeCredential), ``verifying`` (render, sign as a VC-JWT, verify a token or a file) and
``exporting`` (the enrollments in scope, their files, a directory or a zip). ``schema``, ``building``
and ``exporting`` are Open-Badges-specific; the key and the VC-JWT signature are not.
"""

from __future__ import annotations

from services.badges.building import achievement, build, credential_uri
from services.badges.exporting import badge_files, completed_enrollments, export, export_zip
from services.badges.keys import (
    jwks,
    key_alg,
    key_id,
    key_url,
    load_public_keys,
    public_jwk,
    rotate_key,
    signing_key,
    store_keys,
)
from services.badges.schema import schema_errors
from services.badges.settings import (
    ALGORITHMS,
    CONTEXT,
    DEFAULT_BASE_URL,
    JWKS_FILE,
    JWKS_PATH,
    JWT_CLAIMS,
    MAX_PAGE_BADGES,
    SCHEMA_FILE,
    SCHEMA_URL,
    BadgeError,
    base_url,
    jwks_url,
    key_path,
    key_store_path,
    schema_dir,
    signing_alg,
)
from services.badges.verifying import Verification, render, sign, verify_file, verify_token

__all__ = [
    "ALGORITHMS", "CONTEXT", "DEFAULT_BASE_URL", "JWKS_FILE", "JWKS_PATH", "JWT_CLAIMS", "MAX_PAGE_BADGES",
    "SCHEMA_FILE", "SCHEMA_URL", "BadgeError", "Verification", "achievement", "badge_files", "base_url", "build",
    "completed_enrollments", "credential_uri", "export", "export_zip", "jwks", "jwks_url", "key_alg", "key_id",
    "key_path", "key_store_path", "key_url", "load_public_keys", "public_jwk", "render", "rotate_key",
    "schema_dir", "schema_errors", "sign", "signing_alg", "signing_key", "store_keys", "verify_file",
    "verify_token",
]
