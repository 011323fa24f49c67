"""AppTest: the People page for an HR manager and an admin: find a person, download their data (each download
in the access log), erase them after typing their HRIS id, and stay on the same person seeing what happened."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import AccessLogEntry, Employee
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button, open_page
from tests.services.people_helpers import ANN, dump, found, make_ann_identifiable
from ui.safe import md

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


@pytest.fixture
def ann(app_db, session) -> int:
    return make_ann_identifiable(session, app_db)


def open_people(email: str):
    return open_page(email, "pages/people.py", title="People")


def find(at, text: str):
    at.text_input(key="people_search").input(text).run()
    assert not at.exception, at.exception
    return at


def shown(at) -> str:
    """Every text on the page, the choices offered and the widgets' values."""
    parts = [page_tests.texts(at)] + [e.value for e in (*at.subheader, *at.info, *at.success)]
    parts += [str(box.options) for box in at.selectbox] + [str(box.value) for box in at.text_input]
    return json.dumps(parts, ensure_ascii=False)


def infos(at) -> list[str]:
    return [i.value for i in at.info]


def test_hr_manager_finds_downloads_and_erases_a_person(session, ann):
    at = open_people("hr@acme.test")
    assert infos(at) == ["Type an HRIS id or part of a name."]
    find(at, "zzz")
    assert infos(at) == [md("Nobody in your access has an HRIS id or name containing “zzz”.")]

    find(at, "onestone")
    assert at.selectbox(key="people_person").value == ann
    assert [s.value for s in at.subheader][:3] == [md(ANN["full_name"]), "Their data", "Erase"]
    assert md("HRIS id HR-ANN-7781 · Acme · Operations · hired 1 Jan 2020") in [c.value for c in at.caption]
    counts = dict(zip(at.dataframe[0].value["Records"], at.dataframe[0].value["Rows"], strict=True))
    assert counts["Enrollments"] == 1 and counts["Development plans and goals"] == 2
    # Opening the record is logged once, however often the page reruns.
    find(at, "onestone")
    opened = session.scalars(select(AccessLogEntry).where(AccessLogEntry.view == "person page")).all()
    assert [(e.actor_email, e.rows, e.employer_id) for e in opened] == [("hr@acme.test", 1, app_db_id(session))]

    at.download_button(key="people_json").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        md("Downloaded the JSON file; the download is recorded in the access log.")]
    entry = session.scalars(select(AccessLogEntry).where(AccessLogEntry.view == "person export")).one()
    assert (entry.actor_email, entry.filters, entry.employer_id) == ("hr@acme.test", "JSON file", app_db_id(session))

    # A wrong confirmation: refused, said so, nothing changed, the same person still chosen.
    before = dump(session)
    at.text_input(key="people_confirm").input("HR-ANN")
    button(at, "Erase this person").click().run()
    assert [e.value for e in at.error] == [md("Type the person's HRIS id exactly to confirm. Nothing was changed.")]
    assert dump(session) == before
    assert at.selectbox(key="people_person").value == ann

    at.text_input(key="people_confirm").input(ANN["employee_ref"])
    button(at, "Erase this person").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    session.expire_all()
    erased = session.get(Employee, ann)
    [done] = [s.value for s in at.success]
    assert done.startswith(md(f"Erased: this person is now {erased.full_name} ({erased.employee_ref})."))
    assert at.selectbox(key="people_person").value == ann  # the same person, under the pseudonym
    assert at.text_input(key="people_search").value == erased.employee_ref
    assert md(erased.full_name) in [s.value for s in at.subheader]
    assert infos(at) == ["Pseudonymised on 15 Jul 2026: there is nothing left to erase."]
    assert found(dump(session)) == []
    assert found(shown(at)) == []


def app_db_id(session) -> int:
    return session.scalars(select(Employee.employer_id).where(Employee.employee_ref == ANN["employee_ref"])).one()


def test_admin_finds_people_of_every_employer_and_their_export_holds_their_data(session, ann):
    at = find(open_people("admin@uni-one.test"), "one")
    options = at.selectbox(key="people_person").options
    assert {"Bea One (1) · Beta", "Cy One (1) · Gamma", "Annabel Onestone (HR-ANN-7781) · Acme"} <= set(options)
    at.download_button(key="people_html").click().run()
    assert not at.exception, at.exception
    entries = session.scalars(select(AccessLogEntry).where(AccessLogEntry.view == "person export")).all()
    assert [(e.actor_email, e.filters) for e in entries] == [("admin@uni-one.test", "HTML file")]


def test_an_hr_manager_finds_nobody_of_another_employer(session, ann):
    at = find(open_people("hr@beta.test"), "onestone")
    assert not at.selectbox and infos(at) == [md("Nobody in your access has an HRIS id or name containing "
                                                 "“onestone”.")]
    assert "Annabel" not in shown(at)


@pytest.mark.parametrize("email", ["viewer@acme.test", "officer@uni-one.test"])
def test_the_page_is_not_registered_for_viewers_and_officers(app_db, email):
    at = app_as(email).run()
    with pytest.raises(ValueError, match=r"Could not find a navigation page"):
        at.switch_page("pages/people.py")
