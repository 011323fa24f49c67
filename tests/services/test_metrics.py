"""Metrics against figures counted by hand from tests/world.py.

Uni One's partners are Acme (a1, a2; a3 left 2025-06-30) and Beta (b1; b2 hired
2026-07-01). Enrollments in credential K1's cohort (2026-01-10 .. 2026-04-30):
a1 enrolled 01-02 completed 04-20 (108 days), a2 enrolled 01-03 in progress,
b1 enrolled 01-04 completed 04-25 (111 days), b2 enrolled 01-05 not started;
a3 enrolled in K4 2025-01-02 and withdrew 2025-02-01. Each enrollment cost 1000.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from services import metrics
from services.metrics import Filters
from services.periods import Period, parse_quarter
from tests.world import TODAY, build_world

Q1, Q2 = parse_quarter("2026Q1"), parse_quarter("2026Q2")


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def officer(session, world):
    return world.scope(session, "officer@u")


def test_summary_q1(session, officer):
    s = metrics.summary(session, officer, Filters(Q1), today=TODAY)
    assert (s.enrollments, s.completed, s.failed, s.withdrawn, s.active, s.learners) == (4, 0, 0, 0, 4, 4)
    assert s.spend == 4000 and s.cost_per_completion is None and s.completion_rate is None
    assert s.headcount == 3  # a1, a2, b1 (a3 left in 2025, b2 starts in July)
    assert s.participation_rate == pytest.approx(4 / 3)  # b2 enrolled before joining: still a learner


def test_summary_q2(session, officer):
    s = metrics.summary(session, officer, Filters(Q2), today=TODAY)
    assert (s.enrollments, s.completed, s.active, s.learners) == (0, 2, 2, 0)
    assert s.completion_rate == 1.0 and s.withdrawal_rate == 0.0
    assert s.cost_per_completion == 0.0  # no spend on enrollments made in Q2
    assert s.median_days_to_complete == pytest.approx(109.5)
    assert s.p80_days_to_complete == pytest.approx(108 + 0.8 * 3)
    assert s.participation_rate == 0.0


def test_withdrawal_counts_in_the_quarter_it_happened(session, officer):
    s = metrics.summary(session, officer, Filters(parse_quarter("2025Q1")), today=TODAY)
    assert (s.enrollments, s.withdrawn, s.completion_rate, s.withdrawal_rate) == (1, 1, 0.0, 1.0)


def test_hr_manager_sees_own_employer_only(session, world):
    s = metrics.summary(session, world.scope(session, "hr@a"), Filters(Q2), today=TODAY)
    assert (s.completed, s.active, s.headcount) == (1, 1, 2)
    assert s.median_days_to_complete == 108


def test_breakdowns(session, officer):
    by_cred = metrics.by_credential(session, officer, Filters(Q1), today=TODAY).set_index("code")
    assert by_cred.loc["K1", ["enrollments", "active"]].tolist() == [4, 4]
    by_dept = metrics.by_department(session, officer, Filters(Q2), today=TODAY).set_index(["employer", "department"])
    assert by_dept.loc[("Acme", "Operations"), ["headcount", "completed", "active"]].tolist() == [1, 1, 0]
    assert by_dept.loc[("Acme", "IT"), ["headcount", "completed", "active"]].tolist() == [1, 0, 1]
    assert by_dept.loc[("Beta", "Sales"), ["headcount", "completed", "active"]].tolist() == [1, 1, 1]
    by_emp = metrics.by_employer(session, officer, Filters(Q2), today=TODAY).set_index("employer")
    assert by_emp.loc["Acme", ["headcount", "completed"]].tolist() == [2, 1]
    assert by_emp.loc["Acme", "partnership"] == "active"
    cohorts = metrics.by_cohort(session, officer, Filters(Q2), today=TODAY)
    assert cohorts[["cohort", "completed", "active"]].values.tolist() == [["K1-26Q1", 2, 2]]


def test_filters_narrow(session, world, officer):
    beta = Filters(Q1, employer_ids=frozenset({world.id("B")}))
    assert metrics.summary(session, officer, beta, today=TODAY).enrollments == 2
    it = Filters(Q1, department_ids=frozenset({world.id("A-IT")}))
    assert metrics.summary(session, officer, it, today=TODAY).enrollments == 1
    k4 = Filters(parse_quarter("2025Q1"), credential_ids=frozenset({world.id("K4")}))
    assert metrics.summary(session, officer, k4, today=TODAY).withdrawn == 1
    nothing = Filters(Q1, cohort_ids=frozenset())
    assert metrics.summary(session, officer, nothing, today=TODAY).enrollments == 0


def test_by_quarter_series(session, officer):
    # 2025Q4 had no activity and comes before any in the window: left out, not drawn as an empty quarter.
    series = metrics.by_quarter(session, officer, Filters(Q2), today=TODAY, quarters=3).set_index("quarter")
    assert list(series.index) == ["2026Q1", "2026Q2"]
    assert series.loc["2026Q1", "enrollments"] == 4 and series.loc["2026Q2", "completed"] == 2
    # Quiet quarters after the first activity (a3 enrolled and withdrew in 2025Q1) stay, as zeros.
    series = metrics.by_quarter(session, officer, Filters(Q2), today=TODAY, quarters=8).set_index("quarter")
    assert list(series.index) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    assert series.loc["2025Q3"].tolist()[1:5] == [0, 0, 0, 0]


def test_percentile_matches_numpy():
    import numpy as np

    values = [3, 3, 5, 8, 13, 13, 13, 40]
    dist = pd.Series(values).value_counts().rename_axis("days").reset_index(name="completions")
    for q in (0.5, 0.8, 0.0, 1.0, 0.33):
        assert metrics.percentile_from_counts(dist, q) == pytest.approx(np.percentile(values, q * 100))
    assert metrics.percentile_from_counts(dist.iloc[0:0], 0.5) is None


def test_upskilling(session, world):
    hr = world.scope(session, "hr@a")
    gaps = metrics.skill_gaps(session, hr, Filters(Q2), today=TODAY)
    # a1 aims for level 4 in s1 and was assessed at 2: gap 2, nothing closed yet.
    assert gaps[["department", "skill", "people", "gap_now", "gap_start"]].values.tolist() == [
        ["Operations", "analyse big data", 1, 2.0, 2.0]]
    assert metrics.gap_closed_overall(gaps) == 0.0
    # a1 completed K1 (skill s1) in Q2.
    assert metrics.skills_gained(session, hr, Filters(Q2), today=TODAY) == 1
    assert metrics.skills_gained(session, hr, Filters(Q1), today=TODAY) == 0


def test_skill_gained_by_higher_assessment_and_gap_closed(session, world):
    from db import summaries
    from db.models import SkillAssessment

    session.add(SkillAssessment(employee_id=world.id("a1"), skill_id=world.id("s1"), level=3,
                                assessed_on=date(2026, 5, 1), source="manager"))
    summaries.refresh(session, [world.id("A")], parts=summaries.AFTER_ASSESSMENTS)  # as every write path does
    session.commit()
    hr = world.scope(session, "hr@a")
    gaps = metrics.skill_gaps(session, hr, Filters(Q2), today=TODAY)
    assert gaps[["gap_now", "gap_start"]].values.tolist() == [[1.0, 2.0]]
    assert metrics.gap_closed_overall(gaps) == 0.5
    # Same pair via credential and via assessment: counted once.
    assert metrics.skills_gained(session, hr, Filters(Q2), today=TODAY) == 1
    levels = metrics.assessment_levels(session, hr, Filters(Q2), today=TODAY)
    assert levels[["side", "mean_level"]].values.tolist() == [["after", 3.0], ["before", 2.0]]


def test_pdp_goal_states(session, world, officer):
    assert metrics.goal_states(session, officer, Filters(), today=TODAY) == {
        "achieved": 0, "on_track": 2, "at_risk": 0, "overdue": 0, "dropped": 0}
    assert metrics.goal_states(session, officer, Filters(), today=date(2026, 12, 15))["at_risk"] == 2
    assert metrics.goal_states(session, officer, Filters(), today=date(2027, 1, 1))["overdue"] == 2


def test_small_groups_are_suppressed(session, officer):
    oc = metrics.outcome_change(session, officer, Filters(Q2), today=TODAY)
    assert oc.n == 2 and oc.performance_change is None
    r = metrics.retention(session, officer, Filters(Q2), today=TODAY)
    assert (r.completers, r.others, r.others_retained) == (0, 3, 3) and r.other_rate is None
    df = metrics.by_department(session, officer, Filters(Q2), today=TODAY)
    shown = metrics.suppress_small_groups(df, n_col="headcount", columns=["completed", "completion_rate"])
    assert shown["suppressed"].all() and shown["completed"].isna().all()


def test_at_risk_learners(session, world, officer):
    n, rows = metrics.at_risk_learners(session, officer, Filters(), today=TODAY)
    assert n == 2 and sorted(rows["employee"]) == ["Al Two", "Bo Two"]
    n, rows = metrics.at_risk_learners(session, world.scope(session, "hr@a"), Filters(), today=TODAY)
    assert n == 1 and list(rows["employer"]) == ["Acme"]


def test_alerts_are_one_definition_as_of_today_whatever_the_period(session, world, officer):
    later = date(2027, 1, 1)  # both goals overdue, the K1 learners long stalled
    for f in (Filters(), Filters(Q1), Filters(Q2), Filters(parse_quarter("2020Q1"))):
        a = metrics.alerts(session, officer, f, today=later)
        assert (a.as_of, a.learners_at_risk, a.overdue_goals) == (later, 2, 2)
        assert sorted(a.at_risk["employee"]) == ["Al Two", "Bo Two"]
    hr = metrics.alerts(session, world.scope(session, "hr@a"), Filters(Q2), today=later)
    assert (hr.learners_at_risk, hr.overdue_goals) == (1, 1)
    beta = metrics.alerts(session, officer, Filters(Q2, employer_ids=frozenset({world.id("B")})), today=later)
    assert (beta.learners_at_risk, beta.overdue_goals) == (1, 1)


def test_the_review_pack_shows_the_same_alerts_as_the_overview(session, world, officer):
    from services.review import build_pack

    later = date(2027, 1, 1)
    pack = build_pack(session, officer, quarter=Q2, today=later)  # a past quarter
    overview = metrics.alerts(session, officer, Filters(), today=later)
    assert (pack.alerts.as_of, pack.alerts.learners_at_risk, pack.alerts.overdue_goals) == (
        overview.as_of, overview.learners_at_risk, overview.overdue_goals) == (later, 2, 2)
    pd.testing.assert_frame_equal(pack.alerts.at_risk, overview.at_risk)
    assert pack.goal_states["overdue"] == pack.alerts.overdue_goals


def test_budget(session, officer):
    b = metrics.budget(session, officer, Filters(Q1), today=TODAY)
    assert b.annual_budget == 70000 and b.spend == 4000
    assert b.budget_for_period == pytest.approx(70000 * 90 / 365)


def test_periods():
    assert Q1 == Period(date(2026, 1, 1), date(2026, 3, 31), "2026Q1")
    assert Q1.previous() == parse_quarter("2025Q4") and Q1.same_last_year() == parse_quarter("2025Q1")
    with pytest.raises(ValueError, match="like 2025Q3"):
        parse_quarter("2025-3")


def test_skills_gained_by_quarter_equals_quarter_by_quarter(session, world, officer):
    series = metrics.skills_gained_by_quarter(session, officer, Filters(Q2), today=TODAY, quarters=4)
    for row in series.itertuples():
        q = parse_quarter(row.quarter)
        assert row.skills_gained == metrics.skills_gained(session, officer, Filters(q), today=TODAY)
    assert series.set_index("quarter").loc["2026Q2", "skills_gained"] == 2
