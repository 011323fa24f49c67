"""Change proposals: propose, discuss, decide (the decision rule), withdraw.

The decision rule: a proposal is applied when every other party (the university and each co-designing
employer, but the proposer's organisation) has accepted it; any of them may reject it, which closes it;
the proposer may withdraw it while it is open. Each organisation decides once (``ProposalDecision``).
A co-designer change settles open proposals under the same rule; publishing closes those still open.
docs/codesign.md explains the rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import (
    ChangeProposal,
    Credential,
    CredentialRevision,
    Decision,
    ProposalComment,
    ProposalDecision,
    ProposalStatus,
    utcnow,
)
from db.scope import Scope
from services import audit
from services.codesign.loading import (
    check_version,
    load,
    load_proposal,
    org_names,
    partner_ids,
    require_editable,
    required_parties,
    skill_map,
)
from services.codesign.rules import LABELS, MAX_COMMENT, MAX_RATIONALE, PROPOSABLE, CodesignError
from services.codesign.saving import apply_changes, insert_once
from services.codesign.text import and_list
from services.codesign.validation import clean_field, clean_text
from services.codesign.versions import find_revision, snapshot
from services.permissions import require_decider, require_editor, require_party, require_withdrawer

DECIDED_MEANWHILE = "Someone decided this proposal meanwhile; nothing was saved. Reload to see the decision."


def skills_with(session: Session, scope: Scope, *, credential_id: int, skill_id: int,
                proficiency: int | None) -> list[dict]:
    """The credential's skill mapping with one skill mapped at ``proficiency`` (None: removed), for a proposal."""
    load(session, scope, credential_id)
    current = skill_map(session, credential_id)
    if proficiency is None:
        if int(skill_id) not in current:
            raise CodesignError("That skill is not mapped to this credential.")
        del current[int(skill_id)]
    else:
        current[int(skill_id)] = proficiency
    return [{"skill_id": mapped, "proficiency": level} for mapped, level in sorted(current.items())]


def propose(
    session: Session, scope: Scope, *, credential_id: int, field: str, new_value: Any, rationale: str,
    expected_version: int | None = None,
) -> ChangeProposal:
    """Propose ``field`` := ``new_value`` with a rationale; the other side decides. ``expected_version`` is
    the version the proposer was shown: a proposal made to an older one is refused (EditConflict), so it
    never replaces a change the proposer has not seen."""
    cred = load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    require_editor(scope, cred, partners)
    if expected_version is not None:
        check_version(session, cred, expected_version)
    require_editable(cred)
    mine = require_party(scope, cred, partners,
                         "Proposals are made by the credential's university or a co-designing employer.")
    if mine == "university" and not partners:
        raise CodesignError(f"{cred.code} has no co-designing employer to decide a proposal; edit it directly.")
    if field not in PROPOSABLE:
        raise CodesignError(f"A proposal changes one of: {', '.join(LABELS[name] for name in PROPOSABLE)}.")
    value = clean_field(session, cred, field, new_value)
    rationale = clean_text(rationale, "Rationale", required=True, max_len=MAX_RATIONALE)
    if snapshot(session, cred)[field] == value:
        raise CodesignError(f"{LABELS[field]} already has that value.")
    # A skills proposal keeps only what it changes: skill and proficiency (names may be edited meanwhile).
    stored = ([{"skill_id": item["skill_id"], "proficiency": item["proficiency"]} for item in value]
              if field == "skills" else value)
    proposal = ChangeProposal(credential_id=cred.id, proposer_user_id=scope.user_id, proposer_email=scope.email,
                              organization_id=scope.organization_id, field=field, new_value=json.dumps(stored),
                              rationale=rationale, base_version=cred.version)
    session.add(proposal)
    session.flush()
    audit.record(session, actor_email=scope.email, action="proposal.create", entity="ChangeProposal",
                 entity_id=proposal.id, organization_id=cred.university_id,
                 after={"credential": cred.code, "field": field, "new_value": value, "rationale": rationale,
                        "base_version": cred.version})
    bump_data_version(session)
    session.commit()
    return proposal


