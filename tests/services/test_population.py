"""Department population cells (services/population.py): what the filter offers, how a department
filter of an aggregate is widened, the department table's rows, small employers, retention and
skill gaps' reading day. The world: tests/ui/test_counts_differencing.py (Acme: Ops 8, IT 6 and
the small Legal 3, HR 1 and 2 without a department; Beta: Sales 7, Lab 2; Gamma: Shop 3)."""

from __future__ import annotations

from datetime import date

import pytest

from services import learners, metrics, options, population
from services.filters import Filters
from services.metrics.suppression import gap_day
from services.periods import Period, parse_quarter
from tests.ui.test_counts_differencing import TODAY, build

Q2 = parse_quarter("2026Q2")


@pytest.fixture
def attack(session):
    return build(session)


def _headcount(world, choices) -> int:
    """People of these departments employed during Q2, from the rows the world wrote."""
    return sum(p.choice in choices and p.hired_on <= Q2.end and (p.left_on is None or p.left_on > Q2.start)
               for p in world.people)


def _choice(world, name):
    return next(choice for choice, department in world.names.items() if department == name)


def test_the_department_filter_offers_whole_cells_only(session, attack):
    offered = options.departments(session, attack.scopes["hr-Acme"], None)
    assert [name for _, name in offered] == ["IT", "Ops", "Other departments"]
    assert dict(offered)[_choice(attack, "IT")] == "IT"
    # Beta's two departments are one cell: Lab alone is too small, so Sales joins it.
    assert [name for _, name in options.departments(session, attack.scopes["hr-Beta"], None)] == [
        "Other departments"]
    # Gamma has 3 people on record: nothing to choose, and the officer is told it counts in no figure.
    assert options.departments(session, attack.scopes["hr-Gamma"], None) == []
    assert [name for _, name in options.uncounted_employers(session, attack.scopes["officer"])] == ["Gamma"]
    officer = [name for _, name in options.departments(session, attack.scopes["officer"], None)]
    assert officer == ["IT (Acme)", "Ops (Acme)", "Other departments (Acme)", "Other departments (Beta)"]


def test_a_department_filter_of_a_figure_takes_whole_cells(session, attack):
    hr = attack.scopes["hr-Acme"]
    other = frozenset({_choice(attack, "Legal"), _choice(attack, "HR"), -attack.employers["Acme"]})
    for part in ({_choice(attack, "Legal")}, {_choice(attack, "HR")}, {-attack.employers["Acme"]}):
        assert metrics.summary(session, hr, Filters(Q2, None, frozenset(part)), today=TODAY) == metrics.summary(
            session, hr, Filters(Q2, None, other), today=TODAY)
    everyone = metrics.summary(session, hr, Filters(Q2), today=TODAY)
    but_legal = metrics.summary(session, hr, Filters(Q2, None, frozenset(attack.choices) - {_choice(attack, "Legal")}),
                                today=TODAY)
    assert but_legal == everyone  # "all but one small department" is all of them
    assert metrics.summary(session, hr, Filters(Q2, None, other), today=TODAY).headcount == _headcount(attack, other)
    # A large department alone is exact.
    it = frozenset({_choice(attack, "IT")})
    assert metrics.summary(session, hr, Filters(Q2, None, it), today=TODAY).headcount == _headcount(attack, it)


def test_named_lists_take_the_cell_chosen_and_keep_small_employers(session, attack):
    every_day = Period(date(2024, 1, 1), TODAY, "all")
    legal = frozenset({_choice(attack, "Legal")})  # what "Other departments" may stand for in the sidebar
    listed = learners.learners(session, attack.scopes["hr-Acme"], Filters(every_day, None, legal), today=TODAY,
                               limit=100)[1]
    assert set(listed["department"]) == {"Legal", "HR", "(no department)"}
    gamma = learners.learners(session, attack.scopes["hr-Gamma"], Filters(every_day), today=TODAY, limit=100)[1]
    assert set(gamma["employer"]) == {"Gamma"} and len(set(gamma["employee"])) == 3


def test_the_department_table_has_one_row_per_cell(session, attack):
    rows = metrics.departments_shown(session, attack.scopes["officer"], Filters(Q2), today=TODAY)
    acme, beta = (frozenset(c for c, (e, _) in attack.choices.items() if e == attack.employers[name])
                  for name in ("Acme", "Beta"))
    it, ops = _choice(attack, "IT"), _choice(attack, "Ops")
    assert list(zip(rows["employer"], rows["department"], rows["headcount"], strict=True)) == [
        ("Acme", "IT", _headcount(attack, {it})), ("Acme", "Ops", _headcount(attack, {ops})),
        ("Acme", "Other departments", _headcount(attack, acme - {it, ops})),
        ("Beta", "Other departments", _headcount(attack, beta))]
    assert "suppressed" not in rows or not rows["suppressed"].any()


def test_an_employer_with_few_people_counts_in_no_figure(session, attack):
    gamma = frozenset({attack.employers["Gamma"]})
    officer = attack.scopes["officer"]
    assert metrics.summary(session, officer, Filters(Q2, gamma), today=TODAY).headcount == 0
    assert "Gamma" not in set(metrics.by_employer(session, officer, Filters(Q2), today=TODAY)["employer"])
    assert population.uncounted_employers(session, None) == ["Gamma"]


def test_retention_is_read_at_a_quarter_end_over_large_cells(session, attack):
    hr = attack.scopes["hr-Acme"]
    custom = Period(date(2026, 1, 20), date(2026, 8, 3), "custom")
    kept = metrics.retention_shown(session, hr, Filters(custom), today=TODAY)
    assert (kept.end, kept.reference_day) == (date(2026, 6, 30), date(2025, 6, 30))
    assert kept == metrics.retention_shown(session, hr, Filters(Q2), today=TODAY)
    assert kept.completers + kept.others <= metrics.retention(session, hr, Filters(Q2), today=TODAY).completers + \
        metrics.retention(session, hr, Filters(Q2), today=TODAY).others
    assert kept.completers in (0,) or kept.completers >= metrics.MIN_GROUP
    refused = metrics.retention_shown(session, hr, Filters(Q2, credential_ids=frozenset(attack.credentials[:1])),
                                      today=TODAY)
    assert refused.end is None and "credential" in refused.note
    assert metrics.retention_shown(session, hr, Filters(parse_quarter("2026Q3")), today=TODAY).note == (
        "12-month retention is read at a quarter's end, and this period's last quarter has not ended yet.")


def test_skill_gaps_are_read_at_a_quarter_end_or_today():
    assert gap_day(Filters(Period(date(2026, 1, 20), date(2026, 8, 3), "custom")), TODAY) == date(2026, 6, 30)
    assert gap_day(Filters(Period(date(2026, 1, 20), date(2026, 6, 29), "custom")), TODAY) == date(2026, 3, 31)
    assert gap_day(Filters(Q2), TODAY) == date(2026, 6, 30)
    assert gap_day(Filters(), TODAY) == TODAY
