"""Imports (services/imports/, manage.py import): reading, mapping, every validation rule with its
exact message, all-or-nothing writes, idempotent upserts, access, scale, and the real OULAD records."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
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
from db.scope import AccessDenied, Scope
from services import imports
from services.imports import ImportFailed, RowError
from tests.world import build_world

ROOT = Path(__file__).resolve().parents[2]
OULAD = ROOT / "tests" / "data" / "oulad"  # CC BY 4.0, see tests/data/README.md
DATA_TABLES = (Employee, Department, Enrollment, Cohort, Credential, CredentialSkill, Skill, SkillAssessment, Pdp,
               PdpGoal, OutcomeSurvey, EnrollmentMonthSummary)


@pytest.fixture
def world(session):
    return build_world(session)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def run(session, world, who, kind, text, *, name="file.csv", **kw):
    """Import ``text`` (str: CSV, or bytes) as ``who`` (a world user label, or None for the system scope)."""
    scope = Scope.system() if who is None else world.scope(session, who)
    data = text if isinstance(text, bytes) else csv_bytes(text)
    return imports.import_file(session, scope, kind, data, name, **kw)


def errors(plan) -> list[str]:
    return [str(e) for e in plan.errors]


def rows_of(session, model) -> list[dict]:
    session.expire_all()
    cols = model.__table__.columns
    return [dict(r._mapping) for r in session.execute(select(*cols).order_by(*model.__table__.primary_key.columns))]


def snapshot(session) -> dict:
    return {m.__name__: rows_of(session, m) for m in DATA_TABLES}


def count(session, model, *where) -> int:
    session.rollback()  # a fresh snapshot: rows written by another connection (the CLI) become visible
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


EMPLOYEES = """employee_ref,name,email,department,job_title,location,manager_ref,hired_on,left_on
1,Ann One,,Operations,,,,2020-01-01,
10,Ed Ten,ed@acme.test,Finance,Analyst,Leeds,1,2024-05-01,
11,Flo Eleven,,Finance,Analyst,York,10,2024-06-01,
"""


# --- Reading files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_encodings(encoding):
    text = "employee_ref,name,hired_on\nE1,Zoë Été-Ñúñez,2024-01-01\n"
    table = imports.read_table(text.encode(encoding), "people.csv")
    assert list(table.columns) == ["employee_ref", "name", "hired_on"]  # no BOM in the first header
    assert table.loc[2, "name"] == "Zoë Été-Ñúñez"
    assert table.attrs["encoding"] in {"utf-8": ["utf-8"], "utf-8-sig": ["utf-8-sig"], "cp1252": ["cp1252"],
                                       "latin-1": ["cp1252"], "utf-16": ["utf-16"]}[encoding]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_and_quotes(delimiter):
    text = (delimiter.join(["employee_ref", "name", "job_title", "hired_on"]) + "\r\n"
            + delimiter.join(["E1", '"One, Ann"', '"Head; ""Ops"""', "2024-01-01"]) + "\r\n")
    table = imports.read_table(text.encode(), "people.txt")
    assert table.attrs["delimiter"] == delimiter
    assert table.loc[2].tolist() == ["E1", "One, Ann", 'Head; "Ops"', "2024-01-01"]


def test_line_numbers_count_blank_rows_and_cells_are_trimmed():
    table = imports.read_table(b"employee_ref,name\n\n E1 , Ann \n,\nE2,Bo\n", "x.csv")
    assert table.index.tolist() == [3, 5]
    assert table.loc[3].tolist() == ["E1", "Ann"]


