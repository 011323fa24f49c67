"""Filter choices: limited to the scope, and cohorts to the period."""

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
