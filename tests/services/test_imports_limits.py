"""Imports within limits (services/imports/limits.py, reading.py): the header checked before any row is
read, rows, file size and an Excel file's unpacked size capped, and a file over a limit refused with the
limit named; and encodings (encodings.py): a CSV in an encoding other than UTF-8 or Western European is
refused, never stored as mojibake."""

from __future__ import annotations

import csv
import io
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from sqlalchemy import select

from db.models import Employee
from services import imports
from services.imports import ImportFailed, limits, reading
from tests.services import imports_helpers
from tests.services.imports_helpers import csv_bytes, errors, run, snapshot

world = imports_helpers.world  # the shared fixture, bound here so pytest finds it

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = "employee_ref,name,hired_on\n"


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def excel_rows_read(monkeypatch) -> list[int]:
    """How many sheet rows openpyxl has built so far (one per row read)."""
    built = [0]
    original = ReadOnlyWorksheet._get_row

    def counting(self, *args, **kwargs):
        built[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", counting)
    return built


@pytest.fixture
def csv_rows_read(monkeypatch) -> list[int]:
    """How many CSV records the reader has parsed so far."""
    parsed = [0]
    original = csv.reader

    def counting(source, *args, **kwargs):
        if isinstance(source, list):  # the delimiter's check of the first line
            yield from original(source, *args, **kwargs)
            return
        for row in original(source, *args, **kwargs):
            parsed[0] += 1
            yield row

    monkeypatch.setattr(reading.csv, "reader", counting)
    return parsed


# --- The header before the rows -------------------------------------------------------------------------


def test_an_excel_file_missing_a_required_column_is_refused_on_its_header(session, world, excel_rows_read):
    data = xlsx([["employee_ref", "name"], *([f"E{i}", f"Person {i}"] for i in range(3000))])
    before = snapshot(session)
    plan = run(session, world, "hr@a", "employees", data, name="people.xlsx")
    assert errors(plan) == ["line 1, column hired_on: required column is missing (map a column of the file to it)"]
    assert plan.summary() == "1 problem in the header (its rows were not read); nothing was written."
    assert excel_rows_read[0] == 1  # the header row only, not the 3,000 after it
    assert snapshot(session) == before


def test_a_csv_header_is_checked_with_its_mapping_before_the_row_limit(session, world, monkeypatch,
                                                                         csv_rows_read):
    monkeypatch.setenv("IMPORT_MAX_ROWS", "10")
    text = "Person,Who,Since\n" + "".join(f"{i},Person {i},2024-01-01\n" for i in range(1000))
    plan = run(session, world, "hr@a", "employees", text, mapping={"Person": "employee_ref", "Who": "name"})
    assert errors(plan) == ["line 1, column hired_on: required column is missing (map a column of the file to it)"]
    assert csv_rows_read[0] == 1
    # With the header right, the rows are read, and the eleventh row is one too many.
    with pytest.raises(ImportFailed, match=r"more than 10 rows after the header"):
        run(session, world, "hr@a", "employees", text,
            mapping={"Person": "employee_ref", "Who": "name", "Since": "hired_on"})
    assert csv_rows_read[0] == 1 + 1 + 11


# --- Rows, size, unpacked size ----------------------------------------------------------------------------


def test_rows_over_the_limit_are_refused_as_soon_as_the_limit_is_passed(session, world, monkeypatch,
                                                                        csv_rows_read, excel_rows_read):
    monkeypatch.setenv("IMPORT_MAX_ROWS", "100")
    rows = [[f"E{i}", f"Person {i}", "2024-01-01"] for i in range(5000)]
    before = snapshot(session)
    with pytest.raises(ImportFailed) as refused:
        run(session, world, "hr@a", "employees", PEOPLE + "".join(",".join(row) + "\n" for row in rows))
    assert str(refused.value) == ("The file has more than 100 rows after the header (empty rows count too), the "
                                  "most one import takes (IMPORT_MAX_ROWS): split it into files of at most 100 rows "
                                  "and import them one by one.")
    assert csv_rows_read[0] == 102  # the header, 100 rows, and the one over the limit
    with pytest.raises(ImportFailed, match=r"more than 100 rows after the header"):
        run(session, world, "hr@a", "employees", xlsx([PEOPLE.split(","), *rows]), name="people.xlsx")
    assert excel_rows_read[0] == 102
    assert snapshot(session) == before
    plan = run(session, world, "hr@a", "employees", PEOPLE + "".join(",".join(row) + "\n" for row in rows[:100]))
    assert plan.ok and plan.created == 100  # the limit itself is allowed


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(session, world, monkeypatch, tmp_path):
    monkeypatch.setenv("IMPORT_MAX_FILE_MB", "1")
    big = tmp_path / "people.csv"
    big.write_bytes(csv_bytes(PEOPLE + "".join(f"E{i},Person {i},2024-01-01\n" for i in range(50_000))))
    assert big.stat().st_size > limits.MB
    message = (f"The file is {big.stat().st_size / limits.MB:,.1f} MB, more than the 1 MB one import takes "
               "(IMPORT_MAX_FILE_MB): split it into smaller files and import them one by one.")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    with pytest.raises(ImportFailed) as refused:
        imports.read_table(big)
    assert str(refused.value) == message
    with pytest.raises(ImportFailed, match=r"^The file is 1\.5 MB, more than the 1 MB one import takes"):
        run(session, world, "hr@a", "employees", b"x" * (limits.MB * 3 // 2))  # an upload's bytes likewise


def _declare_unpacked_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` (a zip) with its central directory declaring ``size`` unpacked bytes for ``member``."""
    start = 0
    while (entry := data.find(b"PK\x01\x02", start)) != -1:
        length = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + length] == member.encode():
            return data[:entry + 24] + size.to_bytes(4, "little") + data[entry + 28:]
        start = entry + 4
    raise AssertionError(f"no {member} in the zip")


def test_an_excel_zip_bomb_is_refused_from_its_declared_size_without_being_opened(session, world, monkeypatch):
    good = xlsx([PEOPLE.strip().split(","), ["E1", "Ann", "2024-01-01"]])
    buffer = io.BytesIO(good)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/media/image1.bin", b"\0" * 1000, compress_type=zipfile.ZIP_DEFLATED)
    bomb = _declare_unpacked_size(buffer.getvalue(), "xl/media/image1.bin", 4_000_000_000)
    assert len(bomb) < 10_000
    monkeypatch.setattr("openpyxl.load_workbook", lambda *args, **kwargs: pytest.fail("the workbook was opened"))
    before = snapshot(session)
    with pytest.raises(ImportFailed) as refused:
        run(session, world, "hr@a", "employees", bomb, name="people.xlsx")
    assert str(refused.value) == ("The Excel file unpacks to 3,815 MB, more than the 250 MB one import takes "
                                  "(IMPORT_MAX_UNPACKED_MB): split it into smaller files, or save it as CSV, and "
                                  "import them one by one.")
    assert snapshot(session) == before


def test_a_sheet_longer_than_its_zip_directory_says_is_unreadable_not_expanded():
    rows = [PEOPLE.strip().split(","), *([f"E{i}", "Same name", "2024-01-01"] for i in range(20_000))]
    lying = _declare_unpacked_size(xlsx(rows), "xl/worksheets/sheet1.xml", 1000)
    with pytest.raises(ImportFailed, match=r"^This is not a readable Excel \(\.xlsx\) file"):
        imports.read_table(lying, "people.xlsx")


def test_a_real_sheet_over_the_unpacked_limit_is_refused(session, world, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_UNPACKED_MB", "1")
    data = xlsx([PEOPLE.strip().split(","), *([f"E{i}", "Same name", "2024-01-01"] for i in range(20_000))])
    assert len(data) < limits.MB  # small packed, over 1 MB unpacked
    with pytest.raises(ImportFailed, match=r"unpacks to 3\.\d MB, more than the 1 MB one import takes"):
        run(session, world, "hr@a", "employees", data, name="people.xlsx")


def shared_strings_xlsx(rows: list[list[str]]) -> bytes:
    """An .xlsx keeping its text in shared strings, as Excel does (openpyxl writes inline strings)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    strings = sorted({value for row in rows for value in row})
    number = {value: i for i, value in enumerate(strings)}
    cells = "".join(f'<row r="{line}">' + "".join(f'<c r="{chr(65 + column)}{line}" t="s"><v>{number[value]}</v></c>'
                                                   for column, value in enumerate(row)) + "</row>"
                    for line, row in enumerate(rows, 1))
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        f'Type="{relationships}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><dimension ref="A1:{chr(64 + len(rows[0]))}'
        f'{len(rows)}"/><sheetData>{cells}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{value}</t></si>" for value in strings) + "</sst>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_shared_strings_over_a_tenth_of_the_unpacked_limit_are_refused(session, world, monkeypatch):
    """The reader holds every shared string in memory: 10 million short ones took 1.7 GB from a 24 MB file."""
    rows = [PEOPLE.strip().split(","), *([f"E{i}", f"Person {i}", "2024-01-01"] for i in range(30_000))]
    data = shared_strings_xlsx(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sizes = {member.filename: member.file_size for member in archive.infolist()}
    assert limits.MB < sizes["xl/sharedStrings.xml"] < 2 * limits.MB and sum(sizes.values()) < 5 * limits.MB
    monkeypatch.setenv("IMPORT_MAX_UNPACKED_MB", "10")
    with pytest.raises(ImportFailed, match=r"text cells unpack to 1\.\d MB, more than the 1\.0 MB one import takes "
                                           r"\(a tenth of IMPORT_MAX_UNPACKED_MB\)"):
        run(session, world, "hr@a", "employees", data, name="people.xlsx")
    monkeypatch.setenv("IMPORT_MAX_UNPACKED_MB", "20")  # within the limit, the same file imports
    plan = run(session, world, "hr@a", "employees", data, name="people.xlsx")
    assert plan.ok and plan.created == 30_000, errors(plan)[:3]


def test_a_declared_sheet_dimension_does_not_pad_the_rows(monkeypatch):
    """A sheet claiming A1:XFD1048576 would otherwise turn every row into 16,384 cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in [PEOPLE.strip().split(","), ["E1", "Ann", "2024-01-01"], ["E2", "Bo", "2024-01-02"]]:
        workbook.active.append(row)
    saved = io.BytesIO()
    workbook.save(saved)
    data = saved.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', content)
                assert b"XFD1048576" in content
            target.writestr(member, content)
    cells = [0]
    original = reading._cell
    monkeypatch.setattr(reading, "_cell", lambda value: (cells.__setitem__(0, cells[0] + 1), original(value))[1])
    table = imports.read_table(buffer.getvalue(), "people.xlsx")
    assert table.values.tolist() == [["E1", "Ann", "2024-01-01"], ["E2", "Bo", "2024-01-02"]]
    assert cells[0] <= 3 + 2 * 4  # the header, and each row up to one column past it


def test_a_csv_field_over_the_csv_limit_is_a_clear_refusal():
    with pytest.raises(ImportFailed, match=r"Line 2 of the file cannot be read: field larger than field limit"):
        imports.read_table(("a,b\n1," + "x" * 200_000 + "\n").encode(), "x.csv")


def test_limits_come_from_the_environment_and_upload_size_matches_streamlit(monkeypatch):
    assert imports.import_limits() == imports.Limits(rows=200_000, file_mb=50, unpacked_mb=250)
    monkeypatch.setenv("IMPORT_MAX_ROWS", "5000")
    assert imports.import_limits().rows == 5000
    monkeypatch.setenv("IMPORT_MAX_ROWS", "lots")
    with pytest.raises(ValueError, match="IMPORT_MAX_ROWS must be a whole number, not 'lots'."):
        imports.import_limits()
    # Streamlit refuses a larger upload before the page sees it: the same figure as the import's default.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.DEFAULT_MAX_FILE_MB


# --- Encodings ----------------------------------------------------------------------------------------------


JAPANESE = [("E1", "田中 太郎", "営業部"), ("E2", "鈴木 花子", "経理部"), ("E3", "ヤマダ タロウ", "人事部")]


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932", "euc_jp", "gbk", "big5", "euc_kr", "cp1251"])
def test_a_file_in_another_encoding_is_refused_not_stored_as_mojibake(session, world, encoding):
    names = {"gbk": ["王小明", "李华"], "big5": ["陳大文", "林美玲"], "euc_kr": ["김민준", "이서연"],
             "cp1251": ["Иван Петров", "Мария Смирнова"]}.get(encoding, [name for _, name, _ in JAPANESE])
    text = PEOPLE + "".join(f"E{i},{name},2024-01-01\n" for i, name in enumerate(names))
    before = snapshot(session)
    with pytest.raises(ImportFailed) as refused:
        run(session, world, "hr@a", "employees", text.encode(encoding))
    message = str(refused.value)
    assert message.startswith("The file is not in UTF-8, and ")
    assert message.endswith('Save the file as UTF-8 (in Excel: Save As, then "CSV UTF-8 (Comma delimited)") '
                            "and import it again.")
    assert snapshot(session) == before


def test_the_refusal_names_the_line_and_shows_what_it_would_have_stored():
    with pytest.raises(ImportFailed) as refused:  # 田中太郎 reads as Windows-1252 without a bad byte
        imports.read_table((PEOPLE + "E1,Ann,2024-01-01\nE2,田中太郎,2024-01-01\n").encode("shift_jis"), "x.csv")
    assert str(refused.value).startswith("The file is not in UTF-8, and read as Windows-1252 (Western European) "
                                         "line 3 would say '“c’†‘¾˜Y', which is not text: the file is in another "
                                         "encoding, such as Shift-JIS.")
    with pytest.raises(ImportFailed) as refused:  # ヤ is 0x83 0x8D, and 0x8D is no Windows-1252 character
        imports.read_table((PEOPLE + "E1,Ann,2024-01-01\nE2,ヤマダ タロウ,2024-01-01\n").encode("shift_jis"), "x.csv")
    assert str(refused.value).startswith("The file is not in UTF-8, and byte 0x8D on line 3 is not a character "
                                         "of Windows-1252 (Western European) either")
    with pytest.raises(ImportFailed, match="byte 0x81 on line 2"):  # Latin-1 control bytes are no text either
        imports.read_table(PEOPLE.encode() + b"E1,Ann\x81,2024-01-01\n", "x.csv")
    with pytest.raises(ImportFailed, match="starts with the mark of UTF-8, but its byte 33 is not UTF-8"):
        imports.read_table(b"\xef\xbb\xbf" + PEOPLE.encode() + "Zoë".encode("cp1252"), "x.csv")


def test_the_same_names_in_utf8_are_stored_as_written(session, world):
    text = "employee_ref,name,department,hired_on\n" + "".join(f"{ref},{name},{dept},2024-01-01\n"
                                                             for ref, name, dept in JAPANESE)
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("utf-16")):
        assert run(session, world, "hr@a", "employees", data).ok
    stored = dict(session.execute(select(Employee.employee_ref, Employee.full_name)
                                  .where(Employee.employee_ref.in_(["E1", "E2", "E3"]))).all())
    assert stored == {ref: name for ref, name, _ in JAPANESE}


WESTERN = ["Zoë Été-Ñúñez", "Jürgen Müller", "Grete Weiß", "François Lefèvre", "Søren Ærø", "Åsa Björk",
           "Þór Guðmundsson", "João Conceição Gonçalves", "Íñigo Ibáñez", "Hélène Bérénice", "Œuvre Cœur",
           "Šimon Žák", "L’Hôpital", "Väinö Ääröinen", "Raphaël", "Joël Müller-Lüdenscheidt"]
TITLES = ["Ingénieur “senior” – Zürich", "Head of R&D · Genève", "Crème brûlée «chef»", "¿Qué? ¡Sí!", "20 °C",
          "Nº 5", "£100 or 1 200 € …", "ACME™ Lead", "½ day • 3² m²", "Müller—the boss", "„Zitat“ Straße"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_western_european_files_from_excel_still_import(session, world, encoding):
    text = "employee_ref,name,job_title,hired_on\n" + "".join(
        f'W{i},{name},"{TITLES[i % len(TITLES)]}",2024-01-01\n' for i, name in enumerate(WESTERN))
    plan = run(session, world, "hr@a", "employees", csv_bytes(text, encoding))
    assert plan.ok and plan.created == len(WESTERN), errors(plan)
    stored = dict(session.execute(select(Employee.full_name, Employee.job_title)
                                  .where(Employee.employee_ref.like("W%"))).all())
    assert stored == {name: TITLES[i % len(TITLES)] for i, name in enumerate(WESTERN)}
    for title in TITLES:  # and each on its own, the hardest case (nothing else in the file to go by)
        table = imports.read_table(f'a,b\nx,"{title}"\n'.encode("cp1252"), "x.csv")
        assert table.loc[2, "b"] == title


# --- The command line ---------------------------------------------------------------------------------------


def test_the_command_line_refuses_an_over_limit_or_mis_encoded_file(session, world, db_url, monkeypatch, tmp_path,
                                                                     capsys):
    import manage

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("IMPORT_MAX_ROWS", "3")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE + "".join(f"E{i},Person {i},2024-01-01\n" for i in range(4)))
    before = snapshot(session)
    assert manage.main(["import", "employees", str(path), "--employer", "acme"]) == 1
    assert capsys.readouterr().err == (
        "people.csv: The file has more than 3 rows after the header (empty rows count too), the most one import "
        "takes (IMPORT_MAX_ROWS): split it into files of at most 3 rows and import them one by one. Nothing was "
        "written.\n")
    path.write_bytes((PEOPLE + "E1,田中太郎,2024-01-01\n").encode("shift_jis"))
    assert manage.main(["import", "employees", str(path), "--employer", "acme"]) == 1
    assert capsys.readouterr().err.startswith("people.csv: The file is not in UTF-8, and read as Windows-1252")
    session.rollback()
    assert snapshot(session) == before