def test_broken_layout_and_other_unreadable_files():
    with pytest.raises(ImportFailed, match=r"line 3 has 3 values but the header has 2 columns"):
        imports.read_table(b"a,b\n1,2\n1,2,3\n", "x.csv")
    with pytest.raises(ImportFailed, match=r"the header 'a' appears twice \(columns 1 and 2\)"):
        imports.read_table(b"a,a\n1,2\n", "x.csv")
    with pytest.raises(ImportFailed, match="empty"):
        imports.read_table(b"", "x.csv")
    with pytest.raises(ImportFailed, match="xls"):
        imports.read_table(b"\xd0\xcf\x11\xe0", "old.xls")
    # Trailing columns with neither header nor values (spreadsheets leave them) are dropped.
    assert list(imports.read_table(b"a,b,,\n1,2,,\n", "x.csv").columns) == ["a", "b"]


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_cells_become_the_text_a_person_sees(session, world):
    data = xlsx([["Employee Ref", "Name", "Hired On", "left_on", "Location"],
                 [1001, "Xu Excel", datetime(2024, 3, 1), None, 12.5],
                 [None, None, None, None, None],
                 ["1002", "Yi Excel", date(2024, 4, 2), "2025-01-31", "Hull"]])
    table = imports.read_table(data, "people.xlsx")
    assert table.attrs["encoding"] == "xlsx" and table.index.tolist() == [2, 4]
    assert table.loc[2].tolist() == ["1001", "Xu Excel", "2024-03-01", "", "12.5"]
    plan = run(session, world, "hr@a", "employees", data, name="people.xlsx")
    assert plan.ok, errors(plan)
    assert plan.created == 2
    yi = session.execute(select(Employee).where(Employee.employee_ref == "1002")).scalar_one()
    assert (yi.employer_id, yi.hired_on, yi.left_on) == (world.id("A"), date(2024, 4, 2), date(2025, 1, 31))


@pytest.mark.parametrize("null", ["", "?", "NA", "n/a", "N/A", "null", "NULL", " ? "])
def test_null_spellings_are_missing(session, world, null):
    plan = run(session, world, "hr@a", "employees",
               f"employee_ref,name,hired_on,left_on,email\n7,Gus,2024-01-01,{null},{null}\n")
    assert plan.ok, errors(plan)
    gus = session.execute(select(Employee).where(Employee.employee_ref == "7")).scalar_one()
    assert gus.left_on is None and gus.email is None


# --- Column mapping -----------------------------------------------------------------------------------


def test_headers_match_ignoring_case_spaces_and_aliases():
    columns, errs, ignored = imports.resolve_columns(
        "employees", ["Employee Ref", "FULL-NAME", "Hire Date", "Shoe size"])
    assert columns == {"Employee Ref": "employee_ref", "FULL-NAME": "name", "Hire Date": "hired_on"}
    assert (errs, ignored) == ([], ["Shoe size"])


def test_mapping_errors_are_reported_on_line_1(session, world):
    plan = run(session, world, "hr@a", "employees", "Person,Who,Since\n1,Ann,2020-01-01\n",
               mapping={"Person": "employee_ref", "Who": "fullname", "Nope": "name"})
    assert errors(plan) == [
        "line 1, column Who: 'fullname' is not a column of employees (employee_ref, name, email, department, "
        "job_title, location, manager_ref, hired_on, left_on)",
        "line 1, column Nope: the file has no column 'Nope' to map",
        "line 1, column name: required column is missing (map a column of the file to it)",
        "line 1, column hired_on: required column is missing (map a column of the file to it)",
    ]
    plan = run(session, world, "hr@a", "employees", "ref,employee_ref,name,hired_on\n1,1,Ann,2020-01-01\n",
               mapping={"ref": "employee_ref"})
    assert errors(plan) == ["line 1, column employee_ref: both 'ref' and 'employee_ref' are mapped to employee_ref"]


def test_mapping_renames_and_ignores_and_unknown_columns_warn(session, world):
    plan = run(session, world, "hr@a", "employees",
               "Person,Who,Since,name,Shoe size\n12,Hal Twelve,2023-02-01,IGNORED,44\n",
               mapping={"Person": "employee_ref", "Who": "name", "Since": "hired_on", "name": None})
    assert plan.ok, errors(plan)
    assert plan.warnings == ["column 'name' is not a column of employees and is ignored",
                             "column 'Shoe size' is not a column of employees and is ignored"]
    hal = session.execute(select(Employee).where(Employee.employee_ref == "12")).scalar_one()
    assert (hal.full_name, hal.hired_on) == ("Hal Twelve", date(2023, 2, 1))


# --- Every validation rule, with its exact message ------------------------------------------------------