def propose_skill(session: Session, scope: Scope, *, credential_id: int, skill_id: int | None,
                  proficiency: int | None, rationale: str, expected_version: int | None = None) -> ChangeProposal:
    """Propose one change to the skills mapping: map ``skill_id`` at ``proficiency``, or remove it (None)."""
    if skill_id is None:
        raise CodesignError("Choose a skill.")
    value = skills_with(session, scope, credential_id=credential_id, skill_id=skill_id, proficiency=proficiency)
    return propose(session, scope, credential_id=credential_id, field="skills", new_value=value, rationale=rationale,
                   expected_version=expected_version)


def comment(session: Session, scope: Scope, *, proposal_id: int, text: str) -> ProposalComment:
    proposal, cred = load_proposal(session, scope, proposal_id)
    partners = partner_ids(session, cred.id)
    require_editor(scope, cred, partners)
    require_party(scope, cred, partners, "Comments come from the credential's university or a co-designing employer.")
    text = clean_text(text, "Comment", required=True, max_len=MAX_COMMENT)
    row = ProposalComment(proposal_id=proposal.id, author_email=scope.email, organization_id=scope.organization_id,
                          text=text)
    session.add(row)
    session.flush()
    audit.record(session, actor_email=scope.email, action="proposal.comment", entity="ProposalComment",
                 entity_id=row.id, organization_id=cred.university_id,
                 after={"proposal": proposal.id, "credential": cred.code, "text": text})
    bump_data_version(session)
    session.commit()
    return row


