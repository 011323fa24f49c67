"""Imports (services/imports/): reading files, column mapping, and every validation rule with its exact
message, all-or-nothing writes."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from db.engine import data_version
from db.models import (
    AuditEvent,
    Employee,
)
from services import imports
from services.imports import ImportFailed
from tests.services import imports_helpers
from tests.services.imports_helpers import EMPLOYEES, ENR, count, errors, run, snapshot

world = imports_helpers.world  # the shared fixture, bound here so pytest finds it


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
    ("credentials", "officer@u", "code,title,level,issuer_country,assessment_supervision,stackability\n"
     "NEW-2,New one,5,XX,sometimes,Stackable\n",
     ["line 2, column issuer_country: Country or region of the issuer: XX is not an ISO 3166 country or region code "
      "(e.g. IE for Ireland, ES-CT for Catalonia).",
      "line 2, column assessment_supervision: Supervision and identity verification must be one of: Unsupervised, "
      "no identity check, Supervised, no identity check, Supervised, with identity check."]),
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
