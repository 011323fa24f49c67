"""European Digital Credentials (ELM v3): one sealed EuropeanDigitalCredential per completed enrollment.

The package, in the order a credential is made: ``settings`` (constants, EdcError, bundled schemas, the seal's
files), ``vocabulary`` (EU controlled-vocabulary concepts), ``building`` (the JSON-LD credential),
``conformance`` (the official SHACL shapes, offline), ``seal`` (the RSA key and X.509 certificate),
``sealing`` (the JWS in JSON serialisation), ``verifying`` and ``exporting``.
"""

from __future__ import annotations

from services.edc.awarding_body import require_legal_identity, set_legal_identity
from services.edc.building import build, credential_uri
from services.edc.conformance import conformance_problems
from services.edc.settings import EdcError

__all__ = ["EdcError", "build", "conformance_problems", "credential_uri", "require_legal_identity",
           "set_legal_identity"]
