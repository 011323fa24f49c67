"""Overview figures against counts made by hand from tests/world.py."""

from __future__ import annotations

import pytest

from services import metrics
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def test_officer_headline(session, world):
    # Uni One's partners: Acme (a1, a2 employed; a3 left 2025) and Beta (b1; b2 hired tomorrow).
    h = metrics.headline(session, world.scope(session, "officer@u"), today=TODAY)
    assert h == metrics.Headline(headcount=3, enrollments=5, completions=2, active_learners=2, employers=2)


def test_hr_headline_and_departments(session, world):
    scope = world.scope(session, "hr@a")
    assert metrics.headline(session, scope, today=TODAY) == metrics.Headline(
        headcount=2, enrollments=3, completions=1, active_learners=1, employers=1)
    by_dept = metrics.by_department(session, scope, today=TODAY).set_index("department")
    assert by_dept.loc["Operations", ["headcount", "enrollments", "completions", "active_learners"]].tolist() == [1, 2, 1, 0]
    assert by_dept.loc["IT", ["headcount", "enrollments", "completions", "active_learners"]].tolist() == [1, 1, 0, 1]


def test_by_employer_for_officer(session, world):
    table = metrics.by_employer(session, world.scope(session, "officer@u"), today=TODAY).set_index("employer")
    assert sorted(table.index) == ["Acme", "Beta"]
    assert table.loc["Beta", ["headcount", "enrollments", "completions", "active_learners"]].tolist() == [1, 2, 1, 1]
    assert table.loc["Acme", "partnership"] == "active"


def test_employer_filter_narrows(session, world):
    scope = world.scope(session, "officer@u")
    only_beta = metrics.Filters(employer_ids=frozenset({world.id("B")}))
    assert metrics.headline(session, scope, today=TODAY, filters=only_beta).enrollments == 2


def test_future_enrollments_do_not_count(session, world):
    # On 2026-01-03 only a1 (Jan 2) and a2 (Jan 3) had enrolled at Acme.
    from datetime import date

    h = metrics.headline(session, world.scope(session, "hr@a"), today=date(2026, 1, 3))
    assert h.enrollments == 2 + 1  # plus a3's 2025 enrollment
    assert h.completions == 0  # a1 completed on 2026-04-20
