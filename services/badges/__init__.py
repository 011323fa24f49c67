"""Open Badges 3.0: one signed OpenBadgeCredential per completed enrollment the user may see.

Files written per badge (``export``)::

    <name>.json   the OpenBadgeCredential, readable; valid against the official 1EdTech JSON schema
    <name>.jwt    the same credential signed as a VC-JWT: a compact JWS (ES256) whose payload is the
                  credential plus the JWT claims iss (= issuer.id), jti (= id) and nbf (= validFrom)

and once per export ``issuer-public-key.jwk.json`` (the public key; its ``kid`` is in every JWS header).
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
- Key: an ES256 (P-256) private JWK generated on first use at BADGE_SIGNING_KEY (default: the user's data
  folder, settings.default_key_path), mode 0600 in a 0700 folder; never in the repository (one an older
  version left in data/keys/ is moved out on first use).

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
from services.badges.keys import key_id, load_public_key, public_jwk, signing_key
from services.badges.schema import schema_errors
from services.badges.settings import (
    ALG,
    CONTEXT,
    DEFAULT_BASE_URL,
    JWT_CLAIMS,
    MAX_PAGE_BADGES,
    PUBLIC_KEY_FILE,
    SCHEMA_FILE,
    SCHEMA_URL,
    BadgeError,
    base_url,
    key_path,
    schema_dir,
)
from services.badges.verifying import Verification, render, sign, verify_file, verify_token

__all__ = [
    "ALG", "CONTEXT", "DEFAULT_BASE_URL", "JWT_CLAIMS", "MAX_PAGE_BADGES", "PUBLIC_KEY_FILE", "SCHEMA_FILE",
    "SCHEMA_URL", "BadgeError", "Verification", "achievement", "badge_files", "base_url", "build",
    "completed_enrollments", "credential_uri", "export", "export_zip", "key_id", "key_path", "load_public_key",
    "public_jwk", "render", "schema_dir", "schema_errors", "sign", "signing_key", "verify_file", "verify_token",
]
