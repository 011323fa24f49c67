"""The demo seed: deterministic, realistic, and consistent with the rules the
product enforces (enrollment lifecycle, employment dates, access roles)."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from db import migrate
from db.engine import make_engine
from db.models import (
    AppUser,
    AuditEvent,
    Cohort,
    Credential,
    CredentialStatus,
    DataVersion,
    Department,
    Employee,
    Enrollment,
    Organization,
    OutcomeSurvey,
    Partnership,
    Pdp,
    PdpGoal,
    Role,
    SkillAssessment,
    metadata,
)
from seed.demo import DEMO_USERS, digest, is_empty, seed_database
from services.enrollments import record_problems

PG_URL = os.environ.get("TEST_DATABASE_URL")
# A Wednesday in the middle of a quarter: there are finished, running and
# not-yet-started cohorts, and PDP goals on both sides of today.
TODAY = date(2026, 5, 20)
EMPLOYEES = 300
SEED = 7


@dataclass
class Seeded:
    engine: Engine
    counts: dict[str, int]
    digest: str


@pytest.fixture(scope="module")
def seeded(blank_engine_module) -> Seeded:
    """The reference seed (EMPLOYEES, SEED, TODAY), shared by the read-only checks."""
    engine = blank_engine_module("reference")
    counts = seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY)
    return Seeded(engine, counts, digest(engine))


def rows(engine, model) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(model.__table__).order_by(*model.__table__.primary_key.columns)))


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def quarter(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


# --- Determinism and reset ------------------------------------------------------


def test_same_seed_and_day_give_identical_digest(seeded, blank_engine):
    engine = blank_engine("again")
    counts = seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY)
    assert counts == seeded.counts
    assert digest(engine) == seeded.digest


def test_other_seed_differs_and_reset_replaces_everything(seeded, blank_engine):
    engine = blank_engine("reset")
    assert is_empty(engine)
    seed_database(engine, employees=EMPLOYEES, seed=SEED + 1, today=TODAY)
    assert not is_empty(engine)
    assert digest(engine) != seeded.digest

    counts = seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY, reset=True)
    assert digest(engine) == seeded.digest  # nothing of the first seed is left
    assert table_counts(engine) == counts == seeded.counts
    # The data version keeps growing across resets, so app caches never serve old figures.
    assert [r.version for r in rows(engine, DataVersion)] == [2]


def test_other_day_changes_the_data(seeded, blank_engine):
    engine = blank_engine("later")
    seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY + timedelta(days=1))
    assert digest(engine) != seeded.digest


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL (PostgreSQL) not set")
def test_postgres_gives_the_same_data_as_sqlite(seeded):
    from sqlmodel import Session

    migrate.upgrade(PG_URL)
    engine = make_engine(PG_URL)
    try:
        seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY, reset=True)  # the DB may be shared
        first = digest(engine)
        seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY, reset=True)
        assert digest(engine) == first == seeded.digest
        # Sequences were moved past the explicit ids: ORM inserts still work.
        with Session(engine) as session:
            org = Organization(code="ZZ-TEST", name="Sequence check Ltd", kind="employer")
            session.add(org)
            session.commit()
            assert org.id > seeded.counts["organization"]
    finally:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()


# --- Plausible figures ------------------------------------------------------------


def test_counts_are_plausible(seeded):
    c = seeded.counts
    assert table_counts(seeded.engine) == c
    assert c["employee"] == EMPLOYEES
    assert 3.3 * EMPLOYEES <= c["enrollment"] <= 4.7 * EMPLOYEES
    assert c["credential"] >= 12
    assert c["skill"] >= 35
    for table in ("skillassessment", "pdp", "pdpgoal", "outcomesurvey", "cohort", "learningoutcome",
                  "credentialskill", "credentialpartner", "pathwaystep", "department"):
        assert c[table] > 0, table
    assert c["dataversion"] == 1
    # The seed's own event, and the co-design history of every credential (revisions, status changes,
    # approvals: tests/services/test_codesign.py reads it as the studio does).
    assert c["credentialrevision"] == sum(r.version for r in rows(seeded.engine, Credential))
    actions = Counter(e.action for e in rows(seeded.engine, AuditEvent))
    assert actions["seed"] == 1 and actions["credential.create"] == c["credential"]
    assert actions["credential.approve"] == c["approval"] > 0
    assert c["auditevent"] == sum(actions.values())


def test_organisations_and_partnerships(seeded):
    orgs = rows(seeded.engine, Organization)
    universities = [o for o in orgs if o.kind == "university"]
    employers = [o for o in orgs if o.kind == "employer"]
    assert len(universities) == 1 and len(employers) >= 6
    assert len({o.sector for o in employers}) == len(employers)

    sizes = Counter(e.employer_id for e in rows(seeded.engine, Employee))
    shares = sorted((n / EMPLOYEES for n in sizes.values()), reverse=True)
    assert len(shares) == len(employers)
    assert 0.30 <= shares[0] <= 0.40 and 0.02 <= shares[-1] <= 0.05

    parts = rows(seeded.engine, Partnership)
    assert sorted(p.employer_id for p in parts) == sorted(o.id for o in employers)
    assert all(p.university_id == universities[0].id for p in parts)
    assert {p.status for p in parts} <= {"active", "paused"} and "active" in {p.status for p in parts}
    for p in parts:
        assert TODAY - timedelta(days=4 * 365) <= p.starts_on <= TODAY - timedelta(days=2 * 365)
    by_size = sorted(parts, key=lambda p: sizes[p.employer_id])
    assert by_size[0].seats_committed < by_size[-1].seats_committed
    assert by_size[0].annual_budget < by_size[-1].annual_budget


def test_catalogue(seeded):
    creds = rows(seeded.engine, Credential)
    status = Counter(c.status for c in creds)
    assert status[CredentialStatus.published] >= 8
    assert 1 <= status[CredentialStatus.draft] <= 2
    assert status[CredentialStatus.in_review] == 1
    assert status[CredentialStatus.approved] == 1
    assert status[CredentialStatus.retired] == 1
    for c in creds:
        assert re.fullmatch(r"MC-[A-Z]+-\d{3}", c.code)
        assert 4 <= c.eqf_level <= 7 and 2.5 <= float(c.ects_credits) <= 10
        assert c.learning_hours == int(c.ects_credits * 25)
        assert 300 <= c.price <= 2500 and 1 <= c.version <= 3


def test_cohorts_span_the_last_eight_quarters(seeded):
    cohorts = rows(seeded.engine, Cohort)
    quarters = sorted({quarter(c.starts_on) for c in cohorts})
    assert len(quarters) == 8 and quarters[-1] == quarter(TODAY)
    running = {c.id for c in rows(seeded.engine, Credential) if c.status in ("published", "retired")}
    assert {c.credential_id for c in cohorts} <= running
    per_cohort = Counter(e.cohort_id for e in rows(seeded.engine, Enrollment))
    for c in cohorts:
        assert timedelta(weeks=6) - timedelta(days=3) <= c.ends_on - c.starts_on <= timedelta(weeks=16)
        assert per_cohort[c.id] <= c.seats


# --- Enrollments ------------------------------------------------------------------


def test_every_enrollment_follows_the_lifecycle(seeded):
    for e in rows(seeded.engine, Enrollment):
        assert record_problems(status=e.status, enrolled_on=e.enrolled_on, completed_on=e.completed_on,
                               withdrawn_on=e.withdrawn_on) == [], e
        for day in (e.enrolled_on, e.completed_on, e.withdrawn_on, e.last_activity_on):
            assert day is None or day <= TODAY, e
        if e.status == "completed":
            assert 55 <= e.score <= 100
        elif e.status == "failed":
            assert 10 <= e.score < 55
        else:
            assert e.score is None
        assert e.cost > 0


def test_enrollments_fall_within_employment(seeded):
    people = {p.id: p for p in rows(seeded.engine, Employee)}
    cohorts = {c.id: c for c in rows(seeded.engine, Cohort)}
    for e in rows(seeded.engine, Enrollment):
        p, c = people[e.employee_id], cohorts[e.cohort_id]
        assert c.credential_id == e.credential_id
        assert p.hired_on <= e.enrolled_on, (p, e)
        assert timedelta(days=3) <= c.starts_on - e.enrolled_on <= timedelta(days=21)
        if p.left_on is not None:
            assert c.starts_on < p.left_on, (p, e)
            for day in (e.completed_on, e.withdrawn_on, e.last_activity_on):
                assert day is None or day <= p.left_on, (p, e)


def test_outcomes_are_realistic(seeded):
    cohorts = {c.id: c for c in rows(seeded.engine, Cohort)}
    enrollments = rows(seeded.engine, Enrollment)
    ended = Counter(e.status for e in enrollments if cohorts[e.cohort_id].ends_on < TODAY)
    finished = ended["completed"] + ended["failed"] + ended["withdrawn"]
    assert finished > 0.9 * sum(ended.values())
    assert 0.55 <= ended["completed"] / finished <= 0.80
    assert 0.04 <= ended["failed"] / finished <= 0.16
    assert 0.12 <= ended["withdrawn"] / finished <= 0.32

    running = Counter(e.status for e in enrollments
                      if cohorts[e.cohort_id].starts_on <= TODAY <= cohorts[e.cohort_id].ends_on)
    assert running["in_progress"] > running["withdrawn"] > 0
    stalled = [e for e in enrollments
               if e.status == "in_progress" and e.last_activity_on < TODAY - timedelta(days=30)]
    assert stalled, "at-risk alerts need learners without recent activity"
    assert Counter(e.sponsor for e in enrollments).most_common(1)[0][0] == "employer"


def test_some_people_enrol_again_after_failing_or_withdrawing(seeded):
    by_pair = defaultdict(list)
    for e in rows(seeded.engine, Enrollment):
        by_pair[(e.employee_id, e.credential_id)].append(e)
    repeats = [sorted(es, key=lambda e: e.enrolled_on) for es in by_pair.values() if len(es) > 1]
    assert repeats
    for first, *later in repeats:
        for e in later:
            assert first.status in ("failed", "withdrawn")
            assert e.enrolled_on > (first.completed_on or first.withdrawn_on)


# --- People, PDPs, assessments, surveys --------------------------------------------


def test_people(seeded):
    people = {p.id: p for p in rows(seeded.engine, Employee)}
    depts = {d.id: d for d in rows(seeded.engine, Department)}
    refs = Counter((p.employer_id, p.employee_ref) for p in people.values())
    assert max(refs.values()) == 1
    left = [p for p in people.values() if p.left_on is not None]
    assert 0.07 <= len(left) / len(people) <= 0.17
    assert any(p.left_on >= TODAY - timedelta(days=730) for p in left)
    for p in people.values():
        assert re.fullmatch(r"E\d{6}", p.employee_ref)
        assert p.hired_on <= TODAY and (p.left_on is None or p.hired_on <= p.left_on < TODAY)
        assert depts[p.department_id].employer_id == p.employer_id
        if p.manager_id is not None:
            m = people[p.manager_id]
            assert m.id < p.id and m.department_id == p.department_id
    assert sum(p.manager_id is None for p in people.values()) <= len(depts)


def test_pdps_and_goals(seeded):
    people = {p.id: p for p in rows(seeded.engine, Employee)}
    pdps = rows(seeded.engine, Pdp)
    current = [p for p in people.values() if p.left_on is None]
    this_year = [d for d in pdps if d.period == str(TODAY.year)]
    assert 0.45 <= len(this_year) / len(current) <= 0.75
    assert {d.status for d in this_year} <= {"active", "draft"}
    assert {d.status for d in pdps if d.period == str(TODAY.year - 1)} == {"closed"}
    for d in pdps:
        assert d.manager_id == people[d.employee_id].manager_id

    period = {d.id: d.period for d in pdps}
    goals = rows(seeded.engine, PdpGoal)
    per_pdp = Counter(g.pdp_id for g in goals)
    assert min(per_pdp.values()) >= 1 and max(per_pdp.values()) <= 4
    now = [g for g in goals if period[g.pdp_id] == str(TODAY.year)]
    assert any(g.due_on < TODAY and g.status in ("planned", "in_progress") for g in now), "overdue goals"
    assert any(TODAY <= g.due_on <= TODAY + timedelta(days=30) and g.status == "planned" for g in now)
    assert {g.status for g in now} == {"planned", "in_progress", "achieved", "dropped"}
    for g in goals:
        assert g.skill_id is not None or g.credential_id is not None
        assert g.target_level is None or 1 <= g.target_level <= 5


def test_assessments_and_surveys(seeded):
    people = {p.id: p for p in rows(seeded.engine, Employee)}
    for a in rows(seeded.engine, SkillAssessment):
        p = people[a.employee_id]
        assert p.hired_on <= a.assessed_on <= TODAY
        assert p.left_on is None or a.assessed_on <= p.left_on
    enrollments = {e.id: e for e in rows(seeded.engine, Enrollment)}
    surveys = rows(seeded.engine, OutcomeSurvey)
    completed = [e for e in enrollments.values() if e.status == "completed"]
    assert 0.3 <= len(surveys) / len(completed) <= 0.65
    for s in surveys:
        e = enrollments[s.enrollment_id]
        assert e.status == "completed" and s.employee_id == e.employee_id
        assert 60 <= (s.surveyed_on - e.completed_on).days <= 120 and s.surveyed_on <= TODAY
    gain = sum(s.performance_after - s.performance_before for s in surveys) / len(surveys)
    assert 0 < gain < 1


# --- Demo users ---------------------------------------------------------------------


def test_demo_users(seeded):
    orgs = {o.id: o for o in rows(seeded.engine, Organization)}
    users = {u.email: u for u in rows(seeded.engine, AppUser)}
    assert DEMO_USERS[0]["email"] == "officer@northbridge.ac.uk"
    assert DEMO_USERS[0]["role"] == "partnership_officer"
    largest = Counter(e.employer_id for e in rows(seeded.engine, Employee)).most_common(1)[0][0]
    assert DEMO_USERS[1]["role"] == "hr_manager" and DEMO_USERS[1]["org_code"] == orgs[largest].code
    assert DEMO_USERS[1]["email"].startswith("hr@")

    assert len(users) == len(DEMO_USERS)
    for u in DEMO_USERS:
        row = users[u["email"]]
        assert (row.display_name, row.role, orgs[row.organization_id].code, row.is_active) == (
            u["display_name"], u["role"], u["org_code"], u["is_active"])
    active = [u for u in users.values() if u.is_active]
    kinds = {(u.role, orgs[u.organization_id].kind) for u in active}
    assert {(Role.admin, "university"), (Role.partnership_officer, "university"),
            (Role.hr_manager, "employer"), (Role.viewer, "employer"), (Role.viewer, "university")} <= kinds
    assert sum(u.role == Role.partnership_officer for u in active) >= 2
    assert len({u.organization_id for u in active if u.role == Role.hr_manager}) >= 2
    inactive = [u for u in users.values() if not u.is_active]
    assert [u.role for u in inactive] == [Role.hr_manager]
    # The first HR manager in the list (the one login tests use) can sign in.
    assert next(u for u in DEMO_USERS if u["role"] == "hr_manager")["is_active"]


# --- The command line ------------------------------------------------------------------


def test_manage_seed_command(blank_engine, monkeypatch, capsys):
    import manage

    engine = blank_engine("cli")
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    assert manage.main(["seed", "--employees", "40"]) == 0
    assert "enrollment" in capsys.readouterr().out
    assert manage.main(["seed", "--employees", "40"]) == 1  # refuses to seed on top of data
    assert manage.main(["seed", "--if-empty"]) == 0
    assert manage.main(["seed", "--employees", "60", "--reset"]) == 0
    assert table_counts(engine)["employee"] == 60
