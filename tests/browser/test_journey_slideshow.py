"""Journey: an officer presents one partner's quarterly review as a slide show, moving with the arrow keys, and
ends it with Esc back on the review as it was."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from services.periods import last_complete_quarter
from services.review_slides import SLIDE_TITLES
from tests.browser.steps import choose, chosen, open_page, settle
from tests.browser.test_journey_review import busiest_partner
from tests.browser.test_login import demo_user, main_area, org_of, sidebar, sign_in

COUNT = len(SLIDE_TITLES)


def on_slide(page: Page, number: int) -> None:
    """The slide the room sees: its title, its number, and no picker."""
    expect(main_area(page).get_by_role("heading", level=1)).to_have_text(SLIDE_TITLES[number - 1])
    expect(main_area(page).get_by_text(f"Slide {number} of {COUNT}", exact=True)).to_be_visible()
    expect(main_area(page).get_by_test_id("stSelectbox")).to_have_count(0)
    expect(sidebar(page)).to_be_hidden()


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    settle(page)


def test_officer_walks_the_slide_show_with_the_keyboard(page: Page, live_stack):
    officer = demo_user(live_stack, "partnership_officer")
    partner = busiest_partner(live_stack, org_of(live_stack, officer["org_code"]).id)
    quarter = last_complete_quarter(date.today()).label

    # 1. The review for one partner, as the meeting starts.
    sign_in(page, live_stack, officer["email"])
    open_page(page, "Quarterly review", f"Quarterly review {quarter}")
    choose(page, "Partner", partner)
    expect(main_area(page)).to_contain_text(f"{partner} · ")

    # 2. Presentation mode: the first slide, whose subtitle names the partner; no pickers, no sidebar.
    main_area(page).get_by_text("Presentation mode").click()
    settle(page)
    on_slide(page, 1)
    expect(main_area(page)).to_contain_text(partner)
    expect(main_area(page).get_by_role("button", name="Download")).to_have_count(0)

    # 3. The arrow keys move through the slides.
    press(page, "ArrowRight")
    on_slide(page, 2)
    expect(main_area(page).get_by_test_id("stMetric").first).to_be_visible()
    press(page, "ArrowRight")
    on_slide(page, 3)
    press(page, "ArrowLeft")
    on_slide(page, 2)

    # 4. Esc ends the presentation: the review as it was, same quarter and partner.
    press(page, "Escape")
    expect(main_area(page).get_by_role("heading", level=1)).to_have_text(f"Quarterly review {quarter}")
    expect(sidebar(page)).to_be_visible()
    assert chosen(page, "Quarter") == quarter and chosen(page, "Partner") == partner
    expect(main_area(page)).to_contain_text(f"{partner} · ")
    expect(main_area(page).get_by_text(f"Slide 2 of {COUNT}", exact=True)).to_have_count(0)
