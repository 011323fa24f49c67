"""AppTest of Next/Previous on the keyset-paged lists (ui/paging.py): the place is kept across reruns and a
visit to another page, Previous goes back, and the pages together hold every row once."""

from __future__ import annotations

from datetime import date

import pytest

from db.engine import bump_data_version
from db.models import Pdp, PdpGoal
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, table_with, texts
from ui import paging

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it
ROW = ["employee_ref", "employee", "credential", "cohort", "enrolled_on"]


def _rows(at, columns):
    return [tuple(r) for r in table_with(at, columns[0])[columns].astype(str).itertuples(index=False)]


def _walk(at, key, columns):
    """Rows of every page from the current one on, clicking Next until it is off."""
    rows = _rows(at, columns)
    while not at.button(key=f"{key}_next").disabled:
        at.button(key=f"{key}_next").click().run()
        rows += _rows(at, columns)
    return rows


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(paging, "LEARNER_PAGE_SIZES", [2, 50])
    monkeypatch.setattr(paging, "GOALS_PAGE", 1)


def test_learner_pages_keep_their_place_and_hold_every_row_once(app_db, small_pages):
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/enrollments.py").run()
    next(w for w in at.sidebar.selectbox if w.label == "Period").select("2026Q1").run()
    first = _rows(at, ROW)
    assert len(first) == 2 and at.button(key="learners_previous").disabled
    # No count while the pages do not tell it (a scan of every match); on request, the exact count.
    assert "More than 2 enrollments match" in texts(at)
    at.button(key="learners_count").click().run()
    counted = next(c.value for c in at.caption if "enrollments match" in c.value)
    at.button(key="learners_next").click().run()
    second = _rows(at, ROW)
    assert "Page 2" in texts(at) and not set(second) & set(first)
    at.run()  # a rerun keeps the place
    assert _rows(at, ROW) == second
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/enrollments.py").run()  # and so does a visit to another page
    assert _rows(at, ROW) == second and "Page 2" in texts(at)
    at.button(key="learners_previous").click().run()
    assert _rows(at, ROW) == first and "Page 1" in texts(at)
    walked = _walk(at, "learners", ROW)
    assert counted.startswith(f"{len(walked)} enrollments match")
    assert f"{len(walked)} enrollments match" in texts(at)  # the last page knows it without counting
    next(w for w in at.selectbox if w.label == "Rows per page").select(50).run()  # a new listing: page 1
    everything = _rows(at, ROW)
    assert walked == everything and len(set(walked)) == len(walked) > 2
    assert f"{len(everything)} enrollments match" in texts(at) and "Page 1" in texts(at)
    assert not at.exception and not at.error


def test_goal_pages_for_an_hr_manager_hold_their_goals_once(app_db, small_pages, session):
    # Two more of Acme's goals, one due the same day as Ann's (the goal id orders them), one achieved.
    plan = Pdp(employee_id=app_db.id("a2"), period="2026")
    session.add(plan)
    session.flush()
    session.add_all([PdpGoal(pdp_id=plan.id, title="Tie", skill_id=app_db.id("s1"), due_on=date(2026, 12, 31)),
                     PdpGoal(pdp_id=plan.id, title="Done", skill_id=app_db.id("s1"), due_on=date(2026, 1, 31),
                             status="achieved")])
    bump_data_version(session)
    session.commit()
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/pdps.py").run()
    columns = ["employee", "goal", "due_on", "state"]
    first = _rows(at, columns)
    walked = _walk(at, "pdp_goals", columns)
    caption = next(c.value for c in at.caption if "goals match" in c.value)
    assert len(first) == 1 and caption.startswith(f"{len(walked)} goals match")
    # Open goals first, earliest due first, the later-added tie after; the achieved goal last.
    assert [goal for _, goal, *_ in walked] == ["Grow", "Tie", "Done"]
    assert len(set(walked)) == len(walked)
    assert {employee for employee, *_ in walked} <= {"Ann One", "Al Two", "Ada Three"}
    at.button(key="pdp_goals_previous").click().run()
    assert _rows(at, columns) == [walked[-2]]
    assert not at.exception and not at.error
