"""Journey: an HR manager narrows the PDP goal list to one manager's team, opens one person's page from the list,
reads their goals and enrollments, and comes back to the list still narrowed to that team."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.steps import choose, chosen, eventually, grid, no_raw_values, open_page, settle, table
from tests.browser.test_login import demo_user, main_area, org_of, query, sign_in


def a_manager_whose_team_has_goals(stack, employer_id: int):
    """A manager (with a name nobody else has) whose direct reports have PDP goals, and how many reports."""
    rows = query(stack, "SELECT m.id, m.full_name, (SELECT count(*) FROM employee r WHERE r.manager_id = m.id "
                        "AND r.employer_id = m.employer_id) AS reports FROM employee m WHERE m.employer_id = :e "
                        "AND (SELECT count(*) FROM employee o WHERE o.full_name = m.full_name) = 1 "
                        "AND EXISTS (SELECT 1 FROM employee r JOIN pdp p ON p.employee_id = r.id "
                        "JOIN pdpgoal g ON g.pdp_id = p.id "
                        "WHERE r.manager_id = m.id AND r.employer_id = m.employer_id) "
                        "ORDER BY m.id LIMIT 1", e=employer_id)
    assert rows, "the demo data should give this employer a manager whose team has PDP goals"
    return rows[0]


def team_names(stack, manager_id: int) -> set[str]:
    return {r[0] for r in query(stack, "SELECT full_name FROM employee WHERE manager_id = :m", m=manager_id)}


def test_hr_manager_opens_a_team_members_page_from_the_goal_list_and_comes_back_to_the_team(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])
    manager = a_manager_whose_team_has_goals(live_stack, org.id)
    team = f"{manager.full_name} ({manager.reports} {'person' if manager.reports == 1 else 'people'})"
    members = team_names(live_stack, manager.id)

    # 1. The PDPs page, narrowed to the manager's team: only their direct reports are listed.
    sign_in(page, live_stack, hr["email"])
    open_page(page, "PDPs")
    expect(main_area(page)).to_contain_text("The team narrows the lists of people; figures stay by department.")
    choose(page, "Team", team)

    def only_the_team() -> None:
        names = {r.get("Employee") for r in table(page, "State")}  # None while the grid redraws
        assert names and names <= members, names - members

    eventually(only_the_team)
    first = table(page, "State")[0]
    ref = query(live_stack, "SELECT employee_ref FROM employee WHERE full_name = :n AND manager_id = :m",
                n=first["Employee"], m=manager.id)[0][0]

    # 2. Open the first listed person's page: their name, goals and enrollments.
    choose(page, "Open a person's page", f"{first['Employee']} ({ref})")
    main_area(page).get_by_role("button", name="Open their page").click()
    settle(page)
    expect(main_area(page).get_by_role("heading", level=1, name="Person")).to_be_visible()
    expect(main_area(page).get_by_role("heading", name=first["Employee"])).to_be_visible()
    assert re.search(r"[?&]id=\d+", page.url), page.url  # bookmarkable
    expect(main_area(page)).to_contain_text(f"HRIS id {ref} · {org.name}")
    expect(main_area(page)).to_contain_text(f"manager {manager.full_name}")
    goals = table(page, "State")
    assert first["Goal"] in {r["Goal"] for r in goals}
    expect(main_area(page).get_by_role("heading", name="Enrollments and results")).to_be_visible()
    enrolled = query(live_stack, "SELECT count(*) FROM enrollment n JOIN employee e ON e.id = n.employee_id "
                                 "WHERE e.employee_ref = :r AND e.employer_id = :o", r=ref, o=org.id)[0][0]
    if enrolled:
        expect(grid(page, "Code").locator("tbody tr")).to_have_count(enrolled)
    no_raw_values(page)

    # 3. Back to the PDPs page: still narrowed to the team.
    main_area(page).get_by_role("link", name="Back to PDPs").click()
    settle(page)
    expect(main_area(page).get_by_role("heading", level=1, name="PDPs")).to_be_visible()
    assert chosen(page, "Team") == team
    eventually(only_the_team)
