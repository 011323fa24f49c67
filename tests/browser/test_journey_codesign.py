"""Journey: a partnership officer and the HR managers of two employers co-design a credential, start to finish.

Three people in three browser contexts: the officer creates a draft co-designed with Harbour & Vale Bank and
Kestrel Logistics, edits a learning outcome and proposes a change; each employer's HR manager comments and
accepts (the change applies only once both have); the bank proposes a skill for the list, which the officer
accepts; the officer fills the European elements and submits; all three approve; the officer
publishes; the catalogue shows the version history. After every step: the credential the picker shows, the
open tab, and the message the person reads.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from devtools.stack import loopback_only
from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.steps import choose, no_raw_values, open_page, pick, settle, table
from tests.browser.test_login import main_area, org_of, query, screenshot, sign_in, wait_idle
from ui.safe import unlinked

OFFICER = "officer@northbridge.ac.uk"
HVB, KLG = "hr@harbourvale.co.uk", "hr@kestrel-logistics.co.uk"
CODE, TITLE = "MC-JRN-101", "Data Skills for Operations Teams"
OUTCOME = "Read operational dashboards and spot the exceptions that matter."
EDITED = "Read operational dashboards, spot the exceptions that matter and explain them to the team."
SUMMARY = "Hands-on data skills for supervisors in branches and depots."
PROPOSED = SUMMARY + " Assessed on a real report from the learner's own workplace."
NEW_SKILL = "reconcile branch cash"


# --- what the person sees ---------------------------------------------------------------------


def panel(page: Page):
    """The open tab's content (the other tabs' content is in the page, hidden)."""
    return main_area(page).get_by_role("tabpanel").filter(visible=True)


def on_tab(page: Page, name: str) -> None:
    """The open tab is ``name``."""
    expect(main_area(page).get_by_role("tab", selected=True)).to_have_text(name)


def picker_box(page: Page):
    return main_area(page).get_by_test_id("stSelectbox").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text("Credential", exact=True)).get_by_role("combobox")


def shows(page: Page, credential: str) -> None:
    """The picker shows ``credential`` (the start of its label), once the page has drawn it."""
    expect(picker_box(page)).to_have_value(re.compile("^" + re.escape(credential)))


def see(page: Page, *, tab: str, credential: str, success: str | None = None) -> None:
    """The person is where they were (credential and tab), and reads ``success`` (its start). Waits for the
    page to show it (the picker's text follows the run by a moment), and fails if it never does."""
    on_tab(page, tab)
    shows(page, credential)
    if success is not None:
        expect(main_area(page).get_by_test_id("stAlertContentSuccess")).to_have_text(
            re.compile("^" + re.escape(success)))
    expect(main_area(page).get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(main_area(page).get_by_test_id("stException")).to_have_count(0)


def click_tab(page: Page, name: str) -> None:
    main_area(page).get_by_role("tab", name=name, exact=True).click()
    settle(page)
    on_tab(page, name)


def click(page: Page, name: str, where=None) -> None:
    (where or panel(page)).get_by_role("button", name=name, exact=True).click()
    settle(page)


def fill(where, label: str, text: str) -> None:
    box = where.get_by_label(label, exact=True)
    box.fill(text)


def create_draft(page: Page, *, code: str, title: str, summary: str, employers: list[str]) -> None:
    """Open "New draft", fill its form (price 900.00) and press Create draft."""
    main_area(page).get_by_text("New draft", exact=True).click()
    form = main_area(page).get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Create draft"))
    fill(form, "Code", code)
    fill(form, "Title", title)
    fill(form, "Summary", summary)
    fill(form, "Price (£)", "900.00")
    pick(page, "Co-designing employers", employers, area=form)
    click(page, "Create draft", form)


def studio(page: Page, stack, email: str) -> None:
    sign_in(page, stack, email)
    open_page(page, "Co-design studio")


def card(page: Page, pid: int):
    return main_area(page).locator(f".st-key-cd_proposal_{pid}")


def rerun_on(page: Page, tab: str) -> None:
    """Another person acted meanwhile: moving to another tab and back reruns the page, as a person would."""
    click_tab(page, "Details")
    click_tab(page, tab)


def reload_latest(page: Page, tab: str) -> None:
    expect(main_area(page).get_by_test_id("stAlertContentWarning")).to_contain_text("Someone else saved")
    main_area(page).get_by_role("button", name="Load the latest version").click()
    settle(page)
    on_tab(page, tab)
    expect(main_area(page).get_by_test_id("stAlertContentWarning")).to_have_count(0)


# --- the journey --------------------------------------------------------------------------------


def test_officer_and_two_employers_co_design_a_credential_start_to_finish(browser, live_stack):
    started = time.monotonic()
    hvb, klg = org_of(live_stack, "HVB").name, org_of(live_stack, "KLG").name
    partnered = {r.name for r in query(live_stack, "SELECT o.name FROM partnership p JOIN organization o ON "
                                                   "o.id = p.employer_id JOIN organization u ON u.id = p.university_id "
                                                   "WHERE u.code = 'NBU'")}
    assert {hvb, klg} <= partnered, "the demo data: both employers are partners of the officer's university"
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1100}) for _ in range(3)]
    for c in contexts:  # as the page fixture does: loopback only, the same timeouts
        c.route("**/*", lambda route: route.continue_() if loopback_only(route.request.url) else route.abort())
        c.set_default_timeout(ACTION_TIMEOUT_MS)
    officer, bank, haulier = (c.new_page() for c in contexts)
    try:
        _journey(officer, bank, haulier, live_stack, hvb, klg)
    except Exception:
        for name, p in (("officer", officer), ("hvb", bank), ("klg", haulier)):
            p.screenshot(path=f"/tmp/journey-codesign-{name}.png", full_page=True)
        raise
    finally:
        for c in contexts:
            c.close()
    elapsed = time.monotonic() - started
    print(f"co-design journey: {elapsed:.0f} s")
    assert elapsed < 150, f"the journey took {elapsed:.0f} s"


