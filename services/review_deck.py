"""The quarterly review as an editable PowerPoint deck (python-pptx): the slides of
services/review_slides.py, one each, 16:9.

Titles sit in the layout's title placeholder (PowerPoint's outline and navigation read
it); figures are text boxes people can retype; charts are native PowerPoint charts
(their numbers stay numbers, editable in PowerPoint's data sheet) except where the kind
has no native equivalent (histogram, heatmap): those are the pack's Altair chart as a
picture. Speaker notes hold the slide's narrative and its figures' definitions.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from services.review import ReviewPack
from services.review_slides import Chart, Slide, slides

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
GAP = Inches(0.3)
FIGURE_HEIGHT = Inches(1.8)  # a label, the figure, a comparison that may wrap once
TITLE_LAYOUT, CONTENT_LAYOUT = 0, 5  # the default template's "Title Slide" and "Title Only"
MUTED = RGBColor(0x55, 0x5B, 0x66)
NATIVE = {"bar": XL_CHART_TYPE.COLUMN_CLUSTERED, "grouped bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
          "line": XL_CHART_TYPE.LINE_MARKERS}


def _place(shape, left, top, width, height) -> None:
    shape.left, shape.top, shape.width, shape.height = int(left), int(top), int(width), int(height)


def _paragraph(text_frame, text: str, size: int, *, bold: bool = False, color: RGBColor | None = None,
               first: bool = False) -> None:
    paragraph = text_frame.paragraphs[0] if first else text_frame.add_paragraph()
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    if color is not None:
        run.font.color.rgb = color


def _title(shape, text: str, size: int) -> None:
    shape.text_frame.text = text
    for paragraph in shape.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold = Pt(size), True


def _figures(slide, figures, top) -> int:
    """Figure text boxes in rows of up to four; returns where the space below them starts."""
    if not figures:
        return top
    per_row = len(figures) if len(figures) <= 4 else math.ceil(len(figures) / 2)
    width = (WIDTH - 2 * MARGIN - GAP * (per_row - 1)) / per_row
    for i, (name, value, comparison) in enumerate(figures):
        row, column = divmod(i, per_row)
        box = slide.shapes.add_textbox(MARGIN + column * (width + GAP), top + row * (FIGURE_HEIGHT + GAP / 2),
                                       width, FIGURE_HEIGHT)
        box.name = f"Figure {i + 1}"
        frame = box.text_frame
        frame.word_wrap = True
        _paragraph(frame, name, 16, color=MUTED, first=True)
        _paragraph(frame, value, 40, bold=True)
        _paragraph(frame, comparison, 14, color=MUTED)
    rows = math.ceil(len(figures) / per_row)
    return top + rows * (FIGURE_HEIGHT + GAP / 2)


def _lines(slide, lines, top) -> int:
    if not lines:
        return top
    height = Inches(0.5) * len(lines)
    frame = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        _paragraph(frame, line, 20, first=i == 0)
    return top + height


def _native_chart(slide, spec: Chart, left, top, width, height) -> None:
    data = CategoryChartData(number_format=spec.number_format)
    data.categories = list(spec.categories)
    for name, values in spec.series:
        data.add_series(name, list(values))
    chart = slide.shapes.add_chart(NATIVE[spec.kind], int(left), int(top), int(width), int(height), data).chart
    chart.font.size = Pt(14)
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    ticks = chart.value_axis.tick_labels
    ticks.number_format, ticks.number_format_is_linked = spec.number_format, False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = spec.number_format, False
    for axis, text in ((chart.category_axis, spec.x_title), (chart.value_axis, spec.y_title)):
        if text:
            axis.axis_title.text_frame.text = text


def _picture(slide, png: bytes, left, top, width, height) -> None:
    picture = slide.shapes.add_picture(io.BytesIO(png), int(left), int(top))
    ratio = min(width / picture.width, height / picture.height)
    picture.width, picture.height = int(picture.width * ratio), int(picture.height * ratio)
    picture.left = int(left + (width - picture.width) / 2)  # centred in the space it was given


def _table(slide, df: pd.DataFrame, left, top, width, height) -> None:
    rows, columns = len(df) + 1, len(df.columns)
    row_height = min(Inches(0.45), height / rows)
    table = slide.shapes.add_table(rows, columns, int(left), int(top), int(width), int(row_height * rows)).table
    for j, heading in enumerate(df.columns):
        table.cell(0, j).text = str(heading)
    for i, values in enumerate(df.itertuples(index=False), start=1):
        for j, value in enumerate(values):
            table.cell(i, j).text = str(value)
    size = Pt(14 if rows <= 6 and columns <= 4 else 12 if columns <= 4 else 11)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size


def _body(slide, spec: Slide, top, pictures: dict[str, bytes]) -> None:
    """The chart and the table below the figures: side by side, or one across the slide."""
    bottom = HEIGHT - Inches(0.6)
    if bottom - top < Inches(1):
        return
    chart = spec.chart
    png = pictures.get(chart.picture) if chart is not None and chart.kind == "picture" else None
    has_chart = chart is not None and (chart.kind in NATIVE or png is not None)
    has_table = spec.table is not None and not spec.table.empty
    full = WIDTH - 2 * MARGIN
    chart_width = (full - GAP) * 0.5 if has_table else full
    if has_chart:
        if chart.kind in NATIVE:
            _native_chart(slide, chart, MARGIN, top, chart_width, bottom - top)
        else:
            _picture(slide, png, MARGIN, top, chart_width, bottom - top)
    if has_table:
        left = MARGIN + chart_width + GAP if has_chart else MARGIN
        _table(slide, spec.table, left, top, full - (left - MARGIN), bottom - top)


def _footer(slide, text: str) -> None:
    frame = slide.shapes.add_textbox(MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.4)).text_frame
    _paragraph(frame, text, 12, color=MUTED, first=True)
    frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _add(deck, spec: Slide, pictures: dict[str, bytes], footer: str) -> None:
    if spec.key == "title":
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
        title, subtitle = slide.placeholders[0], slide.placeholders[1]
        _place(title, MARGIN, Inches(1.8), WIDTH - 2 * MARGIN, Inches(1.4))
        _title(title, spec.title, 44)
        _place(subtitle, MARGIN, Inches(3.4), WIDTH - 2 * MARGIN, Inches(2.6))
        subtitle.text_frame.text = spec.subtitle
        for paragraph in subtitle.text_frame.paragraphs:
            paragraph.alignment = PP_ALIGN.LEFT
            for run in paragraph.runs:
                run.font.size = Pt(24)
    else:
        slide = deck.slides.add_slide(deck.slide_layouts[CONTENT_LAYOUT])
        _place(slide.shapes.title, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.9))
        _title(slide.shapes.title, spec.title, 36)
        top = _figures(slide, spec.figures, Inches(1.4))
        top = _lines(slide, spec.lines, top)
        _body(slide, spec, top + GAP / 2, pictures)
        _footer(slide, footer)
    slide.notes_slide.notes_text_frame.text = spec.notes


def pictures_for(pack: ReviewPack, specs: list[Slide]) -> dict[str, bytes]:
    """The PNGs of the pack's Altair charts that a slide shows as a picture."""
    from services.review_export import chart_png, pack_charts  # vl-convert only when a picture is drawn

    wanted = {s.chart.picture for s in specs if s.chart is not None and s.chart.kind == "picture"}
    return {name: chart_png(chart) for name, chart in pack_charts(pack).items() if name in wanted}


def deck_bytes(pack: ReviewPack, pictures: dict[str, bytes] | None = None) -> bytes:
    """The deck as a .pptx file; ``pictures`` (chart PNGs by pack_charts key) when already rendered."""
    specs = slides(pack)
    if pictures is None:
        pictures = pictures_for(pack, specs)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
    for number, spec in enumerate(specs, start=1):
        footer = f"Quarterly review {pack.quarter.label} · {pack.audience} · {number} of {len(specs)}"
        _add(deck, spec, pictures, footer)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
