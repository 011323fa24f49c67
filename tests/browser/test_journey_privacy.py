"""Journey: an employer's HR manager shares its people's PDP goals with the partner university, sees it said
and recorded; the university's officer then sees those people by name (and only those); the HR manager reads
in the access log that the officer was shown them, and stops sharing again."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.steps import message, open_page, settle, table
from tests.browser.test_login import demo_user, main_area, org_of, query, sign_in


def sharing_of(stack, partnership_id: int) -> bool:
    return bool(query(stack, "SELECT shares_individual_records FROM partnership WHERE id = :p", p=partnership_id)[0][0])


def switch(page: Page, label: str):
    return main_area(page).get_by_role("switch", name=label)


def test_hr_shares_with_the_university_the_officer_sees_names_and_the_hr_reads_the_log(page: Page, live_stack):
    hr, officer = demo_user(live_stack, "hr_manager"), demo_user(live_stack, "partnership_officer")
    employer, university = org_of(live_stack, hr["org_code"]), org_of(live_stack, officer["org_code"])
    [(partnership_id,)] = query(live_stack, "SELECT id FROM partnership WHERE employer_id = :e AND university_id = :u",
                                e=employer.id, u=university.id)
    share = f"Share with {university.name}"
    other = page.context.browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        # 1. The HR manager opens Privacy: sharing is off and the page says what it would share.
        sign_in(page, live_stack, hr["email"])
        open_page(page, "Privacy")
        expect(main_area(page)).to_contain_text("officers see them only in aggregate")
        expect(switch(page, share)).not_to_be_checked()

        # 2. Turns it on: said where they acted, the switch shows it, the change is in the audit trail.
        main_area(page).get_by_text(share, exact=True).click()
        settle(page)
        assert message(page, "success") == (
            f"Sharing with {university.name} is on: its partnership officers now see {employer.name}'s people's "
            "PDP goals, manager and self assessments, and outcome-survey answers by name.")
        expect(switch(page, share)).to_be_checked()
        assert sharing_of(live_stack, partnership_id) is True
        main_area(page).get_by_text("Changes to sharing").click()
        [change] = table(page, "When (UTC)", rows=1)
        assert (change["Who"], change["Change"]) == (hr["email"], "Turned on")
        audited = query(live_stack, "SELECT actor_email, organization_id FROM auditevent "
                                    "WHERE action = 'partnership.sharing' ORDER BY id DESC LIMIT 1")
        assert tuple(audited[0]) == (hr["email"], employer.id)

        # 3. The officer sees this employer's people's goals by name, and only this employer's.
        second = other.new_page()
        sign_in(second, live_stack, officer["email"])
        open_page(second, "PDPs")
        rows = table(second, "State")
        assert rows and {r["Employer"] for r in rows} == {employer.name}
        note = message(second, "info")
        assert "keep their people's PDP goals to their own HR" in note and employer.name not in note

        # 4. Back on Privacy (after a rerun), the HR manager reads that the officer was shown their people.
        open_page(page, "Overview")
        open_page(page, "Privacy")
        entries = table(page, "When (UTC)")
        latest = next(e for e in entries if e["What"] == "PDP goal list")
        assert latest["Who"] == officer["email"] and int(latest["People"]) > 0

        # 5. Turns sharing off: said so; the officer's next visit shows the note instead of names.
        main_area(page).get_by_text(share, exact=True).click()
        settle(page)
        assert message(page, "success").startswith(f"Sharing with {university.name} is off")
        expect(switch(page, share)).not_to_be_checked()
        open_page(second, "Overview")
        open_page(second, "PDPs")
        assert employer.name in message(second, "info")
        expect(main_area(second)).not_to_contain_text(rows[0]["Employee"])
    finally:
        other.close()
        if sharing_of(live_stack, partnership_id):  # the stack is shared: leave sharing off for the other journeys
            from sqlalchemy import create_engine, text

            engine = create_engine(live_stack.db_url)
            with engine.begin() as conn:
                conn.execute(text("UPDATE partnership SET shares_individual_records = 0 WHERE id = :p"),
                             {"p": partnership_id})
            engine.dispose()
