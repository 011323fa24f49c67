"""What the catalogue shows of a credential to the European standard: its Annex I elements, its next review,
and its published change list (the revisions it was published in, field by field).

The change list reads revisions only through ``visible(scope, CredentialRevision)`` and only those with a
``published_at``: the scope rule lets everyone who sees a credential in the catalogue read its published
versions, while its drafts stay in the design record of the university and its co-designers.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import Credential, CredentialRevision, LearningOutcome, Organization
from db.scope import Scope, visible
from services.codesign.completeness import Element, checklist, missing
from services.codesign.loading import load
from services.codesign.versions import diff, snapshot
from services.formatting import counted, fmt

CHANGE_LIST_COLUMNS = ["version", "published_on", "field", "before", "after"]
FIRST_PUBLISHED = "—"  # the "before" of the first published version's rows: there was no earlier one
COMPLETE = "Complete"


def awarding_body(organization: Organization | None) -> str:
    """The university's name, with its country and legal identifier when they are set."""
    if organization is None:
        return "—"
    details = [part for part in (organization.country, organization.legal_identifier) if part]
    return f"{organization.name} ({', '.join(details)})" if details else organization.name


def elements(session: Session, scope: Scope, credential_id: int) -> list[Element]:
    """Every Annex I element of a credential the user may see, with whether it is set and what it reads."""
    cred = load(session, scope, credential_id)
    return checklist(snapshot(session, cred), awarding_body=awarding_body(session.get(Organization,
                                                                                      cred.university_id)))


def review_text(next_review_on: date | None, today: date) -> str:
    """When the credential is next reviewed, or since when its review is overdue."""
    if next_review_on is None:
        return "No review date set"
    if next_review_on < today:
        return f"Overdue since {fmt(next_review_on, 'date')}"
    return f"Due by {fmt(next_review_on, 'date')}"


def standard_text(lacking: int) -> str:
    """The catalogue list's "European standard" cell."""
    return COMPLETE if not lacking else f"Missing {counted(lacking, 'element')}"


def missing_counts(session: Session, credentials: list[Credential]) -> dict[int, int]:
    """How many mandatory elements each credential lacks (completeness.missing on its stored fields), in two
    queries: the credentials are loaded, their outcomes are counted once."""
    ids = [cred.id for cred in credentials]
    with_outcomes = set(session.scalars(select(LearningOutcome.credential_id).where(
        LearningOutcome.credential_id.in_(ids)).group_by(LearningOutcome.credential_id)).all()) if ids else set()
    return {cred.id: len(missing({
        "title": cred.title, "issuer_country": cred.issuer_country, "ects_credits": cred.ects_credits,
        "eqf_level": cred.eqf_level, "assessment_type": cred.assessment_type, "delivery_mode": cred.delivery_mode,
        "quality_assurance": cred.quality_assurance, "outcomes": [True] if cred.id in with_outcomes else [],
    })) for cred in credentials}


def published_versions(session: Session, scope: Scope, credential_id: int) -> list[CredentialRevision]:
    """The published revisions of a credential the user may see, oldest first."""
    load(session, scope, credential_id)
    return list(session.scalars(select(CredentialRevision).where(
        CredentialRevision.credential_id == credential_id, CredentialRevision.published_at.is_not(None),
        visible(scope, CredentialRevision)).order_by(CredentialRevision.version)).all())


def change_list(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    """Each published version's changes from the version published before it, field by field; the first
    published version lists its whole content (before: "—")."""
    rows, previous = [], None
    for revision in published_versions(session, scope, credential_id):
        changes = diff(previous, revision) if previous is not None else [
            change for change in diff({}, revision) if change.after != change.before]
        published_on = revision.published_at.date()
        rows.extend((revision.version, published_on, change.field,
                     FIRST_PUBLISHED if previous is None else change.before, change.after) for change in changes)
        previous = revision
    return pd.DataFrame(rows, columns=CHANGE_LIST_COLUMNS)

