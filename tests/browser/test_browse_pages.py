"""In Chromium: every dashboard page opens without an error, and the learner list
downloads as a CSV holding only the signed-in HR manager's own people."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

from tests.browser.test_login import demo_user, org_of, query, sidebar, sign_in, wait_idle

PAGES = ["Overview", "Enrollment and completion", "Upskilling", "PDPs", "Quarterly review"]


def open_page(page: Page, title: str) -> None:
    sidebar(page).get_by_role("link", name=title).click()
    # The page's own title shows once its script has started; then wait for it to finish.
    expect(page.get_by_role("heading", level=1, name=title).first).to_be_visible()
    wait_idle(page)
    page.wait_for_timeout(300)
    wait_idle(page)


def test_hr_manager_opens_every_page_and_downloads_learners(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    sign_in(page, live_stack, hr["email"])
    own = org_of(live_stack, hr["org_code"])
    for title in PAGES:
        open_page(page, title)
        assert page.get_by_test_id("stException").count() == 0, title
        page.screenshot(path=f"/tmp/browser-{title.replace(' ', '_').lower()}.png", full_page=True)

    open_page(page, "Enrollment and completion")
    page.get_by_text("Prepare downloads").click()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    assert rows, "the learner CSV is empty"
    # The headings of the table shown (no Employer column: it would repeat the HR manager's own).
    assert list(rows[0]) == ["Employee id", "Employee", "Department", "Credential", "Cohort", "Status", "Enrolled",
                             "Result on", "Withdrawn on", "Score", "Cost (£)"]
    own_refs = {r[0] for r in query(live_stack, "SELECT employee_ref FROM employee WHERE employer_id = :e", e=own.id)}
    assert {r["Employee id"] for r in rows} <= own_refs
    assert {r["Status"] for r in rows} <= {"Enrolled", "In progress", "Completed", "Failed", "Withdrawn"}
