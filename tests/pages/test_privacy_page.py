"""AppTest of the Privacy page for each role: the sharing toggle (HR manager of the employer only, against the
value shown, confirmed where the person acted) and the access log (HR: its own people; admin: everyone)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlmodel import Session

from db.models import AuditEvent, Partnership
from services import access_log
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, open_page, texts
from ui.safe import md

app_db = page_tests.app_db


def open_privacy(email: str):
    return open_page(email, "pages/privacy.py", title="Privacy")


def shares(session, world, partnership: str = "U-A") -> bool:
    session.expire_all()
    return session.get(Partnership, world.id(partnership)).shares_individual_records


def toggle(at, world, partnership: str = "U-A"):
    return at.toggle(key=f"privacy_share_{world.id(partnership)}")


def test_hr_manager_turns_sharing_on_and_off_and_sees_the_change_where_they_acted(app_db, session):
    world = app_db
    at = open_privacy("hr@acme.test")
    assert [t.label for t in at.toggle if t.key.startswith("privacy_share_")] == ["Share with Uni One"]
    assert toggle(at, world).value is False and not toggle(at, world).proto.disabled

    toggle(at, world).set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert shares(session, world) is True
    assert [s.value for s in at.success] == [md(
        "Sharing with Uni One is on: its partnership officers now see Acme's people's PDP goals, manager and self "
        "assessments, and outcome-survey answers by name.")]
    assert toggle(at, world).value is True
    changes = next(d.value for d in at.dataframe if "change" in d.value.columns)
    assert list(changes["change"]) == ["Turned on"] and list(changes["actor_email"]) == ["hr@acme.test"]

    toggle(at, world).set_value(False).run()
    assert shares(session, world) is False and toggle(at, world).value is False
    assert "Sharing with Uni One is off" in at.success[0].value
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "partnership.sharing")).all()
    assert [json.loads(e.after) for e in events] == [{"shares_individual_records": True},
                                                     {"shares_individual_records": False}]


def test_a_stale_toggle_is_refused_and_shows_the_stored_setting(app_db, session):
    world = app_db
    mine, theirs = open_privacy("hr@acme.test"), open_privacy("hr@acme.test")
    toggle(theirs, world).set_value(True).run()
    assert shares(session, world) is True

    # This tab still shows "off": its click is decided against what it showed, and refused.
    toggle(mine, world).set_value(True).run()
    [message] = [e.value for e in mine.error]
    assert md("hr@acme.test turned sharing with Uni One on") in message and "Nothing was changed" in message
    assert toggle(mine, world).value is True  # now the stored setting
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "partnership.sharing")).all()) == 1

    # Having been shown it, the person may now turn it off.
    toggle(mine, world).set_value(False).run()
    assert not mine.error and shares(session, world) is False


@pytest.mark.parametrize("email", ["officer@uni-one.test", "admin@uni-one.test"])
def test_others_see_the_setting_read_only(app_db, session, email):
    world = app_db
    at = open_privacy(email)
    assert toggle(at, world).label == "Acme shares with Uni One"
    assert toggle(at, world).proto.disabled and toggle(at, world, "U-B").proto.disabled
    assert "Only each employer's HR managers turn sharing on or off." in texts(at)


def test_viewers_have_no_privacy_page(app_db):
    at = app_as("viewer@acme.test").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/privacy.py")


def log(db_url, world, viewer: str, view: str, people: list[str]) -> None:
    from sqlmodel import create_engine

    engine = create_engine(db_url)
    with Session(engine) as session:
        access_log.record(session, world.scope(session, viewer), view=view, filters="Period 2026 Q2",
                          people=[world.id(p) for p in people])
        session.commit()
    engine.dispose()


def test_the_access_log_each_role_reads(app_db, db_url):
    world = app_db
    log(db_url, world, "officer@u", "learner list", ["a1", "a2", "b1"])
    log(db_url, world, "admin@u", "PDP goal list", ["c1"])

    hr = open_privacy("hr@acme.test")
    entries = next(d.value for d in hr.dataframe if "people_shown" in d.value.columns)
    # Newest first: the HR manager's own view of the Overview's learners at risk (the app opens there), then
    # the officer's list.
    assert list(entries["actor_email"]) == ["hr@acme.test", "officer@uni-one.test"]
    assert list(entries["view"]) == ["learners at risk", "learner list"]
    assert list(entries["people_shown"]) == ["Al Two (2)", "Al Two (2); Ann One (1)"]
    assert "employer" not in entries.columns and "Bea One" not in texts(hr)
    hr.text_input(key="privacy_person").set_value("ann").run()
    assert list(next(d.value for d in hr.dataframe if "people_shown" in d.value.columns)["view"]) == ["learner list"]
    hr.text_input(key="privacy_person").set_value("Bea").run()
    assert not any("people_shown" in d.value.columns for d in hr.dataframe)
    assert "No entries in these dates about “Bea”." in [i.value for i in hr.info]

    admin = open_privacy("admin@uni-one.test")
    entries = next(d.value for d in admin.dataframe if "people_shown" in d.value.columns)
    entries = entries[~entries["view"].str.startswith("learners at risk")]  # each visit's own Overview
    assert list(entries["employer"]) == ["Gamma", "Beta", "Acme"]  # newest first, one entry per employer
    assert list(entries["rows"]) == [1, 1, 2]

    officer = open_privacy("officer@uni-one.test")
    assert not any("people_shown" in d.value.columns for d in officer.dataframe)
    assert "Access log" not in texts(officer)


def test_the_log_is_paged_newest_first_and_downloaded_whole(app_db, db_url, monkeypatch):
    from services import spreadsheets

    world = app_db
    for n in range(55):
        log(db_url, world, "officer@u", f"learner list {n}", ["a1"])
    frames = []
    csv = spreadsheets.csv_bytes
    monkeypatch.setattr(spreadsheets, "csv_bytes", lambda df: frames.append(df) or csv(df))
    hr = open_privacy("hr@acme.test")
    first = next(d.value for d in hr.dataframe if "people_shown" in d.value.columns)
    # 55 entries of the officer's, and the newest: the HR manager's own view of the Overview's learners at risk.
    assert len(first) == 50 and list(first["view"].iloc[:2]) == ["learners at risk", "learner list 54"]
    assert "56 entries, newest first." in texts(hr)
    hr.number_input(key="privacy_page").set_value(2).run()
    assert list(next(d.value for d in hr.dataframe if "people_shown" in d.value.columns)["view"]) == [
        f"learner list {n}" for n in range(5, -1, -1)]
    hr.toggle(key="privacy_download").set_value(True).run()
    [exported] = frames
    assert len(exported) == 56 and list(exported.columns) == ["When (UTC)", "Who", "Role", "What", "Selection",
                                                             "People", "People shown"]
    officers = exported[exported["What"].str.startswith("learner list")]
    assert len(officers) == 55 and set(officers["People shown"]) == {"Ann One (1)"}
    assert set(officers["Role"]) == {"Partnership officer"}
