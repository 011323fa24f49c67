"""The differencing attack on counts, retention and PDP goal states, played by hypothesis.

An attacker signs in (a partnership officer or an HR manager), picks several filter choices
(employers, departments as any raw set of ids the CLI or a URL could pass, credentials,
cohorts, a quarter, any custom range of days or no period), reads the figures pages are
served (ui/data.METRICS: KPI cards, the department, partner and credential tables, PDP goal
states, 12-month retention) and the review pack's, and combines them linearly. Each figure is
a sum over the people of the population its filters ask for (the people on record in the
chosen employers and departments) within a slice (period, credentials, cohorts); the attacker
solves for the figure of every small group G (a union of departments, or an employer, of 1
to MIN_GROUP - 1 people on record; for retention, fewer than MIN_GROUP people employed on the
reference day) from figures of one slice, and the test fails if the result is G's true
figure. The truth is computed here from the rows this file writes, not by the code under test.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from db import summaries
from db.models import (
    AppUser,
    Cohort,
    Credential,
    Department,
    Employee,
    Enrollment,
    Organization,
    Partnership,
    Pdp,
    PdpGoal,
)
from db.scope import scope_for_user
from services.filters import Filters
from services.metrics import MIN_GROUP
from services.periods import Period, parse_quarter
from services.review import build_pack
from ui import data

TODAY = date(2026, 9, 15)
ALL_TIME = Period(date(1900, 1, 1), TODAY, "to date")
QUARTERS = [parse_quarter(q) for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q2")]
# People on record per department (None: no department). Acme's three small groups form its
# "other" cell; Beta's Lab joins Sales; Gamma is too small to count at all.
EMPLOYERS = {"Acme": {"Ops": 8, "IT": 6, "Legal": 3, "HR": 1, None: 2}, "Beta": {"Sales": 7, "Lab": 2},
             "Gamma": {"Shop": 3}}
# Departments whose people never leave, so that a widened cell always differs from its part.
STAYING = {"HR", None, "Sales", "Ops"}
USERS = ("officer", "hr-Acme", "hr-Beta", "hr-Gamma")
COUNTS = ("headcount", "enrollments", "completed", "failed", "withdrawn", "active", "spend")
STATES = ("achieved", "on_track", "at_risk", "overdue", "dropped")


@dataclass
class Course:
    credential: int
    cohort: int
    enrolled_on: date
    status: str
    completed_on: date | None
    withdrawn_on: date | None
    cost: int


@dataclass
class Person:
    key: int
    employer: int
    choice: int  # department id, or minus the employer's id without one (services/population.py)
    hired_on: date
    left_on: date | None
    courses: list[Course] = field(default_factory=list)
    goals: list[tuple[int | None, str]] = field(default_factory=list)  # (credential, state today)


@dataclass
class World:
    scopes: dict
    employers: dict[str, int]
    choices: dict[int, tuple[int, int]]  # choice → (employer, people on record)
    names: dict[int, str]  # choice → department name as the tables write it
    credentials: list[int]
    cohorts: dict[int, int]  # cohort → credential
    people: list[Person]


def _add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def build(session: Session) -> World:
    rng = random.Random(1414)
    uni = _add(session, Organization(code="U", name="Uni", kind="university"))
    credentials, cohorts = [], {}
    for code in ("K1", "K2"):
        credential = _add(session, Credential(university_id=uni.id, code=code, title=code, eqf_level=5,
                                              ects_credits=Decimal("5"), learning_hours=125, price=Decimal("1"),
                                              status="published"))
        credentials.append(credential.id)
        for year in (2024, 2025):
            cohort = _add(session, Cohort(credential_id=credential.id, code=f"{code}-{year}",
                                          starts_on=date(year, 9, 1), ends_on=date(year + 1, 8, 31), seats=99))
            cohorts[cohort.id] = credential.id
    users = {"officer": _add(session, AppUser(email="o@u.test", display_name="O", role="partnership_officer",
                                              organization_id=uni.id))}
    employers, choices, names, people = {}, {}, {}, []
    for employer_name, sizes in EMPLOYERS.items():
        employer = _add(session, Organization(code=employer_name.upper(), name=employer_name, kind="employer"))
        employers[employer_name] = employer.id
        _add(session, Partnership(university_id=uni.id, employer_id=employer.id, starts_on=date(2024, 1, 1),
                                  annual_budget=Decimal("1000")))
        users[f"hr-{employer_name}"] = _add(session, AppUser(email=f"hr@{employer_name}.test", display_name="H",
                                                             role="hr_manager", organization_id=employer.id))
        for department_name, size in sizes.items():
            department = None if department_name is None else _add(
                session, Department(employer_id=employer.id, name=department_name))
            choice = department.id if department else -employer.id
            choices[choice] = (employer.id, size)
            names[choice] = department_name or "(no department)"
            for _ in range(size):
                people.append(_person(session, rng, employer.id, department, choice, credentials, cohorts,
                                      department_name in STAYING, len(people)))
    summaries.refresh(session)
    session.commit()
    scopes = {label: scope_for_user(session, user) for label, user in users.items()}
    return World(scopes, employers, choices, names, credentials, cohorts, people)


def _person(session, rng, employer_id, department, choice, credentials, cohorts, stays, key) -> Person:
    left_on = None if stays or rng.random() < 0.5 else date(2025, 1, 1) + timedelta(days=rng.randrange(600))
    person = Person(key, employer_id, choice, date(2020, 1, 1), left_on)
    row = _add(session, Employee(employer_id=employer_id, employee_ref=str(key), full_name=f"P {key}",
                                 department_id=department.id if department else None, hired_on=person.hired_on,
                                 left_on=left_on))
    for cohort in rng.sample(sorted(cohorts), rng.randint(1, 3)):  # one enrollment per cohort at most
        enrolled_on = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
        status = rng.choice(["completed", "completed", "failed", "withdrawn", "in_progress"])
        done = enrolled_on + timedelta(days=rng.randint(20, 200))
        done = done if done <= TODAY else None
        status = status if done is not None else "in_progress"
        course = Course(cohorts[cohort], cohort, enrolled_on, status,
                        done if status in ("completed", "failed") else None,
                        done if status == "withdrawn" else None, rng.randint(1, 9) * 100)
        _add(session, Enrollment(employee_id=row.id, credential_id=course.credential, cohort_id=cohort,
                                 enrolled_on=enrolled_on, status=status, completed_on=course.completed_on,
                                 withdrawn_on=course.withdrawn_on, cost=Decimal(course.cost)))
        person.courses.append(course)
    pdp = _add(session, Pdp(employee_id=row.id, period="2026"))
    # A goal on each credential, so that every person counts in every goal slice.
    for credential in credentials:
        status = rng.choice(["planned", "in_progress", "achieved", "dropped"])
        due_on = TODAY + timedelta(days=rng.randint(-90, 120))
        _add(session, PdpGoal(pdp_id=pdp.id, title="Goal", status=status, due_on=due_on, credential_id=credential))
        person.goals.append((credential, _state(status, due_on)))
    return person


def _state(status: str, due_on: date) -> str:
    if status in ("achieved", "dropped"):
        return status
    if due_on < TODAY:
        return "overdue"
    return "at_risk" if status == "planned" and due_on <= TODAY + timedelta(days=30) else "on_track"


# --- what the attacker may choose ----------------------------------------------------------------------------

DAYS = [date(2025, 1, 1) + timedelta(days=step) for step in range(0, 620, 23)] + [q.end for q in QUARTERS]


def periods():
    custom = st.tuples(st.sampled_from(DAYS), st.sampled_from(DAYS)).map(
        lambda ends: Period(min(ends), max(ends), "custom"))
    return st.one_of(st.sampled_from(QUARTERS), custom, st.just(None))


def subset_or_all(ids: list[int]):
    return st.one_of(st.none(), st.sets(st.sampled_from(ids), min_size=1).map(frozenset))


def choices(world: World):
    return st.builds(Filters, periods(), subset_or_all(sorted(world.employers.values())),
                     subset_or_all(sorted(world.choices)),
                     st.one_of(st.none(), st.none(), subset_or_all(world.credentials)),
                     st.one_of(st.none(), st.none(), subset_or_all(sorted(world.cohorts))))


def as_offered(user: str, filters: Filters) -> Filters:
    """An HR manager's sidebar has no employer filter (their scope is one employer)."""
    if not user.startswith("hr-"):
        return filters
    return Filters(filters.period, None, filters.department_ids, filters.credential_ids, filters.cohort_ids)


