"""AppTest of the dashboard pages with filters changed, and the PDP edit flow."""

from __future__ import annotations

import pytest

from db.models import PdpGoal
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button, table_with, texts

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def _sidebar_select(at, label):
    return next(w for w in at.sidebar.selectbox if w.label == label)


def _sidebar_multi(at, label):
    return next(w for w in at.sidebar.multiselect if w.label == label)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/enrollments.py", "pages/upskilling.py", "pages/pdps.py"])
def test_filters_change_and_are_remembered_across_pages(app_db, page):
    at = app_as("officer@uni-one.test").run()
    _sidebar_select(at, "Period").select("2026Q1").run()
    _sidebar_multi(at, "Employers").select(app_db.id("B")).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _sidebar_select(at, "Period").value == "2026Q1"
    assert _sidebar_multi(at, "Employers").value == [app_db.id("B")]
    assert "Acme" not in texts(at)


def test_overview_figures_follow_the_period(app_db):
    at = app_as("officer@uni-one.test").run()
    _sidebar_select(at, "Period").select("2026Q1").run()
    kpis = {m.label: m.value for m in at.metric}
    assert (kpis["Enrollments"], kpis["Completions"], kpis["Active learners"]) == ("4", "0", "4")
    _sidebar_select(at, "Period").select("2026Q2").run()
    kpis = {m.label: m.value for m in at.metric}
    assert (kpis["Enrollments"], kpis["Completions"], kpis["Active learners"]) == ("0", "2", "2")


def test_learner_drilldown_for_hr_shows_own_people_only(app_db):
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/enrollments.py").run()
    _sidebar_select(at, "Period").select("2026Q1").run()
    learners = table_with(at, "employee_ref")
    # Own people only; an HR manager's table has no Employer column (it would repeat their own).
    assert "employer" not in learners.columns and sorted(learners["employee"]) == ["Al Two", "Ann One"]


def test_hr_manager_updates_a_goal_on_the_pdp_page(app_db, session):
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/pdps.py").run()
    goal_id = app_db.id("G-PDP-a1")
    next(w for w in at.selectbox if w.label == "Goal").select(goal_id).run()
    next(w for w in at.selectbox if w.label == "New status").select("achieved")
    button(at, "Save status").click().run()
    assert not at.error, [e.value for e in at.error]
    session.expire_all()
    assert session.get(PdpGoal, goal_id).status == "achieved"
    assert {m.label: m.value for m in at.metric}["Achieved"] == "1"  # cache dropped after the write


def test_viewer_and_officer_cannot_edit_pdps(app_db):
    for email in ("viewer@acme.test", "officer@uni-one.test"):
        at = app_as(email).run()
        at.switch_page("pages/pdps.py").run()
        assert not [b for b in at.button if b.label in ("Save status", "Add goal")]
        assert "Only HR managers" in "\n".join(c.value for c in at.caption)
