"""AppTest: the Quarterly review page's Actions section: an HR manager adds an action, an officer updates it, a
stale edit is refused with the current values shown, and an officer of all partners is asked to choose one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from db.models import ReviewAction
from services.review_actions import Owner, add_action
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def open_review(email: str, partner: int | None = None):
    at = app_as(email).run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    if partner is not None:
        at.selectbox(key="review_partner").select(partner).run()
        assert not at.exception, at.exception
    return at


def plain(shown: str) -> str:
    """A message as the user reads it (ui/safe.md escapes markdown and breaks links in what it shows)."""
    return shown.replace("\\", "").replace("\u2060", "")


def stored(session) -> list[ReviewAction]:
    session.expire_all()
    return session.execute(select(ReviewAction).order_by(ReviewAction.id)).scalars().all()


def an_action(session, world) -> int:
    action = add_action(session, world.scope(session, "hr@a"), partnership_id=world.id("U-A"), quarter="2026Q2",
                        text="Book the autumn cohort", owner=Owner(email="hr@acme.test"), due_on=date(2026, 9, 30))
    return action.id


def test_hr_manager_adds_an_action_owned_by_the_officer(app_db, session):
    at = open_review("hr@acme.test")
    at.text_area(key="review_action_text").input("Send the cohort dates to team leads")
    owner = at.selectbox(key="review_action_owner")
    owner.select_index(owner.options.index("officer@u (University)"))
    button(at, "Add action").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [action] = stored(session)
    assert (action.text, action.owner_email, action.owner_side, action.quarter, action.due_on) == (
        "Send the cohort dates to team leads", "officer@uni-one.test", "university", "2026Q2", date(2026, 9, 30))
    assert [plain(s.value) for s in at.success] == [
        "Added “Send the cohort dates to team leads” for officer@u, due 30 Sep 2026."]
    # Shown as due before the next review, and its text is what the table holds.
    assert any("Send the cohort dates to team leads" in d.value.iloc[:, 0].tolist() for d in at.dataframe)


def test_an_empty_action_is_refused_and_nothing_saved(app_db, session):
    at = open_review("hr@acme.test")
    owner = at.selectbox(key="review_action_owner")
    owner.select_index(0)
    button(at, "Add action").click().run()
    assert [plain(e.value) for e in at.error] == ["Write what was agreed: the action's text is empty."]
    assert stored(session) == []


def test_officer_updates_an_action_after_choosing_the_partner(app_db, session):
    world = app_db
    action_id = an_action(session, world)
    at = open_review("officer@uni-one.test")
    assert "Choose one partner above to add or update its actions." in [i.value for i in at.info]
    at = open_review("officer@uni-one.test", partner=world.id("A"))
    at.selectbox(key="review_action").select(action_id).run()
    at.selectbox(key=f"review_action_status_{action_id}").select("done")
    button(at, "Save action").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [action] = stored(session)
    assert (action.status, action.version, action.updated_by) == ("done", 2, "officer@uni-one.test")
    assert at.selectbox(key="review_action").value == action_id  # the user's place is kept
    assert [plain(s.value) for s in at.success][0].startswith("Saved: “Book the autumn cohort” is now Done")


def test_a_stale_edit_is_refused_and_the_current_value_shown(app_db, session):
    world = app_db
    action_id = an_action(session, world)
    mine = open_review("hr@acme.test")
    mine.selectbox(key="review_action").select(action_id).run()
    theirs = open_review("officer@uni-one.test", partner=world.id("A"))
    theirs.selectbox(key="review_action").select(action_id).run()
    theirs.selectbox(key=f"review_action_status_{action_id}").select("in_progress")
    button(theirs, "Save action").click().run()
    assert not theirs.error

    mine.selectbox(key=f"review_action_status_{action_id}").select("dropped")
    button(mine, "Save action").click().run()
    errors = [plain(e.value) for e in mine.error]
    assert len(errors) == 1 and "officer@uni-one.test changed this action" in errors[0], errors
    assert "Now: In progress" in errors[0]
    [action] = stored(session)
    assert (action.status, action.version) == ("in_progress", 2)
    # The form now shows the current status; saving again from here is based on what was shown.
    assert mine.selectbox(key=f"review_action_status_{action_id}").value == "in_progress"
    mine.selectbox(key=f"review_action_status_{action_id}").select("dropped")
    button(mine, "Save action").click().run()
    assert not mine.error, [e.value for e in mine.error]
    assert stored(session)[0].status == "dropped"


def test_viewer_sees_the_actions_without_the_forms(app_db, session):
    an_action(session, app_db)
    at = open_review("viewer@acme.test")
    assert not [b for b in at.button if b.label in ("Add action", "Save action")]
    due = next(d.value for d in at.dataframe if "owner_side" in d.value.columns)
    assert due[["action", "owner_side", "status"]].values.tolist() == [["Book the autumn cohort", "Employer", "Open"]]
