"""AppTest: the PDPs page as an HR manager uses it: a save leaves nothing armed, and a goal
changed by someone else in between is refused with their change shown."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from db.models import Pdp, PdpGoal
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def open_pdps(email: str = "hr@acme.test"):
    at = app_as(email).run()
    at.switch_page("pages/pdps.py").run()
    assert not at.exception, at.exception
    return at


def save(at, status: str) -> None:
    """Choose the new status and press Save in one submission, as the browser sends a form."""
    at.selectbox(key="pdp_new_status").select(status)
    button(at, "Save status").click().run()


def goal_status(session, goal_id: int) -> str:
    session.expire_all()
    return session.get(PdpGoal, goal_id).status


def second_goal(session, world) -> int:
    """A second Acme goal, due before the world's one, so it is listed first."""
    pdp = session.scalars(select(Pdp).where(Pdp.employee_id == world.id("a2"))).first()
    if pdp is None:
        pdp = Pdp(employee_id=world.id("a2"), period="2026")
        session.add(pdp)
        session.flush()
    goal = PdpGoal(pdp_id=pdp.id, title="Lead a project", skill_id=world.id("s1"), target_level=3,
                   due_on=date(2026, 9, 30))
    session.add(goal)
    session.commit()
    return goal.id


def test_hr_table_starts_with_state_and_due_and_has_no_employer_column(app_db):
    at = open_pdps()
    shown = at.dataframe[0]
    assert list(shown.value.columns)[:2] == ["state", "due_on"]
    assert "employer" not in shown.value.columns
    assert shown.value["state"].tolist() == ["On track"]  # stored names are shown in words


def test_after_a_save_the_same_goal_stays_chosen_and_nothing_stays_armed(app_db, session):
    world = app_db
    first = second_goal(session, world)
    grow = world.id("G-PDP-a1")
    at = open_pdps()
    at.selectbox(key="pdp_goal").select(grow).run()
    save(at, "in_progress")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert goal_status(session, grow) == "in_progress"
    assert goal_status(session, first) == "planned"
    assert [s.value for s in at.success] == [md("Saved: Ann One's goal “Grow” is now In progress.")]
    assert at.selectbox(key="pdp_goal").value == grow
    assert at.selectbox(key="pdp_new_status").value is None

    # A second click on Save with no new status chosen changes nothing.
    button(at, "Save status").click().run()
    assert [e.value for e in at.error] == ["Choose the new status."]
    assert goal_status(session, grow) == "in_progress" and goal_status(session, first) == "planned"


def test_a_goal_changed_meanwhile_is_refused_with_the_other_change(app_db, session):
    grow = app_db.id("G-PDP-a1")
    mine, theirs = open_pdps(), open_pdps("admin@uni-one.test")
    mine.selectbox(key="pdp_goal").select(grow).run()
    theirs.selectbox(key="pdp_goal").select(grow).run()

    save(theirs, "achieved")
    assert goal_status(session, grow) == "achieved"

    save(mine, "dropped")
    assert goal_status(session, grow) == "achieved"  # not overwritten
    [message] = [e.value for e in mine.error]
    assert md("admin@uni-one.test changed this goal from Planned to Achieved") in message
    assert md("Nothing was saved") in message
    assert mine.selectbox(key="pdp_goal").value == grow
    assert "Now Achieved" in " ".join(c.value for c in mine.caption)

    # Having been shown the other change, the person may now decide again.
    save(mine, "in_progress")
    assert not mine.error and goal_status(session, grow) == "in_progress"
