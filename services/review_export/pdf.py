"""The pack's PDF: an A4 report. A heading is never left at the foot of a page: before a heading the
room for it and the start of its content (a chart, a table's header and first rows, a paragraph) is
checked, and the page is turned if it is not there. Tables take their column widths from their
content and fit the page; a long title wraps to at most two lines and then ends in an ellipsis.
Every figure is written by services/formatting (the tables by services/review_export/tables.py).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.formatting import fmt
from services.metrics import DEFINITIONS, MIN_GROUP
from services.review import ReviewPack
from services.review_export.tables import PackTable, pack_tables, table

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SECTIONS = [
    "Summary", "Headline figures", "Enrollments and completions", "Time to complete",
    "Skills gained against gaps", "PDP progress", "Outcomes at work", "Spend and budget",
    "Credentials in co-design", "Actions", "Learners at risk",
]
LINE = 5.5  # a paragraph's line height (mm)
ROW = 4.4  # a table line's height (mm)
HEADING = 12.0  # a heading's height with the space above it
CHART_MAX_HEIGHT = 110.0
ELLIPSIS = "…"
# The definitions' type (size pt, line mm), tried in turn until the last page holds LAST_PAGE_LEAST mm.
APPENDIX_TYPE = ((10.0, LINE), (9.0, 4.8), (8.0, 4.2))
LAST_PAGE_LEAST = 35.0


class ReportPdf(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.alias_nb_pages()

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def room(self) -> float:
        """Height left on this page above the footer."""
        return self.page_break_trigger - self.get_y()

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", "B" if bold else "", size)

    def text_(self, s: str) -> str:
        s = str(s)
        if self.unicode:
            return s
        for a, b in (("–", "-"), ("−", "-"), ("÷", "/"), ("“", '"'), ("”", '"'), ("’", "'"), ("·", "-"),
                     ("≤", "<="), ("£", "GBP "), (ELLIPSIS, "...")):
            s = s.replace(a, b)
        return s.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.font(8)
        self.set_text_color(90)
        self.cell(0, 6, self.text_(f"{self.report_title} · page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0)


# --- Blocks ---------------------------------------------------------------------------------


def heading(pdf: ReportPdf, text: str, *, keep: float) -> None:
    """A section heading, on the page where ``keep`` mm of its content fit below it."""
    if pdf.room() < HEADING + keep:
        pdf.add_page()
    pdf.ln(3)
    pdf.font(14, bold=True)
    pdf.cell(0, 9, pdf.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(10)


def para(pdf: ReportPdf, text: str) -> None:
    pdf.font(10)
    pdf.multi_cell(0, LINE, pdf.text_(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def para_height(pdf: ReportPdf, text: str) -> float:
    pdf.font(10)
    return len(pdf.multi_cell(0, LINE, pdf.text_(text), dry_run=True, output="LINES")) * LINE


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def chart_size(pdf: ReportPdf, png: bytes | None) -> tuple[float, float]:
    if not png:
        return 0.0, 0.0
    w_px, h_px = _png_size(png)
    width = min(pdf.width, CHART_MAX_HEIGHT * w_px / h_px)
    return width, width * h_px / w_px


def chart(pdf: ReportPdf, png: bytes | None) -> None:
    if not png:
        return
    width, height = chart_size(pdf, png)
    if pdf.room() < height:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, w=width, h=height)
    pdf.ln(2)


def _lines(pdf: ReportPdf, text: str, width: float, most: int = 2) -> list[str]:
    """``text`` wrapped to ``width``, at most ``most`` lines, the last cut with an ellipsis."""
    words, lines, line = pdf.text_(text).split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdf.get_string_width(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    if len(lines) > most:
        lines = lines[:most - 1] + [" ".join(lines[most - 1:])]
    last = lines[-1]
    if pdf.get_string_width(last) > width:
        while last and pdf.get_string_width(last + ELLIPSIS) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines


def _two_lines(pdf: ReportPdf, text: str) -> float:
    """The least width that holds ``text`` on two lines, split between words."""
    words = pdf.text_(text).split() or [""]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))] or [(words[0], "")]
    return min(max(pdf.get_string_width(a), pdf.get_string_width(b)) for a, b in splits) + 0.5


def column_widths(pdf: ReportPdf, texts: list[list[str]], headings: list[str]) -> list[float]:
    """Widths from the content: each column its widest cell; when too wide for the page, the widest
    columns give way (their text wraps to two lines) down to the widest heading word."""
    pad = 2.5
    pdf.font(8)
    natural = [max([pdf.get_string_width(t) for t in col] + [1.0]) + pad for col in texts]
    pdf.font(8, bold=True)
    least = [_two_lines(pdf, h) + pad for h in headings]
    natural = [max(n, m) for n, m in zip(natural, least, strict=True)]
    excess = sum(natural) - pdf.width
    widths = list(natural)
    while excess > 0.01:
        widest = max(range(len(widths)), key=lambda i: widths[i] - least[i])
        room = widths[widest] - least[widest]
        if room <= 0.01:
            break
        second = sorted(widths, reverse=True)[1] if len(widths) > 1 else least[widest]
        cut = min(excess, room, max(widths[widest] - second, excess / 2, 0.5))
        widths[widest] -= cut
        excess -= cut
    return widths


def _row(pdf: ReportPdf, cells: list[str], widths: list[float], *, bold: bool = False) -> None:
    pdf.font(8, bold=bold)
    wrapped = [_lines(pdf, text, width - 2.0) for text, width in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped) * ROW
    x, y = pdf.l_margin, pdf.get_y()
    for lines, width in zip(wrapped, widths, strict=True):
        for i, line in enumerate(lines):
            pdf.set_xy(x + 1.0, y + i * ROW)
            pdf.cell(width - 2.0, ROW, line)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def table_block(pdf: ReportPdf, pack_table: PackTable) -> None:
    """A table that fits the page width; its header repeats on a new page."""
    shown = pack_table.shown()
    if shown.empty:
        para(pdf, "No rows.")
        return
    rows = [list(r) for r in shown.head(pack_table.pdf_rows).itertuples(index=False)]
    headings = list(shown.columns)
    widths = column_widths(pdf, [[h for h in col] for col in zip(*rows, strict=True)], headings)

    def header() -> None:
        _row(pdf, headings, widths, bold=True)
        pdf.set_draw_color(160)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(widths), pdf.get_y())
        pdf.ln(0.8)

    header()
    for cells in rows:
        if pdf.room() < 2 * ROW:
            pdf.add_page()
            header()
        _row(pdf, cells, widths)
    if len(shown) > pack_table.pdf_rows:
        para(pdf, f"The first {fmt(pack_table.pdf_rows)} of {fmt(len(shown))} rows; all are in the workbook.")
    pdf.ln(3)


def table_start(pack_table: PackTable) -> float:
    """The height a table needs on the heading's page: its header and up to three rows."""
    return (2 + min(3, max(1, len(pack_table.frame)))) * ROW * 2