# --- the truth ---------------------------------------------------------------------------------------------------

def population(world: World, user: str, filters: Filters) -> list[Person]:
    """The people on record the filters ask for, taken literally (scope: an HR manager's own employer)."""
    own = world.employers[user.removeprefix("hr-")] if user.startswith("hr-") else None
    return [p for p in world.people
            if (own is None or p.employer == own)
            and (filters.employer_ids is None or p.employer in filters.employer_ids)
            and (filters.department_ids is None or p.choice in filters.department_ids)]


def courses_in(person: Person, credentials, cohorts) -> list[Course]:
    return [c for c in person.courses
            if (credentials is None or c.credential in credentials) and (cohorts is None or c.cohort in cohorts)]


def counts_of(person: Person, period: Period, credentials, cohorts) -> tuple:
    """A person's part in each of COUNTS over the period (docs/metrics.md definitions)."""
    start, end = period.start, period.end
    inside = lambda day: day is not None and start <= day <= end  # noqa: E731
    courses = courses_in(person, credentials, cohorts)

    def open_at_end(c: Course) -> bool:
        outcome = c.completed_on or c.withdrawn_on
        return c.enrolled_on <= end and not (outcome is not None and outcome <= end)

    employed = person.hired_on <= end and (person.left_on is None or person.left_on > start)
    return (int(employed), sum(inside(c.enrolled_on) for c in courses),
            sum(c.status == "completed" and inside(c.completed_on) for c in courses),
            sum(c.status == "failed" and inside(c.completed_on) for c in courses),
            sum(c.status == "withdrawn" and inside(c.withdrawn_on) for c in courses),
            sum(open_at_end(c) for c in courses), sum(c.cost for c in courses if inside(c.enrolled_on)))


