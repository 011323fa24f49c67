"""The differencing attack on survey ratings and assessed levels, played by hypothesis.

An attacker signs in (an HR manager or a partnership officer), picks several filter
choices the sidebar allows (employers, departments, credentials, cohorts, a quarter or any
custom range of days), reads the figures the pages are served (ui/data.METRICS) and the
review pack's outcomes table (its Excel and PDF) and combines them: means times counts give sums,
and any +/- combination of those sums is a sum over some set of people. Whenever the
filters' true selections combine into a set D of 1 to MIN_GROUP - 1 people, the attacker
takes the combined count and sums as D's figures; the test fails if they are D's true
figures. The truth is computed here from the rows this file writes, not by the code
under test.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from db import summaries
from db.models import (
    AppUser,
    Cohort,
    Credential,
    CredentialSkill,
    Department,
    Employee,
    Enrollment,
    Organization,
    OutcomeSurvey,
    Partnership,
    Skill,
    SkillAssessment,
)
from db.scope import scope_for_user
from services.filters import Filters
from services.metrics import METRICS, MIN_GROUP
from services.periods import Period, parse_quarter
from services.review import build_pack
from ui import data

TODAY = date(2026, 9, 15)
QUARTERS = [parse_quarter("2026Q1"), parse_quarter("2026Q2")]
HALF_YEAR = Period(QUARTERS[0].start, QUARTERS[1].end, "2026 H1")
# People with a survey per department: large ones, and the small ones the attack is after.
DEPARTMENTS = {"Acme": {"Ops": 14, "IT": 12, "Legal": 4, "HR": 4, "Audit": 4, "Board": 1},
               "Beta": {"Sales": 13, "Lab": 3}}
USERS = ("officer", "hr-Acme", "hr-Beta")


@dataclass(frozen=True)
class Answer:
    """One completion with its survey and its assessments, as the truth knows it."""

    key: int
    employer: int
    department: int
    credential: int
    cohort: int
    completed_on: date
    performance: int  # after − before
    satisfaction: int
    levels: tuple[tuple[str, str, int], ...]  # (skill, side, level)


@dataclass
class Attack:
    scopes: dict
    employers: dict[str, int]
    departments: dict[int, int]  # department id → employer id
    credentials: list[int]
    cohorts: list[int]
    answers: list[Answer]


def build(session: Session) -> Attack:
    rng = random.Random(14)
    uni = _add(session, Organization(code="U", name="Uni", kind="university"))
    skills = {name: _add(session, Skill(name=name)) for name in ("analyse data", "lead a team")}
    credentials, cohorts = [], []
    for code, taught in (("K1", ["analyse data"]), ("K2", ["analyse data", "lead a team"])):
        credential = _add(session, Credential(university_id=uni.id, code=code, title=code, eqf_level=5,
                                              ects_credits=Decimal("5"), learning_hours=125, price=Decimal("1"),
                                              status="published"))
        for name in taught:
            _add(session, CredentialSkill(credential_id=credential.id, skill_id=skills[name].id, proficiency=3))
        credentials.append(credential)
        cohorts.append(_add(session, Cohort(credential_id=credential.id, code=f"{code}-C", starts_on=date(2025, 10, 1),
                                            ends_on=date(2026, 6, 30), seats=50)))
    users = {"officer": _add(session, AppUser(email="o@u.test", display_name="O", role="partnership_officer",
                                              organization_id=uni.id))}
    employers, departments, answers = {}, {}, []
    for employer_name, sizes in DEPARTMENTS.items():
        employer = _add(session, Organization(code=employer_name.upper(), name=employer_name, kind="employer"))
        employers[employer_name] = employer.id
        _add(session, Partnership(university_id=uni.id, employer_id=employer.id, starts_on=date(2024, 1, 1)))
        users[f"hr-{employer_name}"] = _add(session, AppUser(email=f"hr@{employer_name}.test", display_name="H",
                                                             role="hr_manager", organization_id=employer.id))
        for department_name, size in sizes.items():
            department = _add(session, Department(employer_id=employer.id, name=department_name))
            departments[department.id] = employer.id
            for _ in range(size):
                answers.append(_person(session, rng, employer.id, department.id, credentials, cohorts, skills,
                                       len(answers)))
    summaries.refresh(session)
    session.commit()
    scopes = {label: scope_for_user(session, user) for label, user in users.items()}
    return Attack(scopes, employers, departments, [c.id for c in credentials], [c.id for c in cohorts], answers)


def _add(session: Session, row):
    session.add(row)
    session.flush()
    return row


def _person(session, rng, employer_id, department_id, credentials, cohorts, skills, key) -> Answer:
    person = _add(session, Employee(employer_id=employer_id, employee_ref=str(key), full_name=f"P {key}",
                                    department_id=department_id, hired_on=date(2020, 1, 1)))
    which = rng.randrange(2)
    completed_on = date(2026, 1, 5) + timedelta(days=rng.randrange(170))  # in 2026Q1 or 2026Q2
    enrollment = _add(session, Enrollment(employee_id=person.id, credential_id=credentials[which].id,
                                          cohort_id=cohorts[which].id, enrolled_on=date(2025, 10, 1),
                                          status="completed", completed_on=completed_on, cost=Decimal("1")))
    before, after = rng.randint(1, 5), rng.randint(1, 5)
    happy_before, happy_after = rng.randint(1, 5), rng.randint(1, 5)
    _add(session, OutcomeSurvey(employee_id=person.id, enrollment_id=enrollment.id, surveyed_on=completed_on,
                                performance_before=before, performance_after=after,
                                satisfaction_before=happy_before, satisfaction_after=happy_after))
    levels = []
    taught = ["analyse data"] if which == 0 else ["analyse data", "lead a team"]
    for name in taught:
        for side, day in (("before", date(2025, 9, 1)), ("after", completed_on + timedelta(days=1))):
            level = rng.randint(0, 5)
            _add(session, SkillAssessment(employee_id=person.id, skill_id=skills[name].id, level=level,
                                          assessed_on=day))
            levels.append((name, side, level))
    return Answer(key, employer_id, department_id, credentials[which].id, cohorts[which].id, completed_on,
                  after - before, happy_after - happy_before, tuple(levels))


# --- what the attacker may choose: exactly the sidebar's controls -------------------------------------------

DAYS = [date(2026, 1, 1) + timedelta(days=step) for step in range(0, 200, 9)] + [date(2026, 3, 31),
                                                                                   date(2026, 6, 30)]


def periods():
    quarter = st.sampled_from(QUARTERS)
    custom = st.tuples(st.sampled_from(DAYS), st.sampled_from(DAYS)).map(
        lambda ends: Period(min(ends), max(ends), "custom"))
    return st.one_of(quarter, custom)


def subset_or_all(ids: list[int]):
    """A multiselect: nothing picked (all), or some of the offered ids."""
    return st.one_of(st.none(), st.sets(st.sampled_from(ids), min_size=1).map(frozenset))


def choices(attack: Attack):
    department_ids = sorted(attack.departments)
    return st.builds(
        lambda period, employers, departments, credentials, cohorts: Filters(period, employers, departments,
                                                                             credentials, cohorts),
        periods(), subset_or_all(sorted(attack.employers.values())), subset_or_all(department_ids),
        st.one_of(st.none(), subset_or_all(attack.credentials)), st.one_of(st.none(), subset_or_all(attack.cohorts)),
    )


# --- the truth, and what the pages publish -------------------------------------------------------------------

def as_offered(user: str, filters: Filters) -> Filters:
    """An HR manager's sidebar has no employer filter (their scope is one employer)."""
    if not user.startswith("hr-"):
        return filters
    return Filters(filters.period, None, filters.department_ids, filters.credential_ids, filters.cohort_ids)