def _close(session: Session, scope: Scope, proposal: ChangeProposal, cred: Credential,
           status: ProposalStatus) -> None:
    """Close an open proposal (accepted, rejected, withdrawn), with its audit event; no commit."""
    result = session.execute(
        update(ChangeProposal).where(ChangeProposal.id == proposal.id, ChangeProposal.status == ProposalStatus.open)
        .values(status=status.value, decided_by=scope.email, decided_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise CodesignError(DECIDED_MEANWHILE)
    audit.record(session, actor_email=scope.email, action=f"proposal.{status.value}", entity="ChangeProposal",
                 entity_id=proposal.id, organization_id=cred.university_id,
                 before={"status": ProposalStatus.open.value},
                 after={"status": status.value, "credential": cred.code, "field": proposal.field})


def _require_open(proposal: ChangeProposal) -> None:
    if proposal.status != ProposalStatus.open:
        raise CodesignError(f"This proposal is already {proposal.status}.")


def deciders(session: Session, cred: Credential, proposal: ChangeProposal) -> list[int]:
    """The organisations that decide ``proposal``: every party of the credential now, but the proposer's."""
    return [org for org in required_parties(session, cred) if org != proposal.organization_id]


def decisions_of(session: Session, proposal_ids: Iterable[int]) -> dict[int, dict[int, ProposalDecision]]:
    """proposal id → organisation id → its decision."""
    ids = sorted(set(proposal_ids))
    decisions: dict[int, dict[int, ProposalDecision]] = {}
    if ids:
        for row in session.scalars(select(ProposalDecision).where(ProposalDecision.proposal_id.in_(ids))).all():
            decisions.setdefault(row.proposal_id, {})[row.organization_id] = row
    return decisions


def still_to_accept(session: Session, cred: Credential, proposal: ChangeProposal) -> list[int]:
    """Deciders that have not accepted ``proposal`` yet (decisions of former co-designers no longer count)."""
    got = decisions_of(session, [proposal.id]).get(proposal.id, {})
    return [org for org in deciders(session, cred, proposal)
            if getattr(got.get(org), "decision", None) != Decision.accepted]


def _lock_open(session: Session, proposal: ChangeProposal) -> None:
    """Lock the open proposal's row (a no-op UPDATE) until commit: two "last" acceptances made at the same
    time then run one after the other, so the second sees the first and applies the change."""
    result = session.execute(update(ChangeProposal).where(
        ChangeProposal.id == proposal.id, ChangeProposal.status == ProposalStatus.open
    ).values(status=ProposalStatus.open))
    if result.rowcount != 1:
        session.rollback()
        raise CodesignError(DECIDED_MEANWHILE)


def _record_decision(session: Session, scope: Scope, proposal: ChangeProposal, cred: Credential,
                     decision: Decision, note: str) -> None:
    mine = session.scalar(select(ProposalDecision.decision).where(
        ProposalDecision.proposal_id == proposal.id, ProposalDecision.organization_id == scope.organization_id))
    if mine is not None:
        session.rollback()
        raise CodesignError(f"Your organisation has already {mine} proposal #{proposal.id}.")
    insert_once(session, ProposalDecision(proposal_id=proposal.id, organization_id=scope.organization_id,
                                          decision=decision, decided_by=scope.email, user_id=scope.user_id,
                                          note=note),
                f"Your organisation has already decided proposal #{proposal.id}.")
    audit.record(session, actor_email=scope.email, action="proposal.decision", entity="ChangeProposal",
                 entity_id=proposal.id, organization_id=cred.university_id,
                 after={"decision": decision.value, "organization_id": scope.organization_id, "credential": cred.code,
                        "field": proposal.field, "note": note})


def _check_field_unchanged(session: Session, cred: Credential, proposal: ChangeProposal) -> None:
    """Refuse a proposal whose field changed after it was made: applying it would overwrite that change."""
    if proposal.base_version == cred.version:
        return
    base = find_revision(session, cred.id, proposal.base_version)
    now = snapshot(session, cred)[proposal.field]
    if base is not None and json.loads(base.snapshot).get(proposal.field) != now:
        raise CodesignError(
            f"{LABELS[proposal.field]} changed after this proposal was made (on version {proposal.base_version}); "
            "accepting it would overwrite that change. Reject it, or ask for a new proposal."
        )


def _apply_proposal(session: Session, scope: Scope, proposal: ChangeProposal, cred: Credential,
                    expected_version: int) -> CredentialRevision | None:
    """Save the proposed change as a new version and close the proposal as accepted; no commit."""
    summary = f"Accepted proposal #{proposal.id} by {proposal.proposer_email}: {proposal.rationale}"[:500]
    rev = apply_changes(session, scope, cred, expected_version=expected_version,
                        changes={proposal.field: json.loads(proposal.new_value)}, summary=summary)
    _close(session, scope, proposal, cred, ProposalStatus.accepted)
    return rev


@dataclass(frozen=True)
class Decided:
    """What a decision did: the proposal's status now, the version it applied, who still has to decide."""

    proposal_id: int
    status: str
    revision: CredentialRevision | None = None
    waiting_for: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.status == ProposalStatus.rejected:
            return f"Proposal #{self.proposal_id} rejected: it is closed and nothing changed."
        if self.status == ProposalStatus.accepted:
            applied = f" as version {self.revision.version}" if self.revision else " (the value was already current)"
            return f"Proposal #{self.proposal_id} accepted by every party and applied{applied}."
        return (f"You accepted proposal #{self.proposal_id}. It is applied once "
                f"{and_list(self.waiting_for)} {'accepts' if len(self.waiting_for) == 1 else 'accept'} too.")


def accept(session: Session, scope: Scope, *, proposal_id: int, expected_version: int, note: str = "") -> Decided:
    """Record the user's organisation's acceptance; the last one needed applies the change (a new version)."""
    proposal, cred = load_proposal(session, scope, proposal_id)
    require_decider(scope, proposal, cred, partner_ids(session, cred.id))
    _require_open(proposal)
    require_editable(cred)
    check_version(session, cred, expected_version)
    _check_field_unchanged(session, cred, proposal)
    note = clean_text(note, "Comment", required=False, max_len=MAX_COMMENT)
    _lock_open(session, proposal)
    _record_decision(session, scope, proposal, cred, Decision.accepted, note)
    waiting = still_to_accept(session, cred, proposal)
    if waiting:
        bump_data_version(session)
        session.commit()
        names = org_names(session, waiting)
        return Decided(proposal.id, ProposalStatus.open.value,
                       waiting_for=tuple(names.get(org, "?") for org in waiting))
    rev = _apply_proposal(session, scope, proposal, cred, expected_version)
    bump_data_version(session)
    session.commit()
    return Decided(proposal.id, ProposalStatus.accepted.value, revision=rev)


def reject(session: Session, scope: Scope, *, proposal_id: int, note: str = "") -> Decided:
    """Any deciding party may reject: the proposal closes and nothing changes."""
    proposal, cred = load_proposal(session, scope, proposal_id)
    require_decider(scope, proposal, cred, partner_ids(session, cred.id))
    _require_open(proposal)
    note = clean_text(note, "Comment", required=False, max_len=MAX_COMMENT)
    _lock_open(session, proposal)
    _record_decision(session, scope, proposal, cred, Decision.rejected, note)
    _close(session, scope, proposal, cred, ProposalStatus.rejected)
    if note:
        session.add(ProposalComment(proposal_id=proposal.id, author_email=scope.email,
                                    organization_id=scope.organization_id, text=note))
    bump_data_version(session)
    session.commit()
    return Decided(proposal.id, ProposalStatus.rejected.value)


def withdraw(session: Session, scope: Scope, *, proposal_id: int) -> ChangeProposal:
    """The proposing organisation takes its open proposal back."""
    proposal, cred = load_proposal(session, scope, proposal_id)
    require_withdrawer(scope, proposal, cred, partner_ids(session, cred.id))
    _require_open(proposal)
    _close(session, scope, proposal, cred, ProposalStatus.withdrawn)
    bump_data_version(session)
    session.commit()
    return proposal


def _open_proposals(session: Session, credential_id: int) -> list[ChangeProposal]:
    return list(session.scalars(select(ChangeProposal).where(
        ChangeProposal.credential_id == credential_id, ChangeProposal.status == ProposalStatus.open)
        .order_by(ChangeProposal.id)).all())


def _withdraw_with_comment(session: Session, scope: Scope, proposal: ChangeProposal, cred: Credential,
                           why: str) -> None:
    _close(session, scope, proposal, cred, ProposalStatus.withdrawn)
    session.add(ProposalComment(proposal_id=proposal.id, author_email=scope.email,
                                organization_id=scope.organization_id, text=why))


def settle_proposals(session: Session, scope: Scope, credential_id: int) -> None:
    """After the co-designers changed: close open proposals nobody can decide any more, apply those that
    every remaining party has accepted (the rule holds whoever takes part); no commit."""
    cred = load(session, scope, credential_id)
    parties = set(required_parties(session, cred))
    for proposal in _open_proposals(session, cred.id):
        if proposal.organization_id not in parties or not deciders(session, cred, proposal):
            _withdraw_with_comment(session, scope, proposal, cred,
                                   "Closed: the co-designers changed and no one is left to decide it.")
        elif not still_to_accept(session, cred, proposal):
            try:
                _check_field_unchanged(session, cred, proposal)
            except CodesignError:
                continue  # left open: the proposer withdraws it or proposes again
            _apply_proposal(session, scope, proposal, cred, cred.version)
            cred = load(session, scope, credential_id)


def close_open_proposals(session: Session, scope: Scope, cred: Credential, why: str) -> None:
    """Open proposals can no longer apply (publication freezes the content): close them, saying why; no commit."""
    for proposal in session.scalars(select(ChangeProposal).where(
            ChangeProposal.credential_id == cred.id, ChangeProposal.status == ProposalStatus.open)).all():
        _withdraw_with_comment(session, scope, proposal, cred, why)
