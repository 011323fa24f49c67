"""Files of the quarterly review pack: a PDF report (pdf.py), an Excel workbook (workbook.py), the PowerPoint
deck (services/review_deck.py) and the charts as PNG (charts.py); the tables both files show are listed once
in tables.py. ``write_pack`` writes them all for ``manage.py report``; a new file is one more entry in
``pack_files``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from services.review import ReviewPack
from services.review_deck import deck_bytes
from services.review_export.charts import chart_png, pack_charts
from services.review_export.pdf import SECTIONS, pdf_bytes
from services.review_export.tables import PackTable, kpi_display, measures_display, pack_tables
from services.review_export.workbook import excel_bytes

__all__ = ["SECTIONS", "PackTable", "chart_png", "excel_bytes", "kpi_display", "measures_display", "pack_charts",
           "pack_files", "pack_tables", "pdf_bytes", "slug", "write_pack"]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "pack"


def pack_files(pack: ReviewPack, pngs: dict[str, bytes]) -> dict[str, Callable[[], bytes]]:
    """The pack's documents by file suffix, each written when called."""
    tables = pack_tables(pack)
    return {
        ".pdf": lambda: pdf_bytes(pack, pngs, tables),
        ".xlsx": lambda: excel_bytes(pack, tables),
        # The editable deck (services/review_deck.py), with the PNGs already rendered for the PDF.
        ".pptx": lambda: deck_bytes(pack, pngs),
    }


def write_pack(pack: ReviewPack, out_dir: Path) -> list[Path]:
    """Write the documents of ``pack_files`` and one PNG per chart; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"review-{pack.quarter.label}-{slug(pack.audience)}"
    pngs = {name: chart_png(chart) for name, chart in pack_charts(pack).items()}
    paths = []
    for suffix, write in pack_files(pack, pngs).items():
        path = out_dir / f"{stem}{suffix}"
        path.write_bytes(write())
        paths.append(path)
    for name, png in pngs.items():
        path = out_dir / f"{stem}-{name}.png"
        path.write_bytes(png)
        paths.append(path)
    return paths
