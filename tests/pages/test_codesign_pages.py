"""AppTest: the co-design round between an officer and HR managers; the picker and the tab stay where the user
is after every action; new drafts, co-designers, decisions by every party; the catalogue's history; viewers read
only; edits never overwrite."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import (
    Approval,
    AuditEvent,
    ChangeProposal,
    Credential,
    CredentialRevision,
    CredentialSkill,
    LearningOutcome,
)
from services import badges
from services.metrics import Filters
from tests.pages import test_pages
from tests.pages.test_pages import EMAILS, app_as, button, table_with
from tests.services.codesign_helpers import complete
from ui.safe import WORD_JOINER, md

# The fixture, found by pytest under this module-level name; assigned rather than imported, so that the tests'
# ``app_db`` parameters do not shadow an import (F811).
app_db = test_pages.app_db


def widget(seq, label: str, form: str | None = None):
    """The widget labelled ``label``; outside the New draft form unless ``form="cd_new"``."""
    return next(w for w in seq if w.label == label
                and getattr(w, "form_id", "").startswith("cd_new") == (form == "cd_new"))


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
    complete(session, world, "K2")  # the European elements, so that it can be submitted and published

    # Acme's HR manager proposes a summary for the draft.
    hr = open_studio("hr@acme.test", k2)
    widget(hr.selectbox, "Field").select("summary").run()
    assert widget(hr.text_area, "New value").value == ""  # filled with the current summary (none yet)
    widget(hr.text_area, "New value").input("Data skills for bank teams")
    widget(hr.text_area, "Rationale").input("Our analysts need it")
    button(hr, "Propose change").click().run()
    ok(hr)
    pid = session.scalar(select(func.max(ChangeProposal.id)))
    assert [message.value for message in hr.success] == [md(f"Proposal #{pid} sent: Uni One decide it.")]

    # The university's officer accepts it (the other side), maps a skill, submits and approves.
    officer = open_studio("officer@uni-one.test", k2)
    assert f"accept_{pid}" in {shown.key for shown in officer.button}
    officer.button(key=f"accept_{pid}").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md(f"Proposal #{pid} accepted by every party and applied as version 2.")]
    widget(officer.selectbox, "Skill").select(world.id("s1"))
    widget(officer.slider, "Proficiency").set_value(4)
    button(officer, "Save skill mapping").click().run()
    ok(officer)
    officer.button(key="cd_submit").click().run()
    ok(officer)
    officer.button(key="cd_approve").click().run()
    ok(officer)
    assert "cd_publish" not in {shown.key for shown in officer.button}  # Acme has not approved yet

    # The HR manager's page still shows version 1: warned, reloads, approves version 3.
    hr.run()
    assert any("Someone else saved this credential" in warning.value for warning in hr.warning)
    hr.button(key="cd_reload").click().run()
    ok(hr)
    assert not hr.warning
    assert "cd_publish" not in {shown.key for shown in hr.button}  # only the university publishes
    hr.button(key="cd_approve").click().run()
    ok(hr)

    officer.run()
    officer.button(key="cd_publish").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md("Published version 3: it is in every partner's catalogue; its content is frozen.")]

    assert_published_with_its_record(session, world, k2)
    assert_catalogue_history(officer, k2)


def assert_published_with_its_record(session, world, k2) -> None:
    """K2 after the round: published as version 3, approved by both parties, every step audited."""
    session.expire_all()
    published = session.get(Credential, k2)
    assert (published.status, published.version, published.summary) == ("published", 3, "Data skills for bank teams")
    assert set(session.scalars(select(Approval.organization_id).where(
        Approval.credential_id == k2, Approval.version == 3)).all()) == {world.id("U"), world.id("A")}
    assert list(session.scalars(select(CredentialRevision.version).where(CredentialRevision.credential_id == k2)
                                .order_by(CredentialRevision.version)).all()) == [1, 2, 3]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_email != "seed")
                              .order_by(AuditEvent.id)).all()
    assert actions == ["proposal.create", "proposal.decision", "credential.edit", "proposal.accepted",
                       "credential.edit", "credential.status", "credential.approve", "credential.approve",
                       "credential.status", "credential.status",
                       "proposal.withdrawn"]  # publishing closes Acme's open title proposal


def assert_catalogue_history(officer, k2) -> None:
    """The catalogue shows the published credential with its history and a diff between versions."""
    officer.switch_page("pages/catalogue.py").run()
    officer.selectbox(key="cat_credential").select(k2).run()
    ok(officer)
    diff = next(frame.value for frame in officer.dataframe if "before" in frame.value.columns)
    assert list(diff["field"]) == ["Skill: analyse big data"]  # by default the two latest versions, 2 → 3
    officer.selectbox(key=f"cat_from_{k2}").select(1).run()
    diff = next(frame.value for frame in officer.dataframe if "before" in frame.value.columns)
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
    assert any(md("Someone else saved K2") in e.value and md("admin@uni-one.test saved version 2") in e.value
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


def test_enrollment_drill_down_offers_the_badges_in_scope(app_db, session, tmp_path):
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
    assert n == 1 and sorted(zf.namelist()) == sorted([f"{stem}.json", f"{stem}.jwt", badges.JWKS_FILE])
    assert badges.schema_errors(json.loads(zf.read(f"{stem}.json"))) == []
    # The zip's JWKS (what the deployment publishes) verifies the badge.
    (tmp_path / badges.JWKS_FILE).write_bytes(zf.read(badges.JWKS_FILE))
    issuer_keys = badges.load_public_keys(tmp_path / badges.JWKS_FILE)
    assert badges.verify_token(zf.read(f"{stem}.jwt").decode(), issuer_keys, zf.read(f"{stem}.json")).ok


# --- The user stays where they are: the same credential (its label updated) and the same tab ------------


def picked(at) -> tuple[int, str]:
    """The credential the studio's picker shows, and its label as the user reads it."""
    box = at.selectbox(key="cd_credential")
    return box.value, box.options[box.index]


