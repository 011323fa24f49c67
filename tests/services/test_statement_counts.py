"""How many SQL statements the review pack and the Overview's data calls issue: a figure read twice in
one build shows here as a higher count (statement counts, not timings: those are the bench's)."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest

from services import metrics
from services.metrics import Filters
from services.metrics.definitions import AT_RISK_DAYS
from services.metrics.goals import _misplaced_goals
from services.metrics.paths import month_end
from services.periods import parse_quarter
from services.review import build_pack
from tests.statements import statements
from tests.world import TODAY, build_world

Q2 = parse_quarter("2026Q2")
# Statements before issue 18 (officer, HR manager): the pack 44 and 45, the Overview's calls 33 and 32.
# By quarter reads its quarters in one statement (services/metrics/breakdowns.py): the pack 32 and 33 before, the
# Overview 27 and 27. The pack reads the employers large enough to count once, in one more statement, and its
# other statements name them instead of each recounting everyone (services/population.py): 30 and 31. The
# one-row totals of every period, and by quarter's series, come from one read of the monthly totals
# (services/metrics/counts.monthly_totals): 27 and 28. The survey cells read two summaries (sums, and the
# distinct people) instead of every completed enrollment of the quarters: 28 and 29. Every whole-month
# period's headcounts come from one read of the hires and leavers per employer and month (headcounts.py).
PACK = {"officer@u": 26, "hr@a": 27}
OVERVIEW = {"officer@u": 13, "hr@a": 13}


def listing(seen: list[str]) -> str:
    return "\n".join(statement.replace("\n", " ")[:150] for statement in seen)


@pytest.fixture
def world(session):
    return build_world(session)


def overview_calls(session, scope):
    """What pages/overview.py asks ui/data.py for, in one store of reused figures as ui/data.py gives it."""
    f = Filters(Q2)
    with metrics.reusing():
        return [metrics.summary(session, scope, f, today=TODAY),
                metrics.summary(session, scope, f.with_period(Q2.previous()), today=TODAY),
                metrics.by_quarter(session, scope, f, today=TODAY),
                metrics.by_credential(session, scope, f, today=TODAY),
                metrics.alerts(session, scope, f, today=TODAY),
                (metrics.departments_shown if scope.is_employer_side else metrics.by_employer)(
                    session, scope, f, today=TODAY)]


@pytest.mark.parametrize("user", sorted(PACK))
def test_the_review_pack_reads_each_figure_once(engine, session, world, user):
    scope = world.scope(session, user)
    with statements(engine) as seen:
        build_pack(session, scope, quarter=Q2, today=TODAY)
    assert len(seen) == PACK[user], listing(seen)


@pytest.mark.parametrize("user", sorted(OVERVIEW))
def test_the_overview_calls_read_each_figure_once(engine, session, world, user):
    scope = world.scope(session, user)
    with statements(engine) as seen:
        overview_calls(session, scope)
    assert len(seen) == OVERVIEW[user], listing(seen)
    # Headcounts from the monthly hires and leavers, never by counting employee rows: one read per employer and
    # month serves this period's, the previous one's and the partners table's; the HR manager's department
    # cells read theirs. (The department cells read the summary's hires in every statement.)
    assert sum("employee_month_summary.month, sum(employee_month_summary.hires)" in s for s in seen) == 1
    assert sum(bool(re.search(r"AS headcount\s+FROM employee_month_summary", s)) for s in seen) == (
        0 if user == "officer@u" else 1)
    assert not any("count(employee.id)" in s for s in seen)


def _same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, metrics.Alerts):
        assert (a.as_of, a.learners_at_risk, a.overdue_goals, a.at_risk_people) == (
            b.as_of, b.learners_at_risk, b.overdue_goals, b.at_risk_people)
        pd.testing.assert_frame_equal(a.at_risk, b.at_risk)
    else:
        assert a == b


@pytest.mark.parametrize("user", sorted(OVERVIEW))
def test_reused_figures_equal_figures_read_afresh(session, world, user):
    scope = world.scope(session, user)
    reused = overview_calls(session, scope)
    f = Filters(Q2)
    fresh = [metrics.summary(session, scope, f, today=TODAY),
             metrics.summary(session, scope, f.with_period(Q2.previous()), today=TODAY),
             metrics.by_quarter(session, scope, f, today=TODAY), metrics.by_credential(session, scope, f, today=TODAY),
             metrics.alerts(session, scope, f, today=TODAY),
             (metrics.departments_shown if scope.is_employer_side else metrics.by_employer)(
                 session, scope, f, today=TODAY)]
    for a, b in zip(reused, fresh, strict=True):
        _same(a, b)
    assert (reused[0].headcount, reused[0].employers) == ((3, 2) if user == "officer@u" else (2, 1))


def test_nothing_is_reused_outside_a_block_and_a_copy_is_handed_out(engine, session, world):
    scope = world.scope(session, "officer@u")
    with statements(engine) as seen:
        metrics.goal_states(session, scope, Filters(), today=TODAY)
        metrics.goal_states(session, scope, Filters(), today=TODAY)
    assert len(seen) == 4  # summary and near goals, twice
    with metrics.reusing(), statements(engine) as seen:
        first = metrics.goal_states(session, scope, Filters(Q2), today=TODAY)
        first["overdue"] = -1
        again = metrics.goal_states(session, scope, Filters(), today=TODAY)  # the period does not apply
    assert len(seen) == 2 and again["overdue"] != -1


def test_the_raw_path_is_never_served_the_summary_figure(engine, session, world):
    scope = world.scope(session, "officer@u")
    with metrics.reusing(), statements(engine) as seen:
        fast = metrics.summary(session, scope, Filters(Q2), today=TODAY)
        with metrics.raw_only():
            raw = metrics.summary(session, scope, Filters(Q2), today=TODAY)
    assert fast == raw
    assert any("FROM enrollment JOIN employee" in s for s in seen)


def test_at_risk_learners_count_and_page_in_one_statement(engine, session, world):
    scope = world.scope(session, "officer@u")
    with statements(engine) as seen:
        n, rows = metrics.at_risk_learners(session, scope, Filters(), today=TODAY)
    assert len(seen) == 1 and n == 2 and len(rows) == 2
    n, rows = metrics.at_risk_learners(session, scope, Filters(), today=TODAY, limit=1)
    assert n == 2 and len(rows) == 1  # the count is of every learner at risk, not of the page
    n, rows = metrics.at_risk_learners(session, scope, Filters(), today=TODAY, limit=0)
    assert n == 2 and rows.empty
    n, rows = metrics.at_risk_learners(session, scope, Filters(), today=TODAY - timedelta(days=3650))
    assert n == 0 and rows.empty


def test_open_goals_due_soon_seek_on_status_and_due_date(engine, session, world):
    if engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    scope = world.scope(session, "officer@u")
    soon = TODAY + timedelta(days=AT_RISK_DAYS)
    with statements(engine) as seen:
        session.execute(_misplaced_goals(scope, Filters(), TODAY, TODAY.replace(day=1), soon, month_end(soon))).all()
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        # The parameters only need to be of the right count for the plan.
        plan = [row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + seen[0],
                                                   [None] * seen[0].count("?")).fetchall()]
    assert any("pdpgoal USING INDEX ix_pdpgoal_status_due_on (status=? AND due_on>? AND due_on<?)" in line
               for line in plan), plan
    assert not any(line.startswith("SCAN pdpgoal") for line in plan), plan  # two seeks, never the whole table


def test_a_block_given_a_session_reads_the_counted_employers_once_and_names_them(engine, session, world):
    scope = world.scope(session, "officer@u")
    fresh = metrics.summary(session, scope, Filters(Q2), today=TODAY)
    with statements(engine) as seen, metrics.reusing(session=session):
        primed = metrics.summary(session, scope, Filters(Q2), today=TODAY)
        with metrics.raw_only():  # the raw path counts employee rows, never the summary's list
            raw = metrics.summary(session, scope, Filters(Q2), today=TODAY)
    assert primed == fresh == raw
    counted = [s for s in seen if "HAVING sum(employee_month_summary.hires)" in s]
    assert len(counted) == 1, listing(seen)  # read once, by the block; the figures' statements name the ids
