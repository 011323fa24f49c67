"""The goals-and-seats panel (ui/plan/actions.py), through a test-only page with a fixed choice: the preview,
the click, the message that stays, the preview refreshed, the choices kept, and a full cohort refused.

From tests/world.py: Acme's Ann One (a1) and Al Two (a2), Ada Three (a3, left); K1 teaches s1; the page's
today is 2026-07-15 (app_db). The cohort K1-26Q3 (3 seats, ends 27 Nov 2026) is added here.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db.models import Cohort, PdpGoal, SeatReservation
from services import seats
from services.planning.choice import PlanChoice
from tests.conftest import ROOT
from tests.pages.test_pages import app_db  # noqa: F401 - the fixture

SCRIPT = ROOT / "tests" / "pages" / "plan_actions_script.py"


@pytest.fixture
def cohort(session, app_db) -> Cohort:  # noqa: F811
    row = Cohort(credential_id=app_db.id("K1"), code="K1-26Q3", starts_on=date(2026, 9, 7),
                 ends_on=date(2026, 11, 27), seats=3)
    session.add(row)
    session.commit()
    return row


def panel(world, email: str = "hr@acme.test") -> AppTest:
    at = AppTest.from_file(str(SCRIPT), default_timeout=30)
    at.session_state["test_email"] = email
    at.session_state["test_choice"] = PlanChoice(
        employer_id=world.id("A"), credential_id=world.id("K1"),
        targets=tuple((world.id(person), world.id("s1"), 3) for person in ("a1", "a2", "a3")))
    at.run()
    assert not at.exception, at.exception
    return at


def k1_goals(session, world) -> int:
    return session.scalar(select(func.count()).select_from(PdpGoal).where(PdpGoal.credential_id == world.id("K1")))


def plain(markdown: str) -> str:
    """A message as the person reads it (ui/safe.md escapes Markdown's punctuation)."""
    return markdown.replace("\\", "")


def frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_preview_then_create_keeps_the_message_and_the_choices(session, app_db, cohort):  # noqa: F811
    at = panel(app_db)
    assert at.selectbox(key="plan_K1_cohort").value == cohort.id  # the next cohort by default
    assert at.date_input(key=f"plan_K1_due_{cohort.id}").value == date(2026, 11, 27)  # its end
    assert list(frame(at, "Goal")["Person"]) == ["Ann One", "Al Two"]
    assert list(frame(at, "Why")["Person"]) == ["Ada Three"]
    [create] = [b for b in at.button if b.key == "plan_K1_create"]
    assert create.label == "Create 2 goals and reserve 2 seats"
    # Only Al Two this time.
    at.multiselect(key="plan_K1_people").set_value([app_db.id("a2")]).run()
    assert at.button(key="plan_K1_create").label == "Create 1 goal and reserve 1 seat"
    at.button(key="plan_K1_create").click().run()
    assert not at.exception, at.exception
    assert [plain(s.value) for s in at.success] == [
        "Created 1 goal for 1 person and reserved 1 seat in cohort K1-26Q3. They are on the PDPs page now."]
    assert k1_goals(session, app_db) == 1
    assert session.scalars(select(SeatReservation.employee_id)).all() == [app_db.id("a2")]
    # The choices are kept; the preview now lists Al Two as already having the goal.
    assert at.multiselect(key="plan_K1_people").value == [app_db.id("a2")]
    assert at.selectbox(key="plan_K1_cohort").value == cohort.id
    assert list(frame(at, "Why")["Why"]) == ["Already has an open goal for this skill and credential"]
    assert at.button(key="plan_K1_create").disabled
    at.run()  # the message stays until the next action... and goes with the next run
    assert not at.success


def test_a_cohort_filled_meanwhile_is_refused_with_the_reason(session, app_db, cohort):  # noqa: F811
    at = panel(app_db)
    # Another HR manager takes two of the three seats after this one saw the preview.
    seats.reserve(session, app_db.scope(session, "admin@u"), cohort_id=cohort.id,
                  employee_ids=[app_db.id("b1"), app_db.id("c1")], today=date(2026, 7, 15))
    at.button(key="plan_K1_create").click().run()
    assert not at.exception, at.exception
    assert [plain(e.value) for e in at.error] == [
        "Cohort K1-26Q3 has 1 seat left, not enough for 2 people. Nothing was saved: choose fewer people or "
        "another cohort."]
    assert k1_goals(session, app_db) == 0
    assert at.multiselect(key="plan_K1_people").value == [app_db.id("a1"), app_db.id("a2"), app_db.id("a3")]


def test_a_plan_changed_meanwhile_is_refused_naming_the_change(session, app_db, cohort):  # noqa: F811
    at = panel(app_db)
    # Another HR manager gives Ann One the same goal after this one saw the preview.
    from services.planning import goals

    hr = app_db.scope(session, "hr@a")
    only_ann = PlanChoice(employer_id=app_db.id("A"), credential_id=app_db.id("K1"),
                          targets=((app_db.id("a1"), app_db.id("s1"), 3),))
    arguments = dict(choice=only_ann, due_on=date(2026, 11, 27), cohort_id=None, today=date(2026, 7, 15))
    goals.create_goals(session, hr, expected=goals.preview_goals(session, hr, **arguments), **arguments)
    at.button(key="plan_K1_create").click().run()
    assert not at.exception, at.exception
    assert [plain(e.value) for e in at.error] == [
        "Since the preview: Ann One (analyse big data) already has an open goal for this skill and credential. "
        "Nothing was saved: check the new preview and confirm again."]
    assert k1_goals(session, app_db) == 1
    assert session.scalar(select(func.count()).select_from(SeatReservation)) == 0
    # The new preview is shown: the next click creates Al Two's goal and seat only.
    assert at.button(key="plan_K1_create").label == "Create 1 goal and reserve 1 seat"


def test_viewers_see_no_action(session, app_db, cohort):  # noqa: F811
    at = panel(app_db, "viewer@acme.test")
    assert not at.button
    assert "Only HR managers" in at.caption[0].value


def test_the_pdps_page_shows_the_cohort_a_goals_seat_is_in(session, app_db, cohort):  # noqa: F811
    from services.planning import goals
    from tests.pages.test_pages import open_page, table_with

    hr = app_db.scope(session, "hr@a")
    only_al = PlanChoice(employer_id=app_db.id("A"), credential_id=app_db.id("K1"),
                         targets=((app_db.id("a2"), app_db.id("s1"), 3),))
    arguments = dict(choice=only_al, due_on=date(2026, 11, 27), cohort_id=cohort.id, today=date(2026, 7, 15))
    goals.create_goals(session, hr, expected=goals.preview_goals(session, hr, **arguments), **arguments)
    at = open_page("hr@acme.test", "pages/pdps.py", title="PDPs")
    shown = table_with(at, "seat")  # headed "Seat" (services/formatting.COLUMNS)
    assert dict(zip(shown["employee"], shown["seat"], strict=True)) == {"Al Two": "K1-26Q3", "Ann One": "–"}
