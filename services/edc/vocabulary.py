"""The EU controlled vocabularies the Commission's micro-credential sample uses, as ELM Concept nodes.

Only URIs the sample (or the EU authority tables it points to) uses: EQF levels, the EU country authority
(ISO 3166 alpha-3), ECTS, the modes of learning and assessment, the credential profile "Generic", English.
"""

from __future__ import annotations

import pycountry

from services.edc.settings import EdcError

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"


def concept(uri: str, scheme: str, label: str, notation: str | None = None) -> dict:
    node = {"id": uri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    if notation:
        node["notation"] = notation
    node["prefLabel"] = {"en": label}
    return node


def eqf_level(level: int) -> dict:
    return concept(f"{SNB}/eqf/{level}", f"{SNB}/eqf/25831c2", f"Level {level}")


def country(code: str) -> dict:
    """The EU country authority's concept for an ISO 3166 code ("IE", or a region such as "ES-CT": its country)."""
    found = pycountry.countries.get(alpha_2=code.split("-")[0].upper()) if code else None
    if found is None:
        raise EdcError(f"'{code}' is not an ISO 3166 country code.")
    return concept(f"{AUTHORITY}/country/{found.alpha_3}", f"{AUTHORITY}/country",
                   getattr(found, "common_name", found.name), "country")


ENGLISH = concept(f"{AUTHORITY}/language/ENG", f"{AUTHORITY}/language", "English", "language")
GENERIC_PROFILE = concept(f"{SNB}/credential/e34929035b", f"{SNB}/credential/25831c2", "Generic")
ECTS = concept(f"{SNB}/education-credit/6fcec5c5af", f"{SNB}/education-credit/25831c2",
               "European Credit Transfer System")

_MODE_SCHEME = f"{SNB}/learning-assessment/25831c2"
_ONLINE = concept(f"{SNB}/learning-assessment/920fbb3cbe", _MODE_SCHEME, "Online")
_BLENDED = concept(f"{SNB}/learning-assessment/e92d221e4d", _MODE_SCHEME, "Blended")
_PRESENTIAL = concept(f"{SNB}/learning-assessment/9191af2ed9", _MODE_SCHEME, "Presential")
# Annex I's form of participation: online, onsite (on campus or at the workplace) or blended.
MODES = {"online": _ONLINE, "blended": _BLENDED, "on_campus": _PRESENTIAL, "workplace": _PRESENTIAL}

# The supervision vocabulary: only the value the sample uses has a URI here; the others are written as a note
# (services/edc/building.py) rather than under a URI this product cannot vouch for.
SUPERVISION = {
    "unsupervised_no_identity_check": concept(
        f"{SNB}/supervision-verification/c598449d64", f"{SNB}/supervision-verification/25831c2",
        "Unsupervised without ID Verification"),
}

PNG = concept(f"{AUTHORITY}/file-type/PNG", f"{AUTHORITY}/file-type", "PNG", "file-type")
BASE64 = concept(f"{SNB}/encoding/6146cde7dd", f"{SNB}/encoding/25831c2", "base64")
