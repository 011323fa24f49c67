"""European Digital Credentials (ELM v3): one sealed EuropeanDigitalCredential per completed enrollment, for the
completions the Open Badges export takes (services.badges.completed_enrollments).

The package, in the order a credential is made: ``settings`` (constants, EdcError, the bundled schemas in
services/schemas/elm-3, the seal's files), ``vocabulary`` (EU controlled-vocabulary concepts), ``awarding_body``
(the university as an ELM Organisation; setting its legal identifier and country), ``display`` (the display page
the shapes require), ``building`` (the JSON-LD credential), ``conformance`` (the official SHACL shapes, offline),
``seal`` (the RSA key and X.509 chain), ``sealing`` (the JWS in JSON serialisation, as the Commission's sample),
``verifying``, ``exporting`` (a directory, the page's zip, one person's files) and ``cli`` (manage.py's commands).
"""

from __future__ import annotations

from services.edc.awarding_body import require_legal_identity, set_legal_identity
from services.edc.building import build, credential_uri
from services.edc.conformance import conformance_problems
from services.edc.exporting import (
    CERTIFICATE_FILE,
    PersonCredential,
    credential_files,
    export,
    export_zip,
    person_credentials,
    person_files,
)
from services.edc.seal import seal
from services.edc.sealing import seal_credential
from services.edc.settings import MAX_PAGE_CREDENTIALS, EdcError
from services.edc.verifying import Verification, verify_document, verify_file

__all__ = [
    "CERTIFICATE_FILE", "MAX_PAGE_CREDENTIALS", "EdcError", "Verification", "build", "conformance_problems",
    "PersonCredential", "credential_files", "credential_uri", "export", "export_zip", "person_credentials",
    "person_files", "require_legal_identity", "seal",
    "seal_credential", "set_legal_identity", "verify_document", "verify_file",
]