def selected(attack: Attack, user: str, filters: Filters) -> list[Answer]:
    """The answers a user's filters truly select (scope: an HR manager sees their own employer)."""
    own = attack.employers.get(user.removeprefix("hr-")) if user.startswith("hr-") else None
    period = filters.period
    return [a for a in attack.answers
            if (own is None or a.employer == own)
            and (filters.employer_ids is None or a.employer in filters.employer_ids)
            and (filters.department_ids is None or a.department in filters.department_ids)
            and (filters.credential_ids is None or a.credential in filters.credential_ids)
            and (filters.cohort_ids is None or a.cohort in filters.cohort_ids)
            and period.start <= a.completed_on <= period.end]


def served(name: str):
    """The function ui/data serves pages for a measure (whatever its suffix)."""
    return next(function for key, function in data.METRICS.items() if key.startswith(name))


def published(session: Session, attack: Attack, user: str, filters: Filters) -> dict:
    """measure → (count, sums) as an attacker reads them off the page, for figures shown."""
    scope = attack.scopes[user]
    figures = {}
    outcome = served("outcome_change")(session, scope, filters, today=TODAY)
    if outcome.performance_change is not None:
        figures["survey"] = (outcome.n, (outcome.performance_change * outcome.n,
                                         outcome.satisfaction_change * outcome.n))
    levels = served("assessment_levels")(session, scope, filters, today=TODAY)
    for row in levels.itertuples():
        figures[(row.skill, row.side)] = (row.people, (row.mean_level * row.people,))
    if filters.period in QUARTERS and filters.department_ids is filters.credential_ids is filters.cohort_ids is None:
        figures["survey (review pack)"] = pack_figures(session, scope, filters)
    return figures


