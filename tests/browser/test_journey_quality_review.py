"""Journey: a partnership officer sees an overdue yearly review on the overview, opens the credential in the
studio on its Quality review tab, records the review, reads that it is recorded and when the next one is due,
and the overview no longer lists it as overdue.

The demo seed (seed/quality_reviews.py) makes its first published credential overdue relative to today.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from services.codesign.quality_review import add_months
from services.formatting import fmt
from tests.browser.steps import choose, open_page, settle, table
from tests.browser.test_login import main_area, query, screenshot, sign_in

OFFICER = "officer@northbridge.ac.uk"
NOTES = "Checked the outcomes and assessment with both employers: no change needed."


def panel(page: Page):
    return main_area(page).get_by_role("tabpanel").filter(visible=True)


def due_rows(page: Page) -> list[dict[str, str]]:
    expect(main_area(page).get_by_role("heading", name="Quality reviews due")).to_be_visible()
    return table(page, "Code")


def test_officer_records_an_overdue_yearly_review(page: Page, live_stack):
    today = date.today()
    overdue = query(live_stack, "SELECT code, title FROM credential WHERE status = 'published' AND next_review_on < "
                                f"'{today.isoformat()}' ORDER BY next_review_on, code")
    assert overdue, "the demo seed has a credential whose yearly review is overdue"
    code, title = overdue[0].code, overdue[0].title

    sign_in(page, live_stack, OFFICER)
    rows = due_rows(page)
    assert {"Code": code, "State": "Overdue"}.items() <= next(row for row in rows if row["Code"] == code).items()
    choose(page, "Open a credential's review", f"{code} · {title}")
    main_area(page).get_by_role("button", name="Open in the studio").click()
    settle(page)

    expect(main_area(page).get_by_role("heading", level=1, name="Co-design studio")).to_be_visible()
    expect(main_area(page).get_by_role("tab", selected=True)).to_have_text("Quality review")
    expect(panel(page).get_by_test_id("stAlertContentError")).to_contain_text("The yearly review is overdue")

    choose(page, "Outcome", "Continue as it is", area=panel(page))
    panel(page).get_by_label("Notes", exact=True).fill(NOTES)
    panel(page).get_by_role("button", name="Record review").click()
    settle(page)

    next_due = fmt(add_months(today, 12), "date")
    expect(main_area(page).get_by_test_id("stAlertContentSuccess")).to_have_text(
        re.compile("^" + re.escape(f"Review recorded; next review due {next_due}.")))
    expect(main_area(page).get_by_role("tab", selected=True)).to_have_text("Quality review")
    expect(panel(page).get_by_test_id("stAlertContentError")).to_have_count(0)
    history = table(page, "Reviewed")
    # The grid draws dates as "2 Dec 2026" (ui/tables DateColumn); its accessible table holds the ISO value.
    assert {"Reviewed": today.isoformat(), "Outcome": "Continue", "Reviewer": OFFICER,
            "Next review": add_months(today, 12).isoformat()}.items() <= history[0].items()

    screenshot(page, "/tmp/journey-quality-review-studio.png")

    open_page(page, "Overview")
    screenshot(page, "/tmp/journey-quality-review-overview.png")
    assert code not in [row["Code"] for row in due_rows(page) if row["State"] == "Overdue"]
