"""The review deck: the slide list, each slide titled, its numbers the metrics layer's,
native charts, speaker notes, and an HR manager's deck naming nobody else."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pptx import Presentation
from pptx.util import Emu

from services import metrics
from services.formatting import fmt, label
from services.metrics import Filters
from services.periods import parse_quarter
from services.review import build_pack
from services.review_actions import Owner, add_action, update_action
from services.review_deck import deck_bytes
from services.review_slides import SLIDE_TITLES, slides
from tests.world import TODAY, build_world

Q2 = parse_quarter("2026Q2")
EXPECTED_TITLES = [
    "Quarterly partnership review", "Headline figures", "Enrollments and completions", "Time to complete",
    "Skills gained against gaps", "PDP progress", "Outcomes at work", "Spend against budget", "Co-design",
    "Last quarter's actions", "Risks",
]


@pytest.fixture
def world(session):
    return build_world(session)


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def shape_texts(slide) -> list[str]:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        if shape.has_chart:
            chart = shape.chart
            texts.extend(str(c) for c in chart.plots[0].categories)
            texts.extend(s.name for s in chart.plots[0].series)
    return texts


def all_text(deck) -> str:
    parts = []
    for slide in deck.slides:
        parts.extend(shape_texts(slide))
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def figure(slide, name: str) -> list[str]:
    """The paragraphs of the figure text box whose first line is ``name``: label, value, comparison."""
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.paragraphs[0].text == name:
            return [p.text for p in shape.text_frame.paragraphs]
    raise AssertionError(f"no figure {name!r} on {slide.shapes.title.text!r}")


def test_slide_list_is_the_meeting_order():
    assert list(SLIDE_TITLES) == EXPECTED_TITLES


def test_deck_has_the_slide_list_with_titles_and_notes(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    deck = open_deck(deck_bytes(pack))
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.01)
    assert [slide.shapes.title.text for slide in deck.slides] == EXPECTED_TITLES
    for slide in deck.slides:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), slide.shapes.title.text
    headline_notes = deck.slides[1].notes_slide.notes_text_frame.text
    assert pack.narrative[0] in headline_notes
    assert metrics.DEFINITIONS["Completion rate"] in headline_notes
    # Figures are large enough to read from the back of a room.
    value = next(s for s in deck.slides[1].shapes if s.has_text_frame and s.text_frame.text.startswith("Enrollments"))
    assert value.text_frame.paragraphs[1].runs[0].font.size >= Emu(36 * 12700)


def test_deck_numbers_equal_the_metrics_layer(session, world):
    scope = world.scope(session, "officer@u")
    pack = build_pack(session, scope, quarter=Q2, today=TODAY)
    deck = open_deck(deck_bytes(pack))
    s = metrics.summary(session, scope, Filters(Q2), today=TODAY)
    headline = deck.slides[1]
    assert figure(headline, "Enrollments")[1] == fmt(s.enrollments)
    assert figure(headline, "Completions")[1] == fmt(s.completed)
    assert figure(headline, "Completion rate")[1] == fmt(s.completion_rate, "rate")
    before = metrics.summary(session, scope, Filters(Q2.previous()), today=TODAY)
    assert figure(headline, "Enrollments")[2].startswith(f"{fmt(s.enrollments - before.enrollments, 'change')} vs")
    # The enrollments chart is a native chart whose series are the pack's numbers.
    charts = [shape.chart for shape in deck.slides[2].shapes if shape.has_chart]
    assert len(charts) == 1
    plot = charts[0].plots[0]
    assert list(plot.categories) == pack.by_quarter["quarter"].tolist()
    series = {s.name: list(s.values) for s in plot.series}
    assert series["Enrollments"] == [float(v) for v in pack.by_quarter["enrollments"]]
    assert series["Completions"] == [float(v) for v in pack.by_quarter["completed"]]
    # PDP goal states: a native bar chart, states in words.
    goals = next(shape.chart for shape in deck.slides[5].shapes if shape.has_chart)
    assert list(goals.plots[0].categories) == [label(state) for state in pack.goal_states]
    assert list(goals.plots[0].series[0].values) == [float(v) for v in pack.goal_states.values()]
    # Spend against budget in pounds, the axis written as money.
    money = next(shape.chart for shape in deck.slides[7].shapes if shape.has_chart)
    assert money.value_axis.tick_labels.number_format == "£#,##0"
    assert figure(deck.slides[7], "Spend")[1] == fmt(pack.budget.spend, "money")
    # The surveys are suppressed in this small world, as in the pack.
    assert figure(deck.slides[6], "Job performance")[1] == metrics.SUPPRESSED


@pytest.mark.parametrize("quarter", ["2026Q1", "2026Q2"])
def test_hr_manager_deck_names_no_other_employer_and_no_employee(session, world, quarter):
    pack = build_pack(session, world.scope(session, "hr@a"), quarter=parse_quarter(quarter), today=TODAY)
    text = all_text(open_deck(deck_bytes(pack)))
    assert "Acme" in text
    for other in ("Beta", "Gamma", "Uni Two", "Bea One", "Bo Two", "Sales", "Cy One", "Ann One", "Al Two",
                  "Ada Three", "Erased person"):
        assert other not in text, other


@pytest.mark.parametrize("quarter", ["2026Q1", "2026Q2"])
def test_deck_text_has_no_raw_floats_or_code_names(session, world, quarter):
    for user in ("officer@u", "hr@a"):
        pack = build_pack(session, world.scope(session, user), quarter=parse_quarter(quarter), today=TODAY)
        text = all_text(open_deck(deck_bytes(pack)))
        assert not re.findall(r"\d\.\d{3,}|\d\.\d{2,}%", text)
        assert not re.findall(r"\w+_\w+", text)


def test_slides_without_actions_say_so(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    actions = next(s for s in slides(pack) if s.key == "actions")
    assert "No actions were recorded last quarter." in actions.lines


def test_risks_are_counts_by_credential_never_names(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    risks = next(s for s in slides(pack) if s.key == "risks")
    assert figure_values(risks)["Learners at risk"] == fmt(pack.alerts.learners_at_risk)
    if risks.table is not None:
        assert list(risks.table.columns) == ["Credential", "Learners at risk"]
        assert len(risks.table) <= 8


def figure_values(slide) -> dict[str, str]:
    return {name: value for name, value, _comparison in slide.figures}


def test_empty_quarter_gives_a_whole_deck(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=parse_quarter("2020Q1"), today=TODAY)
    deck = open_deck(deck_bytes(pack))
    assert [slide.shapes.title.text for slide in deck.slides] == EXPECTED_TITLES


@pytest.mark.parametrize(("user", "quarter"), [("officer@u", "2026Q2"), ("officer@u", "2026Q1"), ("hr@a", "2026Q1")])
def test_every_shape_fits_on_its_slide(session, world, user, quarter):
    pack = build_pack(session, world.scope(session, user), quarter=parse_quarter(quarter), today=TODAY)
    deck = open_deck(deck_bytes(pack))
    for slide in deck.slides:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= deck.slide_width, shape.name
            assert 0 <= shape.top and shape.top + shape.height <= deck.slide_height, shape.name


def test_last_quarters_actions_and_those_due(session, world):
    # Agreed in the 2026Q1 review, so they are "last quarter's actions" in the 2026Q2 pack.
    officer, hr = world.scope(session, "officer@u"), world.scope(session, "hr@a")
    agreed = [("Book the K1 cohort", officer, date(2026, 5, 1), "done"),
              ("Share the survey", hr, date(2026, 6, 1), None),
              ("Review the budget", officer, date(2026, 6, 15), "done")]
    for text, scope, due_on, status in agreed:
        action = add_action(session, scope, partnership_id=world.id("U-A"), quarter="2026Q1", text=text,
                            owner=Owner(email=scope.email), due_on=due_on)
        if status:
            update_action(session, scope, action_id=action.id, expected_version=action.version, status=status)
    add_action(session, hr, partnership_id=world.id("U-A"), quarter="2026Q2", text="Plan 2026Q3",
               owner=Owner(email=hr.email), due_on=date(2026, 9, 1))
    pack = build_pack(session, officer, quarter=Q2, today=TODAY)
    actions = next(s for s in slides(pack) if s.key == "actions")
    assert figure_values(actions) == {"Done": "2", "Overdue": "1"}  # open, and due before today
    assert actions.table["Due"].tolist() == ["1 May 2026", "1 Jun 2026", "15 Jun 2026"]
    assert actions.table["Status"].tolist() == ["Done", "Overdue", "Done"]
    assert actions.table["Action"].tolist()[0] == "Book the K1 cohort"
    assert "2 actions are due before the next review." in actions.lines  # the overdue one and Plan 2026Q3
    deck = open_deck(deck_bytes(pack))
    assert "Book the K1 cohort" in shape_texts(deck.slides[9])
