"""AppTest: the skills list in the studio. An HR manager proposes a skill and follows it; a partnership officer
accepts or rejects it under Skill proposals, with a message, staying on the credential and tab they were on.

From tests/world.py: s3 "model credit risk" is Acme's proposal awaiting a decision; s4 "write cover letters"
Beta's, rejected.
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import Skill
from tests.pages import test_codesign_pages, test_pages
from tests.pages.test_codesign_pages import ok, on_tab, open_studio, picked
from tests.pages.test_pages import button, table_with
from ui.safe import md

app_db = test_pages.app_db  # the fixture, bound here so pytest finds it
key_file = test_codesign_pages.key_file


def skill_options(at) -> list[str]:
    """What the Skills tab's mapping picker offers."""
    return list(next(box for box in at.selectbox if box.label == "Skill").options)


def open_section(at):
    at.session_state["cd_skill_proposals"] = True  # what clicking the expander does
    at.run()
    ok(at)
    assert not at.warning, [warning.value for warning in at.warning]
    return at


def test_the_officer_accepts_a_proposed_skill_and_stays_where_they_were(app_db, session):
    k2, s3 = app_db.id("K2"), app_db.id("s3")
    officer = open_section(on_tab(open_studio("officer@uni-one.test", k2), "Skills"))
    assert [info.value for info in officer.info] == [
        "1 skill proposal from employers awaits your decision: see Skill proposals."]
    assert "model credit risk" not in skill_options(officer)
    assert f"cd_skill_reject_{app_db.id('s4')}" not in {shown.key for shown in officer.button}  # decided already
    officer.button(key=f"cd_skill_accept_{s3}").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md("Accepted 'model credit risk': it is in the skills list for every organisation.")]
    # Where they were: the same credential, tab and open section; the skill is now in the mapping picker.
    assert picked(officer)[0] == k2 and officer.session_state["cd_tab"] == "Skills"
    assert officer.session_state["cd_skill_proposals"] is True
    assert "model credit risk" in skill_options(officer)
    assert not officer.info  # nothing awaits the officer any more
    decided = table_with(officer, "decided_by")
    assert decided[["skill", "status", "decided_by"]].values.tolist() == [
        ["model credit risk", "Accepted", "officer@uni-one.test"], ["write cover letters", "Rejected",
                                                                    "officer@uni-one.test"]]
    session.expire_all()
    assert session.get(Skill, s3).status == "accepted"


def test_an_hr_manager_proposes_a_skill_and_sees_the_decision(app_db, session):
    k2 = app_db.id("K2")
    hr = on_tab(open_studio("hr@acme.test", k2), "Skills")
    assert "Add skill" not in {b.label for b in hr.button}
    next(box for box in hr.text_input if box.label == "Skill name").input("audit a ledger")
    button(hr, "Propose skill").click().run()
    ok(hr)
    assert [message.value for message in hr.success] == [
        md("Skill proposed to the university: you can map it once it is accepted (see Skill proposals above).")]
    assert "audit a ledger" not in skill_options(hr)
    hr = open_section(hr)
    assert table_with(hr, "proposer_email")[["skill", "status"]].values.tolist() == [
        ["audit a ledger", "Proposed"], ["model credit risk", "Proposed"]]
    new = session.scalar(select(Skill.id).where(Skill.name == "audit a ledger"))

    # Beta's HR manager sees nothing of it.
    beta = open_section(open_studio("hr@beta.test", app_db.id("K3")))
    assert table_with(beta, "proposer_email")[["skill", "status"]].values.tolist() == [
        ["write cover letters", "Rejected"]]

    officer = open_section(open_studio("officer@uni-one.test", k2))
    officer.button(key=f"cd_skill_reject_{new}").click().run()
    ok(officer)
    assert [message.value for message in officer.success] == [
        md("Rejected 'audit a ledger': it stays out of the skills list; Acme sees your decision.")]
    hr.run()
    ok(hr)
    assert table_with(hr, "proposer_email")[["skill", "status", "decided_by"]].values.tolist() == [
        ["model credit risk", "Proposed", "–"], ["audit a ledger", "Rejected", "officer@uni-one.test"]]
