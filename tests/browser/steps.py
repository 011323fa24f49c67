"""Steps the journeys share: choosing in Streamlit's widgets, reading tables and messages as a person sees them."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect

from tests.browser.test_login import main_area, sidebar, wait_idle


def settle(page: Page) -> None:
    """Wait for the rerun a click started, and the one after it (a callback's st.rerun)."""
    wait_idle(page)
    page.wait_for_timeout(250)
    wait_idle(page)


def open_page(page: Page, title: str, heading: str | None = None) -> None:
    sidebar(page).get_by_role("link", name=title, exact=True).click()
    expect(main_area(page).get_by_role("heading", level=1, name=re.compile(re.escape(heading or title))).first
           ).to_be_visible()
    settle(page)


def widget(page: Page, testid: str, label: str, area: Locator | None = None) -> Locator:
    return (area or main_area(page)).get_by_test_id(testid).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))


def choose(page: Page, label: str, option: str, area: Locator | None = None) -> None:
    """Pick ``option`` (its whole text) in the selectbox labelled ``label`` (in the main area, or ``area``)."""
    box = widget(page, "stSelectbox", label, area)
    box.click()
    page.keyboard.type(option)  # long lists are virtual: filter so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)
    assert chosen(page, label, area) == option


def chosen(page: Page, label: str, area: Locator | None = None) -> str:
    """The text the selectbox ``label`` shows now (its option, or its placeholder)."""
    box = widget(page, "stSelectbox", label, area).get_by_role("combobox")
    return (box.input_value() or box.get_attribute("placeholder") or "").strip()


def pick(page: Page, label: str, options: list[str], area: Locator | None = None) -> None:
    """Pick options in the multiselect labelled ``label`` (in the main area, or ``area``: the sidebar)."""
    widget(page, "stMultiSelect", label, area).click()
    for option in options:  # the list stays open while options are picked
        page.keyboard.type(option)  # filter: the option is drawn even in a long (virtual) list
        page.get_by_role("option", name=option, exact=True).click()
        settle(page)
    page.keyboard.press("Escape")
    settle(page)


def grid(page: Page, first_heading: str) -> Locator:
    """The data grid whose first heading is ``first_heading``."""
    return main_area(page).get_by_test_id("stDataFrame").filter(
        has=page.locator("thead th", has_text=re.compile(rf"^{re.escape(first_heading)}$"))).first


def table(page: Page, first_heading: str, rows: int | None = None) -> list[dict[str, str]]:
    """The rows of the data grid whose first heading is ``first_heading``, as the accessible table has them.
    With ``rows``, first wait until it has that many (the grid redraws a moment after the run ends)."""
    shown = grid(page, first_heading)
    expect(shown).to_be_visible()
    if rows is not None:
        expect(shown.locator("tbody tr")).to_have_count(rows)
    headings = [h.strip() for h in shown.locator("thead th").all_inner_texts()]
    out = []
    for tr in shown.locator("tbody tr").all():
        cells = [c.strip() for c in tr.locator("td").all_text_contents()]
        # The accessible table may lead with a row-marker cell.
        out.append(dict(zip(headings[-len(cells):] if len(cells) <= len(headings) else headings, cells, strict=False)))
    return out


def eventually(check, *, seconds: float = 15.0) -> None:
    """Retry ``check`` (raises AssertionError until what the page shows has caught up) for a while:
    a data grid redraws a moment after its run has ended."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def message(page: Page, kind: str) -> str:
    """The text of the (first) success, error or warning box on the page."""
    testid = {"success": "stAlertContentSuccess", "error": "stAlertContentError",
              "warning": "stAlertContentWarning", "info": "stAlertContentInfo"}[kind]
    box = main_area(page).get_by_test_id(testid).first
    expect(box).to_be_visible()
    return box.inner_text().strip()


def no_raw_values(page: Page) -> None:
    """What people read is finished: no snake_case names and no long raw decimals in the main area."""
    text = main_area(page).inner_text()
    # Material icons are drawn from their names (an expander's arrow is "keyboard_arrow_right"): not text anyone reads.
    for icon in set(main_area(page).get_by_test_id("stIconMaterial").all_inner_texts()):
        text = text.replace(icon, "")
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)[:5]
    assert not re.findall(r"\d\.\d{4,}", text), re.findall(r"\d\.\d{4,}", text)[:5]
