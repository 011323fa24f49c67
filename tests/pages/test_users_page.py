"""AppTest: the users page as two administrators use it at once: a change based on what the other one
changed meanwhile is refused with their change named, nothing is saved, and the same user stays chosen."""

from __future__ import annotations

import pytest
from sqlmodel import select

from db.models import AppUser
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


@pytest.fixture
def two_admins(app_db, session):
    """Uni One's administrator and a second one, each with the users page open."""
    session.add(AppUser(email="admin2@uni-one.test", display_name="Second admin", role="admin",
                        organization_id=app_db.id("U")))
    session.commit()
    return open_users("admin@uni-one.test"), open_users("admin2@uni-one.test")


def open_users(email: str):
    at = app_as(email).run()
    at.switch_page("pages/users.py").run()
    assert not at.exception, at.exception
    return at


def change(at, user_id: int, *, role: str = "(keep)", access: str = "(keep)") -> None:
    """Choose the user (a rerun, as the browser does), then the change, then Save in one submission."""
    if at.selectbox(key="users_user").value != user_id:
        at.selectbox(key="users_user").select(user_id).run()
    at.selectbox(key="users_new_role").select(role)
    at.radio(key="users_access").set_value(access)
    button(at, "Save change").click().run()
    assert not at.exception, at.exception


def stored(session, user_id: int) -> tuple[str, bool]:
    session.expire_all()
    user = session.get(AppUser, user_id)
    return user.role, user.is_active


def shown(at, email: str) -> tuple[str, bool]:
    row = at.dataframe[0].value.set_index("email").loc[email]
    return row["role"], bool(row["active"])


def test_a_change_based_on_what_another_admin_changed_is_refused(app_db, session, two_admins):
    mine, theirs = two_admins
    viewer = app_db.id("viewer@a")
    mine.selectbox(key="users_user").select(viewer).run()
    assert "Now a viewer, active." in [c.value for c in mine.caption]

    change(theirs, viewer, role="hr_manager")
    assert [s.value for s in theirs.success] == [md("Saved the change to viewer@acme.test.")]
    assert stored(session, viewer) == ("hr_manager", True)

    change(mine, viewer, access="deactivated")
    assert stored(session, viewer) == ("hr_manager", True)  # not overwritten
    [message] = [e.value for e in mine.error]
    assert message.startswith(md("admin2@uni-one.test changed viewer@acme.test on "))
    assert message.endswith(md("after you opened it: it was a viewer, active, it is now an HR manager, active. "
                               "Nothing was saved: check the user and choose again."))
    assert not mine.success
    assert mine.selectbox(key="users_user").value == viewer  # the same user stays chosen
    assert shown(mine, "viewer@acme.test") == ("HR manager", True)  # the other change is on the page now
    assert "Now an HR manager, active." in [c.value for c in mine.caption]
    assert (mine.selectbox(key="users_new_role").value, mine.radio(key="users_access").value) == ("(keep)", "(keep)")

    # Having been shown the other change, the administrator may decide again.
    change(mine, viewer, access="deactivated")
    assert not mine.error, [e.value for e in mine.error]
    assert stored(session, viewer) == ("hr_manager", False)


def test_the_chosen_user_is_the_one_changed_when_another_admin_adds_a_user_meanwhile(app_db, session, two_admins):
    """A user added by the other administrator comes first in the list: the change still goes to the user
    this one chose."""
    mine, theirs = two_admins
    viewer, hr = app_db.id("viewer@a"), app_db.id("hr@a")
    mine.selectbox(key="users_user").select(viewer).run()
    theirs.text_input[0].input("aaa@acme.test")
    theirs.text_input[1].input("First in the list")
    theirs.selectbox[0].select("viewer")
    theirs.selectbox[1].select(app_db.id("A"))
    button(theirs, "Add user").click().run()
    assert not theirs.error, [e.value for e in theirs.error]

    mine.selectbox(key="users_new_role").select("hr_manager")
    button(mine, "Save change").click().run()
    assert not mine.error, [e.value for e in mine.error]
    assert stored(session, viewer) == ("hr_manager", True)
    assert stored(session, hr) == ("hr_manager", True)
    session.expire_all()
    assert session.exec(select(AppUser.role).where(AppUser.email == "aaa@acme.test")).one() == "viewer"
