"""The seed's yearly quality reviews (seed/quality_reviews.py): consistent with what the studio writes, some
overdue or due soon relative to the seed's today, and every other row the same as without them."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Credential, CredentialReview, metadata
from seed.demo import seed_database
from services.codesign.quality_review import add_months, due_state

TODAY = date(2026, 5, 20)


def rows(engine, table) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(*table.primary_key.columns)))


@pytest.fixture(scope="module")
def engine(blank_engine_module):
    engine = blank_engine_module("quality")
    seed_database(engine, employees=300, seed=7, today=TODAY)
    return engine


def test_published_credentials_have_consistent_review_dates(engine):
    credentials = [c for c in rows(engine, Credential.__table__) if c.status == "published"]
    reviews = defaultdict(list)
    for review in rows(engine, CredentialReview.__table__):
        reviews[review.credential_id].append(review)
    for credential in credentials:
        mine = sorted(reviews[credential.id], key=lambda review: review.reviewed_on)
        assert 1 <= len(mine) <= 2, credential.code
        assert credential.last_reviewed_on == mine[-1].reviewed_on <= TODAY
        assert credential.next_review_on == mine[-1].next_review_on == add_months(mine[-1].reviewed_on, 12)
        assert all(review.version == credential.version and review.outcome in ("continue_as_is", "revise")
                   for review in mine)
    states = [(due_state(c.next_review_on, TODAY) or ("later",))[0] for c in credentials]
    assert states.count("Overdue") >= 1 and states.count("Due soon") >= 1 and states.count("later") >= 3
    assert not [c for c in rows(engine, Credential.__table__) if c.status != "published" and c.next_review_on]


def test_each_review_has_its_audit_event(engine):
    reviews = rows(engine, CredentialReview.__table__)
    events = [e for e in rows(engine, AuditEvent.__table__) if e.action == "credential.review"]
    assert len(events) == len(reviews)
    for review, event in zip(reviews, events, strict=True):
        assert (event.entity, event.entity_id, event.actor_email) == ("Credential", str(review.credential_id),
                                                                     review.reviewer_email)
        assert json.loads(event.after) == {"outcome": review.outcome, "version": review.version,
                                           "reviewed_on": review.reviewed_on.isoformat(),
                                           "next_review_on": review.next_review_on.isoformat(),
                                           "notes_length": len(review.notes)}


def test_every_other_row_is_the_same_without_them(engine, blank_engine, monkeypatch):
    import seed.demo

    monkeypatch.setattr(seed.demo, "write_quality_reviews", lambda run, writer: None)
    without = blank_engine("without-reviews")
    seed_database(without, employees=300, seed=7, today=TODAY)
    changed = {"auditevent", "dataversion", "credentialreview", "credential"}
    for table in metadata.sorted_tables:
        if table.name not in changed:
            assert rows(without, table) == rows(engine, table), table.name

    def undated(database):
        return [{k: v for k, v in row._mapping.items() if k not in ("last_reviewed_on", "next_review_on")}
                for row in rows(database, Credential.__table__)]

    assert undated(without) == undated(engine)
