"""Filter choices: limited to the scope, and cohorts to the period."""

from datetime import date

import pytest

from services import options
from services.periods import parse_quarter
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def test_cohort_choices_are_those_running_in_the_period(session, world):
    officer = world.scope(session, "officer@u")
    every = {code for _, code in options.cohorts(session, officer, None)}
    assert {"K1-26Q1", "K4-25Q1"} <= every
    in_2026q2 = {code for _, code in options.cohorts(session, officer, None, parse_quarter("2026Q2"))}
    assert "K1-26Q1" in in_2026q2 and "K4-25Q1" not in in_2026q2
    only_k4 = options.cohorts(session, officer, frozenset({world.id("K4")}), parse_quarter("2025Q1"))
    assert [code for _, code in only_k4] == ["K4-25Q1"]


def test_first_enrollment_is_the_earliest_in_scope(session, world):
    assert options.first_enrollment(session, world.scope(session, "officer@u")) == date(2025, 1, 2)  # Acme
    assert options.first_enrollment(session, world.scope(session, "hr@a")) == date(2025, 1, 2)
    assert options.first_enrollment(session, world.scope(session, "hr@b")) == date(2026, 1, 4)  # not Acme's
    assert options.first_enrollment(session, world.scope(session, "officer@u2")) == date(2026, 1, 6)  # Gamma
    assert options.first_enrollment(session, world.scope(session, "admin@u")) == date(2025, 1, 2)
