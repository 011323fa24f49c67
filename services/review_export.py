"""Files of the quarterly review pack: a PDF report, an Excel workbook (one sheet per
table) and the charts as PNG. The charts are the same Altair specs the page draws
(services/charts.py, plain Altair), rendered with vl-convert.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services import charts, spreadsheets
from services.formatting import export_frame, fmt, fmt_change, label, shown_frame
from services.metrics import DEFINITIONS
from services.review import ReviewPack

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SECTIONS = [
    "Summary", "Headline figures", "Enrollments and completions", "Time to complete",
    "Skills gained against gaps", "PDP progress", "Outcomes at work", "Spend and budget",
    "Credentials in co-design", "At-risk items",
]


def pack_charts(pack: ReviewPack) -> dict[str, alt.Chart]:
    """The pack's charts by file-name stem; only charts that have data."""
    out: dict[str, alt.Chart] = {}
    if not pack.by_quarter.empty:
        out["enrollments_and_completions_by_quarter"] = charts.grouped_bars(
            pack.by_quarter, x="quarter", value_vars={"enrollments": "Enrollments", "completed": "Completions"},
            x_title="Quarter", y_title="Enrollments")
        if (pack.by_quarter["completed"] > 0).any():
            out["completion_rate_by_quarter"] = charts.completion_rate_by_quarter(pack.by_quarter)
    creds = pack.by_credential[pack.by_credential["enrollments"] > 0].head(12)
    if not creds.empty:
        out["enrollments_by_credential"] = charts.bars(creds, x="enrollments", y="code",
                                                       x_title="Enrollments in the quarter", y_title="Credential",
                                                       horizontal=True)
    if not pack.days_to_complete.empty:
        out["time_to_complete"] = charts.histogram(pack.days_to_complete, value="days", weight="completions",
                                                   x_title="Days from enrollment to completion", y_title="Completions")
    if not pack.skill_gaps.empty:
        gaps = pack.skill_gaps.assign(row=pack.skill_gaps["employer"] + " · " + pack.skill_gaps["department"])
        out["skill_gaps"] = charts.heatmap(gaps, x="skill", y="row", value="mean_gap", x_title="Skill",
                                           y_title="Department", value_title="Mean gap (levels)")
    if sum(pack.goal_states.values()):
        goals = pd.DataFrame({"state": [label(s) for s in pack.goal_states],
                              "goals": list(pack.goal_states.values())})
        out["pdp_goals"] = charts.bars(goals, x="state", y="goals", x_title="Goal state", y_title="PDP goals")
    return out


def chart_png(chart: alt.Chart, *, scale: float = 2.0) -> bytes:
    spec = chart.properties(width=640).to_dict()
    spec.setdefault("config", {})["background"] = "white"
    # Dates in the data become ISO strings, as Vega-Lite reads them.
    return vlc.vegalite_to_png(json.dumps(spec, default=str), scale=scale)


# --- Formatting --------------------------------------------------------------------


def kpi_display(kpis: pd.DataFrame) -> pd.DataFrame:
    """The headline figures as people read them: this quarter, the previous one, a year ago and the changes."""
    rows = []
    for r in kpis.itertuples():
        rows.append({
            "Metric": r.metric,
            "This quarter": fmt(r.this_quarter, r.kind),
            "Previous quarter": fmt(r.previous_quarter, r.kind),
            "Change": fmt_change(r.change_vs_previous, r.kind),
            "Same quarter last year": fmt(r.same_quarter_last_year, r.kind),
            "Change vs last year": fmt_change(r.change_vs_last_year, r.kind),
        })
    return pd.DataFrame(rows)


def measures_display(df: pd.DataFrame) -> pd.DataFrame:
    """A (measure, value, kind[, n]) table with each value written in its own kind."""
    values = [fmt(value, kind) for value, kind in zip(df["value"], df["kind"], strict=True)]
    out = pd.DataFrame({"Measure": df["measure"], "Value": values})
    if "n" in df:
        out["People"] = [fmt(n) for n in df["n"]]
    return out


def sheet(df: pd.DataFrame) -> pd.DataFrame:
    """A pack table as its Excel sheet holds it (services/formatting.export_frame)."""
    return measures_display(df) if "kind" in df and "measure" in df else export_frame(df)


# --- Excel ---------------------------------------------------------------------------


