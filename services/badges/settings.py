"""What the badge export is configured with: the Open Badges 3.0 constants, the error, and the deployment's settings.

Settings come from the environment: OB_SCHEMA_DIR (the Open Badges schema), BADGE_SIGNING_KEY (the single key
file of versions before the key store; the store is the folder beside it, ``key_store_path``; default: the
user's data folder, outside the checkout), BADGE_SIGNING_ALG (the algorithm of new keys: RS256, or ES256) and
BADGE_BASE_URL (the prefix of issuer, achievement and skill ids, and of the published JWKS).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from db.engine import ROOT

# The signature and the signed token (VC-JWT). The 1EdTech JWT proof format names RS256 as the minimum for
# interoperability: new keys are RSA unless BADGE_SIGNING_ALG=ES256; verification accepts both.
ALGORITHMS = ("RS256", "ES256")
DEFAULT_ALG = "RS256"
RSA_BITS = 2048  # the minimum RS256 allows; a rotation with a larger size needs only this constant changed
JWT_CLAIMS = ("iss", "jti", "nbf")
# The issuer's public keys (active and retired), written by every export; the deployment serves it at jwks_url().
JWKS_FILE = "jwks.json"
JWKS_PATH = "/.well-known/jwks.json"

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


APP_NAME = "microcredentials"
KEY_FILE = "badge-signing-key.json"
# Where versions before issue 13 kept the key: inside the checkout (git-ignored). keys.signing_key moves it out.
LEGACY_KEY_PATH = ROOT / "data" / "keys" / KEY_FILE


def default_key_path() -> Path:
    """The key in the user's data folder: ~/.local/share/microcredentials on Linux (or $XDG_DATA_HOME/…),
    ~/Library/Application Support/microcredentials on macOS, %LOCALAPPDATA%\\microcredentials on Windows."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / KEY_FILE


def key_path() -> Path:
    """The private key file: BADGE_SIGNING_KEY, or ``default_key_path()``."""
    return Path(os.environ.get("BADGE_SIGNING_KEY") or default_key_path())


def key_store_path() -> Path:
    """The key store: the folder beside the single key file, ``badge-signing-key.keys/`` by default (so a
    BADGE_SIGNING_KEY elsewhere brings its store along)."""
    path = key_path()
    return path.with_name(f"{path.stem}.keys")


def signing_alg() -> str:
    """The algorithm of keys made from now on (the first key, a rotation without --alg): BADGE_SIGNING_ALG."""
    alg = (os.environ.get("BADGE_SIGNING_ALG") or DEFAULT_ALG).strip().upper()
    if alg not in ALGORITHMS:
        raise BadgeError(f"BADGE_SIGNING_ALG={alg!r}: badges are signed with {' or '.join(ALGORITHMS)}.")
    return alg


def base_url() -> str:
    return (os.environ.get("BADGE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def jwks_url() -> str:
    """Where the deployment serves the export's jwks.json; every badge's ``kid`` is this URL + "#" + thumbprint."""
    return f"{base_url()}{JWKS_PATH}"
