"""Journey: the quarterly review for one partner with its downloads (test_journey_slideshow presents it);
its alert figures are the Overview's for the same partner."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from services.formatting import fmt
from services.periods import last_complete_quarter
from tests.browser.steps import choose, chosen, eventually, no_raw_values, open_page, pick, settle, table
from tests.browser.test_login import demo_user, kpi_value, main_area, org_of, query, sidebar, sign_in


def busiest_partner(stack, university_id: int) -> str:
    rows = query(stack, "SELECT o.name FROM partnership p JOIN organization o ON o.id = p.employer_id "
                        "JOIN employee e ON e.employer_id = o.id JOIN enrollment n ON n.employee_id = e.id "
                        "WHERE p.university_id = :u GROUP BY o.name ORDER BY count(*) DESC, o.name LIMIT 1",
                 u=university_id)
    assert rows, "the officer's university should have partners with enrollments"
    return rows[0][0]


def download(page: Page, button: str) -> bytes:
    with page.expect_download() as info:
        main_area(page).get_by_role("button", name=button).click()
    return info.value.path().read_bytes()


def test_officer_reviews_one_partners_quarter_and_takes_the_pack(page: Page, live_stack):
    officer = demo_user(live_stack, "partnership_officer")
    partner = busiest_partner(live_stack, org_of(live_stack, officer["org_code"]).id)
    quarter = last_complete_quarter(date.today()).label
    today = fmt(date.today(), "date")

    # 1. The review opens on the last complete quarter for all partners.
    sign_in(page, live_stack, officer["email"])
    open_page(page, "Quarterly review", f"Quarterly review {quarter}")
    assert chosen(page, "Quarter") == quarter and chosen(page, "Partner") == "All partners"

    # 2. One partner: the quarter stays, the page says whose review it is.
    choose(page, "Partner", partner)
    expect(main_area(page).get_by_role("heading", level=1)).to_have_text(f"Quarterly review {quarter}")
    assert chosen(page, "Quarter") == quarter
    expect(main_area(page)).to_contain_text(f"{partner} · ")
    at_risk = main_area(page).get_by_text(re.compile(r"^As of .*: learners at risk"))
    expect(at_risk).to_contain_text(f"As of {today}: learners at risk")
    learners, overdue = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+(?=\s|$)",
                                                                    at_risk.inner_text().split(":", 1)[1]))

    def goal_states_match() -> None:
        states = table(page, "State")
        assert {r["State"] for r in states} == {"Achieved", "On track", "At risk", "Overdue", "Dropped"}
        assert int(next(r for r in states if r["State"] == "Overdue")["PDP goals"].replace(",", "")) == overdue

    eventually(goal_states_match)
    no_raw_values(page)

    # 3. The pack: PDF, Excel and the charts, all for this partner and quarter.
    main_area(page).get_by_text("Prepare PDF, Excel and chart files").click()
    settle(page)
    expect(main_area(page).get_by_role("button", name="Download PDF")).to_be_visible(timeout=60_000)
    pdf = PdfReader(io.BytesIO(download(page, "Download PDF")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Quarterly partnership review" in text and partner in text and quarter in text
    assert f"As of {today}: learners at risk {fmt(learners)}; overdue PDP goals {fmt(overdue)}." in text
    book = load_workbook(io.BytesIO(download(page, "Download XLSX")))
    about = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    # A date cell (written "d mmm yyyy" by its number format), read back as the day it is.
    assert about["Partner"] == partner and fmt(about["Alerts as of"], "date") == today
    goals = {r[0]: r[1] for r in book["PDP goals"].iter_rows(min_row=2, values_only=True)}
    assert goals["Overdue"] == overdue and "On track" in goals
    with zipfile.ZipFile(io.BytesIO(download(page, "Download ZIP"))) as charts:
        names = charts.namelist()
        assert names and all(n.endswith(".png") and quarter in n for n in names)
        assert all(charts.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in names)

    # 4. Back at the desk: the Overview counts the same alerts for the same partner.
    open_page(page, "Overview")
    pick(page, "Employers", [partner], area=sidebar(page))
    assert kpi_value(page, "Learners at risk") == learners
    assert kpi_value(page, "Overdue PDP goals") == overdue
    expect(main_area(page)).to_contain_text(f"As of {today}")

