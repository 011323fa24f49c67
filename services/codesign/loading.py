"""Reads every part of co-design shares: the credential (within the user's scope), its parties, its lists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    Approval,
    ChangeProposal,
    Credential,
    CredentialPartner,
    CredentialSkill,
    LearningOutcome,
    Organization,
)
from db.scope import Scope, visible
from services.codesign.rules import CodesignError
from services.codesign.versions import conflict
from services.permissions import content_editable


def load(session: Session, scope: Scope, credential_id: int) -> Credential:
    """The credential as stored now (not as this session last saw it), if the user may see it."""
    cred = session.execute(
        select(Credential).where(Credential.id == credential_id, visible(scope, Credential))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if cred is None:
        raise CodesignError("That credential does not exist or is outside your access.")
    return cred


def load_proposal(session: Session, scope: Scope, proposal_id: int) -> tuple[ChangeProposal, Credential]:
    proposal = session.execute(
        select(ChangeProposal).where(ChangeProposal.id == proposal_id, visible(scope, ChangeProposal))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if proposal is None:
        raise CodesignError("That proposal does not exist or is outside your access.")
    return proposal, load(session, scope, proposal.credential_id)


def check_version(session: Session, cred: Credential, expected_version: int) -> None:
    """Refuse (EditConflict, saying what changed) when someone saved since ``expected_version``."""
    if cred.version != expected_version:
        session.rollback()
        raise conflict(session, cred.id, expected_version)


def require_editable(cred: Credential) -> None:
    if not content_editable(cred):
        raise CodesignError(
            f"{cred.code} is {cred.status}: its content is frozen. Only drafts, credentials in review "
            "and approved (not yet published) credentials change."
        )


def partner_ids(session: Session, credential_id: int) -> frozenset[int]:
    """The co-designing employers (internal: who must approve; not for display)."""
    return frozenset(session.scalars(
        select(CredentialPartner.employer_id).where(CredentialPartner.credential_id == credential_id)
    ).all())


def required_parties(session: Session, cred: Credential) -> list[int]:
    """The organisations whose approval of the current version publication needs: university first."""
    return [cred.university_id, *sorted(partner_ids(session, cred.id))]


def approved_organizations(session: Session, cred: Credential, version: int) -> set[int]:
    return set(session.scalars(select(Approval.organization_id).where(
        Approval.credential_id == cred.id, Approval.version == version)).all())


def org_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def outcome_texts(session: Session, credential_id: int) -> list[str]:
    return list(session.scalars(select(LearningOutcome.text).where(LearningOutcome.credential_id == credential_id)
                                .order_by(LearningOutcome.position)).all())


def skill_map(session: Session, credential_id: int) -> dict[int, int]:
    """skill id → proficiency, as mapped now."""
    return dict(session.execute(select(CredentialSkill.skill_id, CredentialSkill.proficiency)
                                .where(CredentialSkill.credential_id == credential_id)).all())