def employed_on(person: Person, day: date) -> bool:
    return person.hired_on <= day and (person.left_on is None or person.left_on > day)


@dataclass
class Figure:
    """A published figure: its values, the people it is asked for, and each one's part in it."""

    measure: tuple  # (what, slice): figures combine only within one
    values: tuple
    parts: dict[int, tuple]  # person key → their part in ``values``
    source: str


# --- what is published -------------------------------------------------------------------------------------------

def served(name: str):
    """The function ui/data serves pages for a measure (whatever its suffix)."""
    return next(function for key, function in data.METRICS.items() if key.startswith(name))


def _slice(world: World, filters: Filters, credentials=None):
    """The enrollments a filter takes: the (credential, cohort) pairs it allows."""
    pairs = {(credential, cohort) for cohort, credential in world.cohorts.items()
             if (filters.credential_ids is None or credential in filters.credential_ids)
             and (filters.cohort_ids is None or cohort in filters.cohort_ids)
             and (credentials is None or credential in credentials)}
    return frozenset(pairs)


def _counts_figure(world, people, period, pairs, values, source) -> Figure:
    credentials = {credential for credential, _ in pairs}
    cohorts = {cohort for _, cohort in pairs}
    parts = {}
    for person in people:
        part = counts_of(person, period, credentials, cohorts)
        # Only the pairs allowed count (a cohort belongs to one credential, so credential and cohort sets suffice).
        parts[person.key] = part
    return Figure(("counts", period.start, period.end, pairs), tuple(float(v) for v in values), parts, source)


