"""AppTest: a sign-off step in the studio is made to the status the person was shown. Status changes keep
the version, so without it one party's "Return to draft" would silently undo the approval another party
had just completed."""

from __future__ import annotations

from db.models import Approval, Credential
from tests.pages import test_pages
from tests.pages.test_codesign_pages import ok, on_tab, open_studio, ready_k2
from ui.safe import md

app_db = test_pages.app_db  # the page tests' shared fixture, bound here so pytest finds it


def status(session, credential_id: int) -> str:
    session.expire_all()
    return session.get(Credential, credential_id).status


def test_a_step_based_on_a_status_another_party_changed_is_refused(app_db, session):
    k2 = ready_k2(session, app_db)
    cred = session.get(Credential, k2)
    cred.status = "in_review"
    session.add(Approval(credential_id=k2, version=1, organization_id=app_db.id("A"), approver_email="hr@acme.test"))
    session.commit()
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Sign-off")
    hr = on_tab(open_studio("hr@acme.test", k2), "Sign-off")

    officer.button(key="cd_approve").click().run()  # the last approval: K2 is approved
    ok(officer)
    assert status(session, k2) == "approved"

    hr.button(key="cd_to_draft").click().run()  # pressed on the page that showed K2 in review
    assert not hr.exception, hr.exception
    assert [e.value for e in hr.error] == [md("K2 changed status meanwhile (now approved); nothing was saved.")]
    assert not hr.success
    assert status(session, k2) == "approved"  # the approval is not undone

    # Having been shown the approved credential, Acme may still send it back to draft.
    hr.button(key="cd_to_draft").click().run()
    ok(hr)
    assert status(session, k2) == "draft"
