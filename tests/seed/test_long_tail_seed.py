"""The large seed spreads its people over about a hundred employers of long-tailed sizes: the eight named
partners keep their codes and a large share, the generated ones each have a partnership, departments and an
HR manager, a few are under the small-group rule. The threshold is lowered here so the shape is checked at a
scale that seeds in seconds; the size plan itself is checked at the large scale without a database."""

from __future__ import annotations

from collections import Counter
from datetime import date
from statistics import median

import pytest
from sqlalchemy import select

from db.models import AppUser, Department, Employee, Enrollment, Organization, Partnership, Pdp, metadata
from seed.demo import digest, seed_database
from seed.organisations import EMPLOYERS
from seed.partners import LONG_TAIL_ABOVE, plan_sizes

TODAY = date(2026, 5, 20)
EMPLOYEES = 10_000
LOWERED = 5_000  # the threshold for these tests: 10,000 people take the large seed's path


def _rows(engine, model) -> list:
    table = model.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(*table.primary_key.columns)))


@pytest.fixture(scope="module")
def large(blank_engine_module):
    engine = blank_engine_module("long-tail")
    counts = seed_database(engine, employees=EMPLOYEES, seed=7, today=TODAY, long_tail_above=LOWERED)
    return engine, counts


def test_the_threshold_is_documented_in_one_constant():
    assert LONG_TAIL_ABOVE == 20_000


def test_size_plan_at_the_large_scale_is_long_tailed():
    named, generated = plan_sizes(250_000)
    assert len(named) == 8 and len(named) + len(generated) == 100
    assert sum(named) + sum(generated) == 250_000
    assert 0.45 <= sum(named) / 250_000 <= 0.55  # the named partners keep a large share
    assert named == sorted(named, reverse=True)  # in the order of EMPLOYERS' weights, the hospital trust first
    sizes = sorted(named + generated, reverse=True)
    assert sizes[0] == named[0]
    assert sum(size >= 1_000 for size in generated) >= 10  # a few thousand-person employers ...
    assert 200 <= median(generated) <= 800  # ... many of a few hundred ...
    assert 3 <= sum(size < 50 for size in generated) <= 15  # ... some under 50 ...
    assert sorted(size for size in generated if size < 5) == [2, 3, 4]  # ... three under the small-group rule
    assert max(generated) / median(generated) >= 20


def test_size_plan_grows_the_number_of_partners_with_the_scale():
    named, generated = plan_sizes(625_000)
    assert len(named) + len(generated) == 250
    assert sum(named) + sum(generated) == 625_000


def test_about_a_hundred_employers_each_with_a_partnership(large):
    engine, counts = large
    employers = [row for row in _rows(engine, Organization) if row.kind == "employer"]
    assert len(employers) == 100 == counts["partnership"]
    partnerships = _rows(engine, Partnership)
    assert sorted(row.employer_id for row in partnerships) == sorted(row.id for row in employers)
    statuses = Counter(row.status for row in partnerships)
    assert statuses["active"] >= 80 and statuses["paused"] >= 2 and statuses["ended"] >= 1
    assert len({row.starts_on for row in partnerships}) >= 90
    for row in partnerships:
        assert (row.ends_on is not None) == (row.status == "ended")
        assert row.ends_on is None or row.starts_on < row.ends_on < TODAY
    assert len({row.code for row in employers}) == 100 and len({row.name for row in employers}) == 100
    assert len({row.sector for row in employers}) >= 10


def test_the_named_employers_keep_their_codes_names_and_users(large):
    engine, _ = large
    employers = [row for row in _rows(engine, Organization) if row.kind == "employer"]
    assert [(row.id, row.code, row.name) for row in employers[:8]] == [
        (i + 2, spec["code"], spec["name"]) for i, spec in enumerate(EMPLOYERS)]
    sizes = Counter(row.employer_id for row in _rows(engine, Employee))
    named = [sizes[row.id] for row in employers[:8]]
    assert named == plan_sizes(EMPLOYEES)[0]
    assert max(sizes.values()) == named[0]  # the hospital trust is still the largest: the bench's HR manager
    users = {row.email: row for row in _rows(engine, AppUser)}
    assert users["hr@riversidehospitals.org.uk"].organization_id == 2


def test_sizes_are_long_tailed_and_a_few_fall_under_the_small_group_rule(large):
    engine, _ = large
    sizes = Counter(row.employer_id for row in _rows(engine, Employee))
    assert len(sizes) == 100 and sum(sizes.values()) == EMPLOYEES
    ordered = sorted(sizes.values(), reverse=True)
    assert ordered[0] / median(ordered) >= 20
    assert sum(size < 5 for size in ordered) == 3
    assert sum(size < 50 for size in ordered) >= 20


def test_every_generated_employer_has_departments_people_learning_and_an_hr_manager(large):
    engine, _ = large
    employers = [row for row in _rows(engine, Organization) if row.kind == "employer"]
    departments = Counter(row.employer_id for row in _rows(engine, Department))
    people = Counter(row.employer_id for row in _rows(engine, Employee))
    employer_of = {row.id: row.employer_id for row in _rows(engine, Employee)}
    enrolled = Counter(employer_of[row.employee_id] for row in _rows(engine, Enrollment))
    planned = Counter(employer_of[row.employee_id] for row in _rows(engine, Pdp))
    hr_managers = Counter(row.organization_id for row in _rows(engine, AppUser) if row.role == "hr_manager"
                          and row.is_active)
    for employer in employers:
        assert hr_managers[employer.id] == 1, employer.code
        assert 1 <= departments[employer.id] <= people[employer.id], employer.code
    # Learning in proportion to size: the large generated employers enrol and plan like the named ones.
    for employer in employers:
        if people[employer.id] >= 200:
            assert 2.0 <= enrolled[employer.id] / people[employer.id] <= 6.0, employer.code
            assert planned[employer.id] > 0, employer.code
    # Departments of plausible sizes: the smallest employers have one or two, the largest their sector's set.
    smallest = min(employers, key=lambda row: people[row.id])
    largest_generated = max(employers[8:], key=lambda row: people[row.id])
    assert departments[smallest.id] == 1
    assert departments[largest_generated.id] >= 6
    # Names fit the size: no twelve-person council, trust or fire service.
    for employer in employers[8:]:
        if any(word in employer.name for word in ("Council", "Trust", "Authority", "Service")):
            assert people[employer.id] >= 150, employer.name


def test_the_same_seed_gives_the_same_large_data(large, blank_engine):
    engine, counts = large
    again = blank_engine("long-tail-again")
    assert seed_database(again, employees=EMPLOYEES, seed=7, today=TODAY, long_tail_above=LOWERED) == counts
    assert digest(again) == digest(engine)
    assert {table.name for table in metadata.sorted_tables} >= set(counts)


def test_at_or_under_the_threshold_the_eight_employers_stay(blank_engine):
    engine = blank_engine("at-threshold")
    seed_database(engine, employees=300, seed=7, today=TODAY, long_tail_above=300)
    assert len([row for row in _rows(engine, Organization) if row.kind == "employer"]) == 8