def published(session: Session, world: World, user: str, filters: Filters) -> list[Figure]:
    scope = world.scopes[user]
    period = filters.period or ALL_TIME
    people = population(world, user, filters)
    pairs = _slice(world, filters)
    figures = []
    summary = served("summary")(session, scope, filters, today=TODAY)
    figures.append(_counts_figure(world, people, period, pairs, [getattr(summary, name) for name in COUNTS],
                                  "summary"))
    rows = served("departments")(session, scope, filters, today=TODAY)
    for employer_id in {p.employer for p in people}:
        employer = next(name for name, i in world.employers.items() if i == employer_id)
        mine = rows[rows["employer"] == employer]
        named = {name for name in mine["department"]}
        for row in mine.itertuples():
            if any(getattr(row, name) is None or getattr(row, name) != getattr(row, name) for name in COUNTS):
                continue  # blanked
            members = [p for p in people if p.employer == employer_id
                       and (world.names[p.choice] == row.department
                            or (row.department not in world.names.values()
                                and world.names[p.choice] not in named))]
            figures.append(_counts_figure(world, members, period, pairs, [getattr(row, name) for name in COUNTS],
                                          "departments"))
    if not user.startswith("hr-"):
        for row in served("by_employer")(session, scope, filters, today=TODAY).itertuples():
            members = [p for p in people if p.employer == world.employers[row.employer]]
            figures.append(_counts_figure(world, members, period, pairs, [getattr(row, name) for name in COUNTS],
                                          "partners"))
    codes = {world.credentials[0]: "K1", world.credentials[1]: "K2"}
    for row in served("by_credential")(session, scope, filters, today=TODAY).itertuples():
        credential = next(i for i, code in codes.items() if code == row.code)
        # The table has no headcount: the attacker reads it off the same page's KPI card.
        values = [summary.headcount, *(getattr(row, name) for name in COUNTS[1:])]
        figures.append(_counts_figure(world, people, period, _slice(world, filters, {credential}), values,
                                      "credentials"))
    states = served("goal_states")(session, scope, filters, today=TODAY)
    goal_slice = "all" if filters.credential_ids is None else frozenset(filters.credential_ids)
    figures.append(Figure(("goals", goal_slice), tuple(float(states[s]) for s in STATES),
                          {p.key: tuple(sum(1 for credential, state in p.goals if state == s
                                            and (goal_slice == "all" or credential in goal_slice))
                                        for s in STATES) for p in people}, "goal states"))
    figures += retention_figures(world, people, served("retention")(session, scope, filters, today=TODAY),
                                 filters, "retention")
    if filters.period in QUARTERS and filters.department_ids is filters.credential_ids is filters.cohort_ids is None:
        figures += pack_figures(session, world, user, filters, people)
    return figures


def retention_figures(world, people, kept, filters: Filters, source: str) -> list[Figure]:
    """(people, retained) of completers and of the others, where a rate is shown."""
    reference = kept.reference_day
    if reference is None:
        return []
    end = getattr(kept, "end", None) or reference + timedelta(days=365)
    credentials = filters.credential_ids
    figures = []
    for kind, n, rate in (("completers", kept.completers, kept.completer_rate),
                          ("others", kept.others, kept.other_rate)):
        if rate is None:
            continue
        parts = {}
        for p in people:
            if not employed_on(p, reference):
                continue
            completer = any(c.status == "completed" and c.completed_on <= reference
                            and (credentials is None or c.credential in credentials) for c in p.courses)
            if completer == (kind == "completers"):
                parts[p.key] = (1, int(employed_on(p, end)))
        figures.append(Figure(("retention", kind, reference, end, credentials), (float(n), rate * n), parts, source))
    return figures


def pack_figures(session, world, user, filters: Filters, people) -> list[Figure]:
    """The review pack (its page, Excel and PDF), for the choices its page offers: a quarter, employers."""
    pack = build_pack(session, world.scopes[user], quarter=filters.period, today=TODAY,
                      employer_ids=filters.employer_ids)
    kpis = pack.kpis.set_index("metric")["this_quarter"]
    labels = {"headcount": "Headcount", "enrollments": "Enrollments", "completed": "Completions",
              "failed": "Failed", "withdrawn": "Withdrawn", "active": "Active learners", "spend": "Spend"}
    values = [kpis[labels[name]] for name in COUNTS]
    return [_counts_figure(world, people, filters.period, _slice(world, filters), values, "review pack"),
            *retention_figures(world, people, pack.retention, filters, "review pack")]


