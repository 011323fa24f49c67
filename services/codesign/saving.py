"""The one write path for a credential's content: validate, save as the next version, record it.

Every saved change (fields, learning outcomes, skill mappings, co-designers, an accepted proposal) goes
through ``apply_changes``: one conditional ``UPDATE credential ... WHERE version = expected`` (the
optimistic lock), version + 1, a full ``CredentialRevision`` snapshot, an ``AuditEvent`` and a data-version
bump. If someone else saved first the UPDATE matches no row and the save is refused with their change
described (``EditConflict``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import (
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    LearningOutcome,
    utcnow,
)
from db.scope import Scope
from services import audit
from services.codesign.loading import check_version, partner_ids, require_editable
from services.codesign.rules import FIELDS, Change, CodesignError
from services.codesign.validation import clean_fields
from services.codesign.versions import add_baseline, conflict, diff, find_revision, snapshot, summary_of
from services.permissions import require_editor, require_university

DECIMAL_FIELDS = ("ects_credits", "price")  # kept as text in snapshots, as Decimal in the table


@dataclass(frozen=True)
class _Save:
    """One save in progress: the credential, the version it is based on, its content before and after."""

    cred: Credential
    expected_version: int
    before: dict
    after: dict
    changed: list[Change]
    now: datetime

    def differs(self, name: str) -> bool:
        return self.before[name] != self.after[name]


def insert_once(session: Session, row: Any, refusal: str) -> None:
    """Add a row its unique key allows once per organisation (a decision, an approval); one written by a
    concurrent request first is refused with ``refusal`` and nothing of this request is kept."""
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CodesignError(refusal) from None


def _require_may_save(scope: Scope, cred: Credential, partners: frozenset[int], changes: dict[str, Any]) -> None:
    require_editor(scope, cred, partners)
    if "partners" in changes:
        require_university(scope, cred, "chooses its co-designing employers")
    require_editable(cred)


def _update_row(session: Session, save: _Save, new_status: str) -> None:
    """The optimistic lock: a save by someone else since ``expected_version`` makes this match no row."""
    values: dict[str, Any] = {name: value for name, value in save.after.items()
                              if name in FIELDS and save.differs(name)}
    for name in DECIMAL_FIELDS:
        if name in values:
            values[name] = Decimal(values[name])
    cred = save.cred
    result = session.execute(
        update(Credential)
        .where(Credential.id == cred.id, Credential.version == save.expected_version)
        .values(**values, version=Credential.version + 1, updated_at=save.now, status=new_status)
    )
    if result.rowcount != 1:
        session.rollback()
        raise conflict(session, cred.id, save.expected_version)


def _replace_outcomes(session: Session, save: _Save) -> None:
    session.execute(delete(LearningOutcome).where(LearningOutcome.credential_id == save.cred.id))
    session.add_all(LearningOutcome(credential_id=save.cred.id, position=position, text=text)
                    for position, text in enumerate(save.after["outcomes"], 1))


def _replace_skills(session: Session, save: _Save) -> None:
    session.execute(delete(CredentialSkill).where(CredentialSkill.credential_id == save.cred.id))
    session.add_all(CredentialSkill(credential_id=save.cred.id, skill_id=item["skill_id"],
                                    proficiency=item["proficiency"]) for item in save.after["skills"])
    session.flush()
    summaries.refresh_for_credentials(session, [save.cred.id])


def _replace_partners(session: Session, save: _Save) -> None:
    """The co-designers, each keeping the date it joined (a new one joins today)."""
    credential_id = save.cred.id
    joined = dict(session.execute(select(CredentialPartner.employer_id, CredentialPartner.joined_on)
                                  .where(CredentialPartner.credential_id == credential_id)).all())
    session.execute(delete(CredentialPartner).where(CredentialPartner.credential_id == credential_id))
    session.add_all(CredentialPartner(credential_id=credential_id, employer_id=item["employer_id"],
                                      joined_on=joined.get(item["employer_id"], save.now.date()))
                    for item in save.after["partners"])


_LIST_WRITERS = {"outcomes": _replace_outcomes, "skills": _replace_skills, "partners": _replace_partners}


def _audit(session: Session, scope: Scope, save: _Save, action: str, new_status: str) -> None:
    cred, keys = save.cred, [name for name in save.after if save.differs(name)]
    audit.record(session, actor_email=scope.email, action=action, entity="Credential", entity_id=cred.id,
                 organization_id=cred.university_id,
                 before={"version": save.expected_version, **{name: save.before[name] for name in keys}},
                 after={"version": save.expected_version + 1, **{name: save.after[name] for name in keys}})
    if new_status != cred.status:
        audit.record(session, actor_email=scope.email, action="credential.status", entity="Credential",
                     entity_id=cred.id, organization_id=cred.university_id,
                     before={"status": cred.status}, after={"status": new_status, "reason": "edited after approval"})


def _write(session: Session, scope: Scope, save: _Save, summary: str, action: str) -> CredentialRevision:
    cred = save.cred
    # An edit to an approved credential sends it back to review (its approvals no longer count).
    new_status = CredentialStatus.in_review.value if cred.status == CredentialStatus.approved else cred.status
    _update_row(session, save, new_status)
    if find_revision(session, cred.id, save.expected_version) is None:
        add_baseline(session, cred, save.expected_version, save.before, save.now)
    for name, write in _LIST_WRITERS.items():
        if save.differs(name):
            write(session, save)
    rev = CredentialRevision(credential_id=cred.id, version=save.expected_version + 1,
                             snapshot=json.dumps(save.after, sort_keys=True), saved_by=scope.email, saved_at=save.now,
                             summary=(summary.strip() or summary_of(save.changed))[:500])
    session.add(rev)
    _audit(session, scope, save, action, new_status)
    bump_data_version(session)
    session.flush()
    return rev


def apply_changes(
    session: Session, scope: Scope, cred: Credential, *, expected_version: int, changes: dict[str, Any],
    summary: str = "", action: str = "credential.edit",
) -> CredentialRevision | None:
    """Validate and save ``changes`` as version expected+1, without committing. None when nothing changes."""
    _require_may_save(scope, cred, partner_ids(session, cred.id), changes)
    check_version(session, cred, expected_version)
    if not changes:
        raise CodesignError("Nothing to save.")
    clean = clean_fields(session, cred, changes)
    before = snapshot(session, cred)
    after = {**before, **clean}
    changed = diff(before, after)
    if not changed:
        return None
    save = _Save(cred, expected_version, before, after, changed, utcnow())
    try:
        return _write(session, scope, save, summary, action)
    except IntegrityError:
        session.rollback()
        raise CodesignError("Another credential uses that code, or the data changed meanwhile; "
                            "nothing was saved.") from None
