"""End-to-end sign-in through the DEVELOPMENT OpenID Connect provider, in Chromium.

Expectations come from the seeded database (read directly here), not from the
app's own query code.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import create_engine, text

from devtools.stack import APP_IDLE
from ui.safe import unlinked

KPI_LABELS = ["Headcount", "Enrollments", "Completions", "Active learners"]
STRANGER = "stranger@example.com"


# --- helpers -----------------------------------------------------------------


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished running the script for the current view."""
    page.wait_for_selector(APP_IDLE)


def open_login_screen(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    wait_idle(page)


def sign_in(page: Page, stack, email: str, *, click_predefined: bool = False) -> None:
    """From the app's login screen through the provider's form and back to the app."""
    open_login_screen(page, stack.app_url)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(stack.idp_url) + r"/oauth2/authorize"))
    if click_predefined:
        # The provider lists its predefined identities as one-click buttons.
        page.locator("form[aria-labelledby='heading-auth-predefined']").get_by_role(
            "button", name=email, exact=True
        ).click()
    else:
        page.locator("input[name='sub']").fill(email)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(stack.app_url) + r"/(\?.*)?$"))
    # Past the login screen: either the user's pages or the no-access page.
    expect(page.get_by_role("button", name="Log out").first).to_be_visible()
    wait_idle(page)


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def main_area(page: Page):
    return page.get_by_test_id("stMain")


def kpi_value(page: Page, label: str) -> int:
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    expect(card).to_have_count(1)
    raw = card.get_by_test_id("stMetricValue").inner_text().strip()
    digits = raw.replace(",", "").replace("\u202f", "").replace(" ", "")
    assert digits.isdigit(), f"KPI {label!r} shows {raw!r}, not a whole number"
    return int(digits)