# --- the attack --------------------------------------------------------------------------------------------------

def small_groups(world: World) -> list[frozenset[int]]:
    """Every union of departments (choices) of 1 to MIN_GROUP - 1 people on record."""
    small = [choice for choice, (_, size) in world.choices.items() if size < MIN_GROUP]
    groups = []
    for n in range(1, len(small) + 1):
        for combination in itertools.combinations(small, n):
            if sum(world.choices[c][1] for c in combination) < MIN_GROUP:
                groups.append(frozenset(combination))
    return groups


def solve(figures: list[Figure], target: set[int]) -> tuple | None:
    """The attacker's figure of ``target`` (people) from a linear combination of ``figures``, if one exists."""
    everyone = sorted({key for f in figures for key in f.parts} | target)
    index = {key: i for i, key in enumerate(everyone)}
    asked = np.zeros((len(everyone), len(figures)))
    for j, figure in enumerate(figures):
        for key in figure.parts:
            asked[index[key], j] = 1
    wanted = np.array([1.0 if key in target else 0.0 for key in everyone])
    weights, *_ = np.linalg.lstsq(asked, wanted, rcond=None)
    if np.abs(asked @ weights - wanted).max() > 1e-9:
        return None
    return tuple(float(v) for v in np.array([f.values for f in figures]).T @ weights)


def recovered(session: Session, world: World, picks: list[tuple[str, Filters]]) -> list[str]:
    """Every small group whose true figure the attacker gets from the published ones."""
    figures = [f for user, filters in picks for f in published(session, world, user, filters)]
    found = []
    choice_of = {p.key: p.choice for p in world.people}
    by_measure: dict[tuple, list[Figure]] = {}
    for figure in figures:
        by_measure.setdefault(figure.measure, []).append(figure)
    for measure, group in by_measure.items():
        truth = {key: part for figure in group for key, part in figure.parts.items()}
        if measure[0] == "retention":  # any departments' few people employed on the reference day
            targets = {frozenset(key for key in truth if choice_of[key] in choices)
                       for n in range(1, len(world.choices) + 1)
                       for choices in itertools.combinations(sorted(world.choices), n)}
            targets = [set(t) for t in targets if 0 < len(t) < MIN_GROUP]
        else:  # any small departments' people on record
            targets = [{p.key for p in world.people if p.choice in choices} for choices in small_groups(world)]
        sources = [group, *([f for f in group if f.source == s] for s in {f.source for f in group})]
        for target in targets:
            if not target <= truth.keys():
                continue
            true = tuple(sum(truth[key][i] for key in target) for i in range(len(group[0].values)))
            if not any(true):
                continue
            for candidates in sources:
                got = solve(candidates, target)
                if got is not None and all(abs(a - b) < 1e-6 for a, b in zip(got, true, strict=True)):
                    found.append(f"{measure[0]} of {len(target)} people {true}, from {picks}")
                    break
    return found


def test_no_combination_of_published_counts_reveals_a_small_group(session):
    world = build(session)
    acme, gamma = world.employers["Acme"], world.employers["Gamma"]
    legal = next(choice for choice, name in world.names.items() if name == "Legal")
    acme_choices = frozenset(c for c, (e, _) in world.choices.items() if e == acme)

    @settings(max_examples=120, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(st.tuples(st.sampled_from(USERS), choices(world)), min_size=1, max_size=3))
    # The measured attacks: all departments minus all but one; one small department alone; a small employer.
    @example([("hr-Acme", Filters(QUARTERS[3])), ("hr-Acme", Filters(QUARTERS[3], None, acme_choices - {legal}))])
    @example([("hr-Acme", Filters(QUARTERS[2], None, frozenset({legal})))])
    @example([("officer", Filters(QUARTERS[3])), ("officer", Filters(QUARTERS[3], frozenset(
        set(world.employers.values()) - {gamma})))])
    def attacker_learns_nothing(picks):
        assert recovered(session, world, [(user, as_offered(user, f)) for user, f in picks]) == []

    attacker_learns_nothing()
