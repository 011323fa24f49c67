"""Imports (services/imports/, manage.py import): the command line, scale, the docs and templates in step
with the code, and the real OULAD records."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from db.models import (
    Cohort,
    Credential,
    Employee,
    Enrollment,
)
from services import imports
from services.imports import RowError
from tests.services import imports_helpers
from tests.services.imports_helpers import ENR, count, csv_bytes, errors, run

world = imports_helpers.world  # the shared fixture, bound here so pytest finds it

ROOT = Path(__file__).resolve().parents[2]
OULAD = ROOT / "tests" / "data" / "oulad"  # CC BY 4.0, see tests/data/README.md


# --- The command line ---------------------------------------------------------------------------------


def test_cli_exit_codes_dry_run_and_errors(session, world, db_url, monkeypatch, tmp_path, capsys):
    import manage

    monkeypatch.setenv("DATABASE_URL", db_url)
    good = tmp_path / "people.csv"
    good.write_bytes(csv_bytes("Person;Who;Since\n10;Ed Ten;2024-05-01\n11;Flo;2024-06-01\n", "cp1252"))
    args = ["import", "employees", str(good), "--employer", "acme", "--map", "Person=employee_ref",
            "--map=Who=name", "--map", "Since=hired_on"]
    acme_people = count(session, Employee, Employee.employer_id == world.id("A"))
    beta_people = count(session, Employee, Employee.employer_id == world.id("B"))
    assert manage.main([*args, "--dry-run"]) == 0
    assert "Dry run, nothing written: employees from people.csv into Acme: Would create 2, update 0, leave 0 " \
           "unchanged (2 rows)." in capsys.readouterr().out
    assert count(session, Employee, Employee.employee_ref == "10") == 0
    assert manage.main(args) == 0
    assert "Created 2, updated 0, left 0 unchanged (2 rows)" in capsys.readouterr().out
    assert count(session, Employee, Employee.employer_id == world.id("A")) == acme_people + 2
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
    assert count(session, Employee, Employee.employer_id == world.id("B")) == beta_people
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
