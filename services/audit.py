"""Audit trail: one function writes every AuditEvent; ``last_change`` reads the latest one of a kind."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
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


def last_change(session: Session, *, entity: str, entity_id: Any, action: str) -> AuditEvent | None:
    """The latest ``action`` event on one entity (who made the change a conflict message names)."""
    return session.execute(
        select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id),
                                 AuditEvent.action == action)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
