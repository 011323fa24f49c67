"""The quarterly review meeting's own record: the actions agreed in it (services/review_actions.py).
Part of the one model: ``db.models`` re-exports every class here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from db.models import _in, utcnow


class ActionStatus(StrEnum):
    """A review action's state (services/review_actions.py)."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class ActionSide(StrEnum):
    university = "university"
    employer = "employer"


class ReviewAction(SQLModel, table=True):
    """An action agreed in one partnership's quarterly review meeting (services/review_actions.py).

    ``quarter`` is the label of the quarter the meeting reviewed ("2026Q2"), so the next quarter's pack
    finds last meeting's actions by label. ``version`` is the optimistic lock of conditional updates.
    """

    __table_args__ = (
        CheckConstraint(_in("status", ActionStatus), name="status"),
        CheckConstraint(_in("owner_side", ActionSide), name="owner_side"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    quarter: str = Field(max_length=6, index=True)
    text: str = Field(sa_type=Text)
    owner_name: str = Field(max_length=200)
    owner_email: str | None = Field(default=None, max_length=254)
    owner_side: str = Field(max_length=20)
    due_on: date = Field(index=True)
    status: str = Field(default=ActionStatus.open, max_length=20, index=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1
