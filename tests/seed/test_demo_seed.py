"""The demo seed: deterministic, realistic, and consistent with the rules the
product enforces (enrollment lifecycle, employment dates, access roles)."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables}


def quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


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
    assert [row.version for row in rows(engine, DataVersion)] == [2]


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
            organisation = Organization(code="ZZ-TEST", name="Sequence check Ltd", kind="employer")
            session.add(organisation)
            session.commit()
            assert organisation.id > seeded.counts["organization"]
    finally:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()


# --- Plausible figures ------------------------------------------------------------


def test_counts_are_plausible(seeded):
    counts = seeded.counts
    assert table_counts(seeded.engine) == counts
    assert counts["employee"] == EMPLOYEES
    assert 3.3 * EMPLOYEES <= counts["enrollment"] <= 4.7 * EMPLOYEES
    assert counts["credential"] >= 12
    assert counts["skill"] >= 35
    for table in ("skillassessment", "pdp", "pdpgoal", "outcomesurvey", "cohort", "learningoutcome",
                  "credentialskill", "credentialpartner", "pathwaystep", "department"):
        assert counts[table] > 0, table
    assert counts["dataversion"] == 1
    # The seed's own event, and the co-design history of every credential (revisions, status changes,
    # approvals: tests/services/test_codesign_proposals.py reads it as the studio does).
    assert counts["credentialrevision"] == sum(credential.version for credential in rows(seeded.engine, Credential))
    actions = Counter(event.action for event in rows(seeded.engine, AuditEvent))
    assert actions["seed"] == 1 and actions["credential.create"] == counts["credential"]
    assert actions["credential.approve"] == counts["approval"] > 0
    assert counts["auditevent"] == sum(actions.values())


def test_organisations_and_partnerships(seeded):
    organisations = rows(seeded.engine, Organization)
    universities = [organisation for organisation in organisations if organisation.kind == "university"]
    employers = [organisation for organisation in organisations if organisation.kind == "employer"]
    assert len(universities) == 1 and len(employers) >= 6
    assert len({organisation.sector for organisation in employers}) == len(employers)

    sizes = Counter(employee.employer_id for employee in rows(seeded.engine, Employee))
    shares = sorted((size / EMPLOYEES for size in sizes.values()), reverse=True)
    assert len(shares) == len(employers)
    assert 0.30 <= shares[0] <= 0.40 and 0.02 <= shares[-1] <= 0.05

    partnerships = rows(seeded.engine, Partnership)
    assert sorted(partnership.employer_id for partnership in partnerships) == sorted(
        organisation.id for organisation in employers)
    assert all(partnership.university_id == universities[0].id for partnership in partnerships)
    statuses = {partnership.status for partnership in partnerships}
    assert statuses <= {"active", "paused"} and "active" in statuses
    for partnership in partnerships:
        assert TODAY - timedelta(days=4 * 365) <= partnership.starts_on <= TODAY - timedelta(days=2 * 365)
    by_size = sorted(partnerships, key=lambda partnership: sizes[partnership.employer_id])
    assert by_size[0].seats_committed < by_size[-1].seats_committed
    assert by_size[0].annual_budget < by_size[-1].annual_budget


def test_catalogue(seeded):
    credentials = rows(seeded.engine, Credential)
    status = Counter(credential.status for credential in credentials)
    assert status[CredentialStatus.published] >= 8
    assert 1 <= status[CredentialStatus.draft] <= 2
    assert status[CredentialStatus.in_review] == 1
    assert status[CredentialStatus.approved] == 1
    assert status[CredentialStatus.retired] == 1
    for credential in credentials:
        assert re.fullmatch(r"MC-[A-Z]+-\d{3}", credential.code)
        assert 4 <= credential.eqf_level <= 7 and 2.5 <= float(credential.ects_credits) <= 10
        assert credential.learning_hours == int(credential.ects_credits * 25)
        assert 300 <= credential.price <= 2500 and 1 <= credential.version <= 3


NEXT_QUARTER = (2026, 3)  # TODAY's next quarter: its cohorts are written last (seed/next_cohorts.py)


def test_cohorts_span_the_last_eight_quarters_and_the_next(seeded):
    cohorts = rows(seeded.engine, Cohort)
    quarters = sorted({quarter(cohort.starts_on) for cohort in cohorts})
    assert len(quarters) == 9 and quarters[-2] == quarter(TODAY) and quarters[-1] == NEXT_QUARTER
    running = {credential.id for credential in rows(seeded.engine, Credential)
               if credential.status in ("published", "retired")}
    assert {cohort.credential_id for cohort in cohorts} <= running
    per_cohort = Counter(enrollment.cohort_id for enrollment in rows(seeded.engine, Enrollment))
    for cohort in cohorts:
        assert timedelta(weeks=6) - timedelta(days=3) <= cohort.ends_on - cohort.starts_on <= timedelta(weeks=16)
        assert per_cohort[cohort.id] <= cohort.seats


def test_next_quarters_cohorts_have_seats_and_nobody_enrolled(seeded):
    cohorts = rows(seeded.engine, Cohort)
    upcoming = [cohort for cohort in cohorts if quarter(cohort.starts_on) == NEXT_QUARTER]
    published_now = {cohort.credential_id for cohort in cohorts if quarter(cohort.starts_on) == quarter(TODAY)
                     } & {credential.id for credential in rows(seeded.engine, Credential)
                          if credential.status == "published"}
    # Two sections for every published credential running this quarter; 93 cohorts before them (the count of
    # this reference seed before next quarter's were added), so their ids follow every other cohort's.
    assert Counter(cohort.credential_id for cohort in upcoming) == {credential: 2 for credential in published_now}
    assert sorted(cohort.id for cohort in upcoming) == list(range(94, 94 + len(upcoming)))
    assert len(cohorts) == 93 + len(upcoming)
    enrolled = {enrollment.cohort_id for enrollment in rows(seeded.engine, Enrollment)}
    for cohort in upcoming:
        assert cohort.starts_on > TODAY and cohort.starts_on.weekday() == 0 and cohort.seats >= 20
        assert cohort.id not in enrolled


def table_rows(engine, table) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(table).order_by(*table.primary_key.columns)))


def test_next_quarters_cohorts_leave_every_other_row_unchanged(seeded, blank_engine, monkeypatch):
    """The seed without them writes the same rows (but the seed event's count of cohorts)."""
    import seed.demo

    monkeypatch.setattr(seed.demo, "write_next_cohorts", lambda run, writer: None)
    engine = blank_engine("without-next")
    seed_database(engine, employees=EMPLOYEES, seed=SEED, today=TODAY)
    for table in metadata.sorted_tables:
        if table.name in ("auditevent", "dataversion"):  # when the seed ran
            continue
        without, full = table_rows(engine, table), table_rows(seeded.engine, table)
        if table.name == "cohort":
            full = [row for row in full if quarter(row.starts_on) != NEXT_QUARTER]
        assert without == full, table.name


# --- Enrollments ------------------------------------------------------------------


def test_every_enrollment_follows_the_lifecycle(seeded):
    for enrollment in rows(seeded.engine, Enrollment):
        assert record_problems(status=enrollment.status, enrolled_on=enrollment.enrolled_on,
                               completed_on=enrollment.completed_on,
                               withdrawn_on=enrollment.withdrawn_on) == [], enrollment
        for day in (enrollment.enrolled_on, enrollment.completed_on, enrollment.withdrawn_on,
                    enrollment.last_activity_on):
            assert day is None or day <= TODAY, enrollment
        if enrollment.status == "completed":
            assert 55 <= enrollment.score <= 100
        elif enrollment.status == "failed":
            assert 10 <= enrollment.score < 55
        else:
            assert enrollment.score is None
        assert enrollment.cost > 0


def test_enrollments_fall_within_employment(seeded):
    people = {person.id: person for person in rows(seeded.engine, Employee)}
    cohorts = {cohort.id: cohort for cohort in rows(seeded.engine, Cohort)}
    for enrollment in rows(seeded.engine, Enrollment):
        person, cohort = people[enrollment.employee_id], cohorts[enrollment.cohort_id]
        assert cohort.credential_id == enrollment.credential_id
        assert person.hired_on <= enrollment.enrolled_on, (person, enrollment)
        assert timedelta(days=3) <= cohort.starts_on - enrollment.enrolled_on <= timedelta(days=21)
        if person.left_on is not None:
            assert cohort.starts_on < person.left_on, (person, enrollment)
            for day in (enrollment.completed_on, enrollment.withdrawn_on, enrollment.last_activity_on):
                assert day is None or day <= person.left_on, (person, enrollment)


def test_outcomes_are_realistic(seeded):
    cohorts = {cohort.id: cohort for cohort in rows(seeded.engine, Cohort)}
    enrollments = rows(seeded.engine, Enrollment)
    ended = Counter(enrollment.status for enrollment in enrollments if cohorts[enrollment.cohort_id].ends_on < TODAY)
    finished = ended["completed"] + ended["failed"] + ended["withdrawn"]
    assert finished > 0.9 * sum(ended.values())
    assert 0.55 <= ended["completed"] / finished <= 0.80
    assert 0.04 <= ended["failed"] / finished <= 0.16
    assert 0.12 <= ended["withdrawn"] / finished <= 0.32

    running = Counter(enrollment.status for enrollment in enrollments
                      if cohorts[enrollment.cohort_id].starts_on <= TODAY <= cohorts[enrollment.cohort_id].ends_on)
    assert running["in_progress"] > running["withdrawn"] > 0
    stalled = [enrollment for enrollment in enrollments
               if enrollment.status == "in_progress" and enrollment.last_activity_on < TODAY - timedelta(days=30)]
    assert stalled, "at-risk alerts need learners without recent activity"
    assert Counter(enrollment.sponsor for enrollment in enrollments).most_common(1)[0][0] == "employer"


def test_some_people_enrol_again_after_failing_or_withdrawing(seeded):
    by_pair = defaultdict(list)
    for enrollment in rows(seeded.engine, Enrollment):
        by_pair[(enrollment.employee_id, enrollment.credential_id)].append(enrollment)
    repeats = [sorted(same_pair, key=lambda enrollment: enrollment.enrolled_on)
               for same_pair in by_pair.values() if len(same_pair) > 1]
    assert repeats
    for first, *later in repeats:
        for enrollment in later:
            assert first.status in ("failed", "withdrawn")
            assert enrollment.enrolled_on > (first.completed_on or first.withdrawn_on)


# --- People, PDPs, assessments, surveys --------------------------------------------


def test_people(seeded):
    people = {person.id: person for person in rows(seeded.engine, Employee)}
    departments = {department.id: department for department in rows(seeded.engine, Department)}
    refs = Counter((person.employer_id, person.employee_ref) for person in people.values())
    assert max(refs.values()) == 1
    left = [person for person in people.values() if person.left_on is not None]
    assert 0.07 <= len(left) / len(people) <= 0.17
    assert any(person.left_on >= TODAY - timedelta(days=730) for person in left)
    for person in people.values():
        assert re.fullmatch(r"E\d{6}", person.employee_ref)
        assert person.hired_on <= TODAY and (person.left_on is None or person.hired_on <= person.left_on < TODAY)
        assert departments[person.department_id].employer_id == person.employer_id
        if person.manager_id is not None:
            manager = people[person.manager_id]
            assert manager.id < person.id and manager.department_id == person.department_id
    assert sum(person.manager_id is None for person in people.values()) <= len(departments)


def test_pdps_and_goals(seeded):
    people = {person.id: person for person in rows(seeded.engine, Employee)}
    pdps = rows(seeded.engine, Pdp)
    current = [person for person in people.values() if person.left_on is None]
    this_year = [pdp for pdp in pdps if pdp.period == str(TODAY.year)]
    assert 0.45 <= len(this_year) / len(current) <= 0.75
    assert {pdp.status for pdp in this_year} <= {"active", "draft"}
    assert {pdp.status for pdp in pdps if pdp.period == str(TODAY.year - 1)} == {"closed"}
    for pdp in pdps:
        assert pdp.manager_id == people[pdp.employee_id].manager_id
    assert_goals_are_plausible(rows(seeded.engine, PdpGoal), {pdp.id: pdp.period for pdp in pdps})


def assert_goals_are_plausible(goals: list, period: dict[int, str]) -> None:
    """One to four goals per plan; this year's in every status, some overdue and some due soon."""
    per_pdp = Counter(goal.pdp_id for goal in goals)
    assert min(per_pdp.values()) >= 1 and max(per_pdp.values()) <= 4
    now = [goal for goal in goals if period[goal.pdp_id] == str(TODAY.year)]
    assert any(goal.due_on < TODAY and goal.status in ("planned", "in_progress") for goal in now), "overdue goals"
    assert any(TODAY <= goal.due_on <= TODAY + timedelta(days=30) and goal.status == "planned" for goal in now)
    assert {goal.status for goal in now} == {"planned", "in_progress", "achieved", "dropped"}
    for goal in goals:
        assert goal.skill_id is not None or goal.credential_id is not None
        assert goal.target_level is None or 1 <= goal.target_level <= 5


def test_assessments_and_surveys(seeded):
    people = {person.id: person for person in rows(seeded.engine, Employee)}
    for assessment in rows(seeded.engine, SkillAssessment):
        person = people[assessment.employee_id]
        assert person.hired_on <= assessment.assessed_on <= TODAY
        assert person.left_on is None or assessment.assessed_on <= person.left_on
    enrollments = {enrollment.id: enrollment for enrollment in rows(seeded.engine, Enrollment)}
    surveys = rows(seeded.engine, OutcomeSurvey)
    completed = [enrollment for enrollment in enrollments.values() if enrollment.status == "completed"]
    assert 0.3 <= len(surveys) / len(completed) <= 0.65
    for survey in surveys:
        enrollment = enrollments[survey.enrollment_id]
        assert enrollment.status == "completed" and survey.employee_id == enrollment.employee_id
        assert 60 <= (survey.surveyed_on - enrollment.completed_on).days <= 120 and survey.surveyed_on <= TODAY
    gain = sum(survey.performance_after - survey.performance_before for survey in surveys) / len(surveys)
    assert 0 < gain < 1


# --- Demo users ---------------------------------------------------------------------


def test_demo_users(seeded):
    organisations = {organisation.id: organisation for organisation in rows(seeded.engine, Organization)}
    users = {user.email: user for user in rows(seeded.engine, AppUser)}
    assert DEMO_USERS[0]["email"] == "officer@northbridge.ac.uk"
    assert DEMO_USERS[0]["role"] == "partnership_officer"
    largest = Counter(employee.employer_id for employee in rows(seeded.engine, Employee)).most_common(1)[0][0]
    assert DEMO_USERS[1]["role"] == "hr_manager" and DEMO_USERS[1]["org_code"] == organisations[largest].code
    assert DEMO_USERS[1]["email"].startswith("hr@")

    assert len(users) == len(DEMO_USERS)
    for user in DEMO_USERS:
        row = users[user["email"]]
        assert (row.display_name, row.role, organisations[row.organization_id].code, row.is_active) == (
            user["display_name"], user["role"], user["org_code"], user["is_active"])
    assert_every_role_can_sign_in(list(users.values()), organisations)
    # The first HR manager in the list (the one login tests use) can sign in.
    assert next(user for user in DEMO_USERS if user["role"] == "hr_manager")["is_active"]


def assert_every_role_can_sign_in(users: list, organisations: dict) -> None:
    """Active accounts for every role on both sides; the one deactivated account is an HR manager."""
    active = [user for user in users if user.is_active]
    kinds = {(user.role, organisations[user.organization_id].kind) for user in active}
    assert {(Role.admin, "university"), (Role.partnership_officer, "university"),
            (Role.hr_manager, "employer"), (Role.viewer, "employer"), (Role.viewer, "university")} <= kinds
    assert sum(user.role == Role.partnership_officer for user in active) >= 2
    assert len({user.organization_id for user in active if user.role == Role.hr_manager}) >= 2
    inactive = [user for user in users if not user.is_active]
    assert [user.role for user in inactive] == [Role.hr_manager]


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