def screenshot(page: Page, path: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section, main')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 6000)})
    wait_idle(page)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def dom_text(page: Page) -> str:
    """All text in the document, including cells the data grid keeps for screen readers."""
    return page.locator("body").text_content() or ""


def demo_user(stack, role: str) -> dict:
    users = [u for u in stack.demo_users if u["role"] == role and u.get("is_active", True)]
    if not users:
        pytest.fail(f"seed.demo.DEMO_USERS has no {role}")
    return users[0]


def query(stack, sql: str, **params) -> list:
    engine = create_engine(stack.db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def org_of(stack, code: str):
    rows = query(stack, "SELECT id, name, kind FROM organization WHERE code = :c", c=code)
    assert len(rows) == 1, f"no organisation with code {code!r} in the seeded database"
    return rows[0]


def employer_names(stack) -> set[str]:
    return {r.name for r in query(stack, "SELECT name FROM organization WHERE kind = 'employer'")}


# --- tests ---------------------------------------------------------------------


def test_signed_out_visitor_sees_only_the_login_screen(page: Page, live_stack):
    """No page list before login (Streamlit lists the pages/ folder when st.navigation
    does not run), and a bookmarked page address shows the login screen too."""

    def only_the_login_screen() -> None:
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        expect(main_area(page).get_by_role("heading", name="Micro-credentials dashboard")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
        expect(page.get_by_test_id("stTopNavLink")).to_have_count(0)
        expect(sidebar(page).get_by_role("link")).to_have_count(0)
        text = dom_text(page)
        for leak in ("Please sign in from the main page", "Page not found", "codesign", "users"):
            assert leak not in text, f"{page.url} shows {leak!r} to a signed-out visitor"

    open_login_screen(page, live_stack.app_url)
    only_the_login_screen()
    for address in ("codesign", "users", "overview"):
        page.goto(f"{live_stack.app_url}/{address}")
        wait_idle(page)
        only_the_login_screen()
    screenshot(page, "/tmp/signed-out.png")


def test_hr_manager_signs_in_sees_own_employer_only_and_signs_out(page: Page, live_stack):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])
    assert org.kind == "employer"

    sign_in(page, live_stack, hr["email"])

    expect(sidebar(page)).to_contain_text(hr["display_name"])
    expect(sidebar(page)).to_contain_text(org.name)
    expect(main_area(page).get_by_role("heading", name="Overview")).to_be_visible()
    expect(main_area(page)).to_contain_text(org.name)
    for label in KPI_LABELS:
        expect(page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).to_be_visible()

    # The headcount covers the selected period, so bound it by the employer's own
    # staff (anyone ever employed there) rather than pinning one day's figure:
    # a scope leak would count the other employers' staff too.
    (own_staff,) = query(live_stack, "SELECT count(*) FROM employee WHERE employer_id = :e", e=org.id)[0]
    (all_staff,) = query(live_stack, "SELECT count(*) FROM employee")[0]
    assert 0 < own_staff < all_staff, "demo data: expected several employers with staff"
    headcount = kpi_value(page, "Headcount")
    assert 0 < headcount <= own_staff, f"headcount {headcount} vs {own_staff} staff at {org.name}"
    assert kpi_value(page, "Enrollments") > 0

    screenshot(page, "/tmp/overview.png")

    text_now = dom_text(page)
    others = sorted(n for n in employer_names(live_stack) - {org.name} if n not in org.name)
    assert others, "the demo data should have more than one employer"
    leaked = [n for n in others if n in text_now]
    assert not leaked, f"HR manager of {org.name} sees other employers: {leaked}"

    # Streamlit ends the session at the provider (end_session_endpoint), whose
    # page asks for a confirmation before redirecting back.
    end_session = re.compile(re.escape(live_stack.idp_url) + r"/oauth2/end_session")
    problems = []
    sidebar(page).get_by_role("button", name="Log out").click()
    try:
        page.wait_for_url(end_session, timeout=8_000)
    except PlaywrightTimeout:
        problems.append(
            "the first click on the sidebar's 'Log out' did not log out (no redirect to the "
            f"provider within 8 s; still at {page.url}); a second click was needed"
        )
        wait_idle(page)
        sidebar(page).get_by_role("button", name="Log out").click()
        page.wait_for_url(end_session)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(live_stack.app_url) + r"/"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # Signed out for real: a fresh load of the app still shows the login screen.
    open_login_screen(page, live_stack.app_url)
    assert org.name not in dom_text(page)
    assert not problems, problems


def test_partnership_officer_sees_every_partner(page: Page, live_stack):
    officer = demo_user(live_stack, "partnership_officer")
    uni = org_of(live_stack, officer["org_code"])
    assert uni.kind == "university"
    partners = {
        r.name
        for r in query(
            live_stack,
            "SELECT DISTINCT o.name FROM partnership p JOIN organization o ON o.id = p.employer_id "
            "WHERE p.university_id = :u",
            u=uni.id,
        )
    }
    assert partners, "the officer's university has no partners in the demo data"

    sign_in(page, live_stack, officer["email"], click_predefined=True)

    expect(sidebar(page)).to_contain_text(officer["display_name"])
    expect(sidebar(page)).to_contain_text(uni.name)
    expect(main_area(page).get_by_role("heading", name="Overview")).to_be_visible()
    for label in KPI_LABELS:
        expect(page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).to_be_visible()
    assert kpi_value(page, "Headcount") > 0

    expect(main_area(page).get_by_role("heading", name=re.compile(r"^Partners"))).to_have_text(
        f"Partners ({len(partners)})"
    )
    # st.dataframe draws on a canvas; its cells are also in an accessible table in the DOM.
    grid = main_area(page).get_by_test_id("stDataFrame").filter(
        has=page.locator("th", has_text=re.compile(r"^Employer$"))
    )
    expect(grid).to_have_count(1)
    expect(grid.locator("tbody tr")).to_have_count(len(partners))
    grid_text = grid.text_content() or ""
    missing = sorted(n for n in partners if n not in grid_text)
    assert not missing, f"partners missing from the overview table: {missing}"
    if partners != employer_names(live_stack):
        pytest.fail(
            "demo data: the officer's university does not partner with every employer "
            f"({sorted(employer_names(live_stack) - partners)} not partners)"
        )
    screenshot(page, "/tmp/overview-officer.png")


@pytest.mark.parametrize("who", ["stranger", "deactivated"])
def test_identity_without_active_account_sees_no_access(page: Page, live_stack, who):
    if who == "stranger":
        email = STRANGER
        assert email not in {u["email"] for u in live_stack.demo_users}
    else:
        inactive = [u for u in live_stack.demo_users if u.get("is_active") is False]
        if not inactive:
            pytest.skip("seed.demo.DEMO_USERS has no deactivated account")
        email = inactive[0]["email"]

    sign_in(page, live_stack, email)

    expect(main_area(page).get_by_role("heading", name="No access")).to_be_visible()
    expect(main_area(page)).to_contain_text(unlinked(email))  # shown as text, never a mailto link
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)


