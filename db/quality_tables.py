"""The yearly quality review of a published credential (services/codesign/quality_review.py).
Part of the one model: ``db.models`` re-exports every class here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from db.models import _in, utcnow


class ReviewOutcome(StrEnum):
    """What a yearly review decided."""

    continue_as_is = "continue_as_is"
    revise = "revise"
    retire = "retire"


class CredentialReview(SQLModel, table=True):
    """One yearly quality review of a credential: who reviewed which version, when, what they decided and why.

    Reviews are records, not content: they do not bump the credential's version. Each one sets the
    credential's ``last_reviewed_on`` and ``next_review_on`` (at most twelve months later)."""

    __table_args__ = (
        CheckConstraint(_in("outcome", ReviewOutcome), name="outcome"),
        CheckConstraint("next_review_on > reviewed_on", name="next_after_review"),
    )

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    version: int  # the credential's content version that was reviewed
    reviewed_on: date
    reviewer_email: str = Field(max_length=254)
    reviewer_organization_id: int = Field(foreign_key="organization.id", index=True)
    outcome: str = Field(max_length=20)
    notes: str = Field(default="", sa_type=Text)
    next_review_on: date
    created_at: datetime = Field(default_factory=utcnow)
