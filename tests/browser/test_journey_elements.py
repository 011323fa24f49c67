"""Journey: a partnership officer completes the European elements of a draft (Council Recommendation, Annex I).

The officer creates a draft with a learning outcome and a skill, tries to submit it and reads which
mandatory elements are missing (on the same tab), fills them in the details form, reads the checklist
complete, and submits: the studio shows it in review; the officer approves it. After every step: the
credential the picker shows, the open tab, and the message the person reads.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.steps import choose, no_raw_values
from tests.browser.test_journey_codesign import (
    click,
    click_tab,
    create_draft,
    fill,
    on_tab,
    panel,
    see,
    shows,
    studio,
)
from tests.browser.test_login import main_area, org_of, screenshot

OFFICER = "officer@northbridge.ac.uk"
CODE, TITLE = "MC-JRN-EU1", "Data Protection for Team Leads"
SUMMARY = "What a team lead needs to know to handle personal data lawfully."
OUTCOME = "Explain the lawful bases for processing the personal data of a team."
ASSESSMENT = "A case study marked by two assessors, and a short oral exam."
QUALITY = "Internal quality assurance of the university, reviewed by the national agency every five years."


def checklist(page: Page):
    """The Sign-off tab's checklist: the Markdown list of the Annex I elements."""
    return panel(page).get_by_role("list").filter(has_text="Awarding body")


def test_officer_completes_the_european_elements_and_submits(page: Page, live_stack):
    started = time.monotonic()
    hvb = org_of(live_stack, "HVB").name
    try:
        _journey(page, live_stack, hvb)
    except Exception:
        page.screenshot(path="/tmp/journey-elements.png", full_page=True)
        raise
    elapsed = time.monotonic() - started
    print(f"elements journey: {elapsed:.0f} s")
    assert elapsed < 120, f"the journey took {elapsed:.0f} s"


def _journey(officer: Page, stack, hvb: str) -> None:
    # 1. A new draft co-designed with the bank, with an outcome and a skill: what review asks besides Annex I.
    studio(officer, stack, OFFICER)
    create_draft(officer, code=CODE, title=TITLE, summary=SUMMARY, employers=[hvb])
    see(officer, tab="Details", credential=f"{CODE} · {TITLE} · Draft",
        success=f"Draft {CODE} created (version 1), co-designed with {hvb}.")
    click_tab(officer, "Learning outcomes")
    fill(panel(officer), "New learning outcome", OUTCOME)
    click(officer, "Add outcome")
    see(officer, tab="Learning outcomes", credential=CODE, success="Added learning outcome 1 (version 2).")
    click_tab(officer, "Skills")
    choose(officer, "Skill", "perform data analysis", area=panel(officer))
    click(officer, "Save skill mapping")
    see(officer, tab="Skills", credential=CODE,
        success="Mapped skill perform data analysis at proficiency 3 (version 3).")

    # 2. The Sign-off tab says what is missing; submitting anyway is refused, on the same tab, naming them.
    click_tab(officer, "Sign-off")
    missing = "Missing: Country or region of the issuer, Type of assessment, Type of quality assurance."
    expect(panel(officer)).to_contain_text(missing)
    expect(checklist(officer)).to_contain_text("Missing · Type of assessment (mandatory): —")
    expect(checklist(officer)).to_contain_text("Set · Awarding body (mandatory): Northbridge University")
    click(officer, "Submit for review")
    on_tab(officer, "Sign-off")
    shows(officer, f"{CODE} · {TITLE} · Draft")
    expect(main_area(officer).get_by_test_id("stAlertContentError")).to_have_text(
        f"Before review, {CODE} needs every mandatory element of the European standard for micro-credentials. "
        "Missing: Country or region of the issuer, Type of assessment, Type of quality assurance.")

    # 3. The officer fills the elements in the details form's European section and saves (one version).
    click_tab(officer, "Details")
    expect(panel(officer)).to_contain_text("European standard (Council Recommendation, Annex I)")
    fill(panel(officer), "Country or region of the issuer *", "ie")
    fill(panel(officer), "Type of assessment *", ASSESSMENT)
    fill(panel(officer), "Type of quality assurance *", QUALITY)
    choose(officer, "Cycle (QF-EHEA)", "Short cycle", area=panel(officer))
    choose(officer, "Stackability", "Stand-alone", area=panel(officer))
    click(officer, "Save draft")
    see(officer, tab="Details", credential=CODE, success="Saved as version 4.")
    expect(panel(officer).get_by_label("Country or region of the issuer *", exact=True)).to_have_value("IE")
    expect(panel(officer)).to_contain_text("Ireland (IE)")
    expect(panel(officer)).to_contain_text("Ready for review.")

    # 4. The checklist is complete: every mandatory element set, with what it reads.
    click_tab(officer, "Sign-off")
    expect(panel(officer)).to_contain_text("Ready for review.")
    expect(checklist(officer)).to_contain_text("Set · Country or region of the issuer (mandatory): Ireland (IE)")
    expect(checklist(officer)).to_contain_text(f"Set · Type of assessment (mandatory): {ASSESSMENT}")
    expect(checklist(officer)).to_contain_text("Set · Cycle (QF-EHEA), where it applies (optional): Short cycle")
    expect(checklist(officer).get_by_text(re.compile(r"Missing ·"))).to_have_count(0)
    no_raw_values(officer)

    # 5. Submitted: in review, waiting for both parties.
    click(officer, "Submit for review")
    see(officer, tab="Sign-off", credential=f"{CODE} · {TITLE} · In review",
        success=f"Submitted for review: version 4 now needs the approval of Northbridge University and {hvb}.")
    expect(panel(officer)).to_contain_text("Every mandatory element is set.")
    screenshot(officer, "/tmp/journey-elements.png")
    # 6. The officer approves it: it waits for the bank, and nothing of it awaits the officer (the journeys share
    # one database; the co-design journey starts from what awaits the officer).
    click(officer, "Approve version 4")
    see(officer, tab="Sign-off", credential=f"{CODE} · {TITLE} · In review — waiting for the other parties",
        success=f"Approved version 4. Still to approve: {hvb}.")