def on_tab(at, tab: str):
    at.session_state["cd_tab"] = tab  # what clicking the tab does
    at.run()
    ok(at)
    return at


def ready_k2(session, world) -> int:
    """K2 with what review needs (a summary, a skill, the European elements; it has an outcome), co-designed
    by Acme."""
    k2 = complete(session, world, "K2").id
    c = session.get(Credential, k2)
    c.summary = "Data skills for banking teams"
    session.add(CredentialSkill(credential_id=k2, skill_id=world.id("s1"), proficiency=3))
    session.commit()
    return k2


def test_after_submit_approve_and_publish_the_same_credential_and_tab_stay_with_their_new_label(app_db, session):
    k2 = ready_k2(session, app_db)
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Sign-off")
    assert picked(officer) == (k2, "K2 · Credential K2 · Draft — 1 proposal to decide")

    officer.button(key="cd_submit").click().run()
    ok(officer)
    assert picked(officer) == (k2, "K2 · Credential K2 · In review — your approval of version 1; 1 proposal to decide")
    assert officer.session_state["cd_tab"] == "Sign-off"
    assert [message.value for message in officer.success] == [
        md("Submitted for review: version 1 now needs the approval of Uni One and Acme.")]

    # The next click acts on K2 (the label changed; the picker did not fall back to another credential).
    officer.button(key="cd_approve").click().run()
    ok(officer)
    assert picked(officer) == (k2, "K2 · Credential K2 · In review — 1 proposal to decide")
    assert officer.session_state["cd_tab"] == "Sign-off"
    assert [message.value for message in officer.success] == [md("Approved version 1. Still to approve: Acme.")]
    assert "cd_approve" not in {shown.key for shown in officer.button}
    assert md("Waiting for the approval of Acme.") in [c.value for c in officer.caption]

    hr = on_tab(open_studio("hr@acme.test", k2), "Sign-off")
    hr.button(key="cd_approve").click().run()
    ok(hr)
    assert [message.value for message in hr.success] == [
        md("Approved version 1. Every party has approved it: it is approved, and the university can publish it.")]
    assert picked(hr)[1] == ("K2 · Credential K2 · Approved — waiting for the university to publish; "
                             "1 proposal of yours open")

    officer.run()
    assert picked(officer) == (k2, "K2 · Credential K2 · Approved — 1 proposal to decide; ready to publish")
    officer.button(key="cd_publish").click().run()
    ok(officer)
    assert picked(officer) == (k2, "K2 · Credential K2 · Published")
    assert officer.session_state["cd_tab"] == "Sign-off"
    assert [message.value for message in officer.success] == [
        md("Published version 1: it is in every partner's catalogue; its content is frozen.")]
    assert list(table_with(officer, "state")["state"]) == ["Approved", "Approved"]
    session.expire_all()
    assert session.get(Credential, k2).status == "published"


def test_the_tab_is_kept_after_an_edit_and_when_another_credential_is_chosen(app_db, session):
    k2, k3 = app_db.id("K2"), app_db.id("K3")
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Skills")
    widget(officer.selectbox, "Skill").select(app_db.id("s2"))
    button(officer, "Save skill mapping").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md("Mapped skill lead a team at proficiency 3 (version 2).")]
    assert officer.session_state["cd_tab"] == "Skills" and picked(officer)[0] == k2
    officer.selectbox(key="cd_credential").select(k3).run()
    ok(officer)
    assert officer.session_state["cd_tab"] == "Skills" and picked(officer)[0] == k3


