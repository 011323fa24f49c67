"""The review pack's PDF and workbook are fit for a meeting: human headings, number formats,
fitted widths, a definitions sheet, pages that are neither cut nor near empty, and aggregates only."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from db.models import Employee
from services.formatting import RATE_DECIMALS
from services.metrics import DEFINITIONS, MIN_GROUP, SUPPRESSED
from services.metrics.goals import top_with_the_rest
from services.periods import parse_quarter
from services.review import build_pack
from services.review_export import SECTIONS, chart_png, excel_bytes, pack_charts, pdf_bytes
from tests.world import TODAY, build_world

Q2 = parse_quarter("2026Q2")
IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# A number with more decimals than any formatter kind writes (two: means and prices).
RAW_FLOAT = re.compile(r"\d\.\d{3,}")
RATE_HEADINGS = ("rate", "Participation", "Gap closed", "Skill gap closed", "Budget used", "retention")
MONEY_HEADINGS = ("Spend", "Cost per completion", "budget", "Budget for")
FEWEST_LINES = 6  # a page (but the cover) with fewer lines of text and no chart is near empty


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def officer_pack(session, world):
    return build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)


def _book(pack):
    return load_workbook(io.BytesIO(excel_bytes(pack)))


def _pages(pack, pngs=None) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(pdf_bytes(pack, pngs or {})))
    return [(page.extract_text(), len(page.images)) for page in reader.pages]


def _cells(book):
    return [cell for ws in book for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_workbook_headings_and_sheet_names_are_words(officer_pack):
    book = _book(officer_pack)
    assert book.sheetnames[0] == "About" and book.sheetnames[-1] == "Definitions"
    assert "Learners at risk by credential" in book.sheetnames
    for ws in book:
        assert not IDENTIFIER.search(ws.title) and "_" not in ws.title, ws.title
        assert ws.freeze_panes == "A2", ws.title
        for cell in ws[1]:
            assert cell.value and "_" not in str(cell.value), (ws.title, cell.value)
            assert cell.font.bold
    for cell in _cells(book):
        assert not (isinstance(cell.value, str) and IDENTIFIER.search(cell.value)), (cell.parent.title, cell.value)


def test_workbook_figures_are_numbers_with_formats(officer_pack):
    book = _book(officer_pack)
    by_credential = book["By credential"]
    headings = [c.value for c in by_credential[1]]
    assert "Completion rate" in headings and "Title" in headings
    seen = {"percent": 0, "money": 0}
    for ws in book:
        if ws.title in ("About", "Definitions"):
            continue
        headings = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            label = str(row[0].value)
            for heading, cell in zip(headings, row, strict=True):
                if not isinstance(cell.value, (int, float)):
                    continue
                assert cell.number_format != "General", (ws.title, heading, cell.value)
                # A rate column, or a rate row of a mixed table (headline figures, measures).
                name = heading if heading not in ("This quarter", "Previous quarter", "Value",
                                                  "Same quarter last year") else label
                if any(word in name for word in RATE_HEADINGS):
                    assert "%" in cell.number_format, (ws.title, name, cell.number_format)
                    assert abs(cell.value) < 20  # a fraction (0.64, not 64): the format writes it as a percent
                    seen["percent"] += 1
                if any(word in name for word in MONEY_HEADINGS) and name != "Budget used":
                    assert "£" in cell.number_format, (ws.title, name, cell.number_format)
                    seen["money"] += 1
    assert seen["percent"] >= 3 and seen["money"] >= 3, seen
    counts = [c for c in by_credential["C"][1:] if isinstance(c.value, int)]
    assert counts and all(c.number_format == "#,##0" for c in counts)
    kpis = book["Headline KPIs"]
    rows = {r[0].value: r for r in kpis.iter_rows(min_row=2)}
    changes = [rows[m][3] for m in ("Completion rate", "Participation") if isinstance(rows[m][3].value, float)]
    assert changes and all("pts" in c.number_format for c in changes)
    assert "£" in rows["Spend"][3].number_format and rows["Enrollments"][3].number_format.startswith("+#,##0")


def test_workbook_widths_fit_and_definitions_cover_every_metric(officer_pack):
    book = _book(officer_pack)
    for ws in book:
        for col in ws.iter_cols(min_row=1, max_row=1):
            letter = col[0].column_letter
            width = ws.column_dimensions[letter].width
            assert width and width >= len(str(col[0].value)) + 1 or width == 60, (ws.title, letter, width)
    title_width = book["By credential"].column_dimensions["B"].width
    assert title_width >= max(len(str(c.value)) for c in book["By credential"]["B"])
    definitions = book["Definitions"]
    assert [c.value for c in definitions[1]] == ["Term", "Definition", "Unit"]
    terms = {row[0].value: row for row in definitions.iter_rows(min_row=2)}
    assert set(DEFINITIONS) <= set(terms)
    assert terms["Completion rate"][2].value == "Percent" and terms["Spend"][2].value == "Pounds (£)"
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert about["Quarter"].startswith("2026Q2") and str(MIN_GROUP) in about["Small groups"]
    assert about["Generated on"].date() == TODAY and book["About"]["B5"].number_format == "d mmm yyyy"


def test_workbook_cells_never_run_as_formulas(session, world, officer_pack):
    officer_pack.co_design.loc[0, "title"] = '=HYPERLINK("http://x")'
    book = _book(officer_pack)
    titles = [c.value for c in book["Co-design"]["B"]]
    assert "'=HYPERLINK(\"http://x\")" in titles
    assert all(c.data_type != "f" for c in _cells(book))


def test_pdf_text_has_no_raw_floats_or_identifiers(officer_pack):
    for text, _ in _pages(officer_pack):
        assert not RAW_FLOAT.search(text), RAW_FLOAT.search(text)
        assert not IDENTIFIER.search(text), IDENTIFIER.search(text)
        assert not re.search(r"\d\.\d{%d,}%%" % (RATE_DECIMALS + 1), text)


@pytest.mark.parametrize("who, quarter", [("officer@u", "2026Q2"), ("hr@a", "2026Q2"), ("officer@u", "2020Q1")])
def test_pdf_has_no_near_empty_page_and_headings_stay_with_their_content(session, world, who, quarter):
    pack = build_pack(session, world.scope(session, who), quarter=parse_quarter(quarter), today=TODAY)
    pngs = {name: chart_png(chart, scale=1) for name, chart in pack_charts(pack).items()}
    pages = _pages(pack, pngs)
    for number, (text, images) in enumerate(pages[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) >= FEWEST_LINES or images, (number, lines)
    for i, section in enumerate(SECTIONS, start=1):
        heading = f"{i}. {section}"
        page = next(t for t, _ in pages if heading in t.splitlines())
        lines = page.splitlines()
        after = lines[lines.index(heading) + 1:]
        # Something of the section follows on the same page, above the footer.
        assert len(after) >= 2 and not after[0].startswith("Quarterly review "), (heading, after[:2])


def test_pdf_tables_fit_the_page(officer_pack):
    reader = PdfReader(io.BytesIO(pdf_bytes(officer_pack, {})))
    width = float(reader.pages[0].mediabox.width)
    starts: list[float] = []  # where each piece of text starts, across the pages
    for page in reader.pages:
        page.extract_text(visitor_text=lambda text, cm, tm, *_: starts.append(tm[4]) if text.strip() else None)
    assert starts and all(0 <= x < width - 40 for x in starts)


def test_pack_names_no_one(session, world, officer_pack):
    names = [n for n in session.exec(select(Employee.full_name)).all() if n]
    assert officer_pack.alerts.at_risk_people  # the page may list them; the pack must not
    text = " ".join(t for t, _ in _pages(officer_pack))
    cells = " ".join(str(c.value) for c in _cells(_book(officer_pack)))
    for name in names:
        assert name not in text and name not in cells, name
    by_credential = officer_pack.at_risk_by_credential
    assert list(by_credential.columns) == ["code", "title", "learners"]
    assert all(v == SUPPRESSED or v >= MIN_GROUP for v in by_credential["learners"])


def test_a_long_title_wraps_to_two_lines_and_ends_in_an_ellipsis(officer_pack):
    title = "Advanced " + " ".join(f"topic{n}" for n in range(40))
    officer_pack.by_credential.loc[0, "title"] = title
    text = "\n".join(t for t, _ in _pages(officer_pack))
    assert title not in text.replace("\n", " ")
    start = text.index("Advanced topic0")
    lines = text[start:].splitlines()
    assert "…" in lines[1] and "…" not in lines[0] and lines[2].strip()[0].isdigit()  # then the row's figures


def test_learners_at_risk_by_credential_count_everyone_and_hide_small_counts(session, world, officer_pack):
    counted = officer_pack.at_risk_by_credential
    total = officer_pack.alerts.learners_at_risk
    assert total > 0
    figures = [v for v in counted["learners"] if v != SUPPRESSED]
    if SUPPRESSED in set(counted["learners"]):  # then it is everyone at risk, fewer than MIN_GROUP
        assert counted["code"].tolist() == ["Other credentials"] and total < MIN_GROUP
    else:
        assert sum(figures) == total and all(v >= MIN_GROUP for v in figures)


def test_a_small_remainder_never_follows_from_the_total():
    """At-risk learners 7, 6, 2 and 1 by credential: "Other credentials" takes the 6 too (9), since a remainder
    of 3 could be worked out as the published total minus the rows shown."""
    counts = pd.DataFrame({"code": ["K1", "K2", "K3", "K4"], "title": ["One", "Two", "Three", "Four"],
                           "learners": [7, 6, 2, 1]})
    assert top_with_the_rest(counts).values.tolist() == [["K1", "One", 7], ["Other credentials", "", 9]]
    # Fewer than MIN_GROUP in all: one suppressed row (the total itself is the published figure).
    assert top_with_the_rest(counts.tail(2)).values.tolist() == [["Other credentials", "", SUPPRESSED]]


def test_the_definitions_never_leave_a_last_page_of_a_few_lines(officer_pack):
    # Longer summaries move where the definitions end; whatever the length, the last page is not near empty.
    narrative = list(officer_pack.narrative)
    for extra in range(0, 44, 4):  # 28 left a last page of 5 lines before the definitions were set smaller
        officer_pack.narrative = narrative + [f"Summary sentence {n + 1} of the meeting's notes." for n in range(extra)]
        last, _ = _pages(officer_pack)[-1]
        assert len([line for line in last.splitlines() if line.strip()]) >= FEWEST_LINES, (extra, last)
