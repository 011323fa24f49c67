"""Journey: an HR manager finds overdue PDP goals, changes one and exports the list; a second
session that still shows the old status is refused and shown the other change."""

from __future__ import annotations

import csv
import io
from datetime import date

from playwright.sync_api import Page, expect

from services.formatting import fmt
from tests.browser.steps import choose, chosen, grid, message, no_raw_values, open_page, pick, settle, table
from tests.browser.test_login import demo_user, kpi_value, main_area, org_of, query, sign_in
from ui.safe import unlinked


def overdue_planned_goal(stack, employer_id: int):
    rows = query(stack, "SELECT g.id, g.title, g.due_on, e.full_name FROM pdpgoal g JOIN pdp p ON p.id = g.pdp_id "
                        "JOIN employee e ON e.id = p.employee_id WHERE e.employer_id = :e AND g.status = 'planned' "
                        "AND g.due_on < :today ORDER BY g.due_on, e.full_name, g.id LIMIT 1",
                 e=employer_id, today=date.today().isoformat())
    assert rows, "the demo data should give this employer an overdue goal that was never started"
    return rows[0]


def goal_status(stack, goal_id: int) -> str:
    return query(stack, "SELECT status FROM pdpgoal WHERE id = :g", g=goal_id)[0][0]


def test_hr_manager_changes_an_overdue_goal_exports_and_a_stale_session_is_refused(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])
    goal = overdue_planned_goal(live_stack, org.id)
    option = f"{goal.full_name} · {goal.title} · due {fmt(date.fromisoformat(str(goal.due_on)), 'date')}"

    # 1. Sign in and open the PDPs page: the figures say what day they are for.
    sign_in(page, live_stack, hr["email"])
    open_page(page, "PDPs")
    expect(main_area(page)).to_contain_text(f"as of {fmt(date.today(), 'date')}")
    overdue_before = kpi_value(page, "Overdue")
    assert overdue_before > 0

    # 2. Only the overdue goals: every row says so, state and due date first, no Employer column.
    pick(page, "Show goals that are", ["Overdue"])
    expect(main_area(page)).to_contain_text(f"{fmt(overdue_before)} goals match")
    for other in ("On track", "At risk", "Achieved", "Dropped"):  # the grid redraws a moment after the run
        expect(grid(page, "State").locator("tbody")).not_to_contain_text(other)
    rows = table(page, "State")
    assert rows and {r["State"] for r in rows} == {"Overdue"}
    assert list(rows[0])[:2] == ["State", "Due"] and "Employer" not in rows[0]
    no_raw_values(page)

    # 3. Choose the goal: its status is shown; the new status is not chosen for the user.
    choose(page, "Goal", option)
    expect(main_area(page)).to_contain_text("Now Planned (Overdue)")
    assert chosen(page, "New status") == "Choose the new status"

    # A second person (another session) opens the same goal.
    other = page.context.browser.new_context(viewport={"width": 1440, "height": 1000})
    second = other.new_page()
    try:
        sign_in(second, live_stack, hr["email"])
        open_page(second, "PDPs")
        pick(second, "Show goals that are", ["Overdue"])
        choose(second, "Goal", option)

        # 4. The first person starts it: saved, said so, the same goal stays chosen, nothing stays armed.
        choose(page, "New status", "In progress")
        main_area(page).get_by_role("button", name="Save status").click()
        settle(page)
        assert message(page, "success") == f"Saved: {goal.full_name}'s goal “{goal.title}” is now In progress."
        assert goal_status(live_stack, goal.id) == "in_progress"
        assert chosen(page, "Goal") == option
        assert chosen(page, "New status") == "Choose the new status"
        expect(main_area(page)).to_contain_text("Now In progress (Overdue)")
        assert kpi_value(page, "Overdue") == overdue_before  # still open and past due

        # 5. The second session still shows "Planned": its change is refused and the first one shown.
        expect(main_area(second)).to_contain_text("Now Planned (Overdue)")
        choose(second, "New status", "Dropped")
        main_area(second).get_by_role("button", name="Save status").click()
        settle(second)
        refused = message(second, "error")
        assert unlinked(f"{hr['email']} changed this goal from Planned to In progress") in refused  # no mailto link
        assert "Nothing was saved" in refused
        assert goal_status(live_stack, goal.id) == "in_progress"
        assert chosen(second, "Goal") == option
        expect(main_area(second)).to_contain_text("Now In progress (Overdue)")
    finally:
        other.close()

    # 6. Export what is shown: the same headings and words, only this employer's people.
    with page.expect_download() as download:
        main_area(page).get_by_role("button", name="Download CSV").click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(exported) == overdue_before
    assert list(exported[0])[:4] == ["State", "Due", "Employee id", "Employee"]
    assert {r["State"] for r in exported} == {"Overdue"}
    mine = next(r for r in exported if r["Goal"] == goal.title and r["Employee"] == goal.full_name)
    assert mine["Status"] == "In progress"
    own_refs = {r[0] for r in query(live_stack, "SELECT employee_ref FROM employee WHERE employer_id = :e", e=org.id)}
    assert {r["Employee id"] for r in exported} <= own_refs
