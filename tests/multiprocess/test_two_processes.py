"""Two `streamlit run` processes on one PostgreSQL: a change made through one shows in the
other on its next rerun (the data-version cache key, not a stale st.cache_data).

Runs only when TEST_DATABASE_URL points at PostgreSQL (CI sets it) and Debian's chromium is
installed. The test database's schema is replaced by a small seeded one for this module and
put back (empty, migrated) afterwards, as the other PostgreSQL tests expect.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import make_engine
from devtools.stack import APP_IDLE, CHROMIUM, child_env, loopback_only, start_app, start_idp
from services.formatting import fmt
from tests.browser.steps import choose, eventually
from tests.conftest import reset_postgres_schema

PG_URL = os.environ.get("TEST_DATABASE_URL")
EMPLOYEES = 300
SEED = 7
OFFICER = "officer@northbridge.ac.uk"
HR = "hr@riversidehospitals.org.uk"  # HR manager of Riverside Hospitals Trust (code RHT)
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(not PG_URL or make_url(PG_URL).get_backend_name() != "postgresql",
                       reason="needs TEST_DATABASE_URL pointing at PostgreSQL"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    from seed.demo import seed_database

    today = date.today()
    reset_postgres_schema(PG_URL)
    migrate.upgrade(PG_URL)
    engine = make_engine(PG_URL)
    try:
        seed_database(engine, employees=EMPLOYEES, seed=SEED, today=today)
    finally:
        engine.dispose()
    logdir = tmp_path_factory.mktemp("two-processes")
    env = child_env(PG_URL, AS_OF_DATE=today.isoformat())
    procs = []
    try:
        idp, idp_url = start_idp(env, logdir)
        procs.append(idp)
        # One cookie secret for both, as for N processes behind one proxy.
        cookie = secrets.token_hex(32)
        a, a_url = start_app("app-a", env, logdir, idp_url, cookie_secret=cookie)
        procs.append(a)
        b, b_url = start_app("app-b", env, logdir, idp_url, cookie_secret=cookie)
        procs.append(b)
        assert a.pid != b.pid
        yield {"a": a_url, "b": b_url, "idp": idp_url, "procs": procs}
    finally:
        for p in reversed(procs):
            p.stop()
        # Leave the shared test database as the other tests expect it: empty, at head.
        reset_postgres_schema(PG_URL)
        migrate.upgrade(PG_URL)


@pytest.fixture(scope="module")
def browser(two_apps, chromium):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return chromium


def signed_in_page(browser, app_url: str, idp_url: str, email: str):
    """A new browser context (its own cookies) signed in to ``app_url`` through the provider's form."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.route("**/*", lambda route: route.continue_() if loopback_only(route.request.url) else route.abort())
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(app_url)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(idp_url) + r"/oauth2/authorize"))
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(app_url) + r"/(\?.*)?$"))
    expect(page.get_by_role("button", name="Log out").first).to_be_visible()
    page.wait_for_selector(APP_IDLE)
    return page


def open_page(page, title: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title).first).to_be_visible()
    page.wait_for_selector(APP_IDLE)


def kpi_value(page, label: str) -> int:
    from playwright.sync_api import expect

    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    expect(card).to_have_count(1)
    raw = card.get_by_test_id("stMetricValue").inner_text().strip()
    digits = re.sub(r"[,\s\u202f]", "", raw)
    assert digits.isdigit(), f"KPI {label!r} shows {raw!r}"
    return int(digits)


def open_goal() -> tuple[int, str, str]:
    """A goal to mark achieved: planned or in progress, of a current RHT employee.
    Returns (goal id, the employee's ref, the goal's label in the page's "Goal" list)."""
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("""
                SELECT g.id, e.employee_ref, e.full_name, g.title, g.due_on
                FROM pdpgoal g JOIN pdp p ON p.id = g.pdp_id JOIN employee e ON e.id = p.employee_id
                JOIN organization o ON o.id = e.employer_id
                WHERE o.code = 'RHT' AND e.left_on IS NULL AND g.status IN ('planned', 'in_progress')
                ORDER BY g.id LIMIT 1""")).one()
    finally:
        engine.dispose()
    return row.id, row.employee_ref, f"{row.full_name} · {row.title} · due {fmt(row.due_on, 'date')}"


def goal_status(goal_id: int) -> str:
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status FROM pdpgoal WHERE id = :i"), {"i": goal_id}).scalar_one()
    finally:
        engine.dispose()


def test_change_in_one_process_shows_in_the_other(two_apps, browser):
    goal_id, ref, goal_label = open_goal()

    # Process B, the officer: the PDPs page's "Achieved" figure, now in B's cache.
    b = signed_in_page(browser, two_apps["b"], two_apps["idp"], OFFICER)
    open_page(b, "PDPs")
    achieved_before = kpi_value(b, "Achieved")
    open_page(b, "Overview")
    open_page(b, "PDPs")
    assert kpi_value(b, "Achieved") == achieved_before, "B's figure changed with no write"

    # Process A, the HR manager: mark that goal achieved through the PDPs page.
    a = signed_in_page(browser, two_apps["a"], two_apps["idp"], HR)
    open_page(a, "PDPs")
    search = a.get_by_label("Search name or employee id")
    search.fill(ref)
    search.press("Enter")
    # The rerun may not have started when the idle marker is first seen: wait, then wait for idle again.
    a.wait_for_timeout(500)
    a.wait_for_selector(APP_IDLE)
    choose(a, "Goal", goal_label)
    choose(a, "New status", "Achieved")
    a.get_by_test_id("stFormSubmitButton").filter(has_text="Save status").click()
    a.wait_for_selector(APP_IDLE)  # the save's run may not have started yet: the database catches up in a moment

    def saved() -> None:
        assert goal_status(goal_id) == "achieved", "the change through process A was not saved"

    eventually(saved)

    # B's next rerun: the new figure, not the cached one.
    open_page(b, "Overview")
    open_page(b, "PDPs")
    assert kpi_value(b, "Achieved") == achieved_before + 1
    for page in (a, b):
        assert page.get_by_test_id("stException").count() == 0
        page.context.close()
