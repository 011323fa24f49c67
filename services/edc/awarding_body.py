"""The awarding body of a European Digital Credential: the university as an ELM Organisation, which the shapes
require to carry a legal identifier and a country; and setting those two (audited, never over a concurrent
change)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pycountry
from sqlalchemy import func, update
from sqlmodel import Session, select

from db.engine import bump_data_version
from db.models import Organization
from db.scope import AccessDenied, Scope
from services import audit
from services.badges.settings import base_url
from services.edc import vocabulary as cv
from services.edc.settings import EdcError

MAX_IDENTIFIER = 100  # Organization.legal_identifier's column


def require_legal_identity(organization: Organization) -> None:
    """An EDC names its awarding body's legal identifier and country (the shapes require them)."""
    missing = [what for what, value in (("legal identifier", organization.legal_identifier),
                                        ("country", organization.country)) if not (value or "").strip()]
    if missing:
        raise EdcError(
            f"{organization.name} ({organization.code}) has no {' and no '.join(missing)}, which a European "
            f"Digital Credential must name. Set them with: python manage.py organizations set --code "
            f"{organization.code} --legal-identifier \"…\" --country XX")


def organisation(organization: Organization, *, country_code: str | None = None) -> dict:
    """The university as an ELM Organisation: legal name, its legal identifier (registered in the organisation's
    country) and its address country (``country_code``: the credential's issuer country, when it names one)."""
    require_legal_identity(organization)
    registered = cv.country(organization.country)
    country = cv.country(country_code) if country_code else registered
    node_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/organizations/{quote(organization.code)}')}"
    legal_identifier = {"id": f"{node_id}#legal-identifier", "type": "LegalIdentifier", "spatial": registered,
                        "notation": organization.legal_identifier.strip()}
    return {
        "id": node_id,
        "type": "Organisation",
        "eIDASIdentifier": legal_identifier,
        "legalName": {"en": organization.name},
        "location": {"id": f"{node_id}#location", "type": "Location",
                     "address": {"id": f"{node_id}#address", "type": "Address", "countryCode": country}},
        "registration": legal_identifier,
    }


def _clean(legal_identifier: str, country: str) -> tuple[str, str]:
    identifier = " ".join((legal_identifier or "").split())
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        raise EdcError(f"The legal identifier must be 1 to {MAX_IDENTIFIER} characters.")
    code = (country or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise EdcError(f"'{country}' is not an ISO 3166 alpha-2 country code (e.g. IE, GB, DE).")
    return identifier, code


def set_legal_identity(session: Session, scope: Scope, *, code: str, legal_identifier: str,
                       country: str) -> Organization:
    """Set an organisation's legal identifier and country; audited; commits. Only an admin of the organisation
    itself (or the operator's system scope) may; a change someone else made meanwhile is never overwritten."""
    organization = session.exec(select(Organization).where(
        func.lower(Organization.code) == (code or "").strip().lower())).first()
    if organization is None:
        raise EdcError(f"No organisation with code '{code}'.")
    if scope.role != "admin" or (scope.user_id is not None and scope.organization_id != organization.id):
        raise AccessDenied("Only an admin of the organisation sets its legal identifier and country.")
    identifier, country_code = _clean(legal_identifier, country)
    before = {"legal_identifier": organization.legal_identifier, "country": organization.country}
    changed = session.execute(
        update(Organization).where(Organization.id == organization.id,
                                   Organization.legal_identifier.is_(None) if before["legal_identifier"] is None
                                   else Organization.legal_identifier == before["legal_identifier"],
                                   Organization.country.is_(None) if before["country"] is None
                                   else Organization.country == before["country"])
        .values(legal_identifier=identifier, country=country_code)).rowcount
    if changed != 1:
        session.rollback()
        raise EdcError(f"{organization.name}'s legal identity changed meanwhile; nothing was overwritten. "
                       "Look again and retry.")
    audit.record(session, actor_email=scope.email, action="organization.legal_identity", entity="Organization",
                 entity_id=organization.id, organization_id=organization.id, before=before,
                 after={"legal_identifier": identifier, "country": country_code})
    bump_data_version(session)
    session.commit()
    session.refresh(organization)
    return organization
