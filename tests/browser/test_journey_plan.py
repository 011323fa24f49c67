"""Journey: an HR manager goes from the skill-gap heatmap to one department's gap, picks a recommended credential,
creates goals (and seats in its next cohort) for five people in one click, and finds them on the PDPs page and on
one person's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from services.metrics import RANKING
from tests.browser.steps import (
    choose,
    chosen,
    eventually,
    message,
    no_raw_values,
    open_page,
    pick,
    settle,
    table,
    widget,
)
from tests.browser.test_login import demo_user, main_area, org_of, query, sign_in

COVERAGE = RANKING["coverage"].label
NEXT = "Next cohort with seats"


def ranked_cards(page: Page) -> list[dict[str, str]]:
    """The ranking's cards as the user reads them: position, code, title, pathway or not, and each figure."""
    cards = []
    for text in main_area(page).get_by_test_id("stMarkdownContainer").filter(has_text=f"{COVERAGE}:").all_inner_texts():
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if not lines or not re.match(r"\d+\. ", lines[0]):  # the definitions, folded away below the cards
            continue
        head, *lines = lines
        position, rest = head.split(". ", 1)
        code, title = rest.split(" · ", 1)
        figures = dict(part.split(": ", 1) for line in lines for part in line.split(" · ") if ": " in part)
        cards.append(dict(position=position, code=code, title=title, pathway="a pathway" in title, **figures))
    return cards


def first_credential_with_seats(cards: list[dict[str, str]]) -> dict[str, str]:
    """The best-ranked single credential (not a pathway) with a next cohort that has seats left."""
    for card in cards:
        if not card["pathway"] and card[NEXT] != "–":
            return card
    raise AssertionError(f"no credential with a next cohort among {[c['code'] for c in cards]}")


def test_hr_manager_plans_goals_and_seats_for_five_people_from_a_departments_gap(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])

    # 1. The heatmap's "Plan for a gap": a department row and one of its skills with a gap.
    sign_in(page, live_stack, hr["email"])
    open_page(page, "Upskilling")
    expect(main_area(page)).to_contain_text("Plan for a gap")
    department = chosen(page, "Department")
    assert department
    skills = widget(page, "stMultiSelect", "Skills with a gap")
    skills.click()
    skill = page.get_by_role("option").filter(has_not_text="Select all").first.inner_text().strip()
    page.keyboard.press("Escape")
    pick(page, "Skills with a gap", [skill])
    main_area(page).get_by_role("button", name="Find credentials").click()
    settle(page)

    # 2. The Plan page, with that department and skill chosen, ranks the credentials that close the gap.
    expect(main_area(page).get_by_role("heading", level=1, name="Plan development")).to_be_visible()
    expect(widget(page, "stMultiSelect", "Department")).to_contain_text(department)
    expect(widget(page, "stMultiSelect", "Gap skills")).to_contain_text(skill)
    expect(main_area(page).get_by_role("heading", name="Credentials that close the gap")).to_be_visible()
    eventually(lambda: _has_cards(page))
    cards = ranked_cards(page)
    assert cards and [c["position"] for c in cards] == [str(n) for n in range(1, len(cards) + 1)], cards
    best = first_credential_with_seats(cards)
    no_raw_values(page)

    # 3. Choose it: the plan previews a goal per person with a gap, and a seat each in the next cohort.
    option = f"{best['code']} · {best['title']} (closes {best[COVERAGE]} of the gap)"
    choose(page, "Choose a recommendation", option)
    expect(main_area(page).get_by_role("heading", name="Goals and seats")).to_be_visible()
    cohort = chosen(page, "Reserve seats in")
    assert cohort.startswith(best[NEXT].split(",")[0] + " · "), (cohort, best)
    candidates = list(dict.fromkeys(r["Person"] for r in table(page, "Person")))
    assert len(candidates) >= 5, candidates
    five = candidates[:5]

    # 4. Only five people: the preview and the button say exactly what one click creates.
    widget(page, "stMultiSelect", "People").get_by_role("button", name="Clear all").click()
    settle(page)
    pick(page, "People", five)
    eventually(lambda: _preview_names(page, five))
    button = main_area(page).get_by_role("button", name="Create 5 goals and reserve 5 seats")
    expect(button).to_be_enabled()
    button.click()
    settle(page)

    # 5. Created, said so, and the user stays where they were: same credential and cohort, the five now skipped.
    code = cohort.split(" · ")[0]
    assert message(page, "success") == (f"Created 5 goals for 5 people and reserved 5 seats in cohort {code}. "
                                        "They are on the PDPs page now.")
    assert chosen(page, "Choose a recommendation") == option
    assert chosen(page, "Reserve seats in").startswith(code)
    expect(main_area(page)).to_contain_text("Nothing to create: everyone chosen is skipped")
    skipped = {r["Person"] for r in table(page, "Person")}
    assert skipped == set(five)
    rows = query(live_stack, "SELECT e.full_name, g.title, r.id FROM pdpgoal g JOIN pdp p ON p.id = g.pdp_id "
                             "JOIN employee e ON e.id = p.employee_id JOIN credential c ON c.id = g.credential_id "
                             "JOIN seatreservation r ON r.pdp_goal_id = g.id "
                             "WHERE c.code = :c AND e.employer_id = :o", c=best["code"], o=org.id)
    assert sorted(r.full_name for r in rows) == sorted(five), rows  # one goal and one seat each
    goal_title = rows[0].title

    # 6. The PDPs page lists one person's new goal, with its seat.
    person = rows[0].full_name
    open_page(page, "PDPs")
    main_area(page).get_by_label("Search name or employee id").fill(person)
    page.keyboard.press("Enter")
    settle(page)

    def the_new_goal_is_listed() -> None:
        goals = [r for r in table(page, "State") if r.get("Goal") == goal_title]
        assert goals and goals[0]["Employee"] == person and goals[0]["Seat"].startswith(code), goals

    eventually(the_new_goal_is_listed)

    # 7. Their page shows the goal, and the seat held for them under what is due next.
    ref = query(live_stack, "SELECT employee_ref FROM employee WHERE full_name = :n AND employer_id = :o",
                n=person, o=org.id)[0][0]
    choose(page, "Open a person's page", f"{person} ({ref})")
    main_area(page).get_by_role("button", name="Open their page").click()
    settle(page)
    expect(main_area(page).get_by_role("heading", name=person)).to_be_visible()
    assert goal_title in {r["Goal"] for r in table(page, "State")}
    expect(main_area(page)).to_contain_text(code)
    no_raw_values(page)


def _preview_names(page: Page, five: list[str]) -> None:
    assert {r["Person"] for r in table(page, "Person")} == set(five)


def _has_cards(page: Page) -> None:
    assert ranked_cards(page)
