"""What awaits the user: the studio's picker, the credentials they may change, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    Approval,
    ChangeProposal,
    Credential,
    CredentialPartner,
    CredentialStatus,
    ProposalDecision,
    ProposalStatus,
)
from db.scope import Scope, scoped
from services.codesign.completeness import complete_condition
from services.codesign.text import plural
from services.formatting import label
from services.permissions import is_university_side, may_approve, may_edit, side


@dataclass(frozen=True)
class Attention:
    """One credential in the studio's picker: how urgent it is for the user (0 first) and what awaits them."""

    credential_id: int
    code: str
    title: str
    status: str
    rank: int
    needs: tuple[str, ...]

    @property
    def label(self) -> str:
        text = f"{self.code} · {self.title} · {label(self.status)}"
        return text + (" — " + "; ".join(self.needs) if self.needs else "")


# What a credential waits for when nothing needs the user: (rank, what to say), by status.
_WAITING = {
    CredentialStatus.draft: (1, "to complete and submit for review"),
    CredentialStatus.in_review: (2, "waiting for the other parties' approval"),
    CredentialStatus.approved: (2, "waiting for the university to publish"),
}


def _attention_of(scope: Scope, cred: Credential, partners: frozenset[int], approved_by_me: bool,
                  to_decide: int, mine_open: int, complete: bool = True) -> Attention:
    mine, status = side(scope, cred, partners), CredentialStatus(cred.status)
    needs, rank = [], 3
    if status == CredentialStatus.in_review and may_approve(scope, mine) and not approved_by_me:
        needs.append(f"your approval of version {cred.version}")
    if to_decide:
        needs.append(f"{plural(to_decide, 'proposal')} to decide")
    if status == CredentialStatus.approved and is_university_side(scope, cred):
        needs.append("ready to publish" if complete else "European elements to complete before publishing")
    if needs:
        rank = 0
    elif status in _WAITING:
        rank, waiting = _WAITING[status]
        needs.append(waiting)
    elif mine_open:
        rank = 2
    if mine_open:
        needs.append(f"{plural(mine_open, 'proposal')} of yours open")
    return Attention(cred.id, cred.code, cred.title, cred.status, rank, tuple(needs))


def _partners_of(session: Session, credential_ids: list[int]) -> dict[int, set[int]]:
    partners: dict[int, set[int]] = {}
    for credential_id, employer_id in session.execute(
            select(CredentialPartner.credential_id, CredentialPartner.employer_id)
            .where(CredentialPartner.credential_id.in_(credential_ids))).all():
        partners.setdefault(credential_id, set()).add(employer_id)
    return partners


@dataclass(frozen=True)
class _OpenProposal:
    proposal_id: int
    credential_id: int
    organization_id: int


def _open_proposals(session: Session, credential_ids: list[int]) -> list[_OpenProposal]:
    return [_OpenProposal(*row) for row in session.execute(
        select(ChangeProposal.id, ChangeProposal.credential_id, ChangeProposal.organization_id)
        .where(ChangeProposal.credential_id.in_(credential_ids), ChangeProposal.status == ProposalStatus.open)).all()]


def _decided_by(session: Session, organization_id: int, proposals: list[_OpenProposal]) -> set[int]:
    """The open proposals the organisation has already decided."""
    return set(session.scalars(select(ProposalDecision.proposal_id).where(
        ProposalDecision.proposal_id.in_([proposal.proposal_id for proposal in proposals] or [-1]),
        ProposalDecision.organization_id == organization_id)).all())


def studio_choices(session: Session, scope: Scope) -> list[Attention]:
    """The credentials the user may change, what needs their attention first (approvals they owe, proposals
    awaiting their decision, credentials to publish), then drafts, then those waiting for others, then
    published ones; most recently changed first within each group. A few queries, whatever the count."""
    if scope.read_only:
        return []
    creds = session.scalars(scoped(select(Credential), scope, Credential)
                            .where(Credential.status != CredentialStatus.retired)).all()
    ids = [cred.id for cred in creds]
    if not ids:
        return []
    partners = _partners_of(session, ids)
    mine = scope.organization_id
    approved = set(session.execute(select(Approval.credential_id, Approval.version).where(
        Approval.credential_id.in_(ids), Approval.organization_id == mine)).all())
    open_proposals = _open_proposals(session, ids)
    decided = _decided_by(session, mine, open_proposals)
    complete = set(session.scalars(select(Credential.id).where(Credential.id.in_(ids), complete_condition())).all())
    ranked = []
    for cred in creds:
        parties = frozenset(partners.get(cred.id, ()))
        if not may_edit(scope, cred, parties):
            continue
        on_this = [proposal for proposal in open_proposals if proposal.credential_id == cred.id]
        is_party = side(scope, cred, parties) is not None
        to_decide = sum(1 for proposal in on_this if is_party and proposal.organization_id != mine
                        and proposal.proposal_id not in decided)
        mine_open = sum(1 for proposal in on_this if proposal.organization_id == mine)
        ranked.append((cred.updated_at, _attention_of(scope, cred, parties, (cred.id, cred.version) in approved,
                                                      to_decide, mine_open, cred.id in complete)))
    ranked.sort(key=lambda pair: pair[1].code)
    ranked.sort(key=lambda pair: pair[0], reverse=True)  # stable sorts: rank, then most recent, then code
    ranked.sort(key=lambda pair: pair[1].rank)
    return [attention for _, attention in ranked]
