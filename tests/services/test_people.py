"""The rights of the people in the data (services/people): access, erasure, retention; who may ask."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from db import summaries
from db.models import (
    AccessLogSubject,
    AuditEvent,
    Cohort,
    Employee,
    Enrollment,
    EnrollmentStatus,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    SeatReservation,
    SkillAssessment,
)
from db.scope import AccessDenied, Scope
from services import badges, people, seats
from services.filters import Filters
from tests.services.people_helpers import ANN, dump, figures, found, make_ann_identifiable
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def ann(session, world) -> int:
    return make_ann_identifiable(session, world)


def exported(session, scope, employee_id) -> dict:
    return json.loads(people.as_json(people.person_data(session, scope, employee_id=employee_id)))


# --- Access -------------------------------------------------------------------------------------


def test_the_export_holds_every_row_about_the_person_and_nobody_else(session, world, ann):
    # A seat held for Ann in K1's next cohort (and one for Al Two, which is not hers).
    cohort = Cohort(credential_id=world.id("K1"), code="K1-26Q3", starts_on=date(2026, 9, 7),
                    ends_on=date(2026, 11, 27), seats=5)
    session.add(cohort)
    session.commit()
    seats.reserve(session, world.scope(session, "hr@a"), cohort_id=cohort.id, employee_ids=[ann, world.id("a2")],
                  today=TODAY)
    document = exported(session, world.scope(session, "hr@a"), ann)

    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where))

    goals = count(PdpGoal, PdpGoal.pdp_id.in_(select(Pdp.id).where(Pdp.employee_id == ann)))
    assert {key: len(document[key]) for key in ("enrollments", "assessments", "pdp_goals", "surveys", "badges",
                                                "access_log", "seat_reservations")} == {
        "enrollments": count(Enrollment, Enrollment.employee_id == ann),
        "assessments": count(SkillAssessment, SkillAssessment.employee_id == ann),
        "pdp_goals": goals,
        "surveys": count(OutcomeSurvey, OutcomeSurvey.employee_id == ann),
        "badges": count(Enrollment, Enrollment.employee_id == ann, Enrollment.status == EnrollmentStatus.completed),
        "access_log": count(AccessLogSubject, AccessLogSubject.employee_id == ann),
        "seat_reservations": count(SeatReservation, SeatReservation.employee_id == ann),
    }
    [seat] = document["seat_reservations"]
    assert (seat["credential"], seat["cohort"], seat["reserved_by"]) == ("K1 Credential K1", "K1-26Q3", "hr@acme.test")
    assert (goals, len(document["enrollments"]), len(document["access_log"])) == (2, 1, 1)
    assert document["profile"]["employee_ref"] == ANN["employee_ref"]
    assert document["profile"]["email"] == ANN["email"]
    assert {goal["title"] for goal in document["pdp_goals"]} == {"Grow", "Annabel Onestone coaches the Harrogate team"}
    assert document["enrollments"][0]["status"] == "Completed"  # states in words
    assert document["access_log"][0]["actor_email"] == "officer@uni-one.test"
    assert [change["action"] for change in document["changes"]] == ["pdp_goal.add", "seat.reserve"]
    # Nothing about anyone else: no other employee's name (their manager link is only "recorded or not").
    text = json.dumps(document)
    others = session.scalars(select(Employee.full_name).where(Employee.id != ann)).all()
    assert others and not [name for name in others if name in text]


def test_the_html_is_readable_and_escapes_what_people_typed(session, world, ann):
    session.get(Employee, ann).job_title = "<script>alert(1)</script> & co"
    session.commit()
    page = people.as_html(people.person_data(session, world.scope(session, "admin@u"), employee_id=ann)).decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<h1>Personal data: Annabel Onestone</h1>" in page
    assert "<td>20 Apr 2026</td>" in page  # dates by services/formatting
    assert "<td>Completed</td>" in page


@pytest.mark.parametrize("user", ["hr@b", "officer@u", "viewer@a", "viewer@u", "officer@u2"])
def test_only_the_persons_hr_and_admins_export_them(session, world, ann, user):
    scope = world.scope(session, user)
    with pytest.raises(AccessDenied):
        people.person_data(session, scope, employee_id=ann)
    with pytest.raises(AccessDenied):
        people.person_by_ref(session, scope, employer_code="ACME", employee_ref=ANN["employee_ref"])
    assert people.search(session, scope, text="Annabel") == []


@pytest.mark.parametrize("user", ["hr@b", "viewer@a", "officer@u"])
def test_only_the_persons_hr_and_admins_erase_them(session, world, ann, user):
    before = dump(session)
    with pytest.raises(AccessDenied):
        people.erase(session, world.scope(session, user), employee_id=ann, confirm_ref=ANN["employee_ref"],
                     today=TODAY)
    session.rollback()
    assert dump(session) == before


def test_search_finds_by_hris_id_or_name_within_scope(session, world, ann):
    hr = world.scope(session, "hr@a")
    assert people.search(session, hr, text="hr-ann-7781") == [(ann, "Annabel Onestone (HR-ANN-7781) · Acme")]
    assert [label for _, label in people.search(session, hr, text="one")] == [
        "Annabel Onestone (HR-ANN-7781) · Acme"]
    assert people.search(session, world.scope(session, "hr@b"), text="Annabel") == []
    assert {label for _, label in people.search(session, world.scope(session, "admin@u"), text="one")} == {
        "Annabel Onestone (HR-ANN-7781) · Acme", "Bea One (1) · Beta", "Cy One (1) · Gamma"}


# --- Erasure ------------------------------------------------------------------------------------


def test_after_erasure_the_person_is_nowhere_and_past_figures_do_not_change(session, world, ann):
    hr = world.scope(session, "hr@a")
    people.record_export(session, hr, employee_id=ann, what="JSON file")
    assert found(dump(session))  # the test's needles are there to find
    before = {user: figures(session, world.scope(session, user)) for user in ("hr@a", "officer@u", "admin@u")}

    erased = people.erase(session, hr, employee_id=ann, confirm_ref=ANN["employee_ref"], today=TODAY)

    assert found(dump(session)) == []
    assert {user: figures(session, world.scope(session, user)) for user in before} == before
    summaries.refresh(session)  # rebuilt from the raw rows: ids, not names
    session.commit()
    assert {user: figures(session, world.scope(session, user)) for user in before} == before

    employee = session.get(Employee, ann)
    assert (employee.full_name, employee.employee_ref, employee.pseudonymised_on) == (
        erased.pseudonym, erased.pseudonym_ref, TODAY)
    assert employee.email is employee.job_title is employee.location is None
    assert (employee.department_id, employee.hired_on) == (world.id("A-Ops"), date(2020, 1, 1))
    assert (erased.goals, erased.audit_events, erased.access_entries) == (2, 1, 1)

    document = exported(session, hr, ann)
    assert found(json.dumps(document)) == []
    assert document["profile"]["full_name"] == erased.pseudonym
    assert document["profile"]["pseudonymised_on"] == "2026-06-30"
    assert len(document["enrollments"]) == 1 and document["badges"] == []
    # Audited without the erased data.
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.pseudonymise")).one()
    assert (event.actor_email, event.entity_id) == ("hr@acme.test", str(ann))
    assert json.loads(event.after)["reason"] == "erasure request"


def test_a_refused_confirmation_changes_nothing(session, world, ann):
    hr = world.scope(session, "hr@a")
    before = dump(session)
    for typed in ("", "HR-ANN-778", "hr-ann-7781"):
        with pytest.raises(people.EraseRefused, match="Nothing was changed"):
            people.erase(session, hr, employee_id=ann, confirm_ref=typed, today=TODAY)
    assert dump(session) == before
    people.erase(session, hr, employee_id=ann, confirm_ref=ANN["employee_ref"], today=TODAY)
    pseudonym = session.get(Employee, ann).employee_ref
    with pytest.raises(people.EraseRefused, match="pseudonymised on 30 Jun 2026"):
        people.erase(session, hr, employee_id=ann, confirm_ref=pseudonym, today=TODAY)


def test_a_badge_issued_before_erasure_still_verifies_and_no_new_one_is_issued(session, world, ann, tmp_path):
    system = Scope.system()
    written = badges.export(session, system, tmp_path / "before", Filters())
    mine = [path for path in written if path.suffix == ".json" and f"_{world.id('E-a1-K1')}" in path.name]
    assert len(mine) == 1 and ANN["email"] not in mine[0].read_text()  # a salted hash, not the email
    people.erase(session, world.scope(session, "admin@u"), employee_id=ann, confirm_ref=ANN["employee_ref"],
                 today=TODAY)

    result = badges.verify_file(mine[0])  # reads the badge and the key, not the database
    assert result.ok, result.problems
    # The holder still proves it is theirs: the hash of their email with the badge's salt.
    [identity] = result.credential["credentialSubject"]["identifier"]
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(
        (ANN["email"] + identity["salt"]).encode()).hexdigest()
    assert ann not in {e.employee_id for e in badges.completed_enrollments(session, system)}
    again = badges.export(session, system, tmp_path / "after", Filters())
    assert not [path for path in again if f"_{world.id('E-a1-K1')}" in path.name]
    assert not found("".join(path.read_text() for path in again))
    # The other completions are still issued.
    assert len(again) == len(written) - 1 >= 2


# --- Retention ----------------------------------------------------------------------------------


def test_retention_pseudonymises_who_left_before_the_period(session, world, monkeypatch):
    a3 = world.id("a3")  # left on 30 Jun 2025
    system = Scope.system()
    assert people.apply_retention(session, system, today=TODAY).due == 0  # 24 months by default
    monkeypatch.setenv("RETENTION_MONTHS", "12")
    assert people.apply_retention(session, system, today=TODAY, dry_run=True).due == 0  # left on the cutoff day
    monkeypatch.setenv("RETENTION_MONTHS", "11")
    before = dump(session)
    run = people.apply_retention(session, system, today=TODAY, dry_run=True)
    assert (run.due, run.pseudonymised, run.cutoff, run.months) == (1, 0, date(2025, 7, 30), 11)
    assert dump(session) == before
    run = people.apply_retention(session, system, today=TODAY)
    assert (run.due, run.pseudonymised) == (1, 1)
    assert session.get(Employee, a3).full_name.startswith("Erased person ")
    assert "ada three" not in dump(session)
    assert people.apply_retention(session, system, today=TODAY).due == 0  # once only
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.pseudonymise")).one()
    assert json.loads(event.after)["reason"] == "retention: left over 11 months ago"


@pytest.mark.parametrize("value", ["0", "-3", "two years", "1.5"])
def test_a_bad_retention_setting_is_refused(monkeypatch, value):
    monkeypatch.setenv("RETENTION_MONTHS", value)
    with pytest.raises(people.RetentionSettingError, match="RETENTION_MONTHS must be a whole number"):
        people.retention_months()


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert people.months_before(date(2026, 6, 30), 24) == date(2024, 6, 30)
    assert people.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert people.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
