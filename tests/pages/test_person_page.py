"""AppTest: the Person page for each role that has it, opened from the learner and goal lists (which come back as
they were left), by its URL, logged in the access log once; the Team box narrows the lists, not the figures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AccessLogEntry
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button, open_page, texts
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def open_person(email: str):
    return open_page(email, "pages/person.py", title="Person")


def find(at, text: str, person: int):
    at.text_input(key="person_search").input(text).run()
    at.selectbox(key="person_pick").select(person).run()
    assert not at.exception, at.exception
    return at


def subheaders(at) -> list[str]:
    return [s.value for s in at.subheader]


def person_page_log(session) -> list[tuple]:
    return [(e.actor_email, e.rows) for e in session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.view == "person page")).all()]


def test_an_hr_manager_finds_their_person_and_sees_the_whole_record(app_db, session):
    at = open_person("hr@acme.test")
    assert [i.value for i in at.info] == ["Find a person above, or open one from a list of learners or PDP goals."]
    find(at, "ann", app_db.id("a1"))
    assert subheaders(at) == [md("Ann One"), "PDP goals", "Skill levels against targets", "Enrollments and results",
                              "Badges earned", "Due next"]
    assert at.query_params["id"] == str(app_db.id("a1"))
    assert {m.label: m.value for m in at.metric} == {"Open goals": "1", "Completed credentials": "1", "Badges": "1"}
    goals = page_tests.table_with(at, "goal")
    assert list(goals["goal"]) == ["Grow"] and list(goals["state"]) == ["On track"]
    assert "Points: assessed levels; dashed lines: the highest target level of the goals not dropped." in [
        c.value for c in at.caption]  # under the chart
    assert person_page_log(session) == [("hr@acme.test", 1)]
    at.run()  # a rerun adds nothing to the log
    assert person_page_log(session) == [("hr@acme.test", 1)]


def test_an_hr_manager_cannot_open_another_employers_person_by_url(app_db):
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/person.py")
    at.query_params["id"] = str(app_db.id("b1"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [md("That person is outside your access. Find a person above.")]
    assert "Bea One" not in texts(at)


def test_an_officer_sees_learning_but_not_the_hr_records_of_a_partner_that_does_not_share(app_db, session):
    at = open_person("officer@uni-one.test")
    find(at, "ann", app_db.id("a1"))
    assert subheaders(at)[:2] == [md("Ann One"), "PDP goals"]
    assert "Skill levels against targets" not in subheaders(at)
    assert [i.value for i in at.info] == [
        "Acme keeps its people's PDP goals, skill assessments and targets to its own HR; its HR manager can share "
        "them on the Privacy page."]
    assert {m.label: m.value for m in at.metric}["Open goals"] == "–"
    assert list(page_tests.table_with(at, "cohort")["code"]) == ["K1"]
    assert "Grow" not in texts(at)
    assert person_page_log(session) == [("officer@uni-one.test", 1)]


def test_an_admin_opens_anyone(app_db):
    at = open_person("admin@uni-one.test")
    find(at, "cy", app_db.id("c1"))
    assert subheaders(at)[0] == md("Cy One")
    assert not at.error


def test_a_viewer_has_no_person_page(app_db):
    at = app_as("viewer@acme.test").run()
    with pytest.raises(ValueError, match=r"Could not find a navigation page"):
        at.switch_page("pages/person.py")


def open_from_learners(at, person: int):
    at.selectbox(key="learners_person").select(person).run()
    button(at, "Open their page").click().run()
    assert not at.exception, at.exception
    return at


def test_opening_from_the_learner_list_lands_on_the_person_and_back_keeps_the_list(app_db, session):
    at = open_page("hr@acme.test", "pages/enrollments.py", title="Enrollment and completion")
    at.text_input(key="learner_search").input("al").run()
    at.selectbox(key="learner_team").select(app_db.id("a1")).run()
    assert list(page_tests.table_with(at, "employee_ref")["employee"]) == ["Al Two"]
    listed = session.scalars(select(AccessLogEntry.filters).where(AccessLogEntry.view == "learner list")
                              .order_by(AccessLogEntry.id)).all()  # the newest last, on PostgreSQL too
    assert listed[-1].endswith("; search “al”; page 1; team of Ann One (1 person)")  # the log names the team
    open_from_learners(at, app_db.id("a2"))
    assert at.title[0].value == "Person"
    assert subheaders(at)[0] == md("Al Two")
    assert md("manager Ann One") in at.caption[0].value
    assert at.query_params["id"] == str(app_db.id("a2"))
    assert person_page_log(session) == [("hr@acme.test", 1)]
    at.switch_page("pages/enrollments.py").run()
    assert at.text_input(key="learner_search").value == "al"
    assert at.selectbox(key="learner_team").value == app_db.id("a1")
    assert list(page_tests.table_with(at, "employee_ref")["employee"]) == ["Al Two"]


def test_the_team_box_narrows_the_goal_list_not_the_figures(app_db):
    at = open_page("hr@acme.test", "pages/pdps.py", title="PDPs")
    figures = {m.label: m.value for m in at.metric}
    assert at.selectbox(key="pdp_team").options == ["Everyone", "Ann One (1 person)"]
    assert at.selectbox(key="pdp_team").index == 0  # "Everyone" is shown chosen, not an empty box
    assert "The team narrows the lists of people; figures stay by department." in [c.value for c in at.caption]
    at.selectbox(key="pdp_team").select(app_db.id("a1")).run()
    assert {m.label: m.value for m in at.metric} == figures  # the figures keep the whole department cells
    assert [i.value for i in at.info] == ["No PDP goals match. Clear the filters, or add a goal below."]


def test_officers_get_no_team_box(app_db):
    at = open_page("officer@uni-one.test", "pages/enrollments.py", title="Enrollment and completion")
    assert not [box for box in at.selectbox if box.label == "Team"]
    assert [box.label for box in at.selectbox if box.label == "Open a person's page"]


def test_the_learners_at_risk_on_the_overview_open_a_persons_page_and_lead_back(app_db):
    at = open_page("hr@acme.test", "pages/overview.py", title="Overview")
    box = at.selectbox(key="at_risk_person")
    assert box.options == ["Al Two"]
    box.select(app_db.id("a2")).run()
    button(at, "Open their page").click().run()
    assert not at.exception, at.exception
    assert (at.title[0].value, subheaders(at)[0]) == ("Person", md("Al Two"))
    assert [link.label for link in at.get("page_link")] == ["Back to Overview"]


def test_a_viewer_is_offered_no_persons_page_under_a_list(app_db):
    at = open_page("viewer@acme.test", "pages/overview.py", title="Overview")
    assert [e.label for e in at.expander] == ["Learners at risk (the first 1)"]  # the list is there, not the box
    assert not [box for box in at.selectbox if box.label == "Open a person's page"]