# --- Sections ---------------------------------------------------------------------------------


def cover(pdf: ReportPdf, pack: ReviewPack) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.font(24, bold=True)
    pdf.multi_cell(0, 12, pdf.text_("Quarterly partnership review"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(16)
    pdf.multi_cell(0, 9, pdf.text_(pack.audience), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.font(12)
    for line in (
        f"{pack.quarter.label}: {fmt(pack.quarter.start, 'date')} – {fmt(pack.quarter.end, 'date')}",
        f"Compared with {pack.previous.label} and with {pack.last_year.label}",
        f"Generated on {fmt(pack.generated_on, 'date')}",
    ):
        pdf.multi_cell(0, 7, pdf.text_(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.font(9)
    pdf.multi_cell(0, 5, pdf.text_(
        "Aggregates only: the pack names no one. Figures follow the definitions in the appendix. "
        + DEFINITIONS["Suppression"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def section(pdf: ReportPdf, number: int, *, lead: str, png: bytes | None = None,
            pack_table: PackTable | None = None) -> None:
    """A numbered section: heading, a sentence, a chart, a table; the heading stays with what follows it."""
    # What must follow the heading on its page: the sentence and the first chart or table's start.
    keep = para_height(pdf, lead)
    if png:
        keep += chart_size(pdf, png)[1]
    elif pack_table is not None:
        keep += table_start(pack_table)
    heading(pdf, f"{number}. {SECTIONS[number - 1]}", keep=keep)
    para(pdf, lead)
    chart(pdf, png)
    if pack_table is not None:
        if pdf.room() < table_start(pack_table):
            pdf.add_page()
        table_block(pdf, pack_table)


def summary(pdf: ReportPdf, pack: ReviewPack) -> None:
    lines = [f"• {line}" for line in pack.narrative]
    if pack.is_empty:
        lines.append("The rest of this pack is short because the quarter has no enrollment activity.")
    heading(pdf, f"1. {SECTIONS[0]}", keep=para_height(pdf, lines[0]))
    for line in lines:
        para(pdf, line)


def sections(pdf: ReportPdf, pack: ReviewPack, pngs: dict[str, bytes], tables: list[PackTable]) -> None:
    s, money = pack.summary, pack.budget
    section(pdf, 2, lead=f"{pack.quarter.label} against {pack.previous.label} and against {pack.last_year.label}.",
            pack_table=table(tables, "Headline KPIs"))
    section(pdf, 3, lead=f"{fmt(s.enrollments)} enrollments started and {fmt(s.completed)} were completed in "
                         f"{pack.quarter.label}: the last quarters, then each credential.",
            png=pngs.get("enrollments_and_completions_by_quarter"), pack_table=table(tables, "By credential"))
    chart(pdf, pngs.get("completion_rate_by_quarter"))
    section(pdf, 4, lead=f"Median {fmt(s.median_days_to_complete, 'days')} days; 80% of completions within "
                         f"{fmt(s.p80_days_to_complete, 'days')} days ({fmt(s.completed)} completions).",
            png=pngs.get("time_to_complete"))
    section(pdf, 5, lead=f"Skills gained: {fmt(pack.skills_gained)} (previous quarter "
                         f"{fmt(pack.skills_gained_previous)}). Gap closed: {fmt(pack.gap_closed, 'rate')}. "
                         "The largest gaps (people × mean gap) first.",
            png=pngs.get("skill_gaps"), pack_table=table(tables, "Skill gaps"))
    section(pdf, 6, lead=f"{fmt(sum(pack.goal_states.values()))} PDP goals, by state as of "
                         f"{fmt(pack.alerts.as_of, 'date')}.",
            png=pngs.get("pdp_goals"), pack_table=table(tables, "PDP goals"))
    section(pdf, 7, lead=f"Survey ratings and retention, over department groups of {fmt(MIN_GROUP)} people or more.",
            pack_table=table(tables, "Outcomes"))
    section(pdf, 8, lead=f"Spend {fmt(money.spend, 'money')} against a pro-rata budget of "
                         f"{fmt(money.budget_for_period, 'money')} for the quarter.",
            pack_table=table(tables, "Spend and budget"))
    changed = int(pack.co_design["changed_this_quarter"].sum()) if not pack.co_design.empty else 0
    section(pdf, 9, lead=f"{fmt(len(pack.co_design))} credentials in co-design; {fmt(changed)} changed this quarter.",
            pack_table=table(tables, "Co-design"))
    changes = table(tables, "Co-design changes")
    if not changes.frame.empty:
        para(pdf, "What the versions saved this quarter changed, field by field:")
        next_table(pdf, changes)
    actions(pdf, pack, tables)
    alerts = pack.alerts
    section(pdf, 11, lead=f"As of {fmt(alerts.as_of, 'date')}: learners at risk {fmt(alerts.learners_at_risk)}; "
                          f"overdue PDP goals {fmt(alerts.overdue_goals)}. Counted by credential; no one is named.",
            pack_table=table(tables, "Learners at risk by credential"))


def next_table(pdf: ReportPdf, pack_table: PackTable) -> None:
    """A further table in the section, on a new page when its start would not fit."""
    if pdf.room() < table_start(pack_table):
        pdf.add_page()
    table_block(pdf, pack_table)


def actions(pdf: ReportPdf, pack: ReviewPack, tables: list[PackTable]) -> None:
    """The meeting's record: what became of last quarter's actions, and those due before the next review."""
    agreed, due = len(pack.actions_previous), len(pack.actions_due)
    lead = (f"{fmt(agreed)} actions were agreed in the {pack.previous.label} review; {fmt(due)} are due before the "
            "next review." if agreed or due else f"No actions were recorded in the {pack.previous.label} review, "
            "and none is due before the next one.")
    section(pdf, 10, lead=lead, pack_table=table(tables, "Actions last quarter") if agreed else None)
    if due:
        para(pdf, "Due before the next review:")
        next_table(pdf, table(tables, "Actions due"))


def appendix(pdf: ReportPdf, *, size: float, line: float) -> None:
    def height(text: str) -> float:
        pdf.font(size)
        return line + len(pdf.multi_cell(0, line, pdf.text_(text), dry_run=True, output="LINES")) * line

    heading(pdf, "Appendix: definitions", keep=height(next(iter(DEFINITIONS.values()))))
    for term, text in DEFINITIONS.items():
        if pdf.room() < height(text):
            pdf.add_page()
        pdf.font(size, bold=True)
        pdf.multi_cell(0, line, pdf.text_(term), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.font(size)
        pdf.multi_cell(0, line, pdf.text_(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _layout(pack: ReviewPack, pngs: dict[str, bytes], tables: list[PackTable], size: float,
            line: float) -> ReportPdf:
    pdf = ReportPdf(f"Quarterly review {pack.quarter.label} – {pack.audience}")
    cover(pdf, pack)
    pdf.add_page()
    summary(pdf, pack)
    sections(pdf, pack, pngs, tables)
    appendix(pdf, size=size, line=line)
    return pdf


def pdf_bytes(pack: ReviewPack, pngs: dict[str, bytes], tables: list[PackTable] | None = None) -> bytes:
    """The report. When the definitions would leave a last page of a few lines, they are set smaller so
    the page is not near empty (the definitions come last, so only they can make that tail)."""
    tables = tables if tables is not None else pack_tables(pack)
    for size, line in APPENDIX_TYPE:
        pdf = _layout(pack, pngs, tables, size, line)
        if pdf.get_y() - pdf.t_margin >= LAST_PAGE_LEAST:
            break
    return bytes(pdf.output())
