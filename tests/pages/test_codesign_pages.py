"""AppTest: the co-design round between an officer and an HR manager; viewers read only; edits never overwrite."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from db.models import Approval, AuditEvent, ChangeProposal, Credential, CredentialRevision
from services import badges
from services.metrics import Filters
from ui.safe import md
from tests.pages.test_pages import EMAILS, app_as, app_db, button  # noqa: F401  (app_db is a fixture)


def widget(seq, label: str):
    return next(w for w in seq if w.label == label)


def ok(at) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def open_studio(email: str, credential_id: int):
    at = app_as(email).run()
    at.switch_page("pages/codesign.py").run()
    at.selectbox(key="cd_credential").select(credential_id).run()
    ok(at)
    return at


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(tmp_path / "keys" / "badge-key.json"))


def test_officer_and_hr_manager_propose_accept_sign_off_and_publish(app_db, session):
    world, k2 = app_db, app_db.id("K2")

    # Acme's HR manager proposes a summary for the draft.
    hr = open_studio("hr@acme.test", k2)
    widget(hr.selectbox, "Field").select("summary")
    widget(hr.text_area, "New value").input("Data skills for bank teams")
    widget(hr.text_area, "Rationale").input("Our analysts need it")
    button(hr, "Propose change").click().run()
    ok(hr)
    pid = session.scalar(select(func.max(ChangeProposal.id)))
    assert [s.value for s in hr.success] == ["Proposal sent to the other side."]

    # The university's officer accepts it (the other side), maps a skill, submits and approves.
    officer = open_studio("officer@uni-one.test", k2)
    assert f"accept_{pid}" in {b.key for b in officer.button}
    officer.button(key=f"accept_{pid}").click().run()
    ok(officer)
    assert [s.value for s in officer.success] == [f"Proposal #{pid} accepted and applied."]
    widget(officer.selectbox, "Skill").select(world.id("s1"))
    widget(officer.slider, "Proficiency").set_value(4)
    button(officer, "Save skill mapping").click().run()
    ok(officer)
    officer.button(key="cd_submit").click().run()
    ok(officer)
    officer.button(key="cd_approve").click().run()
    ok(officer)
    assert "cd_publish" not in {b.key for b in officer.button}  # Acme has not approved yet

    # The HR manager's page still shows version 1: warned, reloads, approves version 3.
    hr.run()
    assert any("Someone else saved this credential" in w.value for w in hr.warning)
    hr.button(key="cd_reload").click().run()
    ok(hr)
    assert not hr.warning
    assert "cd_publish" not in {b.key for b in hr.button}  # only the university publishes
    hr.button(key="cd_approve").click().run()
    ok(hr)

    officer.run()
    officer.button(key="cd_publish").click().run()
    ok(officer)
    assert [s.value for s in officer.success] == ["Published."]

    session.expire_all()
    c = session.get(Credential, k2)
    assert (c.status, c.version, c.summary) == ("published", 3, "Data skills for bank teams")
    assert set(session.scalars(select(Approval.organization_id).where(
        Approval.credential_id == k2, Approval.version == 3)).all()) == {world.id("U"), world.id("A")}
    assert list(session.scalars(select(CredentialRevision.version).where(CredentialRevision.credential_id == k2)
                                .order_by(CredentialRevision.version)).all()) == [1, 2, 3]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_email != "seed")
                              .order_by(AuditEvent.id)).all()
    assert actions == ["proposal.create", "credential.edit", "proposal.accepted", "credential.edit",
                       "credential.status", "credential.approve", "credential.approve", "credential.status",
                       "credential.status"]

    # The catalogue shows the published credential with its history and a diff between versions.
    officer.switch_page("pages/catalogue.py").run()
    officer.selectbox(key="cat_credential").select(k2).run()
    ok(officer)
    diff = next(d.value for d in officer.dataframe if "before" in d.value.columns)
    assert list(diff["field"]) == ["Skill: analyse big data"]  # by default the two latest versions, 2 → 3
    officer.selectbox(key=f"cat_from_{k2}").select(1).run()
    diff = next(d.value for d in officer.dataframe if "before" in d.value.columns)
    assert list(diff["field"]) == ["Summary", "Skill: analyse big data"]
    assert list(diff["after"]) == ["Data skills for bank teams", "proficiency 4"]


def test_a_second_save_of_the_same_version_is_refused_and_the_other_change_shown(app_db, session):
    k2 = app_db.id("K2")
    officer = open_studio("officer@uni-one.test", k2)
    admin = open_studio("admin@uni-one.test", k2)
    widget(admin.text_input, "Title").input("The admin's title")
    button(admin, "Save draft").click().run()
    ok(admin)

    widget(officer.text_input, "Title").input("The officer's title")
    button(officer, "Save draft").click().run()
    assert not officer.exception
    assert any("Someone else saved K2" in e.value and "admin@uni-one.test saved version 2" in e.value
               for e in officer.error)
    theirs = next(d.value for d in officer.dataframe if "before" in d.value.columns)
    assert theirs.to_dict("records") == [{"field": "Title", "before": "Credential K2", "after": "The admin's title"}]
    session.expire_all()
    assert session.get(Credential, k2).title == "The admin's title"


@pytest.mark.parametrize("email", ["viewer@acme.test", "viewer@uni-one.test"])
def test_a_viewer_cannot_edit(app_db, email):
    at = app_as(email).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/codesign.py")
    at.switch_page("pages/catalogue.py").run()
    for label in ("K1", "K2") if "acme" in email else ("K1", "K2", "K5"):
        at.selectbox(key="cat_credential").select(app_db.id(label)).run()
        ok(at)
        assert [b.label for b in at.button if b.label != "Log out"] == []
        assert not at.text_area and [t.label for t in at.text_input] == ["Search code, title or summary"]


@pytest.mark.parametrize("role", list(EMAILS))
def test_catalogue_and_studio_render_for_every_role(app_db, role):
    at = app_as(EMAILS[role]).run()
    at.switch_page("pages/catalogue.py").run()
    ok(at)
    codes = [o.split(" · ")[0] for o in at.selectbox(key="cat_credential").options]
    assert codes  # every role sees some credentials in the world
    for code in codes:
        at.selectbox(key="cat_credential").select(app_db.id(code)).run()
        ok(at)
    if role != "viewer":
        at.switch_page("pages/codesign.py").run()
        ok(at)
        assert at.title[0].value == "Co-design studio"


def test_every_credential_detail_renders_for_the_officer(app_db):
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/catalogue.py").run()
    for label in ("K1", "K2", "K3", "K4", "K5"):
        at.selectbox(key="cat_credential").select(app_db.id(label)).run()
        ok(at)
        assert at.subheader[0].value.startswith(f"{label} ")


def test_text_is_shown_as_text(app_db, session):
    title = "**bold** <b>x</b> [link](javascript:alert(1)) :red[red]"
    c = session.get(Credential, app_db.id("K2"))
    c.title = title
    session.commit()
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/catalogue.py").run()
    at.selectbox(key="cat_credential").select(app_db.id("K2")).run()
    ok(at)
    assert at.subheader[0].value == md(f"K2 · {title}")
    assert "\\*\\*bold\\*\\* \\<b\\>x\\<\\/b\\> \\[link\\]\\(javascript\\:alert\\(1\\)\\)" in at.subheader[0].value
    assert not any(m.proto.allow_html for m in at.markdown)


def test_enrollment_drill_down_offers_the_badges_in_scope(app_db, session):
    at = app_as("hr@acme.test").run()
    at.switch_page("pages/enrollments.py").run()
    at.toggle(key="learner_badges").set_value(True).run()
    ok(at)
    assert [b.label for b in at.get("download_button") if b.key == "learner_badges_zip"] == ["Download 1 badge (zip)"]
    # The same zip, built for Acme's HR manager with the page's default period (2026 Q2): Ann's badge only.
    from services.periods import parse_quarter
    scope = app_db.scope(session, "hr@a")
    n, data = badges.export_zip(session, scope, Filters(period=parse_quarter("2026Q2")))
    zf = zipfile.ZipFile(io.BytesIO(data))
    stem = f"K1_ACME-1_{app_db.id('E-a1-K1')}"
    assert n == 1 and sorted(zf.namelist()) == sorted([f"{stem}.json", f"{stem}.jwt", badges.PUBLIC_KEY_FILE])
    assert badges.schema_errors(json.loads(zf.read(f"{stem}.json"))) == []
    assert badges.verify_token(zf.read(f"{stem}.jwt").decode(), badges.signing_key(), zf.read(f"{stem}.json")).ok
