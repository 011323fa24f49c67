"""Imports (services/imports/): idempotent upserts of every kind, and who may import what."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import data_version
from db.models import (
    AuditEvent,
    Cohort,
    Credential,
    CredentialRevision,
    CredentialSkill,
    Department,
    Employee,
    Enrollment,
    EnrollmentMonthSummary,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    Skill,
    SkillAssessment,
)
from db.scope import AccessDenied
from services import imports
from services.imports import ImportFailed
from tests.services import imports_helpers
from tests.services.imports_helpers import EMPLOYEES, ENR, count, csv_bytes, errors, run, snapshot

world = imports_helpers.world  # the shared fixture, bound here so pytest finds it


# --- Upserts ------------------------------------------------------------------------------------------


def test_employees_create_departments_managers_and_reimport_changes_nothing(session, world):
    plan = run(session, world, "hr@a", "employees", EMPLOYEES, name="hris.csv")
    assert plan.ok, errors(plan)
    assert (plan.created, plan.updated, plan.unchanged, plan.also_created) == (2, 0, 1, {"departments": 1})
    assert plan.summary() == "Created 2, updated 0, left 1 unchanged (3 rows; new departments: 1)."
    people = {employee.employee_ref: employee for employee in session.scalars(
        select(Employee).where(Employee.employer_id == world.id("A")))}
    finance = session.execute(select(Department).where(Department.name == "Finance")).scalar_one()
    assert finance.employer_id == world.id("A")
    assert (people["10"].manager_id, people["11"].manager_id) == (world.id("a1"), people["10"].id)
    assert (people["11"].department_id, people["11"].location, people["10"].email) == (
        finance.id, "York", "ed@acme.test")
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "import.employees")).scalar_one()
    assert (event.actor_email, event.organization_id, event.entity) == ("hr@acme.test", world.id("A"), "Employee")
    assert json.loads(event.after) == {"filename": "hris.csv", "sha256": plan.sha256, "rows": 3, "created": 2,
                                       "updated": 0, "unchanged": 1, "new_departments": 1}
    import hashlib
    assert plan.sha256 == hashlib.sha256(csv_bytes(EMPLOYEES)).hexdigest()

    # The same file again: nothing changes, and it says so (the import is still audited, with zero counts).
    before, version = snapshot(session), data_version(session)
    again = run(session, world, "hr@a", "employees", EMPLOYEES, name="hris.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.summary() == "Nothing changed: all 3 rows are already up to date."
    assert snapshot(session) == before and data_version(session) == version
    events = session.scalars(select(AuditEvent.after).where(AuditEvent.action == "import.employees")).all()
    assert [json.loads(e)["created"] for e in events] == [2, 0]


def test_an_update_of_one_field_changes_that_field_only(session, world):
    run(session, world, "hr@a", "employees", EMPLOYEES)
    before = snapshot(session)
    plan = run(session, world, "hr@a", "employees", EMPLOYEES.replace("Leeds", "Bradford"))
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 2)
    assert plan.preview()[plan.preview()["action"] == "update"][["line", "key", "changes"]].values.tolist() == [
        [3, "10", "location: Leeds → Bradford"]]
    after = snapshot(session)
    changed = [(name, old, new) for name in before for old, new in zip(before[name], after[name], strict=True)
               if old != new]
    assert len(changed) == 1
    table, old, new = changed[0]
    assert table == "Employee" and {key for key in new if new[key] != old[key]} == {"location"} \
        and new["location"] == "Bradford"


def test_absent_column_keeps_the_field_and_empty_cell_clears_it(session, world):
    run(session, world, "hr@a", "employees", EMPLOYEES)
    plan = run(session, world, "hr@a", "employees", "employee_ref,name,hired_on\n10,Ed Ten,2024-05-01\n")
    assert (plan.updated, plan.unchanged) == (0, 1)  # email, department, manager... not in the file: kept
    plan = run(session, world, "hr@a", "employees", "employee_ref,name,hired_on,email,manager_ref,department\n"
                                                  "10,Ed Ten,2024-05-01,,,\n")
    assert plan.preview()["changes"].tolist() == [
        "email: ed@acme.test → —; department: Finance → —; manager_ref: 1 → —"]
    ed = session.execute(select(Employee).where(Employee.employee_ref == "10")).scalar_one()
    session.refresh(ed)
    assert (ed.email, ed.department_id, ed.manager_id, ed.location) == (None, None, None, "Leeds")


def test_enrollments_upsert_status_moves_forward_and_summaries_follow(session, world):
    text = ENR + ("2,K1,K1-26Q1,2026-01-03,completed,2026-04-28,,88,1000,\n"   # a2: in_progress → completed
                  "1,K1,K1-26Q1,2026-01-02,completed,2026-04-20,,,1000,\n"      # a1: unchanged
                  "3,K1,K1-26Q1,2026-01-09,enrolled,,,,450.50,public fund\n")  # a3: new
    plan = run(session, world, "hr@a", "enrollments", text)
    assert plan.ok, errors(plan)
    assert (plan.created, plan.updated, plan.unchanged) == (1, 1, 1)
    assert plan.preview().set_index("line")["changes"].to_dict() == {
        2: "status: in_progress → completed; completed_on: — → 2026-04-28; score: — → 88.0", 3: "", 4: ""}
    a2 = session.execute(select(Enrollment).where(Enrollment.id == world.id("E-a2-K1"))).scalar_one()
    session.refresh(a2)
    assert (a2.status, a2.completed_on, a2.score, a2.cost) == ("completed", date(2026, 4, 28), 88.0, Decimal("1000"))
    new = session.execute(select(Enrollment).where(Enrollment.employee_id == world.id("a3"),
                                                   Enrollment.credential_id == world.id("K1"))).scalar_one()
    assert (new.status, new.cost, new.sponsor) == ("enrolled", Decimal("450.50"), "public_fund")
    # The dashboards' summary table was rebuilt in the same transaction.
    completed = session.execute(select(func.sum(EnrollmentMonthSummary.completed)).where(
        EnrollmentMonthSummary.employer_id == world.id("A"))).scalar_one()
    assert completed == 2
    assert run(session, world, "hr@a", "enrollments", text).summary() == \
        "Nothing changed: all 3 rows are already up to date."


def test_university_side_creates_cohorts_hr_managers_do_not(session, world):
    text = ("employee_ref,credential_code,cohort,enrolled_on,status,cohort_start,cohort_end\n"
            "1,K2,K2-26Q3,2026-07-01,enrolled,2026-07-01,2026-09-30\n"
            "2,K2,K2-26Q3,2026-07-02,enrolled,2026-07-01,2026-09-30\n"
            "3,K2,K2-26Q3,2026-07-02,enrolled,,\n")
    hr = run(session, world, "hr@a", "enrollments", text)
    assert errors(hr) == [f"line {n}, column cohort: cohort 'K2-26Q3' does not exist for credential 'K2'"
                          for n in (2, 3, 4)]
    plan = run(session, world, "officer@u", "enrollments", text, employer_id=world.id("A"))
    assert plan.ok, errors(plan)
    assert (plan.created, plan.also_created) == (3, {"cohorts": 1})
    cohort = session.execute(select(Cohort).where(Cohort.code == "K2-26Q3")).scalar_one()
    assert (cohort.credential_id, cohort.starts_on, cohort.ends_on) == (world.id("K2"), date(2026, 7, 1),
                                                                       date(2026, 9, 30))
    assert count(session, Enrollment, Enrollment.cohort_id == cohort.id) == 3
    clash = text.replace("2,K2,K2-26Q3,2026-07-02,enrolled,2026-07-01,2026-09-30",
                         "2,K2,K2-26Q4,2026-07-02,enrolled,2026-10-01,2026-12-31\n5,K2,K2-26Q4,2026-07-02,enrolled,"
                         "2026-10-01,2026-12-30")
    assert errors(run(session, world, "officer@u", "enrollments", clash, employer_id=world.id("A")))[-2:] == [
        "line 4, column employee_ref: '5' is not an employee of Acme",
        "line 4, column cohort_start: cohort 'K2-26Q4' of 'K2' has other dates on line 3"]


def test_credentials_create_update_drafts_and_skills(session, world):
    text = ("code,title,level,credits,hours,delivery_mode,price,skills\n"
            "NEW-1,Data for banks,6,7.5,180,Blended,1450.00,Analyse Big Data:4; negotiate contracts\n"
            "K2,Credential K2,5,5,125,online,1000,lead a team:2\n")
    plan = run(session, world, "officer@u", "credentials", text, name="catalogue.csv")
    assert plan.ok, errors(plan)
    assert (plan.created, plan.updated, plan.unchanged, plan.also_created) == (1, 1, 0, {"skills": 1})
    assert plan.preview().set_index("key")["changes"].to_dict() == {"NEW-1": "", "K2": "skills: — → lead a team:2"}
    new = session.execute(select(Credential).where(Credential.code == "NEW-1")).scalar_one()
    assert (new.university_id, new.status, new.version, new.eqf_level, new.ects_credits, new.learning_hours,
            new.delivery_mode, new.price) == (world.id("U"), "draft", 1, 6, Decimal("7.5"), 180, "blended",
                                              Decimal("1450.00"))
    skills = dict(session.execute(select(Skill.name, CredentialSkill.proficiency).join(
        CredentialSkill, CredentialSkill.skill_id == Skill.id).where(CredentialSkill.credential_id == new.id)).all())
    assert skills == {"analyse big data": 4, "negotiate contracts": 3}  # matched ignoring case; new one added
    k2 = session.get(Credential, world.id("K2"))
    session.refresh(k2)
    assert k2.version == 2  # a new content version, with a revision (and a baseline of version 1)
    revisions = session.execute(select(CredentialRevision.credential_id, CredentialRevision.version,
                                       CredentialRevision.saved_by)
                                .where(CredentialRevision.credential_id.in_([new.id, k2.id]))).all()
    assert sorted(revisions) == sorted([(new.id, 1, "officer@uni-one.test"), (k2.id, 1, "(baseline)"),
                                        (k2.id, 2, "officer@uni-one.test")])
    again = run(session, world, "officer@u", "credentials", text)
    assert again.summary() == "Nothing changed: all 2 rows are already up to date."


def test_credentials_update_one_field_bumps_the_version(session, world):
    text = "code,title,level\nK2,Credential K2,5\n"
    assert run(session, world, "officer@u", "credentials", text).summary() == \
        "Nothing changed: the row is already up to date."
    plan = run(session, world, "officer@u", "credentials", "code,title,level\nk2,K2 for banks,5\n")
    assert plan.preview()["changes"].tolist() == ["title: Credential K2 → K2 for banks"]
    k2 = session.get(Credential, world.id("K2"))
    session.refresh(k2)
    assert (k2.title, k2.version, k2.code) == ("K2 for banks", 2, "K2")


ELEMENTS = ("code,title,level,credits,delivery_mode,issuer_country,qualification_cycle,assessment_type,"
            "quality_assurance,prerequisites,assessment_supervision,stackability,stacks_towards,further_information\n"
            "NEW-EU,Data for Europe,6,5,online,gb,Second cycle,Project report and oral presentation,"
            "Internal quality assurance of Uni One,A first degree,\"Supervised, with identity check\",stackable,"
            "Data path,See the course page\n")


def test_credentials_import_writes_the_european_elements_into_the_credential_and_its_revision(session, world):
    from services import codesign
    from services.codesign import completeness

    plan = run(session, world, "officer@u", "credentials", ELEMENTS)
    assert plan.ok, errors(plan)
    new = session.execute(select(Credential).where(Credential.code == "NEW-EU")).scalar_one()
    assert (new.issuer_country, new.qualification_cycle, new.assessment_type, new.quality_assurance,
            new.prerequisites, new.assessment_supervision, new.stackability, new.stacks_towards,
            new.further_information) == (
        "GB", "second_cycle", "Project report and oral presentation", "Internal quality assurance of Uni One",
        "A first degree", "supervised_identity_check", "stackable", "Data path", "See the course page")
    revision = session.execute(select(CredentialRevision).where(CredentialRevision.credential_id == new.id)
                               ).scalar_one()
    assert json.loads(revision.snapshot) == codesign.snapshot(session, new)
    assert completeness.missing(json.loads(revision.snapshot)) == ["Learning outcomes"]  # outcomes: the studio's
    assert run(session, world, "officer@u", "credentials", ELEMENTS).summary() == \
        "Nothing changed: the row is already up to date."
    plan = run(session, world, "officer@u", "credentials", "code,title,level,issuer_country,stackability\n"
                                                             "NEW-EU,Data for Europe,6,IE,\n")
    assert plan.preview()["changes"].tolist() == ["issuer_country: GB → IE; stackability: stackable → —"]
    session.refresh(new)
    assert (new.issuer_country, new.stackability, new.version) == ("IE", None, 2)


def test_assessments_goals_and_surveys(session, world):
    assessments = ("employee_ref,skill,level,assessed_on,source\n1,Analyse big data,3,2026-03-01,self\n"
                   "1,lead a team,2,2026-03-01,\n")
    plan = run(session, world, "hr@a", "assessments", assessments)
    assert (plan.created, plan.unchanged) == (2, 0)
    assert run(session, world, "hr@a", "assessments", assessments).summary() == \
        "Nothing changed: all 2 rows are already up to date."
    plan = run(session, world, "hr@a", "assessments", assessments.replace(",3,2026", ",4,2026"))
    assert plan.preview()["changes"].tolist()[0] == "level: 3 → 4"
    assert count(session, SkillAssessment, SkillAssessment.source == "manager",
                 SkillAssessment.assessed_on == date(2026, 3, 1), SkillAssessment.level == 2) == 1

    goals = ("employee_ref,period,title,skill,target_level,credential_code,due_on,status\n"
             "1,2026,Grow,analyse big data,5,,2026-12-31,in progress\n"  # the world's goal: level 4 → 5
             "2,2027,Get K1,,,K1,2027-06-30,\n")
    plan = run(session, world, "hr@a", "pdp_goals", goals)
    assert plan.ok, errors(plan)
    assert (plan.created, plan.updated, plan.also_created) == (1, 1, {"plans": 1})
    assert plan.preview().set_index("line")["changes"][2] == "target_level: 4 → 5; status: planned → in_progress"
    pdp = session.execute(select(Pdp).where(Pdp.employee_id == world.id("a2"), Pdp.period == "2027")).scalar_one()
    assert pdp.manager_id == world.id("a1")
    goal = session.execute(select(PdpGoal).where(PdpGoal.pdp_id == pdp.id)).scalar_one()
    assert (goal.credential_id, goal.skill_id, goal.status) == (world.id("K1"), None, "planned")
    assert run(session, world, "hr@a", "pdp_goals", goals).summary() == \
        "Nothing changed: all 2 rows are already up to date."

    surveys = ("employee_ref,credential_code,cohort,surveyed_on,performance_before,performance_after,"
               "satisfaction_before,satisfaction_after\n1,K1,K1-26Q1,2026-06-01,3,4,3,3\n"
               "2,K1,K1-26Q1,2026-06-15,2,3,4,5\n")
    plan = run(session, world, "hr@a", "surveys", surveys)
    assert (plan.created, plan.unchanged) == (1, 1)
    survey = session.execute(
        select(OutcomeSurvey).where(OutcomeSurvey.enrollment_id == world.id("E-a2-K1"))).scalar_one()
    assert (survey.employee_id, survey.satisfaction_after) == (world.id("a2"), 5)


# --- Access -------------------------------------------------------------------------------------------


def test_hr_manager_cannot_import_into_another_employer_whatever_the_file_says(session, world):
    before = snapshot(session)
    with pytest.raises(AccessDenied, match="outside your access"):
        run(session, world, "hr@a", "employees", EMPLOYEES, employer_id=world.id("B"))
    # A file that names Beta and Beta's people still goes to Acme, the HR manager's employer:
    # Beta's rows are untouched, and a Beta-only employee ref is an error, not a match.
    text = "employer,employee_ref,name,hired_on\nBETA,1,Ann One,2020-01-01\nBETA,2,Bo Two (Beta),2026-07-01\n"
    plan = run(session, world, "hr@a", "employees", text)
    assert plan.warnings == ["column 'employer' is not a column of employees and is ignored"]
    assert (plan.target_name, plan.updated, plan.unchanged) == ("Acme", 1, 1)  # Acme's employees 1 and 2
    assert snapshot(session)["Employee"][3:] == before["Employee"][3:]  # Beta's and Gamma's people
    bo = session.get(Employee, world.id("a2"))
    session.refresh(bo)
    assert (bo.employer_id, bo.full_name) == (world.id("A"), "Bo Two (Beta)")
    plan = run(session, world, "hr@a", "enrollments", ENR + "2,K3,K3-X,2026-01-03,enrolled,,,,,\n")
    assert errors(plan) == ["line 2, column credential_code: credential 'K3' does not exist or is outside your access"]


def test_who_may_import_what(session, world):
    with pytest.raises(AccessDenied, match="Viewers have read-only access"):
        run(session, world, "viewer@a", "employees", EMPLOYEES)
    with pytest.raises(AccessDenied, match="Only partnership officers and administrators import credentials"):
        run(session, world, "hr@a", "credentials", "code,title,level\nX1,X,5\n")
    with pytest.raises(AccessDenied, match="outside your access"):  # Gamma partners Uni Two only
        run(session, world, "officer@u", "employees", EMPLOYEES, employer_id=world.id("C"))
    with pytest.raises(AccessDenied, match="outside your access"):
        run(session, world, "officer@u", "credentials", "code,title,level\nX1,X,5\n", university_id=world.id("U2"))
    with pytest.raises(ImportFailed, match="Choose the employer"):
        run(session, world, "officer@u", "employees", EMPLOYEES)
    with pytest.raises(ImportFailed, match="Choose the university"):
        run(session, world, None, "credentials", "code,title,level\nX1,X,5\n")
    assert imports.kinds_for(world.scope(session, "hr@a")) == ["employees", "enrollments", "assessments",
                                                                "pdp_goals", "surveys"]
    assert imports.kinds_for(world.scope(session, "viewer@u")) == []
    plan = run(session, world, "officer@u", "employees", EMPLOYEES, employer_id=world.id("B"))
    assert plan.applied and plan.created == 2 and plan.target_name == "Beta"  # Beta's own employee 1 is updated
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "import.employees")).scalar_one()
    assert (event.actor_email, event.organization_id) == ("officer@uni-one.test", world.id("B"))
