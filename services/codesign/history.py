"""A credential's history: its saved versions, the diff between two, and the events of its sign-off."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import AuditEvent, CredentialRevision
from db.scope import Scope, scoped
from services.codesign.loading import org_names
from services.codesign.rules import Change, CodesignError
from services.codesign.versions import diff
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
