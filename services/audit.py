"""Audit trail: one function writes every AuditEvent."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from db.models import AuditEvent


def record(
    session: Session,
    *,
    actor_email: str,
    action: str,
    entity: str,
    entity_id: Any = None,
    organization_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_email=actor_email,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        organization_id=organization_id,
        before=None if before is None else json.dumps(before, default=str, sort_keys=True),
        after=None if after is None else json.dumps(after, default=str, sort_keys=True),
    )
    session.add(event)
    return event
