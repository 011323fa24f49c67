"""AppTest: signed-out, expired and no-access visitors get their one screen and no page list.

Without st.navigation Streamlit registers the pages/ folder's files (a sidebar list of
raw file names, each openable by URL); the gate registers only its own screen.
"""

from __future__ import annotations

import time

import pytest

from devtools.apptest import TEST_ISSUER
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def page_files(at) -> list[str]:
    """Script files this session could open (st.navigation's registry, as AppTest sees it)."""
    return [info["script_path"] for info in at._registered_pages.values() if info.get("script_path")]


def open_address(at, url_path: str):
    """Run the app as a browser does for http://host/<url_path> (a bookmark)."""
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    at._page_hash = hashes[0] if hashes else at._page_hash
    return at.run()


def test_signed_out_visitor_sees_only_the_login_screen(app_db):
    at = app_as(None).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Micro-credentials dashboard"]
    assert [b.label for b in at.button] == ["Log in"]
    assert page_files(at) == [], "a signed-out session must not be able to open any page file"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/codesign.py")
    for address in ("codesign", "users", "overview"):
        open_address(at, address)
        assert not at.exception
        assert [b.label for b in at.button] == ["Log in"], address
        assert not at.error and not at.metric and not at.dataframe, address


@pytest.mark.parametrize("email, issued_hours_ago, title", [
    ("stranger@example.com", 0, "No access"),
    ("hr@acme.test", 13, "Session expired"),
])
def test_no_access_and_expired_see_only_their_screen(app_db, email, issued_hours_ago, title):
    at = app_as(email, issued_at=time.time() - issued_hours_ago * 3600).run()
    assert [t.value for t in at.title] == [title]
    assert page_files(at) == []
    open_address(at, "codesign")
    assert [t.value for t in at.title] == [title]
    assert [b.label for b in at.button] == ["Log out"]
    assert not at.metric and not at.dataframe


def test_signed_in_user_still_gets_the_role_page_list(app_db):
    at = app_as("hr@acme.test").run()
    files = {f.rsplit("/", 1)[-1] for f in page_files(at)}
    assert "overview.py" in files and "codesign.py" in files and "users.py" not in files


# --- issue 13: unverified emails, claimed accounts, logouts --------------------------------


def only_the_refusal(at, title: str) -> str:
    """The one screen a refused identity gets: its title, the reason, a Log out button, no data."""
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title]
    assert [b.label for b in at.button] == ["Log out"]
    assert page_files(at) == [] and not at.metric and not at.dataframe
    return " ".join(m.value for m in at.markdown)


def test_an_email_the_provider_has_not_verified_gets_no_access(app_db):
    reason = only_the_refusal(app_as("hr@acme.test", verified=False).run(), "No access")
    assert md("has not verified the email address hr@acme.test") in reason


def test_an_email_without_email_verified_needs_a_trusted_issuer(app_db, monkeypatch):
    monkeypatch.delenv("TRUSTED_EMAIL_ISSUERS", raising=False)
    reason = only_the_refusal(app_as("hr@acme.test", verified=None).run(), "No access")
    assert md("does not say whether it has verified") in reason
    monkeypatch.setenv("TRUSTED_EMAIL_ISSUERS", TEST_ISSUER)
    assert app_as("hr@acme.test", verified=None).run().title[0].value == "Overview"


def test_another_subject_sending_a_claimed_accounts_email_gets_no_access(app_db):
    assert app_as("hr@acme.test", subject="the-hr-manager").run().title[0].value == "Overview"
    reason = only_the_refusal(app_as("hr@acme.test", subject="an-impostor").run(), "No access")
    assert md("linked to a different sign-in identity") in reason


@pytest.mark.parametrize("screen", ["sidebar", "expired"])
def test_log_out_is_recorded_so_a_copy_of_the_login_is_refused(app_db, screen):
    """Both Log out buttons (the sidebar's, and the gate screens') record the logout before
    st.logout(); a login issued before it (a copied cookie's claims) then gets "Logged out",
    and a fresh login is let in."""
    issued = time.time() - (13 * 3600 if screen == "expired" else 60)
    at = app_as("hr@acme.test", issued_at=issued).run()
    assert at.title[0].value == ("Session expired" if screen == "expired" else "Overview")
    button(at, "Log out").click().run()
    assert not at.exception, at.exception

    copy = app_as("hr@acme.test", issued_at=time.time() - 60 if screen == "expired" else issued).run()
    reason = only_the_refusal(copy, "Logged out")
    assert md("This session was logged out") in reason
    assert app_as("hr@acme.test", issued_at=time.time()).run().title[0].value == "Overview"
