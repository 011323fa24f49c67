"""AppTest: the European elements (Annex I) in the co-design studio. The officer edits them in the details form
and sees them saved; the Sign-off tab's checklist says what is missing; a refused submit is said on the page,
on the same tab; the HR manager of the co-designing employer reads the same checklist.

By hand from tests/world.py: K2 is Uni One's draft (version 1) co-designed by Acme, with one outcome,
5 ECTS credits, EQF 5, delivery online; no summary, no skill and none of the new elements.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import ChangeProposal, Credential, CredentialSkill
from tests.pages import test_pages
from tests.pages.test_codesign_pages import ok, on_tab, open_studio, widget
from tests.pages.test_pages import button
from tests.services.codesign_helpers import make_ready
from ui.safe import md

app_db = test_pages.app_db

ASSESSMENT = "A written exam and a workplace project"
QUALITY = "Internal quality assurance of Uni One, accredited by the national agency"
K2_MISSING = ("Missing: a summary, at least one skill, Country or region of the issuer, Type of assessment, "
              "Type of quality assurance.")


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(tmp_path / "keys" / "badge-key.json"))


def markdown(at) -> list[str]:
    return [shown.value for shown in at.markdown]


def checklist_lines(at) -> list[str]:
    """The checklist's lines (one Markdown list), as written."""
    lists = [text for text in markdown(at) if text.startswith(("- ✅", "- ❌", "- ➖"))]
    assert len(lists) == 1, lists
    return lists[0].split("\n")


def test_the_checklist_says_what_is_missing_and_a_refused_submit_is_said_on_the_same_tab(app_db, session):
    k2 = app_db.id("K2")
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Sign-off")
    assert f"⚠️ **{md(K2_MISSING)}**" in markdown(officer)
    lines = checklist_lines(officer)
    assert len(lines) == 17  # 11 mandatory elements, 6 optional
    assert lines[0] == "- ✅ **Set** · Identification of the learner (mandatory): " + md(
        "From each learner's record, when the credential is issued")
    assert lines[1] == "- ✅ **Set** · Title (mandatory): Credential K2"
    assert lines[2] == "- ❌ **Missing** · Country or region of the issuer (mandatory): —"
    assert lines[3] == "- ✅ **Set** · Awarding body (mandatory): Uni One"
    assert lines[8] == "- ❌ **Missing** · Type of assessment (mandatory): —"
    assert lines[11] == "- ➖ Not given · " + md("Cycle (QF-EHEA), where it applies") + " (optional): —"

    assert officer.button(key="cd_submit").help == K2_MISSING  # said on the button, which stays pressable
    officer.button(key="cd_submit").click().run()
    assert not officer.exception
    assert [error.value for error in officer.error] == [md(
        "Before review, K2 needs a summary, at least one skill and every mandatory element of the European "
        "standard for micro-credentials. Missing: Country or region of the issuer, Type of assessment, "
        "Type of quality assurance.")]
    assert officer.session_state["cd_tab"] == "Sign-off"
    session.expire_all()
    assert (session.get(Credential, k2).status, session.get(Credential, k2).version) == ("draft", 1)


def test_the_officer_edits_the_elements_and_sees_them_saved(app_db, session):
    k2 = app_db.id("K2")
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Details")
    widget(officer.text_input, "Country or region of the issuer *").input("es-ct")
    widget(officer.selectbox, "Cycle (QF-EHEA)").select("first_cycle")
    widget(officer.text_area, "Type of assessment *").input(ASSESSMENT)
    widget(officer.text_area, "Type of quality assurance *").input(QUALITY)
    widget(officer.text_area, "Prerequisites to enrol").input("A first degree, or two years in a data role")
    widget(officer.selectbox, "Supervision and identity verification").select("supervised_identity_check")
    widget(officer.selectbox, "Stackability").select("stackable")
    widget(officer.text_input, "Stacks towards").input("MSc Data Analytics")
    officer.button[[b.label for b in officer.button].index("Save draft")].click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [md("Saved as version 2.")]
    assert officer.session_state["cd_tab"] == "Details"

    session.expire_all()
    saved = session.get(Credential, k2)
    assert (saved.version, saved.issuer_country, saved.qualification_cycle, saved.assessment_type,
            saved.quality_assurance, saved.assessment_supervision, saved.stackability, saved.stacks_towards) == (
        2, "ES-CT", "first_cycle", ASSESSMENT, QUALITY, "supervised_identity_check", "stackable",
        "MSc Data Analytics")
    # The form draws the saved values afresh (keyed by the new version), the country by its name too.
    assert widget(officer.text_input, "Country or region of the issuer *").value == "ES-CT"
    assert widget(officer.selectbox, "Stackability").value == "stackable"
    assert md("Catalunya [Cataluña], Spain (ES-CT)") in [caption.value for caption in officer.caption]
    # What review still needs: the studio's own rule only.
    assert f"⚠️ **{md('Missing: a summary, at least one skill.')}**" in markdown(officer)

    on_tab(officer, "Sign-off")
    lines = checklist_lines(officer)
    assert lines[2] == "- ✅ **Set** · Country or region of the issuer (mandatory): " + md(
        "Catalunya [Cataluña], Spain (ES-CT)")
    assert lines[15] == "- ✅ **Set** · Integration or stackability options (optional): " + md(
        "Stackable: towards MSc Data Analytics")