def excel_bytes(pack: ReviewPack) -> bytes:
    """The workbook: an About sheet, a sheet per table of the pack, the definitions."""
    info = pd.DataFrame([
        {"field": "Partner", "value": pack.audience},
        {"field": "Quarter", "value": f"{pack.quarter.label} ({fmt(pack.quarter.start, 'date')} – "
                                      f"{fmt(pack.quarter.end, 'date')})"},
        {"field": "Compared with", "value": f"{pack.previous.label} and {pack.last_year.label}"},
        {"field": "Generated on", "value": fmt(pack.generated_on, "date")},
        {"field": "Alerts as of", "value": fmt(pack.alerts.as_of, "date")},
        {"field": "Small groups", "value": DEFINITIONS["Suppression"]},
    ] + [{"field": f"Summary {i + 1}", "value": line} for i, line in enumerate(pack.narrative)])
    sheets = {"About": info.rename(columns={"field": "Field", "value": "Value"})}
    for name, df in pack.tables().items():
        sheets[name] = kpi_display(df) if name == "Headline KPIs" else sheet(df)
    sheets["Definitions"] = pd.DataFrame({"Term": list(DEFINITIONS), "Definition": list(DEFINITIONS.values())})
    return spreadsheets.excel_bytes(sheets)


# --- PDF -------------------------------------------------------------------------------


