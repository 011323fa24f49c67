"""User text is shown as text in Chromium: addresses, emails and Markdown links in a summary, a rationale, a
comment and a credential code are not links (ui/safe.md), and read as typed.

Streamlit's Markdown (remark-gfm) turns a bare ``https://…``, ``www.…`` or ``a@b.co`` into a link even when
its punctuation is backslash-escaped; only what the browser draws can show that none is left.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.steps import choose, open_page
from tests.browser.test_journey_codesign import card, click, click_tab, create_draft, fill, panel, see, studio
from tests.browser.test_login import main_area, org_of, query, screenshot
from ui.safe import WORD_JOINER

OFFICER = "officer@northbridge.ac.uk"
CODE = "www.evil.example"  # a valid credential code, and a GFM www autolink
TITLE = "Links stay text"
LINKS = ("https://evil.example/x www.evil.example mailto:a@b.co a@b.co [x](https://e.example) "
         "<https://e.example>")
SUMMARY, RATIONALE, COMMENT = (f"{what} with {LINKS}" for what in ("Summary", "Rationale", "Comment"))
FOREIGN = re.compile(r"evil\.example|e\.example|b\.co", re.IGNORECASE)


def as_read(where: Locator) -> str:
    """The text a person reads there (ui/safe puts invisible word joiners where a link would start)."""
    return where.inner_text().replace(WORD_JOINER, "")


def no_links(where: Locator) -> None:
    expect(where).to_be_visible()
    assert where.locator("a").count() == 0, [a.get_attribute("href") for a in where.locator("a").all()]


def no_foreign_links(page: Page) -> None:
    """Whatever else the page draws (messages, headings, pickers), no link leads to what users typed."""
    hrefs = [a.get_attribute("href") or "" for a in main_area(page).locator("a").all()]
    assert not [href for href in hrefs if FOREIGN.search(href) or href.startswith("mailto:")], hrefs


def markdown_with(page: Page, where: Locator, text: str) -> Locator:
    """The one Markdown element in ``where`` with ``text`` in it."""
    found = where.get_by_test_id("stMarkdownContainer").filter(has_text=text)
    expect(found).to_have_count(1)
    return found


def test_links_typed_into_a_credential_a_proposal_and_a_comment_are_shown_as_text(page: Page, live_stack):
    hvb = org_of(live_stack, "HVB").name
    studio(page, live_stack, OFFICER)

    # A draft whose code is a www address and whose summary holds every kind of link.
    create_draft(page, code=CODE, title=TITLE, summary=SUMMARY, employers=[hvb])
    see(page, tab="Details", credential=f"{CODE} · {TITLE}")
    success = main_area(page).get_by_test_id("stAlertContentSuccess")
    assert as_read(success) == f"Draft {CODE} created (version 1), co-designed with {hvb}."
    no_links(success)
    heading = main_area(page).get_by_role("heading", name=re.compile(re.escape(TITLE)))
    assert as_read(heading) == f"{CODE} · {TITLE}"
    no_links(heading)

    # A proposal with the links in its rationale, and a comment with them.
    click_tab(page, "Proposals")
    choose(page, "Field", "Title", area=panel(page))
    fill(panel(page), "New value", "Links are text")
    fill(panel(page), "Rationale", RATIONALE)
    click(page, "Propose change")
    (pid,) = query(live_stack, "SELECT max(id) FROM changeproposal")[0]
    see(page, tab="Proposals", credential=CODE)
    fill(card(page, pid), "Comment", COMMENT)
    click(page, "Add comment", card(page, pid))
    see(page, tab="Proposals", credential=CODE, success="Comment added.")
    rationale = markdown_with(page, card(page, pid), "Rationale: ")
    assert as_read(rationale) == f"Rationale: {RATIONALE}"
    comment = markdown_with(page, card(page, pid), "Comment with ")
    assert as_read(comment).startswith(f"{OFFICER} (") and as_read(comment).endswith(f"): {COMMENT}")
    no_links(card(page, pid))
    no_foreign_links(page)
    screenshot(page, "/tmp/user-text-proposal.png")

    # The catalogue shows the summary as typed, with no link in it.
    open_page(page, "Credential catalogue")
    choose(page, "Open a credential", f"{CODE} · {TITLE}")
    summary = markdown_with(page, main_area(page), "Summary with ")
    assert as_read(summary) == SUMMARY
    no_links(summary)
    no_links(main_area(page).get_by_role("heading", name=re.compile(re.escape(TITLE))))
    no_foreign_links(page)
    screenshot(page, "/tmp/user-text-catalogue.png")