ENR = "employee_ref,credential_code,cohort,enrolled_on,status,completed_on,withdrawn_on,score,cost,sponsor\n"
# (kind, user, file, expected errors)
RULES = [
    ("employees", "hr@a", "employee_ref,name,hired_on\n20,,2024-01-01\n", ["line 2, column name: a value is required"]),
    ("employees", "hr@a", f"employee_ref,name,hired_on\n{'x' * 65},Long,2024-01-01\n",
     ["line 2, column employee_ref: is 65 characters long; at most 64 are allowed"]),
    ("employees", "hr@a", "employee_ref,name,hired_on\n20,Di,05/01/2026\n",
     ["line 2, column hired_on: '05/01/2026' is not a date (use YYYY-MM-DD)"]),
    ("employees", "hr@a", "employee_ref,name,hired_on\n20,Di,2026-02-30\n",
     ["line 2, column hired_on: '2026-02-30' is not a date (use YYYY-MM-DD)"]),
    ("employees", "hr@a", "employee_ref,name,hired_on,email\n20,Di,2024-01-01,di.example.com\n",
     ["line 2, column email: 'di.example.com' is not an email address"]),
    ("employees", "hr@a", "employee_ref,name,hired_on,left_on\n20,Di,2024-01-01,2023-12-31\n",
     ["line 2, column left_on: left_on 2023-12-31 is before hired_on 2024-01-01"]),
    ("employees", "hr@a", "employee_ref,name,hired_on\n20,Di,2024-01-01\n21,Ed,2024-01-01\n20,Di again,2024-01-01\n",
     ["line 4, column employee_ref: employee_ref '20' is also on line 2"]),
    ("employees", "hr@a", "employee_ref,name,hired_on,manager_ref\n20,Di,2024-01-01,20\n21,Ed,2024-01-01,99\n",
     ["line 2, column manager_ref: an employee cannot be their own manager",
      "line 3, column manager_ref: '99' is not an employee of Acme nor in this file"]),
    ("enrollments", "hr@a", ENR + "2,K1,K1-26Q1,2026-01-03,done,,,,,\n",
     ["line 2, column status: 'done' is not a status (enrolled, in_progress, completed, failed, withdrawn)"]),
    ("enrollments", "hr@a", ENR + "9,K1,K1-26Q1,2026-01-03,enrolled,,,,,\n",
     ["line 2, column employee_ref: '9' is not an employee of Acme"]),
    ("enrollments", "hr@a", ENR + "2,K3,K3-X,2026-01-03,enrolled,,,,,\n",  # K3 is Beta's co-design draft
     ["line 2, column credential_code: credential 'K3' does not exist or is outside your access"]),
    ("enrollments", "hr@a", ENR + "2,K1,K1-27Q1,2026-01-03,enrolled,,,,,\n",
     ["line 2, column cohort: cohort 'K1-27Q1' does not exist for credential 'K1'"]),
    ("enrollments", "hr@a", ENR + "2,K1,K4-25Q1,2026-01-03,enrolled,,,,,\n",  # a cohort of another credential
     ["line 2, column cohort: cohort 'K4-25Q1' does not exist for credential 'K1'"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,completed,,,,,\n",
     ["line 2, column completed_on: a completed enrollment needs completed_on"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,failed,2025-01-02,,,,\n",
     ["line 2, column completed_on: completed_on is before enrolled_on"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,withdrawn,,,,,\n",
     ["line 2, column withdrawn_on: a withdrawn enrollment needs withdrawn_on"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,withdrawn,,2025-01-01,,,\n",
     ["line 2, column withdrawn_on: withdrawn_on is before enrolled_on"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,in_progress,2025-03-01,2025-02-01,,,\n",
     ["line 2, column completed_on: an enrollment with status in_progress cannot have completed_on",
      "line 2, column withdrawn_on: an enrollment with status in_progress cannot have withdrawn_on"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,completed,2025-03-01,,100.5,-5,boss\n",
     ["line 2, column score: 100.5 is not between 0 and 100", "line 2, column cost: -5 is negative",
      "line 2, column sponsor: 'boss' is not a sponsor (employer, employee, university, public_fund)"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,enrolled,,,,12.345,\n",
     ["line 2, column cost: 12.345 has more than 2 decimal places"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,enrolled,,,,\"1,200\",\n",
     ["line 2, column cost: '1,200' is not a number (digits and a '.' only)"]),
    ("enrollments", "hr@a", ENR + "1,K4,K4-25Q1,2025-01-03,enrolled,,,,,\n1,K4,K4-25Q1,2025-01-04,enrolled,,,,,\n",
     ["line 3, column employee_ref: the enrollment of '1' in 'K4' cohort 'K4-25Q1' is also on line 2"]),
    # An existing enrollment only moves forward (a1 completed K1; a2 is in progress in K1).
    ("enrollments", "hr@a", ENR + "1,K1,K1-26Q1,2026-01-02,in_progress,,,,,\n",
     ["line 2, column status: status cannot change from 'completed' to 'in_progress' (an enrollment only moves "
      "forward: enrolled → in_progress → completed, failed or withdrawn)"]),
    # Cohort dates given for an existing cohort must be its dates; a new cohort's end is not before its start.
    ("enrollments", "officer@u", "employee_ref,credential_code,cohort,enrolled_on,status,cohort_start,cohort_end\n"
     "2,K1,K1-26Q1,2026-01-03,in_progress,2026-01-11,2026-04-30\n1,K2,K2-NEW,2026-01-03,enrolled,2026-02-01,2026-01-01\n"
     "1,K2,K2-OTHER,2026-01-03,enrolled,,\n",
     ["line 2, column cohort_start: cohort 'K1-26Q1' of 'K1' runs 2026-01-10 to 2026-04-30, not 2026-01-11 to "
      "2026-04-30",
      "line 3, column cohort_end: cohort_end 2026-01-01 is before cohort_start 2026-02-01",
      "line 4, column cohort: cohort 'K2-OTHER' does not exist for credential 'K2' (give cohort_start and "
      "cohort_end to create it)"]),
    ("assessments", "hr@a", "employee_ref,skill,level,assessed_on,source\n1,juggling,6,2026-02-01,peer\n",
     ["line 2, column skill: skill 'juggling' is not in the skills vocabulary",
      "line 2, column level: 6 is not between 0 and 5",
      "line 2, column source: 'peer' is not a source (self, manager, assessment)"]),
    ("pdp_goals", "hr@a", "employee_ref,period,title,skill,target_level,credential_code,due_on,status\n"
     "1,2026,Nothing,,,,2026-12-31,planned\n1,2026,Level only,,3,,2026-12-31,\n1,2026,Bad,,,K6,2026-12-31,done\n",
     ["line 2, column skill: a goal needs a skill, a credential_code, or both",
      "line 3, column skill: a goal needs a skill, a credential_code, or both",
      "line 3, column target_level: a target_level needs a skill",
      "line 4, column credential_code: credential 'K6' does not exist or is outside your access",
      "line 4, column status: 'done' is not a goal status (planned, in_progress, achieved, dropped)"]),
    ("surveys", "hr@a", "employee_ref,credential_code,cohort,surveyed_on,performance_before,performance_after,"
     "satisfaction_before,satisfaction_after\n3,K1,K1-26Q1,2026-06-01,3,x,0,5\n",
     ["line 2, column cohort: '3' has no enrollment in 'K1' cohort 'K1-26Q1'",
      "line 2, column performance_after: 'x' is not a whole number",
      "line 2, column satisfaction_before: 0 is not between 1 and 5"]),
    ("credentials", "officer@u", "code,title,level,credits,skills\nK 9,Bad code,9,2.25,analyse big data:7\n"
     "K6,Other uni,5,,\n",
     ["line 2, column code: 'K 9' is not a code: use letters, digits, '.', '_' and '-', "
      "starting with a letter or digit",
      "line 2, column level: 9 is not between 1 and 8",
      "line 2, column credits: 2.25 has more than 1 decimal place",
      "line 2, column skills: '7' is not a proficiency for skill 'analyse big data' (1 to 5)",
      "line 3, column code: code 'K6' is used by another university's credential"]),
    ("credentials", "officer@u", "code,title,level\nK1,Credential K1 renamed,5\n",
     ["line 2, column code: credential 'K1' is published: an import changes only draft credentials (change it on "
      "the Co-design page)"]),
]


@pytest.mark.parametrize("kind,who,text,expected", RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_every_rule_reports_line_column_and_reason_and_writes_nothing(session, world, kind, who, text, expected):
    before = snapshot(session)
    kw = {"employer_id": world.id("A")} if who.startswith("officer") and kind != "credentials" else {}
    plan = run(session, world, who, kind, text, **kw)
    assert errors(plan) == expected
    assert not plan.applied and snapshot(session) == before


FUTURE = [
    ("employees", "employee_ref,name,hired_on\n20,Di,2099-01-01\n", "hired_on", "2099-01-01"),
    ("enrollments", ENR + "2,K1,K1-26Q1,2099-01-01,in_progress,,,,,\n", "enrolled_on", "2099-01-01"),
    ("assessments", "employee_ref,skill,level,assessed_on\n1,analyse big data,3,2026-12-02\n", "assessed_on",
     "2026-12-02"),
]


@pytest.mark.parametrize("kind,text,column,day", FUTURE, ids=[row[0] for row in FUTURE])
def test_dates_of_what_has_happened_cannot_be_in_the_future(session, world, monkeypatch, kind, text, column, day):
    monkeypatch.setenv("AS_OF_DATE", "2026-12-01")
    before = snapshot(session)
    plan = run(session, world, "hr@a", kind, text)
    assert errors(plan) == [f"line 2, column {column}: '{day}' is in the future: {column} records what has "
                            "happened, so it is at most today (2026-12-01)"]
    assert not plan.applied and snapshot(session) == before


def test_due_dates_may_be_in_the_future(session, world, monkeypatch):
    monkeypatch.setenv("AS_OF_DATE", "2026-12-01")
    plan = run(session, world, "hr@a", "pdp_goals", "employee_ref,period,title,skill,due_on\n"
                                                    "1,2027,Lead,lead a team,2027-06-30\n")
    assert errors(plan) == []


def test_empty_file_is_an_error(session, world):
    assert errors(run(session, world, "hr@a", "employees", "employee_ref,name,hired_on\n")) == [
        "line 2: the file has no data rows"]


def test_one_bad_row_among_many_writes_nothing(session, world):
    rows = [f"E{i},Person {i},Dept {i % 7},2024-01-01" for i in range(3000)]
    rows[1733] = "E1733,Person 1733,Dept 4,2024-02-31"
    before = snapshot(session)
    version = data_version(session)
    events = count(session, AuditEvent)
    plan = run(session, world, "hr@a", "employees", "employee_ref,name,department,hired_on\n" + "\n".join(rows))
    assert errors(plan) == ["line 1735, column hired_on: '2024-02-31' is not a date (use YYYY-MM-DD)"]
    assert plan.summary() == "1 problem in 3,000 rows; nothing was written."
    assert snapshot(session) == before and data_version(session) == version and count(session, AuditEvent) == events


def test_a_failure_while_writing_rolls_everything_back(session, world, monkeypatch):
    """All or nothing also when the database fails half-way: one transaction."""
    before = snapshot(session)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports.summaries, "refresh", boom)
    with pytest.raises(RuntimeError):
        run(session, world, "hr@a", "employees", EMPLOYEES)
    assert snapshot(session) == before


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


# --- The command line ---------------------------------------------------------------------------------


def test_cli_exit_codes_dry_run_and_errors(session, world, db_url, monkeypatch, tmp_path, capsys):
    import manage

    monkeypatch.setenv("DATABASE_URL", db_url)
    good = tmp_path / "people.csv"
    good.write_bytes(csv_bytes("Person;Who;Since\n10;Ed Ten;2024-05-01\n11;Flo;2024-06-01\n", "cp1252"))
    args = ["import", "employees", str(good), "--employer", "acme", "--map", "Person=employee_ref",
            "--map=Who=name", "--map", "Since=hired_on"]
    assert manage.main([*args, "--dry-run"]) == 0
    assert "Dry run, nothing written: employees from people.csv into Acme: Would create 2, update 0, leave 0 " \
           "unchanged (2 rows)." in capsys.readouterr().out
    assert count(session, Employee, Employee.employee_ref == "10") == 0
    assert manage.main(args) == 0
    assert "Created 2, updated 0, left 0 unchanged (2 rows)" in capsys.readouterr().out
    assert count(session, Employee, Employee.employer_id == world.id("A")) == 5
    assert manage.main(args) == 0
    assert "Nothing changed: all 2 rows are already up to date." in capsys.readouterr().out

    bad = tmp_path / "enrollments.csv"
    bad.write_text(ENR + "10,K1,K1-26Q1,2026-01-03,enrolled,,,,,\n10,K1,K4-25Q1,2026-01-03,done,,,,,\n")
    assert manage.main(["import", "enrollments", str(bad), "--as", "hr@acme.test"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "enrollments.csv: 2 problems in 2 rows; nothing was written.",
        "  line 3, column cohort: cohort 'K4-25Q1' does not exist for credential 'K1'",
        "  line 3, column status: 'done' is not a status (enrolled, in_progress, completed, failed, withdrawn)",
    ]
    assert count(session, Enrollment, Enrollment.employee_id.in_(
        select(Employee.id).where(Employee.employee_ref == "10"))) == 0

    # An HR manager cannot import into another employer from the command line either.
    assert manage.main(["import", "employees", str(good), "--employer", "BETA", "--as", "hr@acme.test",
                        "--map", "Person=employee_ref", "--map=Who=name", "--map", "Since=hired_on"]) == 1
    assert "outside your access" in capsys.readouterr().err
    assert count(session, Employee, Employee.employer_id == world.id("B")) == 2
    assert manage.main(["import", "employees", str(good)]) == 1  # system scope: which employer?
    assert "--employer" in capsys.readouterr().err


# --- Scale --------------------------------------------------------------------------------------------


def test_100000_enrollment_rows(session, world):
    """100,000 rows in one file, in well under a minute (bulk statements, not one ORM object per row)."""
    n_people, codes = 20_000, ["K1", "K2", "K3", "K4", "K5"]
    people = "employee_ref,name,department,hired_on\n" + "".join(
        f"P{i:05d},Person {i},Dept {i % 40},2020-01-01\n" for i in range(n_people))
    assert run(session, world, None, "employees", people, employer_id=world.id("B")).created == n_people
    statuses = ["enrolled", "in_progress", "completed", "failed", "withdrawn"]
    lines = ["employee_ref,credential_code,cohort,enrolled_on,status,completed_on,withdrawn_on,score,cost,"
             "cohort_start,cohort_end"]
    want = dict.fromkeys(statuses, 0)
    for i in range(n_people):
        for k, code in enumerate(codes):
            status = statuses[(i + k) % 5]
            want[status] += 1
            done = "2025-05-01" if status in ("completed", "failed") else ""
            gone = "2025-03-01" if status == "withdrawn" else ""
            score = f"{(i * 7 + k) % 101}" if done else ""
            lines.append(f"P{i:05d},{code},{code}-BIG,2025-01-0{k + 1},{status},{done},{gone},{score},"
                         f"{(i % 9) * 100}.50,2025-01-01,2025-06-30")
    data = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    plan = run(session, world, None, "enrollments", data, employer_id=world.id("B"))
    seconds = time.perf_counter() - started
    assert plan.ok, errors(plan)[:5]
    assert (plan.created, plan.also_created) == (100_000, {"cohorts": 5})
    assert seconds < 60, f"{seconds:.1f} s for 100,000 rows"
    got = dict(session.execute(select(Enrollment.status, func.count())
                               .join(Employee, Employee.id == Enrollment.employee_id)
                               .where(Employee.employee_ref.like("P%")).group_by(Enrollment.status)).all())
    assert got == want
    print(f"\n100,000 enrollments: {seconds:.1f} s, {100_000 / seconds:,.0f} rows/s")
    # Again, with one cost changed: one update, the rest unchanged.
    one = lines[1 + 12345 * 5]
    assert one.startswith("P12345,K1,K1-BIG,2025-01-01,enrolled,,,,600.50,")
    changed = data.replace(one.encode(), one.replace(",600.50,", ",601.50,").encode())
    again = run(session, world, None, "enrollments", changed, employer_id=world.id("B"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 99_999)


# --- Documentation in step with the code --------------------------------------------------------------


def test_docs_list_every_column_of_every_kind():
    doc = (ROOT / "docs" / "imports.md").read_text()
    sections = re.split(r"^### ", doc, flags=re.M)[1:]
    by_kind = {s.split()[0]: s for s in sections}
    assert set(by_kind) == set(imports.KINDS)
    for kind, spec in imports.KINDS.items():
        for c in spec.columns:
            assert f"`{c.name}`" in by_kind[kind], (kind, c.name)
            for alias in c.aliases:
                assert f"`{alias}`" in by_kind[kind], (kind, alias)


def test_templates_import_cleanly(session, world):
    """Each kind's template (headers + example row) is a valid file for that kind, apart from references."""
    for kind in imports.KINDS:
        table = imports.read_table(imports.template(kind).to_csv(index=False).encode(), f"{kind}.csv")
        columns, errs, ignored = imports.resolve_columns(kind, table.columns)
        assert not errs and not ignored and set(columns.values()) == {c.name for c in imports.KINDS[kind].columns}


# --- The real records: OULAD ----------------------------------------------------------------------------


def test_oulad_records_through_the_documented_path(session, world, db_url, monkeypatch, tmp_path, capsys):
    """The three OULAD CSVs → services/oulad.py → `manage.py import` with --map: the counts per status and per
    credential equal an independent pandas count over the raw files."""
    import manage
    from db.models import Organization, Partnership
    from services import oulad

    ou = Organization(code="OU", name="Open University", kind="university")
    oul = Organization(code="OUL", name="OU Learners", kind="employer")
    session.add_all([ou, oul])
    session.flush()
    session.add(Partnership(university_id=ou.id, employer_id=oul.id, starts_on=date(2013, 1, 1)))
    session.commit()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert manage.main(["oulad", str(OULAD), "--out", str(tmp_path)]) == 0
    printed = [line.split()[3:] for line in capsys.readouterr().out.splitlines() if "manage.py import" in line]
    for kind, args in zip(oulad.ORDER, printed, strict=True):
        assert args[0] == kind
        target = ["--university", "OU"] if kind == "credentials" else ["--employer", "OUL"]
        argv = ["import", kind, args[1], *target, *[a for a in args[2:] if a.startswith("--map=")]]
        assert manage.main(argv) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "Created 32,593, updated 0, left 0 unchanged (32,593 rows; new cohorts: 22)" in out

    # Independent count over the raw files (pandas only, no import code).
    info = pd.read_csv(OULAD / "studentInfo.csv")
    status = info["final_result"].map({"Pass": "completed", "Distinction": "completed", "Fail": "failed",
                                       "Withdrawn": "withdrawn"})
    session.rollback()
    mine = (select(Enrollment.status, Credential.code, func.count())
            .join(Credential, Credential.id == Enrollment.credential_id)
            .join(Employee, Employee.id == Enrollment.employee_id).where(Employee.employer_id == oul.id)
            .group_by(Enrollment.status, Credential.code))
    got = pd.DataFrame(session.execute(mine).all(), columns=["status", "code", "n"])
    assert got.groupby("status")["n"].sum().to_dict() == status.value_counts().to_dict()
    assert got.groupby("code")["n"].sum().to_dict() == info["code_module"].value_counts().to_dict()
    assert got.set_index(["code", "status"])["n"].sort_index().to_dict() == \
        pd.DataFrame({"code": info["code_module"], "status": status}).value_counts().sort_index().to_dict()
    assert count(session, Employee, Employee.employer_id == oul.id) == info["id_student"].nunique()
    assert count(session, Cohort, Cohort.credential_id.in_(
        select(Credential.id).where(Credential.university_id == ou.id))) == len(pd.read_csv(OULAD / "courses.csv"))
    # Missing registration days ('?') took the documented fallback; the withdrawn date follows the unregistration.
    reg = pd.read_csv(OULAD / "studentRegistration.csv", na_values="?").merge(
        info, on=["code_module", "code_presentation", "id_student"])
    row = reg[reg["date_registration"].isna() & reg["date_unregistration"].notna()
              & (reg["final_result"] == "Withdrawn")].iloc[0]
    enrollment = session.execute(select(Enrollment.enrolled_on, Enrollment.withdrawn_on, Enrollment.status)
                                 .join(Employee, Employee.id == Enrollment.employee_id)
                                 .join(Cohort, Cohort.id == Enrollment.cohort_id)
                                 .join(Credential, Credential.id == Enrollment.credential_id)
                                 .where(Employee.employer_id == oul.id,
                                        Employee.employee_ref == str(row["id_student"]),
                                        Cohort.code == row["code_presentation"],
                                        Credential.code == row["code_module"])).one()
    start = date(int(row["code_presentation"][:4]), 2 if row["code_presentation"][4] == "B" else 10, 1)
    unreg = start + timedelta(days=int(row["date_unregistration"]))
    assert enrollment.enrolled_on == min(start, unreg) and enrollment.withdrawn_on == unreg \
        and enrollment.status == "withdrawn"
    # And the second time, nothing changes.
    enrollments_args = ["import", "enrollments", str(tmp_path / "enrollments.csv"), "--employer", "OUL",
                        *oulad.map_options("enrollments")]
    assert manage.main(enrollments_args) == 0
    assert "Nothing changed: all 32,593 rows are already up to date." in capsys.readouterr().out


def test_row_error_text():
    assert str(RowError(7, "status", "'done' is not a status")) == "line 7, column status: 'done' is not a status"
    assert str(RowError(2, None, "the file has no data rows")) == "line 2: the file has no data rows"