class _Pdf(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        if (FONT_DIR / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.unicode = True
        else:  # core font: Latin-1 only, so text is transliterated in ``text``
            self.unicode = False
        self.alias_nb_pages()

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", "B" if bold else "", size)

    def text_(self, s: str) -> str:
        s = str(s)
        if self.unicode:
            return s
        for a, b in (("–", "-"), ("−", "-"), ("÷", "/"), ("“", '"'), ("”", '"'), ("’", "'"), ("·", "-"),
                     ("≤", "<="), ("£", "GBP ")):
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


def _heading(pdf: _Pdf, text: str) -> None:
    if pdf.get_y() > 230:
        pdf.add_page()
    pdf.ln(3)
    pdf.font(14, bold=True)
    pdf.cell(0, 9, pdf.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(10)


def _para(pdf: _Pdf, text: str) -> None:
    pdf.font(10)
    pdf.multi_cell(0, 5.5, pdf.text_(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: _Pdf, df: pd.DataFrame, *, max_rows: int = 40) -> None:
    """A pack table written as on the page (headings and values from services/formatting)."""
    if df.empty:
        _para(pdf, "No rows.")
        return
    shown = (df if df.columns[0] == "Metric" or "Measure" in df else shown_frame(df)).head(max_rows)
    pdf.font(8)
    with pdf.table(text_align="LEFT", line_height=4.6, first_row_as_headings=True) as table:
        head = table.row()
        for col in shown.columns:
            head.cell(pdf.text_(str(col)))
        for values in shown.itertuples(index=False):
            row = table.row()
            for v in values:
                row.cell(pdf.text_(str(v)))
    if len(df) > max_rows:
        _para(pdf, f"… and {fmt(len(df) - max_rows)} more rows in the Excel workbook.")
    pdf.ln(2)


def _chart(pdf: _Pdf, png: bytes | None) -> None:
    if not png:
        return
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if pdf.get_y() > 170:
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=width)
    pdf.ln(2)


def _cover(pdf: _Pdf, pack: ReviewPack) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.font(24, bold=True)
    pdf.multi_cell(0, 12, pdf.text_("Quarterly partnership review"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(16)
    pdf.multi_cell(0, 9, pdf.text_(pack.audience), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.font(12)
    for line in (
        f"{pack.quarter.label}: {pack.quarter.start:%d %B %Y} – {pack.quarter.end:%d %B %Y}",
        f"Compared with {pack.previous.label} and with {pack.last_year.label}",
        f"Generated on {fmt(pack.generated_on, 'date')}",
    ):
        pdf.multi_cell(0, 7, pdf.text_(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.font(9)
    pdf.multi_cell(0, 5, pdf.text_(
        "Figures follow the definitions in the appendix. " + DEFINITIONS["Suppression"]),
        new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _learning_sections(pdf: _Pdf, pack: ReviewPack, pngs: dict[str, bytes]) -> None:
    """Sections 1 to 5: summary, headline figures, enrollments, time to complete, skills."""
    pdf.add_page()
    _heading(pdf, f"1. {SECTIONS[0]}")
    for line in pack.narrative:
        _para(pdf, f"• {line}")
    if pack.is_empty:
        _para(pdf, "The rest of this pack is short because the quarter has no enrollment activity.")

    _heading(pdf, f"2. {SECTIONS[1]}")
    _table(pdf, kpi_display(pack.kpis))

    _heading(pdf, f"3. {SECTIONS[2]}")
    _chart(pdf, pngs.get("enrollments_and_completions_by_quarter"))
    _chart(pdf, pngs.get("completion_rate_by_quarter"))
    _table(pdf, pack.by_credential, max_rows=30)

    _heading(pdf, f"4. {SECTIONS[3]}")
    headline = pack.summary
    _para(pdf, f"Median {fmt(headline.median_days_to_complete, 'days')} days; 80% of completions within "
               f"{fmt(headline.p80_days_to_complete, 'days')} days ({fmt(headline.completed)} completions).")
    _chart(pdf, pngs.get("time_to_complete"))

    _heading(pdf, f"5. {SECTIONS[4]}")
    _para(pdf, f"Skills gained: {fmt(pack.skills_gained)} (previous quarter {fmt(pack.skills_gained_previous)}). "
               f"Gap closed: {fmt(pack.gap_closed, 'rate')}.")
    _chart(pdf, pngs.get("skill_gaps"))
    _table(pdf, pack.skill_gaps, max_rows=30)


def _outcome_sections(pdf: _Pdf, pack: ReviewPack, pngs: dict[str, bytes]) -> None:
    """Sections 6 to 10: PDPs, outcomes, budget, co-design, alerts."""
    _heading(pdf, f"6. {SECTIONS[5]}")
    _chart(pdf, pngs.get("pdp_goals"))
    _table(pdf, pack.tables()["PDP goals"])

    _heading(pdf, f"7. {SECTIONS[6]}")
    _table(pdf, measures_display(pack.outcomes_table()))

    _heading(pdf, f"8. {SECTIONS[7]}")
    _table(pdf, measures_display(pack.budget_table()))

    _heading(pdf, f"9. {SECTIONS[8]}")
    changed = int(pack.co_design["changed_this_quarter"].sum()) if not pack.co_design.empty else 0
    _para(pdf, f"{fmt(len(pack.co_design))} credentials in co-design; {fmt(changed)} changed this quarter.")
    _table(pdf, pack.co_design)

    _heading(pdf, f"10. {SECTIONS[9]}")
    alerts = pack.alerts
    _para(pdf, f"As of {fmt(alerts.as_of, 'date')}: learners at risk {fmt(alerts.learners_at_risk)}; overdue PDP "
               f"goals {fmt(alerts.overdue_goals)}.")
    _table(pdf, alerts.at_risk, max_rows=25)


def _appendix(pdf: _Pdf) -> None:
    pdf.add_page()
    _heading(pdf, "Appendix: definitions")
    for term, text in DEFINITIONS.items():
        pdf.font(10, bold=True)
        pdf.multi_cell(0, 5.5, pdf.text_(term), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _para(pdf, text)


def pdf_bytes(pack: ReviewPack, pngs: dict[str, bytes]) -> bytes:
    pdf = _Pdf(f"Quarterly review {pack.quarter.label} – {pack.audience}")
    _cover(pdf, pack)
    _learning_sections(pdf, pack, pngs)
    _outcome_sections(pdf, pack, pngs)
    _appendix(pdf)
    return bytes(pdf.output())


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "pack"


def write_pack(pack: ReviewPack, out_dir: Path) -> list[Path]:
    """Write the PDF, the Excel workbook, the PowerPoint deck and one PNG per chart; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"review-{pack.quarter.label}-{slug(pack.audience)}"
    pngs = {name: chart_png(chart) for name, chart in pack_charts(pack).items()}
    paths = []
    pdf = out_dir / f"{stem}.pdf"
    pdf.write_bytes(pdf_bytes(pack, pngs))
    paths.append(pdf)
    xlsx = out_dir / f"{stem}.xlsx"
    xlsx.write_bytes(excel_bytes(pack))
    paths.append(xlsx)
    # The editable deck (services/review_deck.py), with the PNGs already rendered for the PDF.
    from services.review_deck import deck_bytes

    paths.append(out_dir / f"{stem}.pptx")
    paths[-1].write_bytes(deck_bytes(pack, pngs))
    for name, png in pngs.items():
        p = out_dir / f"{stem}-{name}.png"
        p.write_bytes(png)
        paths.append(p)
    return paths

