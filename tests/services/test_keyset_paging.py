"""Keyset pages (services/paging.py) of the learner drill-down and the PDP goal list: walking them forward and
back gives every matching row exactly once, in the order of one sorted query, ties on the date broken by id."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from db.models import Cohort, Employee, Enrollment, Pdp, PdpGoal
from services import learners, pdp
from services.filters import Filters
from tests.world import TODAY, build_world

SEEK_DAYS = learners.SEEK_DAYS
PEOPLE = ["a1", "a2", "a3", "b1", "b2", "c1"]
# Few distinct days, so many rows share a sort date and only the id orders them; far enough apart that a page
# comes from both steps (the days before the cursor, then the older ones: services/learners.py).
enrollment = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE), "cohort": st.sampled_from(["C-K1", "C-K4", "C-K6"]),
    "day": st.sampled_from([0, 1, 2, 40, 41, 88]), "status": st.sampled_from(["enrolled", "in_progress", "completed"]),
})
goal = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE), "day": st.integers(min_value=0, max_value=3),
    "status": st.sampled_from(["planned", "in_progress", "achieved", "dropped"]),
})
FIXTURE = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fresh_world(session):
    from tests.conftest import clear_all

    session.rollback()
    clear_all(session.get_bind())
    return build_world(session)


def _add_enrollments(session, world, rows):
    for i, row in enumerate(rows):
        employee = session.get(Employee, world.id(row["person"]))
        cohort = session.get(Cohort, world.id(row["cohort"]))
        enrolled = date(2026, 4, 1) + timedelta(days=row["day"])
        run = Cohort(credential_id=cohort.credential_id, code=f"P{i}-{cohort.code}", starts_on=enrolled,
                     ends_on=enrolled + timedelta(days=30), seats=10)
        session.add(run)
        session.flush()
        session.add(Enrollment(employee_id=employee.id, credential_id=cohort.credential_id, cohort_id=run.id,
                               enrolled_on=enrolled, status=row["status"], cost=Decimal(100),
                               completed_on=enrolled + timedelta(days=5) if row["status"] == "completed" else None))
    session.commit()


def _walk(fetch, cursor_after, size):
    """Every page from the first, by cursor: (the pages, the cursor each page started after)."""
    pages, cursors, cursor = [], [], None
    while True:
        page = fetch(cursor, size + 1)
        cursors.append(cursor)
        pages.append(page.head(size))
        if len(page) <= size:
            return pages, cursors
        cursor = cursor_after(page.head(size))


@settings(max_examples=12, **FIXTURE)
@given(rows=st.lists(enrollment, max_size=25), size=st.integers(min_value=1, max_value=4),
       role=st.sampled_from(["officer@u", "hr@a"]), window=st.sampled_from([1, 5, 31, 400]))
def test_learner_pages_hold_every_match_once_in_order(session, rows, size, role, window):
    learners.SEEK_DAYS = window  # the days a page is first sought in: every window gives the same pages
    try:
        _walk_learners(session, rows, size, role)
    finally:
        learners.SEEK_DAYS = SEEK_DAYS


def _walk_learners(session, rows, size, role):
    world = _fresh_world(session)
    _add_enrollments(session, world, rows)
    scope, f = world.scope(session, role), Filters()

    def fetch(cursor, limit):
        return learners.learners(session, scope, f, today=TODAY, limit=limit, count=False, after=cursor)[1]

    everything = learners.learners(session, scope, f, today=TODAY, limit=10_000)[1]
    pages, cursors = _walk(fetch, learners.cursor_after, size)
    walked = [int(i) for page in pages for i in page["enrollment_id"]]
    # The order of one sorted query: latest enrolled first, the later id first on the same day.
    keys = list(zip(everything["enrolled_on"], everything["enrollment_id"], strict=True))
    assert keys == sorted(keys, reverse=True)
    assert walked == [int(i) for i in everything["enrollment_id"]] and len(set(walked)) == len(walked)
    # ... and of the OFFSET pages the list used to show.
    by_offset = [int(i) for n in range(len(pages)) for i in learners.learners(
        session, scope, f, today=TODAY, limit=size, offset=n * size, count=False)[1]["enrollment_id"]]
    assert walked == by_offset
    assert learners.learner_count(session, scope, f, today=TODAY) == len(walked)
    # Back: each earlier cursor gives the same page again (Previous pops the stack of cursors).
    for cursor, page in reversed(list(zip(cursors, pages, strict=True))):
        assert fetch(cursor, size)["enrollment_id"].tolist() == page["enrollment_id"].tolist()
    if role == "hr@a":  # scope holds: an HR manager's pages hold only their employer's people
        assert set(everything["employer"]) <= {"Acme"}


@settings(max_examples=12, **FIXTURE)
@given(rows=st.lists(goal, max_size=25), size=st.integers(min_value=1, max_value=4),
       role=st.sampled_from(["hr@a", "hr@b"]))
def test_goal_pages_hold_every_match_once_open_goals_first(session, rows, size, role):
    world = _fresh_world(session)
    for i, row in enumerate(rows):
        plan = Pdp(employee_id=world.id(row["person"]), period=f"K{i}")
        session.add(plan)
        session.flush()
        session.add(PdpGoal(pdp_id=plan.id, title=f"Goal {i}", skill_id=world.id("s1"), status=row["status"],
                            due_on=date(2026, 9, 1) + timedelta(days=row["day"])))
    session.commit()
    scope, f = world.scope(session, role), Filters()

    def fetch(cursor, limit):
        return pdp.goals(session, scope, f, today=TODAY, limit=limit, after=cursor)[1]

    pages, cursors = _walk(fetch, pdp.goal_cursor_after, size)
    walked = [tuple(r) for page in pages for r in page[["closed", "due_on", "goal_id"]].itertuples(index=False)]
    # Every goal of the scope exactly once (from the tables, not from pdp.goals), open before closed,
    # each group earliest due first, the lower id first on the same day.
    employer = world.id("A" if role == "hr@a" else "B")
    expected = session.exec(
        select(PdpGoal.id).join(Pdp).join(Employee, Employee.id == Pdp.employee_id)
                           .where(Employee.employer_id == employer)).all()
    assert sorted(int(i) for _, _, i in walked) == sorted(expected)
    assert walked == sorted(walked)
    total, _ = pdp.goals(session, scope, f, today=TODAY, limit=0)
    assert total == len(walked) and pdp.goals(session, scope, f, today=TODAY, limit=1, count=False)[0] is None
    for cursor, page in reversed(list(zip(cursors, pages, strict=True))):
        assert fetch(cursor, size)["goal_id"].tolist() == page["goal_id"].tolist()