def test_edit_an_outcome_starts_from_its_text_and_follows_the_chosen_outcome(app_db, session):
    k2 = app_db.id("K2")
    session.add(LearningOutcome(credential_id=k2, position=2, text="Explain a model to a board"))
    session.commit()
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Learning outcomes")
    assert widget(officer.text_area, "Text").value == "Outcome of K2"
    officer.selectbox(key=f"cd_outcome_pick_{k2}").select(1).run()
    ok(officer)
    assert widget(officer.text_area, "Text").value == "Explain a model to a board"
    widget(officer.text_area, "Text").input("Explain a model and its limits to a board")
    button(officer, "Save outcome").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [md("Edited learning outcome 2 (version 2).")]
    assert officer.session_state["cd_tab"] == "Learning outcomes" and picked(officer)[0] == k2
    assert officer.selectbox(key=f"cd_outcome_pick_{k2}").value == 1  # still the outcome just edited
    assert widget(officer.text_area, "Text").value == "Explain a model and its limits to a board"


def test_the_studio_opens_on_what_needs_the_user(app_db):
    # The officer owes K5 an approval and K2 a decision; K1, published, comes last.
    officer = app_as("officer@uni-one.test").run()
    officer.switch_page("pages/codesign.py").run()
    ok(officer)
    assert picked(officer) == (app_db.id("K5"), "K5 · Credential K5 · In review — your approval of version 1")
    assert officer.selectbox(key="cd_credential").options[-1] == "K1 · Credential K1 · Published"
    assert officer.subheader[0].value.startswith("K5 ")
    # Acme's HR manager opens on the draft Acme co-designs, not on the published K1.
    hr = app_as("hr@acme.test").run()
    hr.switch_page("pages/codesign.py").run()
    ok(hr)
    assert picked(hr) == (app_db.id("K2"),
                          "K2 · Credential K2 · Draft — to complete and submit for review; 1 proposal of yours open")


def test_the_officer_creates_a_draft_in_the_studio(app_db, session):
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/codesign.py").run()
    assert "New draft" in [e.label for e in at.expander]
    new = lambda kind, label: widget(getattr(at, kind), label, form="cd_new")  # noqa: E731
    new("text_input", "Code").input("bad code")
    button(at, "Create draft").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [md("Code may hold letters, digits, '.', '_' and '-' only, starting with a "
                                              "letter or digit. Title is required.")]
    assert session.scalar(select(func.count()).select_from(Credential)) == 6
    new("text_input", "Code").input("DS-301")
    new("text_input", "Title").input("Data storytelling")
    new("number_input", "EQF level (1–8)").set_value(6)
    new("text_area", "Summary").input("Tell the story in the numbers")
    new("number_input", "ECTS credits").set_value(7.5)
    new("number_input", "Learning hours").set_value(190)
    new("selectbox", "Delivery mode").select("blended")
    new("number_input", "Price (£)").set_value(1250.0)
    new("multiselect", "Co-designing employers").set_value([app_db.id("A"), app_db.id("B")])
    button(at, "Create draft").click().run()
    ok(at)
    c = session.scalar(select(Credential).where(Credential.code == "DS-301"))
    assert (c.title, c.eqf_level, c.ects_credits, c.learning_hours, c.delivery_mode, str(c.price), c.status) == \
        ("Data storytelling", 6, Decimal("7.5"), 190, "blended", "1250.00", "draft")
    assert picked(at) == (c.id, "DS-301 · Data storytelling · Draft — to complete and submit for review")
    assert at.session_state["cd_tab"] == "Details"
    assert [s.value for s in at.success] == [md("Draft DS-301 created (version 1), co-designed with Acme and Beta.")]
    assert widget(at.text_input, "Title").value == "Data storytelling"
    assert widget(at.text_input, "Code", form="cd_new").value == ""  # the form is empty for the next one
    # HR managers do not create credentials.
    hr = app_as("hr@acme.test").run()
    hr.switch_page("pages/codesign.py").run()
    assert "New draft" not in [e.label for e in hr.expander]


def decisions(at, pid: int) -> list[str]:
    """The lines of a proposal card's Decisions list, as the user reads them (Markdown escapes and the invisible
    word joiners of ui/safe.md removed)."""
    lines = [m.value for m in at.markdown if m.value.startswith("- ")]
    return [line.replace("\\", "").replace(WORD_JOINER, "") for m in lines for line in m.split("\n")]


