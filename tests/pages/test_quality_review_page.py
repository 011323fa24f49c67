"""AppTest: the yearly quality review in the studio (an officer records one; a co-designer reads it) and the
overview's "Quality reviews due" panel in each role's scope.

From tests/world.py, the dashboard's today pinned to 15 Jul 2026: K1 (Uni One, co-designed by Acme; Acme's and
Beta's people enrolled) is due on 1 Jul 2026, 14 days overdue; K5 is published here, due 1 Aug 2026 (in 17
days), and nobody co-designs or uses it; K6 (Uni Two) is due next year.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Credential, CredentialReview
from services.codesign import quality_review
from tests.pages import test_pages
from tests.pages.test_pages import app_as, button, table_with, texts
from ui.safe import md

app_db = test_pages.app_db


@pytest.fixture
def dated(app_db, session):
    for label, next_on, status in (("K1", date(2026, 7, 1), None), ("K5", date(2026, 8, 1), "published"),
                                   ("K6", date(2027, 3, 1), None)):
        cred = session.get(Credential, app_db.id(label))
        cred.next_review_on, cred.last_reviewed_on = next_on, date(2025, 7, 1)
        if status:
            cred.status = status
        session.add(cred)
    session.commit()
    return app_db


def ok(at) -> None:
    """No exception, no error but the overdue review's (which the studio shows as an error, on purpose)."""
    assert not at.exception, at.exception
    errors = [e.value for e in at.error if not e.value.startswith("The yearly review is overdue")]
    assert not errors, errors


def overview(email: str):
    at = app_as(email).run()
    ok(at)
    return at


def due_codes(at) -> list[str]:
    if not any("next_review_on" in d.value.columns for d in at.dataframe):
        return []
    return list(table_with(at, "next_review_on")["code"])


def test_the_officer_sees_what_is_due_and_records_a_review_in_the_studio(dated, session):
    at = overview("officer@uni-one.test")
    assert due_codes(at) == ["K1", "K5"]
    assert "As of 15 Jul 2026: 1 overdue, 1 due within 60 days." in texts(at)
    assert list(table_with(at, "next_review_on")["state"]) == ["Overdue", "Due soon"]
    at.selectbox(key="qr_due_credential").select(dated.id("K1")).run()
    button(at, "Open in the studio").click().run()
    ok(at)
    assert at.session_state["cd_tab"] == "Quality review"
    assert at.selectbox(key="cd_credential").value == dated.id("K1")
    assert "The yearly review is overdue: it was due on 1 Jul 2026 (14 days overdue)." in [e.value for e in at.error]

    at.selectbox(key="cd_review_0_outcome").select("revise")
    at.text_area(key="cd_review_0_notes").input("Add the new reporting rules")
    assert at.date_input(key="cd_review_0_next").value == date(2027, 7, 15)
    button(at, "Record review").click().run()
    ok(at)
    assert [m.value for m in at.success] == [md(
        "Review recorded; next review due 15 Jul 2027. A revision was agreed: published content is frozen, so the "
        "revised credential is designed as a new draft.")]
    assert at.session_state["cd_tab"] == "Quality review"
    review = session.scalars(select(CredentialReview)).one()
    assert (review.outcome, review.reviewed_on, review.next_review_on, review.notes) == (
        "revise", date(2026, 7, 15), date(2027, 7, 15), "Add the new reporting rules")
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "credential.review")).all() == [
        "credential.review"]
    history = table_with(at, "reviewed_on")
    assert list(history["outcome"]) == ["Revise"] and list(history["reviewer_email"]) == ["officer@uni-one.test"]

    again = overview("officer@uni-one.test")
    assert due_codes(again) == ["K5"]


def test_a_co_designer_reads_the_review_and_has_no_form(dated, session):
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/codesign.py").run()
    at.selectbox(key="cd_credential").select(dated.id("K1")).run()
    ok(at)
    assert "The credential's university records its yearly reviews; co-designers read them here." in texts(at)
    assert not any(b.label == "Record review" for b in at.button)


@pytest.mark.parametrize("email,expected", [
    ("hr@acme.test", ["K1"]),        # co-designs and uses K1; not K5
    ("hr@beta.test", ["K1"]),        # uses K1
    ("officer@uni-two.test", []),    # K6 is not due yet; Uni One's are not theirs
    ("admin@uni-one.test", ["K1", "K5"]),
])
def test_each_role_sees_the_reviews_due_in_its_scope(dated, email, expected):
    assert due_codes(overview(email)) == expected


def test_an_employer_concerned_by_no_credential_due_sees_nothing(dated, session):
    k1 = session.get(Credential, dated.id("K1"))
    k1.next_review_on = date(2027, 1, 1)
    session.add(k1)
    session.commit()
    for email in ("hr@acme.test", "hr@beta.test"):
        at = overview(email)
        assert due_codes(at) == []
        assert "No yearly quality review is overdue or due within 60 days." in texts(at)
        assert "K5" not in texts(at)


def test_viewers_have_no_panel(dated):
    assert "Quality reviews due" not in [h.value for h in overview("viewer@acme.test").subheader]


def test_only_those_who_may_open_the_studio_get_the_button(dated):
    assert any(b.label == "Open in the studio" for b in overview("hr@acme.test").button)  # co-designs K1
    assert not any(b.label == "Open in the studio" for b in overview("hr@beta.test").button)  # only uses it


def test_a_review_recorded_meanwhile_by_someone_else_refuses_the_second(dated, session):
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/codesign.py").run()
    at.selectbox(key="cd_credential").select(dated.id("K1")).run()
    ok(at)
    # Another officer records K1's review while this one is still on the tab.
    quality_review.record_review(session, dated.scope(session, "admin@u"), credential_id=dated.id("K1"),
                                 expected_next_review_on=date(2026, 7, 1), outcome="continue_as_is",
                                 next_review_on=date(2027, 1, 15), today=date(2026, 7, 15))
    at.text_area(key="cd_review_0_notes").input("Mine")
    button(at, "Record review").click().run()
    assert any(e.value.startswith(md("Someone else recorded a review of K1")[:20]) for e in at.error)
    session.expire_all()
    assert [r.reviewer_email for r in session.scalars(select(CredentialReview))] == ["admin@uni-one.test"]
    assert session.get(Credential, dated.id("K1")).next_review_on == date(2027, 1, 15)
