"""A credential's history: its saved versions, the diff between two, and the events of its sign-off."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import AppUser, AuditEvent, Credential, CredentialPartner, CredentialRevision, Organization
from db.scope import Scope, scoped
from services.codesign.loading import org_names
from services.codesign.rules import Change, CodesignError
from services.codesign.versions import BASELINE_BY, diff, find_revision
from services.formatting import label

HISTORY_ACTIONS = ("credential.status", "credential.approve", "credential.create", "credential.import")


def revisions(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    rows = session.execute(scoped(
        select(CredentialRevision.version, CredentialRevision.saved_by, CredentialRevision.saved_at,
               CredentialRevision.summary).where(CredentialRevision.credential_id == credential_id),
        scope, CredentialRevision).order_by(CredentialRevision.version.desc())).all()
    return pd.DataFrame(rows, columns=["version", "saved_by", "saved_at", "summary"])


def revision(session: Session, scope: Scope, credential_id: int, version: int) -> CredentialRevision:
    rev = session.execute(scoped(select(CredentialRevision).where(
        CredentialRevision.credential_id == credential_id, CredentialRevision.version == version),
        scope, CredentialRevision)).scalar_one_or_none()
    if rev is None:
        raise CodesignError(f"There is no saved version {version} you may see.")
    return rev


def compare(session: Session, scope: Scope, credential_id: int, version_a: int, version_b: int) -> list[Change]:
    """The readable diff between two saved versions the user may see."""
    return diff(revision(session, scope, credential_id, version_a), revision(session, scope, credential_id, version_b))


def _event_text(action: str, data: dict, names: dict[int, str]) -> str:
    if action == "credential.status":
        what = f"Status → {label(data.get('status', ''))}"
    elif action == "credential.approve":
        org = names.get(data.get("organization_id"))
        what = f"Approved version {data.get('version')}" + (f" for {org}" if org else "")
    elif action == "credential.import":
        what = f"{'Created' if data.get('created') else 'Updated'} by the import of {data.get('filename') or 'a file'}"
        what += f" (version {data.get('version')})" if data.get("version") else ""
    else:
        what = f"Created (version {data.get('version', 1)})"
    return what + (f" ({data['reason']})" if data.get("reason") else "")


def history_events(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    """Creation, imports, status changes and approvals (from the audit trail the user may read), newest first."""
    rows = session.execute(scoped(
        select(AuditEvent.occurred_at, AuditEvent.actor_email, AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.entity == "Credential", AuditEvent.entity_id == str(credential_id),
               AuditEvent.action.in_(HISTORY_ACTIONS)),
        scope, AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())).all()
    parsed = [(at, who, action, json.loads(after or "{}")) for at, who, action, after in rows]
    names = org_names(session, {data["organization_id"] for *_, data in parsed if data.get("organization_id")})
    events = [(at, who, _event_text(action, data, names)) for at, who, action, data in parsed]
    return pd.DataFrame(events, columns=["at", "by", "event"])


CHANGE_COLUMNS = ["code", "field", "before", "after", "saved_at", "party"]
SHORT = 80  # a change's before and after, cut for a table read in a meeting


def _short(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= SHORT else flat[:SHORT - 1] + "…"


def changes_in_period(session: Session, scope: Scope, *, start: date, end: date,
                      employer_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Field by field, what the revisions saved from ``start`` to ``end`` changed (each against the version before
    it), for the credentials whose design record the user may read (and co-designed with ``employer_ids``, when
    given); which side saved it, not who. Oldest first."""
    stmt = scoped(
        select(CredentialRevision, Credential.code)
        .join(Credential, Credential.id == CredentialRevision.credential_id)
        .where(CredentialRevision.saved_by != BASELINE_BY, CredentialRevision.version > 1,
               CredentialRevision.saved_at >= datetime.combine(start, time.min, timezone.utc),
               CredentialRevision.saved_at < datetime.combine(end + timedelta(days=1), time.min, timezone.utc)),
        scope, CredentialRevision).order_by(CredentialRevision.saved_at, CredentialRevision.id)
    if employer_ids is not None:
        stmt = stmt.where(CredentialRevision.credential_id.in_(select(CredentialPartner.credential_id).where(
            CredentialPartner.employer_id.in_(sorted(employer_ids)))))
    saved = session.execute(stmt).all()
    sides = dict(session.execute(
        select(AppUser.email, Organization.kind).join(Organization, Organization.id == AppUser.organization_id)
        .where(AppUser.email.in_(sorted({rev.saved_by for rev, _ in saved})))).all()) if saved else {}
    rows = []
    for rev, code in saved:
        before = find_revision(session, rev.credential_id, rev.version - 1)
        if before is None:
            continue
        rows += [(code, change.field, _short(change.before), _short(change.after), rev.saved_at,
                  sides.get(rev.saved_by)) for change in diff(before, rev)]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
