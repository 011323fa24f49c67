"""What the European Digital Credential export is configured with: the ELM v3 constants, the error, the
bundled schemas (services/schemas/elm-3) and the deployment's seal (EDC_SEAL_KEY, EDC_SEAL_CERT)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from services.badges.settings import APP_NAME, MAX_PAGE_BADGES

CONTEXT = ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap"]
TYPE = ["VerifiableCredential", "EuropeanDigitalCredential"]
# The shapes every exported payload is checked against (the generic profile, no controlled vocabularies).
SHAPES_ID = "http://data.europa.eu/snb/model/ap/edc-generic-no-cv"
ALG = "RS256"
SEAL_TYPE = "jose+json"  # the typ of the Commission's sealed sample
MAX_PAGE_CREDENTIALS = MAX_PAGE_BADGES  # the page offers the same completions as its badges

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "elm-3"
SHAPES_FILE = SCHEMA_DIR / "shapes" / "EDC-generic-no-cv.ttl"
CONTEXT_FILES = {
    "https://www.w3.org/2018/credentials/v1": SCHEMA_DIR / "contexts" / "credentials-v1.jsonld",
    "http://data.europa.eu/snb/model/context/edc-ap": SCHEMA_DIR / "contexts" / "edc-ap-context.jsonld",
}

KEY_FILE = "edc-seal-key.pem"
CERT_FILE = "edc-seal-cert.pem"


class EdcError(RuntimeError):
    """A European Digital Credential cannot be built, sealed or verified, with the reason."""


def _data_folder() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def key_path() -> Path:
    """The seal's private key (PEM): EDC_SEAL_KEY, or a development key in the user's data folder."""
    return Path(os.environ.get("EDC_SEAL_KEY") or _data_folder() / KEY_FILE)


def cert_path() -> Path:
    """The seal's certificate chain (PEM, the seal's certificate first): EDC_SEAL_CERT, or the development
    key's self-signed certificate beside it."""
    return Path(os.environ.get("EDC_SEAL_CERT") or key_path().with_name(CERT_FILE))
