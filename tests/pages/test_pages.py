"""AppTest: every page renders for every role; the gate handles strangers and expiry."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from devtools.apptest import signed_in_claims
from services.identity import find_user
from tests.conftest import ROOT
from tests.world import build_world
from ui.safe import md

EMAILS = {
    "admin": "admin@uni-one.test",
    "partnership_officer": "officer@uni-one.test",
    "hr_manager": "hr@acme.test",
    "viewer": "viewer@acme.test",
}
DASHBOARDS = ["pages/overview.py", "pages/enrollments.py", "pages/upskilling.py", "pages/pdps.py", "pages/review.py"]
PAGES_BY_ROLE = {
    "admin": [*DASHBOARDS, "pages/users.py", "pages/privacy.py"],
    "partnership_officer": [*DASHBOARDS, "pages/privacy.py"],
    "hr_manager": [*DASHBOARDS, "pages/privacy.py"],
    "viewer": DASHBOARDS,
}


@pytest.fixture
def app_db(session, db_url, monkeypatch):
    world = build_world(session)
    monkeypatch.setenv("DATABASE_URL", db_url)
    # The world's data is dated in 2026 H1; pin the dashboard's today to 2026-07-15 (default period 2026Q2).
    monkeypatch.setenv("AS_OF_DATE", "2026-07-15")
    return world


def app_as(email: str | None, *, issued_at: float | None = None, **identity) -> AppTest:
    """The app for a visitor signed in as ``email`` (None: signed out); ``identity`` as for
    devtools.apptest.signed_in_claims (subject, verified, issuer)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    if email is None:
        at.user = {"is_logged_in": False}
    else:
        at.user = signed_in_claims(email, issued_at=issued_at, **identity)
    return at


def open_page(email: str, page: str, *, title: str | None = None) -> AppTest:
    """Sign in as ``email``, go to ``page`` (pages/x.py), check it ran without an error (and its title)."""
    at = app_as(email).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if title is not None:
        assert at.title[0].value == title
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def table_with(at: AppTest, column: str):
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.text] + [m.label for m in at.metric] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def test_logged_out_sees_login_button(app_db):
    at = app_as(None).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.metric


def test_unknown_identity_gets_no_access(app_db):
    at = app_as("stranger@example.com").run()
    assert not at.exception
    assert at.title[0].value == "No access"
    assert not at.metric and not at.dataframe


def test_deactivated_user_gets_no_access(app_db):
    at = app_as("gone@acme.test").run()
    assert at.title[0].value == "No access"


def test_expired_session_is_refused(app_db):
    at = app_as("hr@acme.test", issued_at=time.time() - 13 * 3600).run()
    assert at.title[0].value == "Session expired"
    assert not at.metric


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_every_page_renders_for_every_role(app_db, role):
    at = app_as(EMAILS[role]).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    for page in PAGES_BY_ROLE[role]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page


def test_hr_manager_sees_only_own_organisation(app_db):
    at = app_as("hr@acme.test").run()
    assert at.title[0].value == "Overview"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Headcount"] == "2"
    table = table_with(at, "headcount")
    assert set(table["department"]) == {"Operations", "IT"}
    assert "Beta" not in texts(at) and "Gamma" not in texts(at)


def test_officer_sees_all_partners(app_db):
    at = app_as("officer@uni-one.test").run()
    table = table_with(at, "sector")
    assert sorted(table["employer"]) == ["Acme", "Beta"]
    assert "Gamma" not in set(table["employer"])


def test_users_page_is_not_registered_for_hr(app_db):
    at = app_as("hr@acme.test").run()
    # Only pages passed to st.navigation exist for this session.
    with pytest.raises(ValueError, match=r"Could not find a navigation page") as err:
        at.switch_page("pages/users.py")
    assert "users.py" not in str(err.value).split("Known pages:")[1]


def test_admin_adds_and_deactivates_a_user(app_db, session):
    at = app_as("admin@uni-one.test").run()
    at.switch_page("pages/users.py").run()
    at.text_input[0].input("New.Person@acme.test")
    at.text_input[1].input("New Person")
    at.selectbox[0].select("hr_manager")
    at.selectbox[1].select(app_db.id("A"))
    button(at, "Add user").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "new.person@acme.test" in set(at.dataframe[0].value["email"])
    new = find_user(session, "new.person@acme.test")
    assert (new.role, new.organization_id) == ("hr_manager", app_db.id("A"))

    at.selectbox[2].select(new.id)
    at.radio[0].set_value("deactivated")
    button(at, "Save change").click().run()
    assert not at.error, [e.value for e in at.error]
    session.expire_all()
    assert find_user(session, "new.person@acme.test") is None  # inactive users are not found
    assert app_as("new.person@acme.test").run().title[0].value == "No access"

    # A role that does not fit the organisation is refused with a clear message, and nothing is written.
    at.text_input[0].input("wrong@uni-one.test")
    at.text_input[1].input("Wrong Role")
    at.selectbox[0].select("hr_manager")
    at.selectbox[1].select(app_db.id("U"))
    button(at, "Add user").click().run()
    assert [e.value for e in at.error] == [md("An HR manager must belong to an employer.")]
    assert "wrong@uni-one.test" not in set(at.dataframe[0].value["email"])


def test_every_page_run_goes_through_the_sign_in_gate(app_db, session):
    """A user deactivated mid-session loses access on the next page they open."""
    at = app_as("hr@acme.test").run()
    assert at.title[0].value == "Overview"
    user = find_user(session, "hr@acme.test")
    user.is_active = False
    session.add(user)
    session.commit()
    at.switch_page("pages/pdps.py").run()
    assert at.title[0].value == "No access"
    assert not at.dataframe and not at.metric
