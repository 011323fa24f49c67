"""AppTest: an officer sees no employee's HR records by name on the PDPs and Upskilling pages or in their
downloads unless the employer shares them; and every logged view writes the access log, once, with the people
it showed."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import Session

from db.models import AccessLogEntry, AccessLogSubject
from services import sharing, spreadsheets
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import open_page, texts

app_db = page_tests.app_db
NAMES = ("Ann One", "Al Two", "Ada Three", "Bea One", "Bo Two", "Cy One")


@pytest.fixture
def written(monkeypatch) -> list[pd.DataFrame]:
    """Every frame the pages turn into a CSV or Excel download (AppTest has no file to read)."""
    frames: list[pd.DataFrame] = []
    csv, excel = spreadsheets.csv_bytes, spreadsheets.excel_bytes
    monkeypatch.setattr(spreadsheets, "csv_bytes", lambda df: frames.append(df) or csv(df))
    monkeypatch.setattr(spreadsheets, "excel_bytes", lambda sheets: frames.extend(sheets.values()) or excel(sheets))
    return frames


def everything_shown(at, frames: list[pd.DataFrame]) -> str:
    cells = [str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()]
    cells += [str(v) for df in frames for v in df.astype(str).to_numpy().ravel()]
    return "\n".join([texts(at), *[i.value for i in at.info], *[o.label for o in at.selectbox], *cells])


def names_in(text: str) -> set[str]:
    return {name for name in NAMES if name in text}


def set_sharing(session, world, on: bool) -> None:
    sharing.set_sharing(session, world.scope(session, "hr@a"), partnership_id=world.id("U-A"), share=on,
                        expected=not on)


def test_the_pdp_page_names_nobody_until_the_employer_shares_and_again_after_it_stops(app_db, session, written):
    world = app_db
    at = open_page("officer@uni-one.test", "pages/pdps.py")
    assert names_in(everything_shown(at, written)) == set()
    assert [m.value for m in at.metric][:2] == ["0", "2"]  # the aggregates still count everyone (on track: 2)
    assert ("Acme and Beta keep their people's PDP goals to their own HR; their HR managers can share them on "
            "the Privacy page.") in " ".join(i.value for i in at.info)

    set_sharing(session, world, True)
    written.clear()
    at.run()  # the officer's next click: the Scope is rebuilt, so the list shows Acme's people now
    assert names_in(everything_shown(at, written)) == {"Ann One"}
    assert any("Ann One" in df.to_csv() for df in written)  # in the downloads too
    assert "Beta keeps its people's PDP goals to its own HR" in " ".join(i.value for i in at.info)

    set_sharing(session, world, False)
    written.clear()
    at.run()
    assert names_in(everything_shown(at, written)) == set()


@pytest.mark.parametrize("shared", [False, True])
def test_the_upskilling_page_names_nobody_either_way(app_db, session, written, shared):
    if shared:
        set_sharing(session, app_db, True)
    at = open_page("officer@uni-one.test", "pages/upskilling.py")
    assert names_in(everything_shown(at, written)) == set()


def test_hr_and_admin_still_see_their_goals_by_name(app_db, written):
    assert names_in(everything_shown(open_page("hr@acme.test", "pages/pdps.py"), written)) == {"Ann One"}
    written.clear()
    admin = open_page("admin@uni-one.test", "pages/pdps.py")
    assert names_in(everything_shown(admin, written)) >= {"Ann One", "Bea One", "Cy One"}
    assert not admin.info


def entries(session, *, at_risk: bool = False) -> list[tuple[str, str, str, int, set[int]]]:
    """The log, oldest first. Every app run opens on the Overview, which logs its learners at risk: left
    out unless ``at_risk``, so each test reads the views it is about."""
    session.expire_all()
    found = []
    for entry in session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)):
        if entry.view.startswith("learners at risk") and not at_risk:
            continue
        people = set(session.scalars(select(AccessLogSubject.employee_id).where(AccessLogSubject.entry_id == entry.id)))
        found.append((entry.actor_email, entry.view, entry.filters, entry.rows, people))
    return found


def ids(world, *labels: str) -> set[int]:
    return {world.id(label) for label in labels}


def test_the_learner_list_is_logged_once_per_selection_with_the_people_shown(app_db, session):
    world = app_db
    at = open_page("officer@uni-one.test", "pages/enrollments.py")
    period = "Period 2026Q2 (1 Apr 2026 – 30 Jun 2026)"
    # One entry per employer whose people the list showed (so each employer's HR reads its own).
    assert entries(session) == [
        ("officer@uni-one.test", "learner list", f"{period}; page 1", 2, ids(world, "a1", "a2")),
        ("officer@uni-one.test", "learner list", f"{period}; page 1", 2, ids(world, "b1", "b2")),
    ]
    at.radio(key="enrollment_breakdown").set_value("By cohort").run()  # a rerun showing the same list
    assert len(entries(session)) == 2
    at.text_input(key="learner_search").set_value("bea").run()
    assert entries(session)[2:] == [
        ("officer@uni-one.test", "learner list", f"{period}; search “bea”; page 1", 1, ids(world, "b1"))]


def test_downloads_and_badges_are_logged_when_clicked(app_db, session):
    world = app_db
    at = open_page("officer@uni-one.test", "pages/enrollments.py")
    at.toggle(key="learner_downloads").set_value(True).run()
    before = len(entries(session))
    assert before == 2  # preparing the files logs nothing: nobody has them yet
    at.download_button(key="learners_csv").click().run()
    assert [e[1:4] for e in entries(session)[before:]] == [
        ("learner list download", "Period 2026Q2 (1 Apr 2026 – 30 Jun 2026)", 2),
        ("learner list download", "Period 2026Q2 (1 Apr 2026 – 30 Jun 2026)", 2)]

    at.toggle(key="learner_badges").set_value(True).run()
    before = len(entries(session))
    at.download_button(key="learner_badges_zip").click().run()
    # The zip holds the badges of the quarter's completions: Ann One (Acme) and Bea One (Beta).
    assert [(e[1], e[4]) for e in entries(session)[before:]] == [
        ("badge download", ids(world, "a1")), ("badge download", ids(world, "b1"))]


def test_the_pdp_goal_list_and_its_download_are_logged(app_db, session):
    world = app_db
    at = open_page("hr@acme.test", "pages/pdps.py")
    assert [(e[0], e[1], e[2], e[3], e[4]) for e in entries(session)] == [
        ("hr@acme.test", "PDP goal list", "As of 15 Jul 2026", 1, ids(world, "a1"))]
    at.download_button(key="pdp_xlsx").click().run()
    assert [(e[1], e[4]) for e in entries(session)[1:]] == [("PDP goal list download", ids(world, "a1"))]


def test_an_officer_without_sharing_leaves_no_goal_entry(app_db, session):
    open_page("officer@uni-one.test", "pages/pdps.py")
    assert entries(session) == []  # nobody's goals were shown


def test_the_log_is_written_in_the_app_database(app_db, db_url):
    """The page writes through the app's engine (DATABASE_URL), not the test's session."""
    from sqlmodel import create_engine

    open_page("hr@acme.test", "pages/pdps.py")
    engine = create_engine(db_url)
    with Session(engine) as other:
        assert "PDP goal list" in other.scalars(select(AccessLogEntry.view)).all()
    engine.dispose()


def test_the_learners_at_risk_are_logged_on_the_overview_and_the_review(app_db, session):
    world = app_db
    open_page("officer@uni-one.test", "pages/overview.py")
    at_risk = [e for e in entries(session, at_risk=True) if e[1] == "learners at risk"]
    assert [(e[0], e[3], e[4]) for e in at_risk] == [
        ("officer@uni-one.test", 1, ids(world, "a2")), ("officer@uni-one.test", 1, ids(world, "b2"))]
    open_page("hr@acme.test", "pages/review.py")
    review = [e for e in entries(session, at_risk=True) if e[1] == "learners at risk (quarterly review)"]
    assert [(e[0], e[3], e[4]) for e in review] == [("hr@acme.test", 1, ids(world, "a2"))]


def test_the_review_files_name_nobody_so_taking_them_is_not_logged(app_db, session):
    at = open_page("hr@acme.test", "pages/review.py")
    at.toggle(key="review_prepare").set_value(True).run()
    labels = [button.proto.label for button in at.get("download_button")]
    assert {"Download PDF", "Download XLSX", "Download the deck (PowerPoint)"} <= set(labels)
    for button in at.get("download_button"):
        at.download_button(key=button.key).click().run()
    # The PDF, workbook and deck hold aggregates only (services/review_export, services/review_slides).
    assert [e for e in entries(session) if e[1] == "quarterly review download"] == []
