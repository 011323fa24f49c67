"""No cell of a CSV or Excel file the product writes can run as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from db.models import Credential
from services.periods import parse_quarter
from services.review import build_pack
from services.review_export import excel_bytes as pack_workbook
from services.spreadsheets import csv_bytes, excel_bytes, safe_cell
from tests.world import TODAY, build_world

PAYLOADS = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_could_start_a_formula_is_quoted(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("figure", ["-12", "+2.0 pts", "-£1,200", "±0", "-3.5%", "1,234"])
def test_the_products_own_figures_stay_as_written(figure):
    assert safe_cell(figure) == figure


def test_numbers_and_plain_text_are_untouched():
    assert safe_cell(-12) == -12 and safe_cell(0.5) == 0.5 and safe_cell(None) is None
    assert safe_cell("Ann One") == "Ann One" and safe_cell("a=b") == "a=b"


def test_csv_cells_and_headings_are_quoted():
    frame = pd.DataFrame({"Employee": PAYLOADS, "=Heading": range(len(PAYLOADS))})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    assert rows[0] == ["Employee", "'=Heading"]
    # One row per record (a bare carriage return must not start a row of its own), each cell quoted.
    assert [row[0] for row in rows[1:]] == ["'" + payload for payload in PAYLOADS]


def test_excel_holds_values_never_formulas():
    frame = pd.DataFrame({"Employee": PAYLOADS, "Score": [1, -2, 3, 4, 5, 6]})
    book = load_workbook(io.BytesIO(excel_bytes({"data": frame})))
    cells = [cell for row in book["data"].iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # Excel keeps a carriage return as a line feed.
    expected = ["'" + payload.replace("\r", "\n") for payload in PAYLOADS]
    assert [cell.value.replace("\r", "\n") for cell in cells if cell.column == 1] == expected
    assert [cell.value for cell in cells if cell.column == 2] == [1, -2, 3, 4, 5, 6]


def test_a_co_designers_formula_title_is_text_in_the_review_workbook(session):
    world = build_world(session)
    draft = session.get(Credential, world.id("K2"))
    draft.title = PAYLOADS[0]
    session.commit()
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=parse_quarter("2026Q2"), today=TODAY)
    book = load_workbook(io.BytesIO(pack_workbook(pack)))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
    assert "'" + PAYLOADS[0] in [cell.value for cell in book["Co-design"].iter_rows() for cell in cell]