def pack_figures(session: Session, scope, filters: Filters):
    """The review pack's outcomes table (its Excel and PDF), for the choices its page offers: a quarter, employers."""
    table = build_pack(session, scope, quarter=filters.period, today=TODAY,
                       employer_ids=filters.employer_ids).outcomes_table().set_index("measure")
    performance, satisfaction = (table.loc[METRICS[key].label] for key in ("performance_change", "satisfaction_change"))
    if not isinstance(performance["value"], float):
        return None
    n = performance["n"]
    return (n, (performance["value"] * n, satisfaction["value"] * n))


def members(answers: list[Answer], measure) -> dict[tuple, tuple]:
    """The measure's contributions: (person, item) → values; a survey per person, a level per skill and side."""
    if measure in ("survey", "survey (review pack)"):
        return {(a.key,): (a.performance, a.satisfaction) for a in answers}
    return {(a.key,): (level,) for a in answers for skill, side, level in a.levels if (skill, side) == measure}


def recovered(session: Session, attack: Attack, picks: list[tuple[str, Filters]]) -> list[str]:
    """Every small group whose figures the attacker gets from +/- combinations of the published ones."""
    shown = [(published(session, attack, user, f), selected(attack, user, f)) for user, f in picks]
    shown = [({m: f for m, f in figures.items() if f is not None}, answers) for figures, answers in shown]
    found = []
    measures = {measure for figures, _ in shown for measure in figures}
    for measure in measures:
        rows = [(figures[measure], members(answers, measure)) for figures, answers in shown if measure in figures]
        for signs in itertools.product((-1, 0, 1), repeat=len(rows)):
            weights = Counter()
            for sign, (_, truth) in zip(signs, rows, strict=True):
                for key in truth:
                    weights[key] += sign
            group = [key for key, weight in weights.items() if weight]
            if not 0 < len(group) < MIN_GROUP or any(weights[key] != 1 for key in group):
                continue
            count = sum(sign * figure[0] for sign, (figure, _) in zip(signs, rows, strict=True))
            sums = [sum(sign * figure[1][i] for sign, (figure, _) in zip(signs, rows, strict=True))
                    for i in range(len(rows[0][0][1]))]
            truth = {**{k: v for _, t in rows for k, v in t.items()}}
            true_sums = [sum(truth[key][i] for key in group) for i in range(len(sums))]
            if count == len(group) and all(abs(s - t) < 1e-6 for s, t in zip(sums, true_sums, strict=True)):
                found.append(f"{measure}: {len(group)} people, sums {true_sums}, from {picks}")
    return found


def test_no_combination_of_published_figures_reveals_a_small_group(session):
    attack = build(session)
    acme = attack.employers["Acme"]
    acme_departments = frozenset(d for d, e in attack.departments.items() if e == acme)
    board = max(acme_departments)  # the one-person department, added last

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(st.tuples(st.sampled_from(USERS), choices(attack)), min_size=1, max_size=4))
    # The measured attack: all departments minus all departments but one.
    @example([("hr-Acme", Filters(HALF_YEAR)), ("hr-Acme", Filters(HALF_YEAR, None, acme_departments - {board}))])
    def attacker_learns_nothing(picks):
        assert recovered(session, attack, [(user, as_offered(user, f)) for user, f in picks]) == []

    attacker_learns_nothing()
