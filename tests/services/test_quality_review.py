"""The yearly quality review: dates due and overdue, recording a review (audited, limited to 12 months, never
overwriting another's), publishing starts the cycle, and who sees which reviews.

Expectations by hand from tests/world.py: K1 published by Uni One (co-designed by Acme; Acme's a1, a2 and
Beta's b1, b2 enrolled), K6 published by Uni Two (co-designed by Gamma), K2 a draft co-designed by Acme,
K5 in review (no co-designer; nobody enrolled) — the tests below publish it where they need a credential
that neither Acme nor Beta co-designs or uses. Today is fixed: 30 Jun 2026.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from db.engine import data_version
from db.models import AuditEvent, Credential, CredentialReview, CredentialRevision
from db.scope import AccessDenied, visible
from services import codesign
from services.codesign import CodesignError
from services.codesign import quality_review as qr
from tests.services import codesign_helpers
from tests.services.codesign_helpers import cred, make_ready, sc

world = codesign_helpers.world
TODAY = date(2026, 6, 30)


def set_dates(session, world, label, *, next_on, last_on=None, status=None):
    c = session.get(Credential, world.id(label))
    c.next_review_on, c.last_reviewed_on = next_on, last_on
    if status:
        c.status = status
    session.add(c)
    session.commit()


def due_rows(session, world, user, today=TODAY, **kwargs):
    frame = qr.reviews_due(session, sc(session, world, user), today=today, **kwargs)
    return [(row.code, row.next_review_on, row.when, row.state) for row in frame.itertuples()]


def record(session, world, user="officer@u", label="K1", expected=date(2026, 6, 10), **kwargs):
    arguments = {"outcome": "continue_as_is", "notes": "Outcomes still match the roles.", "today": TODAY} | kwargs
    return qr.record_review(session, sc(session, world, user), credential_id=world.id(label),
                            expected_next_review_on=expected, **arguments)


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 6, 30), 12, date(2027, 6, 30)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),   # no 29 Feb in 2025
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 12, 2), 12, date(2027, 12, 2)),
])
def test_months_are_calendar_months(day, months, expected):
    assert qr.add_months(day, months) == expected


def test_due_and_overdue_dates_hand_computed(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10), last_on=date(2025, 6, 10))  # 20 days overdue
    set_dates(session, world, "K5", next_on=date(2026, 8, 29), status="published")         # in 60 days
    set_dates(session, world, "K6", next_on=date(2026, 8, 30))                             # in 61 days
    assert due_rows(session, world, "admin@u") == [
        ("K1", date(2026, 6, 10), "20 days overdue", "Overdue"),
        ("K5", date(2026, 8, 29), "due in 60 days", "Due soon"),
    ]
    assert due_rows(session, world, "admin@u", within_days=61)[-1] == ("K6", date(2026, 8, 30), "due in 61 days",
                                                                       "Due soon")
    assert due_rows(session, world, "admin@u", today=date(2026, 6, 10))[0][2:] == ("due today", "Due soon")
    counts = qr.due_counts(qr.reviews_due(session, sc(session, world, "admin@u"), today=TODAY))
    assert (counts.overdue, counts.due_soon, counts.not_scheduled) == (1, 1, 0)


def test_a_published_credential_without_a_date_is_listed_as_not_scheduled(session, world):
    assert due_rows(session, world, "officer@u2") == [("K6", None, "no review date set", "Not scheduled")]


def test_a_review_is_recorded_and_audited(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10), last_on=date(2025, 6, 10))
    version_before = data_version(session)
    review = record(session, world)
    assert (review.reviewed_on, review.next_review_on, review.version, review.reviewer_email, review.outcome) == (
        TODAY, date(2027, 6, 30), 1, "officer@uni-one.test", "continue_as_is")
    k1 = cred(session, world, "K1")
    assert (k1.last_reviewed_on, k1.next_review_on, k1.version, k1.status) == (TODAY, date(2027, 6, 30), 1,
                                                                              "published")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.review")).one()
    assert (event.actor_email, event.entity_id, event.organization_id) == ("officer@uni-one.test", str(k1.id),
                                                                          world.id("U"))
    assert json.loads(event.after) == {"outcome": "continue_as_is", "version": 1, "reviewed_on": "2026-06-30",
                                       "next_review_on": "2027-06-30", "notes_length": 31}
    assert json.loads(event.before) == {"last_reviewed_on": "2025-06-10", "next_review_on": "2026-06-10"}
    assert "Outcomes" not in event.after  # the notes stay in the review record, not the audit log
    session.expire_all()
    assert data_version(session) > version_before
    assert qr.recorded_message(review) == ("Review recorded; next review due 30 Jun 2027. "
                                           "The credential continues as it is.")
    assert due_rows(session, world, "officer@u") == []


def test_an_earlier_next_review_is_allowed(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10))
    assert record(session, world, next_review_on=date(2027, 1, 15), outcome="revise").next_review_on == date(2027, 1,
                                                                                                              15)


@pytest.mark.parametrize("next_on,message", [
    (date(2027, 7, 1), "within 12 months of this one: by 30 Jun 2027 at the latest, not 1 Jul 2027"),
    (date(2026, 6, 1), r"must be after this one \(30 Jun 2026\)"),
    (TODAY, "must be after this one"),
])
def test_the_next_review_is_within_twelve_months_and_not_in_the_past(session, world, next_on, message):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10))
    with pytest.raises(CodesignError, match=message):
        record(session, world, next_review_on=next_on)
    assert session.scalar(select(func.count()).select_from(CredentialReview)) == 0
    assert cred(session, world, "K1").next_review_on == date(2026, 6, 10)


def test_two_officers_at_once_the_second_is_refused(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10))
    record(session, world, next_review_on=date(2027, 3, 1))
    with pytest.raises(CodesignError, match="Someone else recorded a review of K1"):
        record(session, world, user="admin@u", outcome="retire")
    assert session.scalar(select(func.count()).select_from(CredentialReview)) == 1
    k1 = cred(session, world, "K1")
    assert (k1.next_review_on, k1.status) == (date(2027, 3, 1), "published")


@pytest.mark.parametrize("user,label,error,message", [
    ("hr@a", "K1", AccessDenied, "Only the credential's university records its quality review"),
    ("viewer@u", "K1", AccessDenied, "read-only"),
    ("officer@u2", "K1", CodesignError, "outside your access"),
    ("officer@u", "K2", CodesignError, "K2 is draft: only a published credential is reviewed"),
])
def test_only_the_university_side_reviews_a_published_credential(session, world, user, label, error, message):
    with pytest.raises(error, match=message):
        record(session, world, user=user, label=label, expected=None)


def test_an_unknown_outcome_is_refused(session, world):
    with pytest.raises(CodesignError, match="continue, revise or retire"):
        record(session, world, expected=None, outcome="keep")


def test_retire_is_a_decision_not_a_retirement(session, world):
    review = record(session, world, expected=None, outcome="retire")
    assert cred(session, world, "K1").status == "published"
    assert "retire it on the Sign-off tab" in qr.recorded_message(review)


def test_publishing_stamps_the_revision_and_starts_the_cycle(session, world, monkeypatch):
    monkeypatch.setenv("AS_OF_DATE", "2026-06-30")
    k2 = make_ready(session, world, "K2", status="approved", approvals=("U", "A"))
    k2.issuer_country, k2.assessment_type, k2.quality_assurance = "IE", "Project", "Internal review"
    session.add(k2)
    session.commit()
    codesign.publish(session, sc(session, world, "officer@u"), credential_id=k2.id, expected_version=k2.version)
    k2 = cred(session, world, "K2")
    assert (k2.status, k2.next_review_on, k2.last_reviewed_on) == ("published", date(2027, 6, 30), None)
    revision = session.scalars(select(CredentialRevision).where(CredentialRevision.credential_id == k2.id,
                                                                CredentialRevision.version == k2.version)).one()
    assert revision.published_at is not None


def test_publishing_keeps_a_review_date_already_set(session, world):
    k2 = make_ready(session, world, "K2", status="approved", approvals=("U", "A"))
    k2.issuer_country, k2.assessment_type, k2.quality_assurance = "IE", "Project", "Internal review"
    k2.next_review_on = date(2026, 9, 1)
    session.add(k2)
    session.commit()
    codesign.publish(session, sc(session, world, "officer@u"), credential_id=k2.id, expected_version=k2.version)
    assert cred(session, world, "K2").next_review_on == date(2026, 9, 1)


def _reviews_seen(session, world, user) -> set[str]:
    scope = sc(session, world, user)
    ids = session.scalars(select(CredentialReview.credential_id).where(visible(scope, CredentialReview))).all()
    return {world.label_of(Credential, credential_id) for credential_id in ids}


def test_who_sees_which_reviews_and_which_are_due(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10))
    set_dates(session, world, "K5", next_on=date(2026, 6, 20), status="published")
    set_dates(session, world, "K6", next_on=date(2026, 6, 25))
    # Due lists before the reviews: each sees what it follows.
    assert [row[0] for row in due_rows(session, world, "officer@u")] == ["K1", "K5"]
    assert [row[0] for row in due_rows(session, world, "hr@a")] == ["K1"]   # co-designs and uses K1
    assert [row[0] for row in due_rows(session, world, "hr@b")] == ["K1"]   # uses K1 (b1, b2 enrolled)
    assert [row[0] for row in due_rows(session, world, "officer@u2")] == ["K6"]
    record(session, world)
    record(session, world, label="K5", expected=date(2026, 6, 20))
    record(session, world, user="officer@u2", label="K6", expected=date(2026, 6, 25))
    assert _reviews_seen(session, world, "admin@u") == {"K1", "K5", "K6"}
    assert _reviews_seen(session, world, "officer@u") == {"K1", "K5"}
    assert _reviews_seen(session, world, "hr@a") == {"K1"}   # neither co-designs nor uses K5
    assert _reviews_seen(session, world, "hr@b") == {"K1"}
    assert _reviews_seen(session, world, "officer@u2") == {"K6"}
    history = qr.review_history(session, sc(session, world, "hr@b"), world.id("K1"))
    assert history[["reviewed_on", "outcome", "reviewer_email"]].values.tolist() == [
        [TODAY, "continue_as_is", "officer@uni-one.test"]]
    assert qr.review_history(session, sc(session, world, "hr@b"), world.id("K5")).empty
    assert qr.review_history(session, sc(session, world, "officer@u2"), world.id("K1")).empty


def test_the_studio_status_of_a_credential(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10), last_on=date(2025, 6, 10))
    status = qr.review_status(session, sc(session, world, "officer@u"), world.id("K1"), today=TODAY)
    assert (status.state, status.when, status.may_record, status.default_next) == (
        "Overdue", "20 days overdue", True, date(2027, 6, 30))
    assert not qr.review_status(session, sc(session, world, "hr@a"), world.id("K1"), today=TODAY).may_record


def test_the_studio_picker_puts_a_review_due_first(session, world):
    set_dates(session, world, "K1", next_on=date(2026, 6, 10))

    def picker(user):
        return [a.label for a in codesign.studio_choices(session, sc(session, world, user), today=TODAY)]

    labels = picker("officer@u")
    overdue = labels.index("K1 · Credential K1 · Published — yearly review 20 days overdue")
    assert overdue < labels.index("K3 · Credential K3 · Draft — to complete and submit for review")  # before drafts
    assert picker("hr@a")[-1] == "K1 · Credential K1 · Published"  # the university side records it
    set_dates(session, world, "K1", next_on=date(2026, 7, 30))
    assert "K1 · Credential K1 · Published — yearly review due in 30 days" in picker("officer@u")
    set_dates(session, world, "K1", next_on=date(2026, 12, 1))
    assert "K1 · Credential K1 · Published" in picker("officer@u")
