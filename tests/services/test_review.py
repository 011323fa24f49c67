"""The quarterly review pack: figures equal the metrics layer's, files are sound, scope holds."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import metrics
from services.metrics import Filters
from services.periods import parse_quarter
from services.review import build_pack
from services.review_export import SECTIONS, excel_bytes, pdf_bytes, write_pack
from tests.world import TODAY, build_world

Q2 = parse_quarter("2026Q2")


@pytest.fixture
def world(session):
    return build_world(session)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pack_figures_equal_the_metrics_layer(session, world):
    scope = world.scope(session, "officer@u")
    pack = build_pack(session, scope, quarter=Q2, today=TODAY)
    kpis = pack.kpis.set_index("metric")
    for period, column in ((Q2, "this_quarter"), (Q2.previous(), "previous_quarter"),
                           (Q2.same_last_year(), "same_quarter_last_year")):
        s = metrics.summary(session, scope, Filters(period), today=TODAY)
        assert kpis.loc["Enrollments", column] == s.enrollments
        assert kpis.loc["Completions", column] == s.completed
        assert kpis.loc["Active learners", column] == s.active
        assert kpis.loc["Completion rate", column] == s.completion_rate
    assert kpis.loc["Enrollments", "change_vs_previous"] == 0 - 4
    by_cred = metrics.by_credential(session, scope, Filters(Q2), today=TODAY)
    assert pack.by_credential["completed"].tolist() == by_cred["completed"].tolist()
    assert pack.skills_gained == metrics.skills_gained(session, scope, Filters(Q2), today=TODAY) == 2
    assert pack.goal_states == metrics.goal_states(session, scope, Filters(Q2), today=TODAY)
    assert pack.audience == "All partners"
    # The narrative only states figures of the pack.
    assert pack.narrative[0].startswith("In 2026Q2, 0 enrollments started, 2 were completed")
    assert "Enrollments fell from 4 in 2026Q1 to 0 (-100.0%)." in pack.narrative


def test_pdf_has_sections_pages_and_definitions(session, world, tmp_path):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    paths = write_pack(pack, tmp_path)
    pdf = next(p for p in paths if p.suffix == ".pdf")
    pages, text = pdf_text(pdf.read_bytes())
    assert pages >= 4
    for i, section in enumerate(SECTIONS, start=1):
        assert f"{i}. {section}" in text
    assert "Appendix: definitions" in text and "Completion rate" in text
    assert f"page 2 of {pages}" in text
    assert "Quarterly partnership review" in text and "All partners" in text
    pngs = [p for p in paths if p.suffix == ".png"]
    assert pngs and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    book = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    assert {"About", "Headline KPIs", "By credential", "Definitions"} <= set(book.sheetnames)
    assert book["By credential"]["A2"].value == "K1"


def test_hr_manager_pack_has_no_other_employer(session, world):
    pack = build_pack(session, world.scope(session, "hr@a"), quarter=Q2, today=TODAY)
    assert pack.audience == "Acme"
    pages, text = pdf_text(pdf_bytes(pack, {}))
    book = load_workbook(io.BytesIO(excel_bytes(pack)))
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    for other in ("Beta", "Gamma", "Bea One", "Bo Two", "Sales", "Cy One"):
        assert other not in text and other not in cells, other
    assert pack.kpis.set_index("metric").loc["Completions", "this_quarter"] == 1


def test_officer_can_narrow_to_one_partner_but_not_beyond_scope(session, world):
    officer = world.scope(session, "officer@u")
    beta = build_pack(session, officer, quarter=Q2, today=TODAY, employer_ids=frozenset({world.id("B")}))
    assert beta.audience == "Beta" and beta.summary.completed == 1
    gamma = build_pack(session, officer, quarter=Q2, today=TODAY, employer_ids=frozenset({world.id("C")}))
    assert gamma.summary.headcount == 0 and gamma.is_empty


def test_small_groups_are_suppressed_in_the_pack(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    outcomes = pack.outcomes_table().set_index("measure")
    assert outcomes.loc["Job performance change (after − before)", "value"] == metrics.SUPPRESSED
    assert pack.skill_gaps.empty  # every department–skill group has fewer than 5 people


def test_quarter_without_data_gives_a_short_clear_pack(session, world, tmp_path):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=parse_quarter("2020Q1"), today=TODAY)
    assert pack.is_empty
    assert pack.narrative == ["There was no enrollment activity in 2020Q1 for All partners."]
    paths = write_pack(pack, tmp_path)
    pages, text = pdf_text(next(p for p in paths if p.suffix == ".pdf").read_bytes())
    assert "no enrollment activity" in text and pages <= 6


def test_cli_report(session, world, db_url, monkeypatch, tmp_path, capsys):
    import manage

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("AS_OF_DATE", TODAY.isoformat())
    assert manage.main(["report", "--quarter", "2026Q2", "--employer", "ACME", "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    assert any(w.endswith("review-2026Q2-acme.pdf") for w in written)
    assert any(w.endswith(".xlsx") for w in written)
    assert any(w.endswith("review-2026Q2-acme.pptx") for w in written)  # the editable deck