def _journey(officer: Page, bank: Page, haulier: Page, stack, hvb: str, klg: str) -> None:
    # 1. The officer opens the studio on what needs them (a credential to publish), not on a published one.
    studio(officer, stack, OFFICER)
    expect(picker_box(officer)).to_have_value(re.compile(r" · Approved — ready to publish$"))
    on_tab(officer, "Details")

    # 2. A new draft, co-designed with both employers: the studio opens it, on its details.
    create_draft(officer, code=CODE, title=TITLE, summary=SUMMARY, employers=[hvb, klg])
    see(officer, tab="Details", credential=f"{CODE} · {TITLE} · Draft — to complete and submit for review",
        success=f"Draft {CODE} created (version 1), co-designed with {hvb} and {klg}.")
    expect(panel(officer).get_by_label("Title", exact=True)).to_have_value(TITLE)

    # 3. Outcomes: add one, then edit it; the edit box starts from its text.
    click_tab(officer, "Learning outcomes")
    fill(panel(officer), "New learning outcome", OUTCOME)
    click(officer, "Add outcome")
    see(officer, tab="Learning outcomes", credential=CODE, success="Added learning outcome 1 (version 2).")
    text = panel(officer).get_by_label("Text", exact=True)
    expect(text).to_have_value(OUTCOME)
    text.fill(EDITED)
    click(officer, "Save outcome")
    see(officer, tab="Learning outcomes", credential=CODE, success="Edited learning outcome 1 (version 3).")
    expect(panel(officer).get_by_label("Text", exact=True)).to_have_value(EDITED)

    # 4. A skill, so that the draft can go to review.
    click_tab(officer, "Skills")
    choose(officer, "Skill", "perform data analysis", area=panel(officer))
    click(officer, "Save skill mapping")
    see(officer, tab="Skills", credential=CODE,
        success="Mapped skill perform data analysis at proficiency 3 (version 4).")

    # 4b. The European elements the studio asks before review (Council Recommendation, Annex I).
    click_tab(officer, "Details")
    fill(panel(officer), "Country or region of the issuer *", "GB")
    fill(panel(officer), "Type of assessment *", "A workplace data report, marked by the university and the employer.")
    fill(panel(officer), "Type of quality assurance *", "The university's internal quality assurance.")
    click(officer, "Save draft")
    see(officer, tab="Details", credential=CODE, success="Saved as version 5.")
    expect(panel(officer)).to_contain_text("Ready for review.")

    # 5. The officer proposes a longer summary; both employers decide it.
    click_tab(officer, "Proposals")
    choose(officer, "Field", "Summary", area=panel(officer))
    expect(panel(officer).get_by_label("New value", exact=True)).to_have_value(SUMMARY)
    fill(panel(officer), "New value", PROPOSED)
    fill(panel(officer), "Rationale", "The employers want the workplace assessment said up front.")
    click(officer, "Propose change")
    (pid,) = query(stack, "SELECT max(id) FROM changeproposal")[0]
    see(officer, tab="Proposals", credential=CODE, success=f"Proposal #{pid} sent: {hvb} and {klg} decide it.")
    expect(card(officer, pid)).to_contain_text(f"{hvb}: to decide")
    expect(card(officer, pid)).to_contain_text(f"{klg}: to decide")

    # 6. Harbour & Vale Bank's HR manager: the studio opens on the proposal to decide; comments; accepts.
    studio(bank, stack, HVB)
    shows(bank, f"{CODE} · {TITLE} · Draft — 1 proposal to decide")
    click_tab(bank, "Proposals")
    fill(card(bank, pid), "Comment", "Good for our branch supervisors.")
    click(bank, "Add comment", card(bank, pid))
    see(bank, tab="Proposals", credential=CODE, success="Comment added.")
    expect(card(bank, pid)).to_contain_text("Good for our branch supervisors.")
    expect(card(bank, pid).get_by_label("Comment", exact=True)).to_have_value("")  # sent, so emptied
    click(bank, "Accept", card(bank, pid))
    see(bank, tab="Proposals", credential=f"{CODE} · {TITLE} · Draft — to complete",
        success=f"You accepted proposal #{pid}. It is applied once {klg} accepts too.")
    expect(card(bank, pid)).to_contain_text(unlinked(f"{hvb}: accepted by {HVB}"))  # ui/safe.md: no mailto link
    expect(card(bank, pid)).to_contain_text(f"Waiting for {klg}.")
    assert query(stack, "SELECT summary FROM credential WHERE code = :c", c=CODE)[0][0] == SUMMARY  # not yet

    # 6b. The bank proposes a skill for the list: the university keeps it, so it waits for the officer.
    click_tab(bank, "Skills")
    fill(panel(bank), "Skill name", NEW_SKILL)
    click(bank, "Propose skill")
    see(bank, tab="Skills", credential=CODE, success="Skill proposed to the university")
    assert query(stack, "SELECT status FROM skill WHERE name = :n", n=NEW_SKILL)[0][0] == "proposed"

    # 7. Kestrel Logistics' HR manager comments and accepts: now the change applies.
    studio(haulier, stack, KLG)
    shows(haulier, f"{CODE} · {TITLE} · Draft — 1 proposal to decide")
    click_tab(haulier, "Proposals")
    expect(card(haulier, pid)).to_contain_text(unlinked(f"{hvb}: accepted by {HVB}"))  # ui/safe.md: no mailto link
    fill(card(haulier, pid), "Comment", "Depot managers agree.")
    click(haulier, "Add comment", card(haulier, pid))
    see(haulier, tab="Proposals", credential=CODE, success="Comment added.")
    click(haulier, "Accept", card(haulier, pid))
    see(haulier, tab="Proposals", credential=CODE,
        success=f"Proposal #{pid} accepted by every party and applied as version 6.")
    assert query(stack, "SELECT summary FROM credential WHERE code = :c", c=CODE)[0][0] == PROPOSED
    screenshot(haulier, "/tmp/journey-codesign-proposal.png")

    # 8. The officer sees that others saved, loads the latest version and submits it for review.
    rerun_on(officer, "Sign-off")
    reload_latest(officer, "Sign-off")
    # 8a. The officer accepts the bank's skill under Skill proposals, staying on the credential and tab.
    expect(main_area(officer).get_by_test_id("stAlertContentInfo")).to_contain_text(
        "1 skill proposal from employers awaits your decision")
    main_area(officer).get_by_text("Skill proposals", exact=True).click()
    settle(officer)
    click(officer, "Accept", main_area(officer).locator(".st-key-cd_skill_proposals"))
    see(officer, tab="Sign-off", credential=CODE,
        success=f"Accepted '{NEW_SKILL}': it is in the skills list for every organisation.")
    assert query(stack, "SELECT status FROM skill WHERE name = :n", n=NEW_SKILL)[0][0] == "accepted"
    click(officer, "Submit for review")
    see(officer, tab="Sign-off", credential=f"{CODE} · {TITLE} · In review — your approval of version 6",
        success=f"Submitted for review: version 6 now needs the approval of Northbridge University, {hvb} and {klg}.")
    click(officer, "Approve version 6")
    see(officer, tab="Sign-off", credential=f"{CODE} · {TITLE} · In review — waiting for the other parties",
        success=f"Approved version 6. Still to approve: {hvb} and {klg}.")

    # 9. Each employer approves the same version.
    rerun_on(bank, "Sign-off")
    reload_latest(bank, "Sign-off")
    shows(bank, f"{CODE} · {TITLE} · In review — your approval of version 6")
    click(bank, "Approve version 6")
    see(bank, tab="Sign-off", credential=CODE, success=f"Approved version 6. Still to approve: {klg}.")
    rerun_on(haulier, "Sign-off")
    click(haulier, "Approve version 6")
    see(haulier, tab="Sign-off", credential=f"{CODE} · {TITLE} · Approved — waiting for the university to publish",
        success="Approved version 6. Every party has approved it: it is approved, and the university can publish it.")

    # 10. The officer publishes.
    rerun_on(officer, "Sign-off")
    shows(officer, f"{CODE} · {TITLE} · Approved — ready to publish")
    click(officer, "Publish")
    see(officer, tab="Sign-off", credential=f"{CODE} · {TITLE} · Published",
        success="Published version 6: it is in every partner's catalogue; its content is frozen.")
    assert [r["State"] for r in table(officer, "Organisation")] == ["Approved"] * 3
    no_raw_values(officer)

    # 11. The catalogue tells the story: every version, who approved, the status changes.
    open_page(officer, "Credential catalogue")
    choose(officer, "Open a credential", f"{CODE} · {TITLE}")
    expect(main_area(officer).get_by_role("heading", name=f"{CODE} · {TITLE}")).to_be_visible()
    expect(main_area(officer)).to_contain_text("Northbridge University · Published · version 6")
    wait_idle(officer)
    history = table(officer, "Version", rows=6)
    assert [(r["Version"], r["Saved by"]) for r in history] == [
        ("6", KLG), ("5", OFFICER), ("4", OFFICER), ("3", OFFICER), ("2", OFFICER),
        ("1", OFFICER)]
    assert history[0]["Change"].startswith(f"Accepted proposal #{pid} by {OFFICER}")
    signoff = table(officer, "Organisation", rows=3)
    assert [(r["Organisation"], r["State"]) for r in signoff] == [
        ("Northbridge University", "Approved"), (hvb, "Approved"), (klg, "Approved")]
    events = [r["Event"] for r in table(officer, "At")]
    assert events[:2] == ["Status → Published",
                          "Status → Approved (approved by the university and every co-designing employer)"]
    assert f"Approved version 6 for {klg}" in events and events[-1] == "Created (version 1)"
    no_raw_values(officer)
    screenshot(officer, "/tmp/journey-codesign-catalogue.png")