def test_a_typed_subject_signs_in_because_the_local_secrets_trust_the_providers_emails(page: Page, live_stack):
    """The development provider sends email_verified only for its predefined identities; a
    typed subject gets a bare email. The secrets `manage.py secrets` writes trust its issuer
    (TRUSTED_EMAIL_ISSUERS, passed on by Streamlit), so an account added later still signs in."""
    from sqlmodel import Session

    from db.engine import make_engine
    from db.models import AppUser

    officer = demo_user(live_stack, "partnership_officer")
    email = "typed.viewer@" + officer["email"].split("@")[1]
    assert email not in {u["email"] for u in live_stack.demo_users}, "must not be a predefined identity"
    engine = make_engine(live_stack.db_url)
    with Session(engine) as session:
        account = AppUser(email=email, display_name="Typed Viewer", role="viewer",
                          organization_id=org_of(live_stack, officer["org_code"]).id)
        session.add(account)
        session.commit()
        try:
            sign_in(page, live_stack, email)
            expect(main_area(page).get_by_role("heading", name="Overview")).to_be_visible()
            expect(sidebar(page)).to_contain_text("Typed Viewer")
        finally:  # the other tests expect the seeded users only
            session.delete(account)
            session.commit()
            engine.dispose()


def log_out_through_the_provider(page: Page, stack) -> None:
    """The sidebar's Log out, the provider's end-session confirmation, back at the login screen."""
    sidebar(page).get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(stack.idp_url) + r"/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(stack.app_url) + r"/"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_copied_login_cookie_is_refused_after_log_out_even_by_a_new_process(page: Page, live_stack):
    """Issue 13: 'Log out' only made the browser drop its cookie; a copy still opened the
    dashboard. The logout is now recorded in the database, so any process refuses the copy."""
    hr = demo_user(live_stack, "hr_manager")
    sign_in(page, live_stack, hr["email"])
    expect(main_area(page).get_by_role("heading", name="Overview")).to_be_visible()
    copied = [cookie for cookie in page.context.cookies() if cookie["name"].startswith("_streamlit_user")]
    assert "_streamlit_user" in {cookie["name"] for cookie in copied}

    log_out_through_the_provider(page, live_stack)
    assert "_streamlit_user" not in {cookie["name"] for cookie in page.context.cookies()}

    def copy_is_refused() -> None:
        page.context.add_cookies(copied)  # as someone who copied the cookie before the logout
        page.goto(live_stack.app_url)
        wait_idle(page)
        expect(main_area(page).get_by_role("heading", name="Logged out")).to_be_visible()
        expect(main_area(page)).to_contain_text("This session was logged out")
        expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)

    copy_is_refused()
    live_stack.restart_app()
    copy_is_refused()

    # Signing in again straight away works (a new ID token, issued after the logout).
    page.context.clear_cookies()
    sign_in(page, live_stack, hr["email"])
    expect(main_area(page).get_by_role("heading", name="Overview")).to_be_visible()
    expect(sidebar(page)).to_contain_text(hr["display_name"])
