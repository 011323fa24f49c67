"""The quarterly review meeting's own record: the actions agreed in it, carried from quarter to quarter.

An action belongs to one partnership (db/models.ReviewAction) and to the quarter the meeting reviewed
("2026Q2"): the 2026Q3 pack lists those as last quarter's actions with what became of them. Either side of
the partnership (its university's officers, its employer's HR managers) and admins add and update them;
viewers read them. Which actions a user sees at all is db/scope.py's rule (the partnership's).

Updates are conditional on the version the user saw (``UPDATE … WHERE id = :id AND version = :expected``):
when someone else changed the action first, nothing is overwritten and the error names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select, update
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import ActionSide, ActionStatus, AppUser, Organization, Partnership, ReviewAction, Role, utcnow
from db.scope import AccessDenied, Scope, visible
from services import audit
from services.formatting import fmt, label
from services.periods import Period, parse_quarter, quarter_of

MAX_TEXT = 1000
MAX_NAME = 200
PACK_COLUMNS = ["action", "owner", "owner_side", "due_on", "status"]
# The columns the page keeps per action beside the pack's: which one it is and the version it saw.
LIST_COLUMNS = ["id", "version", "quarter", *PACK_COLUMNS, "stored_status", "updated_by", "updated_at"]
OVERDUE = "overdue"  # a state shown, never stored: not done or dropped, and past its due date
CLOSED = (ActionStatus.done, ActionStatus.dropped)


class ActionError(ValueError):
    """An action change that was refused, with a message for the person who asked; nothing was saved."""


class ActionConflict(ActionError):
    """Someone else changed the action after it was shown: nothing was saved. ``current`` holds its
    values now (text, owner, side, due_on, status, version)."""

    def __init__(self, message: str, *, current: dict, changed_by: str, changed_at: datetime):
        super().__init__(message)
        self.current, self.changed_by, self.changed_at = current, changed_by, changed_at


@dataclass(frozen=True)
class Owner:
    """Who carries an action out: a user of either side (``email``), or a name typed in with its side."""

    name: str = ""
    email: str | None = None
    side: str | None = None


@dataclass
class PackActions:
    previous: pd.DataFrame  # agreed in the previous quarter's meeting, with their state now
    due: pd.DataFrame  # open, due by the end of the next quarter (before the next review)

    def sentence(self, previous_label: str) -> str | None:
        """One line for the pack's narrative about last quarter's actions, or None when there were none."""
        states = self.previous["status"].value_counts().to_dict() if not self.previous.empty else {}
        total = sum(states.values())
        if not total:
            return None
        parts = [f"{count} {'is' if count == 1 else 'are'} {label(state).lower()}"
                 for state, count in sorted(states.items(), key=lambda item: (-item[1], item[0]))]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        noun = "action" if total == 1 else "actions"
        return f"Of the {total} {noun} agreed in the {previous_label} review, {joined}."


# --- Rights -------------------------------------------------------------------------------


def may_keep_actions(scope: Scope) -> bool:
    """Whether the user adds and updates review actions (of the partnerships they see)."""
    if scope.read_only:
        return False
    return scope.sees_all or scope.role in (Role.partnership_officer, Role.hr_manager)


def _require_writer(scope: Scope) -> None:
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access: they cannot add or change actions.")
    if not may_keep_actions(scope):
        raise AccessDenied("Only the partnership's officers, HR managers and administrators keep its actions.")


def _partnership(session: Session, scope: Scope, partnership_id: int) -> Partnership:
    found = session.execute(select(Partnership).where(Partnership.id == partnership_id,
                                                      visible(scope, Partnership))).scalar_one_or_none()
    if found is None:
        raise AccessDenied("That partnership is outside your access.")
    return found


def partnership_for(session: Session, scope: Scope, *, employer_id: int) -> Partnership | None:
    """The partnership of ``employer_id`` that the user sees (an admin's: the earliest one), or None."""
    return session.execute(select(Partnership).where(Partnership.employer_id == employer_id,
                                                     visible(scope, Partnership))
                           .order_by(Partnership.starts_on, Partnership.id).limit(1)).scalar_one_or_none()


def owner_choices(session: Session, scope: Scope, *, partnership_id: int) -> list[Owner]:
    """The active users of both sides of the partnership, who an action can be given to by name."""
    partnership = _partnership(session, scope, partnership_id)
    rows = session.execute(
        select(AppUser.display_name, AppUser.email, Organization.kind)
        .join(Organization, Organization.id == AppUser.organization_id)
        .where(AppUser.organization_id.in_([partnership.university_id, partnership.employer_id]),
               AppUser.is_active, AppUser.role != Role.viewer)
        .order_by(Organization.kind.desc(), AppUser.display_name)).all()
    return [Owner(name=name, email=email, side=kind) for name, email, kind in rows]


# --- Validation -----------------------------------------------------------------------------


def _clean_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ActionError("Write what was agreed: the action's text is empty.")
    if len(cleaned) > MAX_TEXT:
        raise ActionError(f"An action's text is at most {MAX_TEXT:,} characters (this one has {len(cleaned):,}).")
    return cleaned


def _quarter(text: str) -> Period:
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise ActionError(str(exc)) from None


def _check_due(due_on: date | None, quarter: Period) -> date:
    if due_on is None:
        raise ActionError("Choose the date the action is due.")
    if due_on < quarter.start:
        raise ActionError(f"The due date ({fmt(due_on, 'date')}) is before the reviewed quarter {quarter.label} "
                          f"starts ({fmt(quarter.start, 'date')}).")
    return due_on


def _resolve_owner(session: Session, partnership: Partnership, owner: Owner | None) -> tuple[str, str | None, str]:
    """(name, email, side): a user's are read from their account, which must be of either side."""
    if owner is None or not (owner.email or (owner.name or "").strip()):
        raise ActionError("Say who owns the action: choose a person or type a name.")
    if owner.email:
        found = session.execute(
            select(AppUser.display_name, AppUser.email, Organization.kind)
            .join(Organization, Organization.id == AppUser.organization_id)
            .where(AppUser.email == owner.email.strip().lower(),
                   AppUser.organization_id.in_([partnership.university_id, partnership.employer_id]))
        ).first()
        if found is None:
            raise ActionError(f"{owner.email} is not a user of this partnership's university or employer.")
        return found[0], found[1], found[2]
    name = owner.name.strip()
    if len(name) > MAX_NAME:
        raise ActionError(f"An owner's name is at most {MAX_NAME} characters.")
    if owner.side not in set(ActionSide):
        raise ActionError("Say which side the owner is on: the university or the employer.")
    return name, None, owner.side


def _values(action: ReviewAction) -> dict:
    return {"text": action.text, "owner_name": action.owner_name, "owner_email": action.owner_email,
            "owner_side": action.owner_side, "due_on": action.due_on, "status": action.status,
            "version": action.version}


# --- Writes -------------------------------------------------------------------------------


def add_action(session: Session, scope: Scope, *, partnership_id: int, quarter: str, text: str,
               owner: Owner | None, due_on: date | None) -> ReviewAction:
    """Record an action agreed in the review of ``quarter`` (its label, e.g. "2026Q2")."""
    _require_writer(scope)
    partnership = _partnership(session, scope, partnership_id)
    period = _quarter(quarter)
    cleaned = _clean_text(text)
    due = _check_due(due_on, period)
    name, email, side = _resolve_owner(session, partnership, owner)
    action = ReviewAction(partnership_id=partnership.id, quarter=period.label, text=cleaned, owner_name=name,
                          owner_email=email, owner_side=side, due_on=due, created_by=scope.email,
                          updated_by=scope.email)
    session.add(action)
    session.flush()
    audit.record(session, actor_email=scope.email, action="review_action.add", entity="ReviewAction",
                 # Under the employer: its HR managers read their organisation's events, the university's
                 # officers their partners' too (db/scope._audit_rule), so both sides see it.
                 entity_id=action.id, organization_id=partnership.employer_id,
                 after={"partnership_id": partnership.id, "quarter": period.label, **_values(action)})
    bump_data_version(session)
    session.commit()
    return action


def update_action(session: Session, scope: Scope, *, action_id: int, expected_version: int,
                  status: str | None = None, text: str | None = None, due_on: date | None = None,
                  owner: Owner | None = None) -> ReviewAction:
    """Change an action, only if it is still at ``expected_version`` (what the user saw); else ActionConflict."""
    _require_writer(scope)
    action = session.execute(select(ReviewAction).where(ReviewAction.id == action_id,
                                                        visible(scope, ReviewAction))).scalar_one_or_none()
    if action is None:
        raise AccessDenied("That action is outside your access.")
    partnership = _partnership(session, scope, action.partnership_id)
    changes: dict = {}
    if status is not None:
        if status not in set(ActionStatus):
            raise ActionError(f"'{status}' is not an action status; choose one of "
                              f"{', '.join(label(s) for s in ActionStatus)}.")
        changes["status"] = status
    if text is not None:
        changes["text"] = _clean_text(text)
    if due_on is not None:
        changes["due_on"] = _check_due(due_on, _quarter(action.quarter))
    if owner is not None:
        changes["owner_name"], changes["owner_email"], changes["owner_side"] = _resolve_owner(
            session, partnership, owner)
    before = _values(action)
    if not changes:
        raise ActionError("Nothing to change: choose a new status, due date, text or owner.")
    result = session.execute(
        update(ReviewAction).where(ReviewAction.id == action_id, ReviewAction.version == expected_version)
        .values(**changes, version=ReviewAction.version + 1, updated_by=scope.email, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        session.rollback()
        raise _conflict(session, action_id, expected_version)
    session.refresh(action)
    audit.record(session, actor_email=scope.email, action="review_action.update", entity="ReviewAction",
                 entity_id=action.id, organization_id=partnership.employer_id, before=before, after=_values(action))
    bump_data_version(session)
    session.commit()
    return action


def _conflict(session: Session, action_id: int, expected_version: int) -> ActionConflict:
    current = session.execute(select(ReviewAction).where(ReviewAction.id == action_id)
                              .execution_options(populate_existing=True)).scalar_one()
    values = _values(current)
    message = (f"{current.updated_by} changed this action at {fmt(current.updated_at, 'datetime')} UTC, after you "
               f"opened it (version {expected_version}; it is now version {current.version}). Nothing of yours was "
               f"saved. Now: {label(current.status)}, due {fmt(current.due_on, 'date')}, owner {current.owner_name}.")
    return ActionConflict(message, current=values, changed_by=current.updated_by, changed_at=current.updated_at)


# --- Reads --------------------------------------------------------------------------------


def state_now(status: str, due_on: date, today: date) -> str:
    """The status as the pack shows it: an open action past its due date is overdue."""
    if status in CLOSED:
        return status
    return OVERDUE if due_on < today else status


def _frame(session: Session, scope: Scope, conditions: list, today: date) -> pd.DataFrame:
    rows = session.execute(
        select(ReviewAction).where(visible(scope, ReviewAction), *conditions)
        .order_by(ReviewAction.due_on, ReviewAction.id)).scalars().all()
    records = [{"id": a.id, "version": a.version, "quarter": a.quarter, "action": a.text, "owner": a.owner_name,
                "owner_side": a.owner_side, "due_on": a.due_on, "status": state_now(a.status, a.due_on, today),
                "stored_status": a.status,
                "updated_by": a.updated_by, "updated_at": a.updated_at} for a in rows]
    return pd.DataFrame(records, columns=LIST_COLUMNS)


def _of_employers(employer_ids: frozenset[int] | None) -> list:
    if employer_ids is None:
        return []
    return [ReviewAction.partnership_id.in_(select(Partnership.id).where(Partnership.employer_id.in_(
        sorted(employer_ids))))]


def actions_of(session: Session, scope: Scope, *, partnership_id: int, today: date) -> pd.DataFrame:
    """Every action of one partnership the user sees, soonest due first (the page's list to update)."""
    return _frame(session, scope, [ReviewAction.partnership_id == partnership_id], today)


def next_review_due(quarter: Period) -> date:
    """The default due date of an action agreed in the review of ``quarter``: the end of the next quarter."""
    return quarter_of(quarter.end + timedelta(days=1)).end


def actions_for_pack(session: Session, scope: Scope, *, quarter: Period, employer_ids: frozenset[int] | None,
                     today: date) -> PackActions:
    """Last quarter's actions with what became of them, and the open ones due before the next review."""
    employers = _of_employers(employer_ids)
    previous = _frame(session, scope, [ReviewAction.quarter == quarter.previous().label, *employers], today)
    due = _frame(session, scope, [ReviewAction.status.notin_([s.value for s in CLOSED]),
                                  ReviewAction.due_on <= next_review_due(quarter), *employers], today)
    return PackActions(previous=previous[PACK_COLUMNS].reset_index(drop=True),
                       due=due[PACK_COLUMNS].reset_index(drop=True))

