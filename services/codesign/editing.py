"""Editing a credential's content: a new draft, saving a change, choosing the co-designers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import (
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialStatus,
    DeliveryMode,
    Organization,
    OrgKind,
    Partnership,
    utcnow,
)
from db.scope import Scope, visible
from services import audit
from services.codesign.loading import load
from services.codesign.proposing import settle_proposals
from services.codesign.rules import CodesignError
from services.codesign.saving import apply_changes
from services.codesign.validation import clean_fields
from services.codesign.versions import snapshot
from services.permissions import require_university


def save_draft(
    session: Session, scope: Scope, *, credential_id: int, expected_version: int, changes: dict[str, Any],
    summary: str = "",
) -> CredentialRevision | None:
    """Save ``changes`` (fields of ``FIELDS``, 'outcomes', 'skills', 'partners') made to ``expected_version``.

    Returns the new revision, or None when the values equal the current ones.
    Raises EditConflict when someone else saved since ``expected_version``.
    """
    cred = load(session, scope, credential_id)
    rev = apply_changes(session, scope, cred, expected_version=expected_version, changes=changes, summary=summary)
    if rev is not None and "partners" in changes:
        settle_proposals(session, scope, credential_id)
    session.commit()
    return rev


def set_partners(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
                 employer_ids: Iterable[int], summary: str = "") -> CredentialRevision | None:
    """The university chooses the co-designing employers (a new version); open proposals are settled."""
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"partners": sorted(int(employer) for employer in employer_ids)}, summary=summary)


def partner_options(session: Session, scope: Scope, university_id: int | None = None) -> list[tuple[int, str]]:
    """Employers in partnership with the university (who may co-design its credentials), by name."""
    university_id = university_id or scope.organization_id
    return [tuple(row) for row in session.execute(
        select(Organization.id, Organization.name).where(
            Organization.kind == OrgKind.employer, visible(scope, Organization),
            Organization.id.in_(select(Partnership.employer_id).where(Partnership.university_id == university_id)))
        .order_by(Organization.name)).all()]


def _insert_draft(session: Session, scope: Scope, university_id: int, clean: dict[str, Any]) -> Credential:
    """Write the new draft, its co-designers, its first revision and audit event; no commit."""
    cred = Credential(university_id=university_id, code=clean["code"], title=clean["title"], summary=clean["summary"],
                      eqf_level=clean["eqf_level"], ects_credits=Decimal(clean["ects_credits"]),
                      learning_hours=clean["learning_hours"], delivery_mode=clean["delivery_mode"],
                      price=Decimal(clean["price"]), status=CredentialStatus.draft, version=1)
    session.add(cred)
    session.flush()
    session.add_all(CredentialPartner(credential_id=cred.id, employer_id=item["employer_id"],
                                      joined_on=utcnow().date()) for item in clean["partners"])
    session.flush()
    content = snapshot(session, cred)
    session.add(CredentialRevision(credential_id=cred.id, version=1, snapshot=json.dumps(content, sort_keys=True),
                                   saved_by=scope.email, summary="Created"))
    audit.record(session, actor_email=scope.email, action="credential.create", entity="Credential",
                 entity_id=cred.id, organization_id=university_id, after={"version": 1, **content})
    bump_data_version(session)
    return cred


def create_draft(
    session: Session, scope: Scope, *, code: str, title: str, eqf_level: int, university_id: int | None = None,
    partner_ids: Iterable[int] = (), summary: str = "", ects_credits: Any = 0, learning_hours: Any = 0,
    delivery_mode: str = DeliveryMode.online.value, price: Any = 0,
) -> Credential:
    """A new draft credential (version 1, with its first revision). University officers and admins.

    Every problem with the inputs is reported at once; nothing is written unless all are valid."""
    university_id = university_id or scope.organization_id
    university = session.get(Organization, university_id)
    if university is None or university.kind != OrgKind.university:
        raise CodesignError("Choose the university that awards the credential.")
    # Not saved: it lets the rules and the checks ask "whose credential" before there is one.
    probe = Credential(id=-1, university_id=university_id, code="", title="", eqf_level=1)
    require_university(scope, probe, "creates its credentials")
    clean = clean_fields(session, probe, {
        "code": code, "title": title, "eqf_level": eqf_level, "summary": summary, "ects_credits": ects_credits,
        "learning_hours": learning_hours, "delivery_mode": delivery_mode, "price": price,
        "partners": list(partner_ids),
    })
    try:
        cred = _insert_draft(session, scope, university_id, clean)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise CodesignError(f"Code {clean['code']} is already used; nothing was saved.") from None
    return cred