def test_a_country_code_that_is_not_iso_is_refused_and_nothing_is_saved(app_db, session):
    k2 = app_db.id("K2")
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Details")
    widget(officer.text_input, "Country or region of the issuer *").input("XX")
    officer.button[[b.label for b in officer.button].index("Save draft")].click().run()
    assert [error.value for error in officer.error] == [md(
        "Country or region of the issuer: XX is not an ISO 3166 country or region code "
        "(e.g. IE for Ireland, ES-CT for Catalonia).")]
    session.expire_all()
    assert session.get(Credential, k2).version == 1


def test_once_complete_the_draft_is_ready_and_is_submitted(app_db, session):
    k2 = app_db.id("K2")
    row = session.get(Credential, k2)
    row.summary = "Data skills for banking teams"
    session.add(CredentialSkill(credential_id=k2, skill_id=app_db.id("s1"), proficiency=3))
    session.commit()
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Details")
    widget(officer.text_input, "Country or region of the issuer *").input("IE")
    widget(officer.text_area, "Type of assessment *").input(ASSESSMENT)
    widget(officer.text_area, "Type of quality assurance *").input(QUALITY)
    officer.button[[b.label for b in officer.button].index("Save draft")].click().run()
    ok(officer)
    assert "✅ **Ready for review\\.**" in markdown(officer)
    on_tab(officer, "Sign-off")
    officer.button(key="cd_submit").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md("Submitted for review: version 2 now needs the approval of Uni One and Acme.")]
    assert "✅ **Every mandatory element is set\\.**" in markdown(officer)


def test_the_hr_manager_of_the_co_designer_reads_the_checklist(app_db, session):
    hr = on_tab(open_studio("hr@acme.test", app_db.id("K2")), "Sign-off")
    assert f"⚠️ **{md(K2_MISSING)}**" in markdown(hr)
    lines = checklist_lines(hr)
    assert len(lines) == 17
    assert lines[10] == "- ❌ **Missing** · Type of quality assurance (mandatory): —"


def test_the_co_designer_proposes_an_element_from_its_choices_and_the_accepted_proposal_is_saved(app_db, session):
    k2 = app_db.id("K2")
    hr = on_tab(open_studio("hr@acme.test", k2), "Proposals")
    widget(hr.selectbox, "Field").select("assessment_supervision").run()
    proposed = widget(hr.selectbox, "New value")
    assert proposed.options == ["Not stated", "Unsupervised, no identity check", "Supervised, no identity check",
                                "Supervised, with identity check"]
    proposed.select("supervised_identity_check")
    widget(hr.text_area, "Rationale").input("Our staff sit it on site, with their badge")
    button(hr, "Propose change").click().run()
    ok(hr)
    pid = session.scalar(select(func.max(ChangeProposal.id)))
    assert [message.value for message in hr.success] == [md(f"Proposal #{pid} sent: Uni One decide it.")]

    officer = on_tab(open_studio("officer@uni-one.test", k2), "Proposals")
    officer.button(key=f"accept_{pid}").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md(f"Proposal #{pid} accepted by every party and applied as version 2.")]
    session.expire_all()
    assert session.get(Credential, k2).assessment_supervision == "supervised_identity_check"


def test_publish_refused_for_a_lost_element_is_said_on_the_sign_off_tab(app_db, session):
    """Approved by both parties, then the quality assurance cleared outside the studio (an import, say)."""
    k2 = app_db.id("K2")
    make_ready(session, app_db, status="approved", approvals=("U", "A"))
    row = session.get(Credential, k2)
    row.quality_assurance = ""
    session.add(row)
    session.commit()
    officer = on_tab(open_studio("officer@uni-one.test", k2), "Sign-off")
    lacking = "Missing: Type of quality assurance. It cannot be published until they are set."
    assert f"⚠️ **{md(lacking)}**" in markdown(officer)
    assert officer.button(key="cd_publish").help == lacking
    officer.button(key="cd_publish").click().run()
    assert not officer.exception
    assert [error.value for error in officer.error] == [md(
        "Before publication, K2 needs every mandatory element of the European standard for micro-credentials. "
        "Missing: Type of quality assurance.")]
    assert officer.session_state["cd_tab"] == "Sign-off"
    session.expire_all()
    assert session.get(Credential, k2).status == "approved"
