"""AppTest: the catalogue to the European standard, for the officer and an HR manager: each credential's
elements and next review, the "European standard" filter and column, and the published change list download."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from db.models import Credential, CredentialRevision, Organization
from services import spreadsheets
from tests.pages import test_pages
from tests.pages.test_pages import app_as, table_with
from ui.safe import md

app_db = test_pages.app_db


@pytest.fixture
def k1_published(app_db, session):
    """K1 complete to the standard, its review overdue, published as version 1 then version 2 (more credits)."""
    k1 = session.get(Credential, app_db.id("K1"))
    k1.issuer_country, k1.assessment_type = "GB", "Project report and oral presentation"
    k1.quality_assurance, k1.next_review_on = "Internal quality assurance of Uni One", date(2026, 6, 30)
    k1.version = 2
    university = session.get(Organization, app_db.id("U"))
    university.country, university.legal_identifier = "GB", "UKPRN 10001234"
    first = session.get(CredentialRevision, app_db.id("RV-K1"))
    first.published_at = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    content = {**json.loads(first.snapshot), "ects_credits": "5.0"}
    first.snapshot = json.dumps(content)
    session.add_all([k1, university, first, CredentialRevision(
        credential_id=k1.id, version=2, saved_by="officer@uni-one.test", summary="more credits",
        snapshot=json.dumps({**content, "ects_credits": "7.5"}),
        published_at=datetime(2026, 3, 2, tzinfo=timezone.utc))])
    session.commit()
    return app_db


@pytest.fixture
def written(monkeypatch) -> list:
    """Every frame the page hands to the safe CSV writer (what a click on "Download CSV" gets)."""
    frames, write = [], spreadsheets.csv_bytes

    def capture(df):
        frames.append(df.copy())
        return write(df)
    monkeypatch.setattr(spreadsheets, "csv_bytes", capture)
    return frames


def _open(email: str, credential_id: int):
    at = app_as(email).run()
    at.switch_page("pages/catalogue.py").run()
    at.selectbox(key="cat_credential").select(credential_id).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("email", ["officer@uni-one.test", "hr@beta.test"])
def test_the_elements_next_review_and_change_list_of_a_published_credential(k1_published, written, email):
    at = _open(email, k1_published.id("K1"))
    elements = table_with(at, "element").set_index("element")
    assert elements.loc["Awarding body", "value"] == "Uni One (GB, UKPRN 10001234)"
    assert elements.loc["Type of assessment", ["set", "value"]].tolist() == ["Set",
                                                                             "Project report and oral presentation"]
    assert elements.loc["Prerequisites to enrol", "set"] == "Not given"
    assert not at.warning  # nothing mandatory is missing
    assert md("Next review: Overdue since 30 Jun 2026.") in [caption.value for caption in at.caption]
    assert {button.key for button in at.get("download_button")} >= {f"cat_changes_{k1_published.id('K1')}_csv",
                                                                    f"cat_changes_{k1_published.id('K1')}_xlsx"}
    changes = next(frame for frame in written if "Field" in frame.columns)
    assert changes.to_dict("records") == [
        {"Version": 1, "Published on": date(2026, 1, 5), "Field": "Code", "Before": "—", "After": "K1"},
        {"Version": 1, "Published on": date(2026, 1, 5), "Field": "Title", "Before": "—", "After": "Credential K1"},
        {"Version": 1, "Published on": date(2026, 1, 5), "Field": "ECTS credits", "Before": "—", "After": "5.0"},
        {"Version": 2, "Published on": date(2026, 3, 2), "Field": "ECTS credits", "Before": "5.0", "After": "7.5"},
    ]


@pytest.mark.parametrize("email", ["officer@uni-one.test", "hr@acme.test"])
def test_the_filter_keeps_complete_or_incomplete_credentials_across_reruns(k1_published, email):
    at = app_as(email).run()
    at.switch_page("pages/catalogue.py").run()
    listed = table_with(at, "european_standard").set_index("code")["european_standard"]
    assert listed["K1"] == "Complete" and listed["K2"] == "Missing 3 elements"
    at.selectbox(key="cat_european").select("complete").run()
    assert list(table_with(at, "european_standard")["code"]) == ["K1"]
    at.selectbox(key="cat_credential").select(k1_published.id("K1")).run()  # a rerun keeps the filter
    assert at.selectbox(key="cat_european").value == "complete"
    assert list(table_with(at, "european_standard")["code"]) == ["K1"]
    at.selectbox(key="cat_european").select("incomplete").run()
    codes = list(table_with(at, "european_standard")["code"])
    assert "K1" not in codes and "K2" in codes


def test_a_draft_shows_what_it_lacks(k1_published):
    at = _open("officer@uni-one.test", k1_published.id("K2"))
    assert [warning.value for warning in at.warning] == [md(
        "Missing for the European standard: Country or region of the issuer, Type of assessment, "
        "Type of quality assurance.")]
    assert "No published version is recorded for this credential." in [caption.value for caption in at.caption]