def test_co_designers_and_a_proposal_both_employers_must_accept(app_db, session):
    k2 = app_db.id("K2")
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Co-designers")
    widget(officer.multiselect, "Co-designing employers").set_value([app_db.id("A"), app_db.id("B")])
    button(officer, "Save co-designers").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [md("Co-designers saved (version 2): Acme and Beta.")]
    assert officer.session_state["cd_tab"] == "Co-designers"

    on_tab(officer, "Proposals")
    widget(officer.selectbox, "Field").select("eqf_level").run()
    assert widget(officer.number_input, "New value").value == 5  # the current level
    widget(officer.number_input, "New value").set_value(6)
    widget(officer.text_area, "Rationale").input("Harder assessment")
    button(officer, "Propose change").click().run()
    ok(officer)
    pid = session.scalar(select(func.max(ChangeProposal.id)))
    assert [message.value for message in officer.success] == [md(f"Proposal #{pid} sent: Acme and Beta decide it.")]
    assert officer.session_state["cd_tab"] == "Proposals"

    hr_a = on_tab(open_studio("hr@acme.test", k2), "Proposals")
    assert decisions(hr_a, pid)[:2] == ["- Acme: to decide", "- Beta: to decide"]
    hr_a.button(key=f"accept_{pid}").click().run()
    ok(hr_a)
    assert [s.value for s in hr_a.success] == [
        md(f"You accepted proposal #{pid}. It is applied once Beta accepts too.")]
    assert decisions(hr_a, pid)[0].startswith("- Acme: accepted by hr@acme.test, ")
    assert decisions(hr_a, pid)[1] == "- Beta: to decide"
    assert f"accept_{pid}" not in {b.key for b in hr_a.button}
    session.expire_all()
    assert session.get(Credential, k2).eqf_level == 5  # one employer alone changes nothing

    hr_b = on_tab(open_studio("hr@beta.test", k2), "Proposals")
    hr_b.button(key=f"accept_{pid}").click().run()
    ok(hr_b)
    assert [message.value for message in hr_b.success] == [
        md(f"Proposal #{pid} accepted by every party and applied as version 3.")]
    assert picked(hr_b)[0] == k2 and hr_b.session_state["cd_tab"] == "Proposals"
    session.expire_all()
    assert session.get(Credential, k2).eqf_level == 6


def test_hr_manager_proposes_a_skill_mapping(app_db, session):
    k2 = app_db.id("K2")
    hr = on_tab(open_studio("hr@acme.test", k2), "Proposals")
    widget(hr.selectbox, "Field").select("skills").run()
    hr.selectbox(key="cd_prop_skill").select(app_db.id("s2"))
    hr.slider(key="cd_prop_proficiency").set_value(4)
    widget(hr.text_area, "Rationale").input("Our team leads need it")
    button(hr, "Propose change").click().run()
    ok(hr)
    pid = session.scalar(select(func.max(ChangeProposal.id)))
    assert [message.value for message in hr.success] == [md(f"Proposal #{pid} sent: Uni One decide it.")]
    prop = session.get(ChangeProposal, pid)
    assert (prop.field, json.loads(prop.new_value)) == ("skills", [{"skill_id": app_db.id("s2"), "proficiency": 4}])
    assert any(t.value == "lead a team (4)" for t in hr.text)


# --- The catalogue's history ------------------------------------------------------------------


def test_catalogue_shows_an_imported_credentials_history_truthfully(app_db, session):
    from services import imports

    officer_scope = app_db.scope(session, "officer@u")
    imports.import_file(session, officer_scope, "credentials", b"code,title,level\r\nIMP-1,Imported one,5\r\n",
                        "catalogue.csv")
    cid = session.scalar(select(Credential.id).where(Credential.code == "IMP-1"))
    session.execute(Credential.__table__.update().where(Credential.__table__.c.id == cid).values(status="published"))
    session.commit()
    at = app_as("officer@uni-one.test").run()
    at.switch_page("pages/catalogue.py").run()
    at.selectbox(key="cat_credential").select(cid).run()
    ok(at)
    assert list(table_with(at, "state")["state"]) == ["Not recorded"]
    assert [i.value for i in at.info] == ["Imported as published, no sign-off recorded in this dashboard."]
    assert table_with(at, "change")[["version", "saved_by", "change"]].values.tolist() == [
        [1, "officer@uni-one.test", "Imported from catalogue.csv"]]
    assert list(table_with(at, "event")["event"]) == ["Created by the import of catalogue.csv (version 1)"]
    assert "Waiting" not in " ".join(str(v) for v in table_with(at, "state").values.ravel())
