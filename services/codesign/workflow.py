"""Sign-off: submit for review, approve, publish, retire, return to draft.

Approvals are recorded per (credential, version, organisation). An edit bumps the version, so earlier
approvals no longer count: that is the withdrawal (the rows stay, as history). Publishing needs an approval
of the current version from the credential's university and from every co-designing employer. Status
changes are not content: they do not bump the version, and are recorded as audit events. So each step is
made to the version and the status the person was shown (``expected_status``): a step based on a status
someone else changed meanwhile is refused, as a save based on an older version is.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import Approval, Credential, CredentialStatus, Organization, utcnow
from db.scope import Scope
from services import audit
from services.codesign.completeness import missing, require_complete
from services.codesign.loading import (
    approved_organizations,
    check_version,
    load,
    org_names,
    partner_ids,
    required_parties,
)
from services.codesign.proposing import close_open_proposals
from services.codesign.rules import CodesignError, InvalidTransition, check_transition
from services.codesign.saving import insert_once
from services.codesign.validation import clean_text
from services.codesign.versions import add_baseline, conflict, find_revision, snapshot
from services.permissions import require_approver, require_editor, require_university


def missing_approvals(session: Session, cred: Credential) -> list[int]:
    have = approved_organizations(session, cred, cred.version)
    return [org for org in required_parties(session, cred) if org not in have]


def waiting_for_approval(session: Session, scope: Scope, credential_id: int) -> list[str]:
    """Names of the parties whose approval of the current version is still missing (university first)."""
    cred = load(session, scope, credential_id)
    missing = missing_approvals(session, cred)
    names = org_names(session, missing)
    return [names.get(org, "?") for org in missing]


def _set_status(session: Session, scope: Scope, cred: Credential, new: CredentialStatus, *, expected_version: int,
                reason: str = "") -> None:
    """Conditional status change (same version, same status as read), with its audit event; no commit."""
    check_transition(cred.status, new)
    result = session.execute(
        update(Credential).where(Credential.id == cred.id, Credential.version == expected_version,
                                 Credential.status == cred.status)
        .values(status=new.value, updated_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise conflict(session, cred.id, expected_version)
    after = {"status": new.value, "version": expected_version}
    if reason:
        after["reason"] = reason
    audit.record(session, actor_email=scope.email, action="credential.status", entity="Credential",
                 entity_id=cred.id, organization_id=cred.university_id, before={"status": cred.status}, after=after)
    bump_data_version(session)


def _check_seen(session: Session, cred: Credential, expected_version: int, expected_status: str | None) -> None:
    """Refuse (EditConflict) a step made to an older version, or to a status the credential no longer has."""
    check_version(session, cred, expected_version)
    if expected_status is not None and cred.status != expected_status:
        session.rollback()
        raise conflict(session, cred.id, expected_version)


def _ensure_revision(session: Session, cred: Credential) -> None:
    """The version under review has a revision (credentials created before co-design tracking)."""
    if find_revision(session, cred.id, cred.version) is None:
        add_baseline(session, cred, cred.version, snapshot(session, cred), utcnow())


def _maybe_complete(session: Session, scope: Scope, cred: Credential) -> bool:
    """in_review → approved once every party approved the current version."""
    if cred.status == CredentialStatus.in_review and not missing_approvals(session, cred):
        _set_status(session, scope, cred, CredentialStatus.approved, expected_version=cred.version,
                    reason="approved by the university and every co-designing employer")
        return True
    return False


def _studio_rule(content: dict) -> list[str]:
    """What the studio asks of a draft before review, besides Annex I."""
    needs = {"a summary": content["summary"], "at least one learning outcome": content["outcomes"],
             "at least one skill": content["skills"]}
    return [need for need, present in needs.items() if not present]


def still_needed(content: dict) -> list[str]:
    """What a draft (a snapshot) still needs before review: the studio's rule, then Annex I's missing
    elements (outcomes named once: "at least one learning outcome" already says it). Empty: ready."""
    problems = _studio_rule(content)
    lacking = missing(content)
    if "at least one learning outcome" in problems:
        lacking = [name for name in lacking if name != "Learning outcomes"]
    return problems + lacking


def _require_ready_for_review(session: Session, cred: Credential) -> None:
    """The studio's own rule (a summary, an outcome, a skill) and Annex I's mandatory elements, in one refusal."""
    content = snapshot(session, cred)
    problems = _studio_rule(content)
    if not problems:
        require_complete(content, cred.code, "review")
        return
    lacking = still_needed(content)[len(problems):]
    if lacking:
        raise CodesignError(f"Before review, {cred.code} needs {', '.join(problems)} and every mandatory element "
                            f"of the European standard for micro-credentials. Missing: {', '.join(lacking)}.")
    raise CodesignError(f"Before review, {cred.code} needs {', '.join(problems)}.")


def submit_for_review(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
                      expected_status: str | None = None) -> Credential:
    cred = load(session, scope, credential_id)
    require_editor(scope, cred, partner_ids(session, cred.id))
    _check_seen(session, cred, expected_version, expected_status)
    check_transition(cred.status, CredentialStatus.in_review)
    if cred.status != CredentialStatus.draft:  # approved → in_review is the edit path, not a submission
        raise InvalidTransition(
            f"Only a draft is submitted for review; {cred.code} is {cred.status.replace('_', ' ')}.")
    _require_ready_for_review(session, cred)
    _ensure_revision(session, cred)
    _set_status(session, scope, cred, CredentialStatus.in_review, expected_version=expected_version)
    cred.status = CredentialStatus.in_review.value
    _maybe_complete(session, scope, cred)  # approvals of this exact version may exist from an earlier review
    session.commit()
    return load(session, scope, credential_id)


def return_to_draft(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
                    expected_status: str | None = None) -> Credential:
    cred = load(session, scope, credential_id)
    require_editor(scope, cred, partner_ids(session, cred.id))
    _check_seen(session, cred, expected_version, expected_status)
    _set_status(session, scope, cred, CredentialStatus.draft, expected_version=expected_version)
    session.commit()
    return load(session, scope, credential_id)


def approve(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
            expected_status: str | None = None) -> Approval:
    """Record the user's organisation's approval of ``expected_version`` (which must be the current one)."""
    cred = load(session, scope, credential_id)
    require_approver(scope, cred, partner_ids(session, cred.id))
    _check_seen(session, cred, expected_version, expected_status)
    if cred.status != CredentialStatus.in_review:
        raise InvalidTransition(
            f"{cred.code} is {cred.status.replace('_', ' ')}; approvals are given while it is in review."
            + (" Submit it for review first." if cred.status == CredentialStatus.draft else "")
        )
    if scope.organization_id in approved_organizations(session, cred, cred.version):
        raise CodesignError(f"Your organisation has already approved version {cred.version}.")
    row = Approval(credential_id=cred.id, version=cred.version, organization_id=scope.organization_id,
                   user_id=scope.user_id, approver_email=scope.email)
    insert_once(session, row, f"Your organisation has already approved version {expected_version}.")
    audit.record(session, actor_email=scope.email, action="credential.approve", entity="Credential",
                 entity_id=cred.id, organization_id=cred.university_id,
                 after={"version": cred.version, "organization_id": scope.organization_id})
    bump_data_version(session)
    _maybe_complete(session, scope, cred)
    session.commit()
    return row


def publish(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
            expected_status: str | None = None) -> Credential:
    cred = load(session, scope, credential_id)
    require_university(scope, cred, "publishes the credential")
    _check_seen(session, cred, expected_version, expected_status)
    check_transition(cred.status, CredentialStatus.published)
    missing = missing_approvals(session, cred)
    if missing:
        names = session.scalars(select(Organization.name).where(Organization.id.in_(missing))).all()
        raise InvalidTransition(f"Version {cred.version} still needs the approval of: {', '.join(sorted(names))}.")
    require_complete(snapshot(session, cred), cred.code, "publication")  # content edited in review may lack some
    _set_status(session, scope, cred, CredentialStatus.published, expected_version=expected_version)
    close_open_proposals(session, scope, cred, f"Closed when version {cred.version} was published: "
                                               "published content is frozen.")
    session.commit()
    return load(session, scope, credential_id)


def retire(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
           expected_status: str | None = None, reason: str = "") -> Credential:
    """Published → retired. Nothing is deleted: revisions, approvals, cohorts and badges keep their history."""
    cred = load(session, scope, credential_id)
    require_university(scope, cred, "retires the credential")
    _check_seen(session, cred, expected_version, expected_status)
    _set_status(session, scope, cred, CredentialStatus.retired, expected_version=expected_version,
                reason=clean_text(reason, "Reason", required=False, max_len=500))
    session.commit()
    return load(session, scope, credential_id)
