"""Purpose limits between the two sides: whether an employer lets a partner university's officers see its
people's HR records (PDP goals, assessments, survey answers) by name.

The setting is ``Partnership.shares_individual_records``; db/scope.py turns it into each user's
``Scope.record_employer_ids`` (rebuilt on every run, so a change applies at the officer's next click) and
``records_visible`` applies it to every person-by-person query. Only the employer's HR managers change it
(services/permissions.py), against the value they were shown, and every change is audited under the employer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import AuditEvent, Organization, Partnership
from db.scope import Scope, visible
from services import audit, permissions
from services.filters import Filters
from services.formatting import fmt

ACTION = "partnership.sharing"
SHARED = "PDP goals, manager and self assessments, and outcome-survey answers"


class SharingError(ValueError):
    """A sharing change that was refused, with a message for the person who asked."""


class SharingConflict(SharingError):
    """Someone changed the setting after it was shown: nothing changed. ``shares`` is the setting now."""

    def __init__(self, message: str, *, shares: bool):
        super().__init__(message)
        self.shares = shares


@dataclass(frozen=True)
class PartnershipSharing:
    partnership_id: int
    university: str
    employer_id: int
    employer: str
    shares: bool
    may_change: bool  # the user is this employer's HR manager


def partnerships(session: Session, scope: Scope) -> list[PartnershipSharing]:
    """The partnerships the user sees, with whether each shares its people's records by name."""
    university, employer = aliased(Organization), aliased(Organization)
    rows = session.execute(
        select(Partnership.id, university.name, Partnership.employer_id, employer.name,
               Partnership.shares_individual_records)
        .join(university, university.id == Partnership.university_id)
        .join(employer, employer.id == Partnership.employer_id)
        .where(visible(scope, Partnership))
        .order_by(university.name, employer.name, Partnership.id)
    ).all()
    return [PartnershipSharing(pid, uni, employer_id, name, bool(shares),
                               permissions.may_change_sharing(scope, employer_id))
            for pid, uni, employer_id, name, shares in rows]


def _state(shares: bool) -> str:
    return "on" if shares else "off"


def _conflict(session: Session, partnership_id: int, university: str) -> SharingConflict:
    shares = bool(session.scalar(select(Partnership.shares_individual_records)
                                 .where(Partnership.id == partnership_id)
                                 .execution_options(populate_existing=True)))
    event = audit.last_change(session, entity="Partnership", entity_id=partnership_id, action=ACTION)
    who = (f"{event.actor_email} turned sharing with {university} {_state(shares)} on "
           f"{fmt(event.occurred_at, 'datetime')} (UTC)" if event is not None
           else f"Sharing with {university} was turned {_state(shares)}")
    return SharingConflict(f"{who}, after you opened this page. Nothing was changed: sharing is "
                           f"{_state(shares)}; choose again if you want it otherwise.", shares=shares)


def set_sharing(session: Session, scope: Scope, *, partnership_id: int, share: bool, expected: bool) -> bool:
    """Turn sharing of the employer's people's HR records with the partnership's university on or off.

    ``expected`` is the setting the person was shown: when it is no longer the stored one (another HR manager,
    another tab) nothing changes and SharingConflict says what it is now. Returns the setting now."""
    if not isinstance(share, bool) or not isinstance(expected, bool):
        raise SharingError("Choose sharing on or off.")
    university = aliased(Organization)
    row = session.execute(
        select(Partnership.shares_individual_records, Partnership.employer_id, Organization.name, university.name)
        .join(Organization, Organization.id == Partnership.employer_id)
        .join(university, university.id == Partnership.university_id)
        .where(Partnership.id == partnership_id, visible(scope, Partnership))
    ).first()
    if row is None:
        raise SharingError("That partnership does not exist or is outside your access.")
    stored, employer_id, employer_name, university_name = row
    permissions.require_sharing_manager(scope, employer_id, employer_name)
    if stored != expected:
        raise _conflict(session, partnership_id, university_name)
    if share == stored:
        return stored
    # Conditional update: a concurrent change between the read and this write makes it match no row.
    result = session.execute(update(Partnership).where(
        Partnership.id == partnership_id, Partnership.shares_individual_records == expected,
    ).values(shares_individual_records=share))
    if result.rowcount != 1:
        session.rollback()
        raise _conflict(session, partnership_id, university_name)
    audit.record(session, actor_email=scope.email, action=ACTION, entity="Partnership", entity_id=partnership_id,
                 organization_id=employer_id, before={"shares_individual_records": expected},
                 after={"shares_individual_records": share})
    bump_data_version(session)
    session.commit()
    return share


def withheld_employers(session: Session, scope: Scope, filters: Filters) -> list[str]:
    """The employers in the user's scope and filters whose people's HR records they see in aggregate only."""
    if scope.record_employer_ids is None:
        return []
    employers = scope.employers(filters.employer_ids)
    stmt = select(Organization.name).where(visible(scope, Organization), Organization.kind == "employer")
    if employers is not None:
        stmt = stmt.where(Organization.id.in_(sorted(employers)))
    if scope.record_employer_ids:
        stmt = stmt.where(Organization.id.not_in(sorted(scope.record_employer_ids)))
    return list(session.scalars(stmt.order_by(Organization.name)))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def withheld_note(session: Session, scope: Scope, filters: Filters, *, records: str = "PDP goals") -> str | None:
    """What a page says in place of the names it may not show (None when it may show every one)."""
    names = withheld_employers(session, scope, filters)
    if not names:
        return None
    if len(names) == 1:
        text = (f"{names[0]} keeps its people's {records} to its own HR; its HR manager can share them on the "
                "Privacy page.")
    else:
        text = (f"{_names(names)} keep their people's {records} to their own HR; their HR managers can share "
                "them on the Privacy page.")
    return f"{text} The figures above count everyone."


def history(session: Session, scope: Scope, *, limit: int = 20) -> pd.DataFrame:
    """The latest sharing changes the user may read (the audit trail), newest first: when, who, which
    partnership, what changed."""
    university, employer = aliased(Organization), aliased(Organization)
    rows = session.execute(
        select(AuditEvent.occurred_at, AuditEvent.actor_email, university.name, employer.name, AuditEvent.after)
        .join(Partnership, cast(Partnership.id, String) == AuditEvent.entity_id)
        .join(university, university.id == Partnership.university_id)
        .join(employer, employer.id == Partnership.employer_id)
        .where(AuditEvent.action == ACTION, AuditEvent.entity == "Partnership", visible(scope, AuditEvent),
               visible(scope, Partnership))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
    changes = [(at, by, f"{name} shares with {uni}", "Turned on" if json.loads(after or "{}").get(
        "shares_individual_records") else "Turned off") for at, by, uni, name, after in rows]
    return pd.DataFrame(changes, columns=["occurred_at", "actor_email", "partnership", "change"])
