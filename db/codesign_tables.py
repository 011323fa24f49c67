"""The co-design record of a credential (services/codesign/): proposals, their comments and decisions,
approvals, and the revisions (a full snapshot per version). Part of the one model: ``db.models``
re-exports every class here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models import Decision, ProposalStatus, _in, utcnow


class ChangeProposal(SQLModel, table=True):
    """One side proposes a change to a credential's field; the other side accepts or rejects it."""

    __table_args__ = (CheckConstraint(_in("status", ProposalStatus), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    proposer_user_id: int | None = Field(default=None, foreign_key="appuser.id", index=True)
    proposer_email: str = Field(max_length=254)
    organization_id: int = Field(foreign_key="organization.id", index=True)  # the proposer's side
    field: str = Field(max_length=40)
    new_value: str = Field(sa_type=Text)  # JSON
    rationale: str = Field(default="", sa_type=Text)
    base_version: int  # the credential version the proposal was made against
    status: str = Field(default=ProposalStatus.open, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = None


class ProposalComment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="changeproposal.id", index=True)
    author_email: str = Field(max_length=254)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class ProposalDecision(SQLModel, table=True):
    """One organisation's decision on a proposal. A proposal applies once every other party
    (the university and each co-designing employer but the proposer's) has accepted it."""

    __table_args__ = (
        UniqueConstraint("proposal_id", "organization_id"),
        CheckConstraint(_in("decision", Decision), name="decision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="changeproposal.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    decision: str = Field(max_length=20)
    decided_by: str = Field(max_length=254)
    user_id: int | None = Field(default=None, foreign_key="appuser.id", index=True)
    decided_at: datetime = Field(default_factory=utcnow)
    note: str = Field(default="", sa_type=Text)


class Approval(SQLModel, table=True):
    """An organisation's sign-off of one content version of a credential."""

    __table_args__ = (UniqueConstraint("credential_id", "version", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    version: int
    organization_id: int = Field(foreign_key="organization.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="appuser.id", index=True)
    approver_email: str = Field(max_length=254)
    approved_at: datetime = Field(default_factory=utcnow)


class CredentialRevision(SQLModel, table=True):
    """A full snapshot (JSON) of a credential's content at one version."""

    __table_args__ = (UniqueConstraint("credential_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    credential_id: int = Field(foreign_key="credential.id", index=True)
    version: int
    snapshot: str = Field(sa_type=Text)
    saved_by: str = Field(max_length=254)
    saved_at: datetime = Field(default_factory=utcnow)
    summary: str = Field(default="", max_length=500)
    # When this version was published: published versions form the credential's public change list.
    published_at: datetime | None = None
