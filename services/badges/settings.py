"""What the badge export is configured with: the Open Badges 3.0 constants, the error, and the deployment's settings.

Settings come from the environment: OB_SCHEMA_DIR (the Open Badges schema), BADGE_SIGNING_KEY (the private
key file) and BADGE_BASE_URL (the prefix of issuer, achievement and skill ids).
"""

from __future__ import annotations

import os
from pathlib import Path

from db.engine import ROOT

# The signature and the signed token (VC-JWT).
ALG = "ES256"
JWT_CLAIMS = ("iss", "jti", "nbf")
PUBLIC_KEY_FILE = "issuer-public-key.jwk.json"

# Open Badges 3.0.
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]

DEFAULT_BASE_URL = "https://microcredentials.invalid"  # set BADGE_BASE_URL in a deployment
MAX_PAGE_BADGES = 2000

# services/badges/settings.py → services/schemas/openbadges-3.0
_BUNDLED_SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "openbadges-3.0"


class BadgeError(RuntimeError):
    """Badges cannot be built, signed or verified, with the reason."""


def schema_dir() -> Path:
    """The Open Badges 3.0 schema kept in the repository (services/schemas/README.md), or OB_SCHEMA_DIR."""
    return Path(os.environ.get("OB_SCHEMA_DIR") or _BUNDLED_SCHEMA_DIR)


def key_path() -> Path:
    return Path(os.environ.get("BADGE_SIGNING_KEY") or ROOT / "data" / "keys" / "badge-signing-key.json")


def base_url() -> str:
    return (os.environ.get("BADGE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
