"""AppTest of the Import data page: HR manager and officer flows, errors, mapping, access."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Cohort, Employee, Enrollment
from services import imports
from services.formatting import fmt
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it

PAGE = "pages/imports.py"


def open_page(email: str):
    at = app_as(email).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def labels(at) -> list[str]:
    return [b.label for b in at.button]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_hr_manager_maps_columns_previews_and_imports(app_db, session):
    at = open_page("hr@acme.test")
    assert at.title[0].value == "Import data"
    assert at.selectbox(key="imp_kind").options == ["Employees", "Enrollments", "Skill assessments", "PDP goals",
                                                    "Outcome surveys"]  # no credentials for the employer side
    assert at.text_input[0].value == "Acme" and at.text_input[0].disabled
    assert [d.label for d in at.get("download_button")] == ["Download CSV", "Download Excel"]  # the template

    upload = "Employee Ref;Full Name;Dept;Start\n7;Zoë Neu;Finance;2025-02-01\n8;Ödön Acht;Finance;2025-03-01\n"
    at.file_uploader(key="imp_file").set_value(("hris export.csv", upload.encode("cp1252"), "text/csv")).run()
    assert not at.exception
    # "Start" matches nothing: the required hired_on column is missing until it is mapped (the rows wait).
    assert at.error[0].value.startswith("1 problem in the header (its rows were not read); nothing was written.")
    problems = at.dataframe[-1].value
    assert problems.to_dict("records") == [
        {"line": 1, "column": "hired_on", "problem": "required column is missing (map a column of the file to it)"}]
    assert "Import" not in labels(at)

    at.selectbox(key="imp_map_employees_2").select("department")
    at.selectbox(key="imp_map_employees_3").select("hired_on").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metrics(at) == {"To create": "2", "To update": "0", "Unchanged": "0"}
    preview = at.dataframe[-1].value
    assert preview[["line", "action", "key"]].values.tolist() == [[2, "create", "7"], [3, "create", "8"]]

    button(at, "Import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "Created 2, updated 0, left 0 unchanged (2 rows; new departments: 1)."
    session.expire_all()
    zoe = session.execute(select(Employee).where(Employee.employee_ref == "7")).scalar_one()
    assert (zoe.full_name, zoe.employer_id, zoe.hired_on) == ("Zoë Neu", app_db.id("A"), date(2025, 2, 1))
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "import.employees")).scalar_one()
    assert event.actor_email == "hr@acme.test" and json.loads(event.after)["filename"] == "hris export.csv"

    # The same file, checked again: nothing to change.
    at.run()
    assert metrics(at) == {"To create": "0", "To update": "0", "Unchanged": "2"}
    assert "Nothing to change" in at.info[0].value


def test_bad_rows_list_every_problem_and_offer_no_import(app_db, session):
    at = open_page("hr@acme.test")
    at.selectbox(key="imp_kind").select("enrollments").run()
    text = ("employee_ref,credential_code,cohort,enrolled_on,status,completed_on\n"
            "2,K1,K1-26Q1,2026-01-03,completed,2026-04-01\n"
            "1,K1,K1-26Q1,2026-01-02,done,\n"
            "b1,K6,K6-26Q1,2026-01-02,enrolled,\n")
    at.file_uploader(key="imp_file").set_value(("lms.csv", text.encode(), "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("3 problems in 3 rows; nothing was written.")
    assert at.dataframe[-1].value.values.tolist() == [
        [3, "status", "'done' is not a status (enrolled, in_progress, completed, failed, withdrawn)"],
        [4, "employee_ref", "'b1' is not an employee of Acme"],
        [4, "credential_code", "credential 'K6' does not exist or is outside your access"],
    ]
    assert "Import" not in labels(at)
    session.expire_all()
    assert session.get(Enrollment, app_db.id("E-a2-K1")).status == "in_progress"


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_officer_chooses_the_employer_and_imports_an_excel_file(app_db, session):
    at = open_page("officer@uni-one.test")
    assert "Credentials" in at.selectbox(key="imp_kind").options
    at.selectbox(key="imp_kind").select("enrollments").run()
    employer = at.selectbox(key="imp_employer")
    assert employer.options == ["Acme", "Beta"]  # Gamma partners another university
    data = xlsx([["Employee", "Credential", "Cohort", "Enrolled", "Status", "cohort_start", "cohort_end"],
                 ["2", "K3", "K3-26Q3", date(2026, 7, 1), "Enrolled", date(2026, 7, 1), date(2026, 9, 30)]])
    at.file_uploader(key="imp_file").set_value(("lms.xlsx", data, "application/octet-stream")).run()
    assert not at.error and "Import" not in labels(at)  # no employer chosen yet: nothing is checked
    at.selectbox(key="imp_employer").select(app_db.id("B")).run()
    at.selectbox(key="imp_map_enrollments_0").select("employee_ref")
    at.selectbox(key="imp_map_enrollments_1").select("credential_code")
    at.selectbox(key="imp_map_enrollments_3").select("enrolled_on").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metrics(at) == {"To create": "1", "To update": "0", "Unchanged": "0"}
    button(at, "Import").click().run()
    assert at.success[0].value == "Created 1, updated 0, left 0 unchanged (1 row; new cohorts: 1)."
    session.expire_all()
    cohort = session.execute(select(Cohort).where(Cohort.code == "K3-26Q3")).scalar_one()
    enrolled = session.execute(select(func.count()).select_from(Enrollment).where(
        Enrollment.cohort_id == cohort.id, Enrollment.employee_id == app_db.id("b2"))).scalar_one()
    assert enrolled == 1
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "import.enrollments")).scalar_one()
    assert (event.actor_email, event.organization_id) == ("officer@uni-one.test", app_db.id("B"))


def test_large_file_and_credentials_as_admin(app_db, session):
    at = open_page("admin@uni-one.test")
    at.selectbox(key="imp_kind").select("employees").run()
    at.selectbox(key="imp_employer").select(app_db.id("C")).run()
    text = "employee_ref,name,hired_on\n" + "".join(f"G{i},Person {i},2024-01-01\n" for i in range(2500))
    at.file_uploader(key="imp_file").set_value(("big.csv", text.encode(), "text/csv")).run()
    assert not at.exception and metrics(at)["To create"] == "2,500"
    button(at, "Import").click().run()
    assert at.success[0].value.startswith("Created 2,500")

    at.selectbox(key="imp_kind").select("credentials").run()
    at.file_uploader(key="imp_file").set_value(("cat.csv", b"code,title,level\nNEW-2,Two,4\n", "text/csv")).run()
    assert "Import" not in labels(at)  # the university is chosen first
    at.selectbox(key="imp_university").select(app_db.id("U")).run()
    button(at, "Import").click().run()
    assert at.success[0].value == "Created 1, updated 0, left 0 unchanged (1 row)."


def test_a_file_in_another_encoding_or_over_a_limit_shows_why_and_offers_no_import(app_db, session, monkeypatch):
    at = open_page("hr@acme.test")
    japanese = "employee_ref,name,hired_on\n7,田中太郎,2025-02-01\n8,鈴木花子,2025-03-01\n".encode("shift_jis")
    with pytest.raises(imports.ImportFailed) as refused:
        imports.read_table(japanese, "people.csv")
    at.file_uploader(key="imp_file").set_value(("people.csv", japanese, "text/csv")).run()
    assert not at.exception
    assert [error.value for error in at.error] == [md(refused.value)]
    assert "Save the file as UTF" in at.error[0].value and "Import" not in labels(at)

    monkeypatch.setenv("IMPORT_MAX_ROWS", "1")
    at.file_uploader(key="imp_file").set_value(("people.csv", japanese.decode("shift_jis").encode(), "text/csv"))
    at.run()
    assert [error.value for error in at.error] == [md(
        "The file has more than 1 row after the header (empty rows count too), the most one import takes "
        "(IMPORT_MAX_ROWS): split it into files of at most 1 row and import them one by one.")]
    assert "Import" not in labels(at)
    session.expire_all()
    assert session.execute(select(func.count()).select_from(Employee).where(Employee.employee_ref.in_(["7", "8"]))
                           ).scalar_one() == 0


def test_viewers_have_no_import_page(app_db):
    at = app_as("viewer@acme.test").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def shown(text: str) -> str:
    return fmt(text, "text")  # the one formatter's text (an empty cell included)


def reference(at):
    """The column reference table on the page, as shown."""
    return next(table.value for table in at.table if "Also accepted" in table.value.columns)


@pytest.mark.parametrize("email", ["hr@acme.test", "admin@uni-one.test"])
def test_column_reference_of_every_kind_is_on_the_page_and_matches_the_import_rules(app_db, email):
    """The reference users read in the app is the specification the import validates with."""
    at = open_page(email)
    assert "docs/imports.md" not in " ".join(caption.value for caption in at.caption)
    expander = next(section for section in at.expander if section.label.startswith("Column reference"))
    assert expander.proto.expanded  # open while no file is chosen
    titles = at.selectbox(key="imp_kind").options
    kinds = [name for name, spec in imports.KINDS.items() if spec.title in titles]
    assert len(kinds) == len(titles)
    for kind in kinds:
        spec = imports.KINDS[kind]
        at.selectbox(key="imp_kind").select(kind).run()
        assert not at.exception, at.exception
        ref = reference(at)
        assert list(ref.columns) == ["Column", "Required", "Format", "Also accepted", "Example",
                                     "Default for new records", "Meaning"]
        columns = spec.columns
        assert ref["Column"].tolist() == [column.name for column in columns], kind
        assert ref["Required"].tolist() == ["yes" if column.required else "no" for column in columns], kind
        assert ref["Also accepted"].tolist() == [shown(", ".join(column.aliases)) for column in columns], kind
        assert ref["Format"].tolist() == [column.format for column in columns], kind
        assert ref["Example"].tolist() == [shown(column.example) for column in columns], kind
        assert ref["Meaning"].tolist() == [shown(column.help) for column in columns], kind
        assert any(" + ".join(spec.key) in caption.value for caption in at.caption), kind
