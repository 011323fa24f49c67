"""Journey: an HR manager answers a person's requests: finds them by HRIS id, downloads everything held about
them, is refused a mistyped confirmation, erases them, and stays on the same person reading what happened."""

from __future__ import annotations

import json
from datetime import date

from playwright.sync_api import Page, expect

from services.formatting import fmt
from tests.browser.steps import chosen, message, no_raw_values, open_page, settle
from tests.browser.test_login import demo_user, main_area, org_of, query, sign_in


def a_leaver_with_records(stack, employer_id: int):
    """Someone who left (their erasure changes nobody's current work), with enrollments and a unique name."""
    rows = query(stack, "SELECT e.id, e.employee_ref, e.full_name, count(n.id) AS enrollments FROM employee e "
                        "JOIN enrollment n ON n.employee_id = e.id WHERE e.employer_id = :e AND e.left_on IS NOT NULL "
                        "AND (SELECT count(*) FROM employee o WHERE o.full_name = e.full_name) = 1 "
                        "GROUP BY e.id, e.employee_ref, e.full_name ORDER BY e.id LIMIT 1", e=employer_id)
    assert rows, "the demo data should give this employer a leaver with enrollments"
    return rows[0]


def exports_logged(stack, employee_id: int) -> int:
    return query(stack, "SELECT count(*) FROM accesslogentry a JOIN accesslogsubject s ON s.entry_id = a.id "
                        "WHERE a.view = 'person export' AND s.employee_id = :p", p=employee_id)[0][0]


def type_into(page: Page, label: str, text: str) -> None:
    box = main_area(page).get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    settle(page)


def test_hr_manager_finds_a_person_downloads_their_data_and_erases_them(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])
    person = a_leaver_with_records(live_stack, org.id)
    option = f"{person.full_name} ({person.employee_ref}) · {org.name}"

    # 1. The People page asks for someone to look for.
    sign_in(page, live_stack, hr["email"])
    open_page(page, "People")
    expect(main_area(page).get_by_test_id("stAlertContentInfo")).to_contain_text("Type an HRIS id or part of a name.")

    # 2. Find them by HRIS id: chosen, named, with what is held about them.
    type_into(page, "Find a person by HRIS id or name", person.employee_ref)
    assert chosen(page, "Person") == option
    expect(main_area(page).get_by_role("heading", name=person.full_name)).to_be_visible()
    expect(main_area(page)).to_contain_text(f"HRIS id {person.employee_ref} · {org.name}")
    no_raw_values(page)

    # 3. Download their data: every enrollment of theirs, the download recorded and said so.
    with page.expect_download() as download:
        main_area(page).get_by_role("button", name="Download JSON").click()
    settle(page)
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert document["profile"]["full_name"] == person.full_name
    assert len(document["enrollments"]) == person.enrollments
    assert message(page, "success") == "Downloaded the JSON file; the download is recorded in the access log."
    assert exports_logged(live_stack, person.id) == 1
    assert chosen(page, "Person") == option

    # 4. A mistyped confirmation is refused: nothing changed, the same person still chosen.
    type_into(page, f"Type the HRIS id {person.employee_ref} to confirm", person.employee_ref[:-1])
    main_area(page).get_by_role("button", name="Erase this person").click()
    settle(page)
    assert message(page, "error") == "Type the person's HRIS id exactly to confirm. Nothing was changed."
    assert query(live_stack, "SELECT full_name FROM employee WHERE id = :p", p=person.id)[0][0] == person.full_name
    assert chosen(page, "Person") == option

    # 5. Erase: the page says what happened, on the same person, now under the pseudonym.
    main_area(page).get_by_label(f"Type the HRIS id {person.employee_ref} to confirm", exact=True).fill(
        person.employee_ref)
    main_area(page).get_by_role("button", name="Erase this person").click()
    settle(page)
    pseudonym, ref, erased_on = query(live_stack, "SELECT full_name, employee_ref, pseudonymised_on FROM employee "
                                                  "WHERE id = :p", p=person.id)[0]
    assert str(erased_on) == date.today().isoformat()
    done = message(page, "success")
    assert done.startswith(f"Erased: this person is now {pseudonym} ({ref}).")
    assert chosen(page, "Person") == f"{pseudonym} ({ref}) · {org.name}"
    expect(main_area(page)).to_contain_text(f"Pseudonymised on {fmt(date.today(), 'date')}: there is nothing left "
                                            "to erase.")
    expect(main_area(page)).not_to_contain_text(person.full_name)
    assert not query(live_stack, "SELECT id FROM employee WHERE full_name = :n OR employee_ref = :r",
                     n=person.full_name, r=person.employee_ref)
