"""Sensitive measures over whole cells (services/metrics/cells.py) and the configurable threshold."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from services import metrics
from services.metrics import Filters
from services.metrics.cells import NOT_FOR_CREDENTIALS, NOT_FOR_PART_QUARTERS
from services.periods import Period, parse_quarter
from tests.conftest import ROOT
from tests.world import TODAY, build_world


def test_a_period_counts_the_whole_quarters_inside_it():
    assert metrics.whole_quarters(parse_quarter("2026Q2")) == parse_quarter("2026Q2")
    last_year = metrics.whole_quarters(Period(date(2025, 12, 1), date(2026, 11, 30), "last 12 months"))
    assert (last_year.start, last_year.end, last_year.label) == (date(2026, 1, 1), date(2026, 9, 30),
                                                                 "2026Q1 – 2026Q3")
    assert metrics.whole_quarters(Period(date(2026, 4, 2), date(2026, 6, 30), "custom")) is None


def test_credential_cohort_and_part_quarter_filters_are_refused_with_a_reason(session):
    world = build_world(session)
    officer = world.scope(session, "officer@u")
    q2 = parse_quarter("2026Q2")
    refused = metrics.outcome_change_shown(session, officer, Filters(q2, credential_ids=frozenset({1})), today=TODAY)
    assert (refused.shown, refused.n, refused.note) == (False, 0, NOT_FOR_CREDENTIALS)
    part = Filters(Period(date(2026, 4, 2), date(2026, 6, 30), "custom"))
    assert metrics.outcome_change_shown(session, officer, part, today=TODAY).note == NOT_FOR_PART_QUARTERS
    assert metrics.assessment_levels_shown(session, officer, part, today=TODAY).empty
    # The world's three surveys are in departments of one or two: no figure, and no count of them either.
    small = metrics.outcome_change_shown(session, officer, Filters(q2), today=TODAY)
    assert (small.shown, small.n) == (False, 0)


def run_with_threshold(value: str) -> subprocess.CompletedProcess:
    code = "from services.metrics import MIN_GROUP, SUPPRESSED; print(MIN_GROUP, SUPPRESSED)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"MIN_GROUP_SIZE": value, "PATH": ""})


def test_the_threshold_comes_from_the_environment():
    assert run_with_threshold("10").stdout.strip() == "10 fewer than 10"
    assert run_with_threshold("").stdout.strip() == "5 fewer than 5"
    bad = run_with_threshold("one")
    assert bad.returncode != 0 and "MIN_GROUP_SIZE must be a whole number of 2 or more, not 'one'" in bad.stderr


def test_gap_closed_counts_no_department_skill_group_that_is_not_shown(session):
    """Before, a department filter on one small department showed that group's own gap closed."""
    world = build_world(session)
    officer = world.scope(session, "officer@u")
    one_department = Filters(parse_quarter("2026Q2"), department_ids=frozenset({world.id("A-Ops")}))
    gaps = metrics.skill_gaps_shown(session, officer, one_department, today=TODAY)
    assert gaps.shown.empty and gaps.hidden == 1
    assert gaps.gap_closed is None
