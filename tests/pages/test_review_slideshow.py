"""AppTest: the Quarterly review's presentation mode is a slide show: one slide at a time, Previous and Next, no
pickers, and ending it returns to the review as it was (same quarter, same partner)."""

from __future__ import annotations

from datetime import date

from services.periods import parse_quarter
from services.review import build_pack
from services.review_slides import SLIDE_TITLES, slides
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button, texts

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it
TODAY = date(2026, 7, 15)  # the fixture's AS_OF_DATE
COUNT = len(SLIDE_TITLES)


def open_review(email: str, *, quarter: str | None = None, partner: int | None = None):
    at = app_as(email).run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    if quarter is not None:
        at.selectbox(key="review_quarter").select(quarter).run()
    if partner is not None:
        at.selectbox(key="review_partner").select(partner).run()
    assert not at.exception, at.exception
    return at


def present(at):
    at.toggle(key="review_present").set_value(True).run()
    assert not at.exception, at.exception
    return at


def shown_slide(at) -> tuple[str, str]:
    """The slide's title and its number, as on screen."""
    [number] = [c.value for c in at.caption if c.value.startswith("Slide ")]
    return at.title[0].value, number


def test_presentation_shows_one_slide_at_a_time_without_pickers(app_db):
    at = present(open_review("officer@uni-one.test", partner=app_db.id("A")))
    assert shown_slide(at) == (SLIDE_TITLES[0], f"Slide 1 of {COUNT}")
    assert len(at.title) == 1
    assert [s.key for s in at.selectbox] == [] and [t.key for t in at.toggle] == []
    assert [b.label for b in at.main.button] == ["Previous", "Next", "End the presentation"]
    assert button(at, "Previous").disabled and not button(at, "Next").disabled
    assert "Download the pack" not in texts(at)
    button(at, "Next").click().run()
    assert shown_slide(at) == (SLIDE_TITLES[1], f"Slide 2 of {COUNT}")
    button(at, "Previous").click().run()
    assert shown_slide(at) == (SLIDE_TITLES[0], f"Slide 1 of {COUNT}")


def test_every_slide_in_order_and_the_last_one_stays(app_db):
    at = present(open_review("officer@uni-one.test"))
    seen = [shown_slide(at)]
    for _ in range(COUNT - 1):
        button(at, "Next").click().run()
        assert not at.exception, at.exception
        seen.append(shown_slide(at))
    assert seen == [(title, f"Slide {n} of {COUNT}") for n, title in enumerate(SLIDE_TITLES, start=1)]
    assert button(at, "Next").disabled


def test_ending_returns_to_the_same_quarter_and_partner(app_db):
    at = present(open_review("officer@uni-one.test", quarter="2026Q1", partner=app_db.id("A")))
    button(at, "Next").click().run()
    button(at, "Next").click().run()
    button(at, "End the presentation").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="review_quarter").value == "2026Q1"
    assert at.selectbox(key="review_partner").value == app_db.id("A")
    assert at.toggle(key="review_present").value is False
    assert at.title[0].value == "Quarterly review 2026Q1"
    assert "Download the pack" in [s.value for s in at.subheader]
    # Presenting again starts on the first slide.
    at = present(at)
    assert shown_slide(at) == (SLIDE_TITLES[0], f"Slide 1 of {COUNT}")


def test_headline_figures_are_the_slide_lists(app_db, session):
    world = app_db
    at = present(open_review("officer@uni-one.test", partner=world.id("A")))
    button(at, "Next").click().run()
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=parse_quarter("2026Q2"), today=TODAY,
                      employer_ids=frozenset({world.id("A")}))
    headline = slides(pack)[1]
    assert shown_slide(at)[0] == headline.title
    assert [(m.label, m.value, m.delta) for m in at.metric] == list(headline.figures)


def test_an_hr_managers_slides_name_no_other_employer(app_db):
    at = present(open_review("hr@acme.test"))
    assert not at.selectbox and shown_slide(at) == (SLIDE_TITLES[0], f"Slide 1 of {COUNT}")
    shown = []
    for _ in range(COUNT):
        shown.append(texts(at) + "\n".join(f"{m.value} {m.delta}" for m in at.metric)
                     + "\n".join(str(d.value.to_dict()) for d in at.dataframe))
        if not button(at, "Next").disabled:
            button(at, "Next").click().run()
    everything = "\n".join(shown)
    assert "Acme" in everything
    assert not any(name in everything for name in ("Beta", "Gamma"))
