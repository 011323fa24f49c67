"""The skills vocabulary: the university keeps it; HR managers propose skills, a partnership officer accepts or
rejects them; a proposal is seen only by its employer and the universities partnered with it, and a skill that
is not accepted is used nowhere (credential mappings, proposals, PDP goals, imports).

Expectations by hand from tests/world.py: Uni One partners Acme (A) and Beta (B); Uni Two partners Gamma (C).
s1 and s2 are accepted, s3 ("model credit risk") is Acme's proposal awaiting a decision, s4 ("write cover
letters") is Beta's, rejected.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Skill
from db.scope import AccessDenied, visible
from services import codesign, pdp
from services.codesign import CodesignError
from tests.services import codesign_helpers
from tests.services.codesign_helpers import cred, sc
from tests.services.imports_helpers import errors, run

world = codesign_helpers.world  # the shared fixture, bound here so pytest finds it


def names_seen(session, scope) -> set[str]:
    return set(session.scalars(select(Skill.name).where(visible(scope, Skill))).all())


def vocabulary(session) -> set[str]:
    """The shared list every picker offers."""
    return {name for _, name in codesign.skill_choices(session)}


def proposal_rows(session, scope) -> dict[str, str]:
    return dict(zip(*(codesign.skill_proposals(session, scope)[column] for column in ("skill", "status")),
                    strict=True))


def propose(session, world, name="audit a ledger", who="hr@a", **fields):
    return codesign.propose_new_skill(session, sc(session, world, who), name=name, **fields)


# --- Who proposes, who decides ---------------------------------------------------------------


def test_an_hr_manager_cannot_add_to_the_shared_vocabulary(session, world):
    for who in ("hr@a", "hr@b"):
        with pytest.raises(AccessDenied, match="Only the university adds skills"):
            codesign.add_skill(session, sc(session, world, who), name="audit a ledger")
    assert "audit a ledger" not in vocabulary(session)
    assert session.scalar(select(Skill.id).where(Skill.name == "audit a ledger")) is None


def test_a_proposal_is_seen_by_its_employer_and_its_universities_only(session, world):
    skill = propose(session, world, category="finance", esco_uri="http://data.europa.eu/esco/skill/ledger")
    assert (skill.status, skill.proposed_by_id, skill.proposer_email) == ("proposed", world.id("A"), "hr@acme.test")
    assert "audit a ledger" not in vocabulary(session)
    for who in ("hr@a", "viewer@a", "officer@u", "viewer@u", "admin@u"):
        assert "audit a ledger" in names_seen(session, sc(session, world, who)), who
    for who in ("hr@b", "officer@u2"):
        assert "audit a ledger" not in names_seen(session, sc(session, world, who)), who
        assert "audit a ledger" not in proposal_rows(session, sc(session, world, who)), who
    assert proposal_rows(session, sc(session, world, "hr@a")) == {"audit a ledger": "proposed",
                                                                  "model credit risk": "proposed"}
    officer = codesign.skill_proposals(session, sc(session, world, "officer@u"))
    assert officer[["skill", "status", "proposed_by"]].values.tolist() == [
        ["audit a ledger", "proposed", "Acme"], ["model credit risk", "proposed", "Acme"],
        ["write cover letters", "rejected", "Beta"]]
    assert proposal_rows(session, sc(session, world, "hr@b")) == {"write cover letters": "rejected"}
    assert "skill.propose" in session.scalars(select(AuditEvent.action)).all()


def test_the_officer_accepts_and_every_tenant_sees_it(session, world):
    skill = propose(session, world)
    accepted = codesign.accept_skill(session, sc(session, world, "officer@u"), skill_id=skill.id)
    assert (accepted.status, accepted.decided_by) == ("accepted", "officer@uni-one.test")
    assert accepted.decided_at is not None
    assert "audit a ledger" in vocabulary(session)
    for who in ("hr@b", "officer@u2"):
        assert "audit a ledger" in names_seen(session, sc(session, world, who)), who
    assert proposal_rows(session, sc(session, world, "hr@a"))["audit a ledger"] == "accepted"
    # Now any editor maps it.
    codesign.set_skill(session, sc(session, world, "hr@b"), credential_id=world.id("K3"), expected_version=1,
                       skill_id=skill.id, proficiency=2)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "Skill")).all()
    assert actions == ["skill.propose", "skill.accept"]


def test_only_a_university_of_the_proposer_decides(session, world):
    skill = propose(session, world)
    for who in ("hr@a", "hr@b", "viewer@u", "viewer@a"):
        for decide in (codesign.accept_skill, codesign.reject_skill):
            with pytest.raises(AccessDenied):
                decide(session, sc(session, world, who), skill_id=skill.id)
    # Uni Two does not partner Acme: the proposal is not its to see, nor to decide.
    with pytest.raises(CodesignError, match="no such skill proposal"):
        codesign.accept_skill(session, sc(session, world, "officer@u2"), skill_id=skill.id)
    session.expire_all()
    assert session.get(Skill, skill.id).status == "proposed"


def test_a_decision_is_taken_once(session, world):
    officer = sc(session, world, "officer@u")
    codesign.reject_skill(session, officer, skill_id=world.id("s3"))
    with pytest.raises(CodesignError, match="already rejected"):
        codesign.accept_skill(session, officer, skill_id=world.id("s3"))
    with pytest.raises(CodesignError, match="already in the list"):
        codesign.reject_skill(session, officer, skill_id=world.id("s1"))
    session.expire_all()
    assert session.get(Skill, world.id("s3")).status == "rejected"


def test_the_university_adds_skills_directly(session, world):
    for who, name in (("officer@u", "plan a budget"), ("admin@u", "read a balance sheet")):
        skill = codesign.add_skill(session, sc(session, world, who), name=name)
        assert (skill.status, skill.proposed_by_id) == ("accepted", None)
        assert name in vocabulary(session)
    with pytest.raises(AccessDenied, match="read-only"):
        codesign.propose_new_skill(session, sc(session, world, "viewer@a"), name="x")
    with pytest.raises(AccessDenied, match="HR managers propose"):
        codesign.propose_new_skill(session, sc(session, world, "officer@u"), name="x")


@pytest.mark.parametrize("who,name,message", [
    ("hr@a", "Lead a Team", "already in the list"),
    ("officer@u", "MODEL credit risk", "already been proposed"),
    ("hr@b", "model credit risk", "already been proposed"),  # another employer's: not who, nor anything else
    ("hr@a", "write cover letters", "did not accept"),
])
def test_a_name_is_in_the_vocabulary_once(session, world, who, name, message):
    scope = sc(session, world, who)
    add = codesign.propose_new_skill if scope.role == "hr_manager" else codesign.add_skill
    with pytest.raises(CodesignError, match=message) as refused:
        add(session, scope, name=name)
    assert "Acme" not in str(refused.value) and "Beta" not in str(refused.value)


# --- A skill that is not accepted is used nowhere --------------------------------------------


@pytest.mark.parametrize("label", ["s3", "s4"])
def test_a_skill_not_accepted_cannot_be_mapped_or_proposed(session, world, label):
    hr_a = sc(session, world, "hr@a")  # Acme proposed s3 itself: still not until the university accepts it
    with pytest.raises(CodesignError, match="does not exist in the skills list"):
        codesign.set_skill(session, hr_a, credential_id=world.id("K2"), expected_version=1,
                           skill_id=world.id(label), proficiency=3)
    with pytest.raises(CodesignError, match="does not exist in the skills list"):
        codesign.propose_skill(session, hr_a, credential_id=world.id("K2"), skill_id=world.id(label),
                               proficiency=3, rationale="We need it")
    assert cred(session, world, "K2").version == 1


@pytest.mark.parametrize("label", ["s3", "s4"])
def test_a_skill_not_accepted_is_no_pdp_target(session, world, label):
    hr_a = sc(session, world, "hr@a")
    assert world.id(label) not in dict(pdp.skills(session))
    with pytest.raises(pdp.PdpError, match="That skill does not exist in the skills list"):
        pdp.add_goal(session, hr_a, employee_id=world.id("a1"), period="2026", title="Grow",
                     due_on=date(2026, 12, 31), skill_id=world.id(label), target_level=3)


def test_imports_use_accepted_skills_only(session, world):
    for kind, text, name in [
        ("assessments", "employee_ref,skill,level,assessed_on,source\n1,Model Credit Risk,3,2026-03-01,self\n",
         "Model Credit Risk"),
        ("pdp_goals", "employee_ref,period,title,skill,target_level,due_on\n1,2026,Grow,write cover letters,3,"
                      "2026-12-31\n", "write cover letters"),
    ]:
        plan = run(session, world, "hr@a", kind, text)
        assert f"line 2, column skill: skill '{name}' is not in the skills vocabulary" in errors(plan), kind
        assert not plan.ok


def test_a_credentials_import_puts_its_skills_in_the_vocabulary(session, world):
    """The university's file names its skills: a name an employer proposed is accepted by it."""
    text = "code,title,level,skills\nNEW-1,Credit risk,6,Model Credit Risk:4; price a bond\n"
    plan = run(session, world, "officer@u", "credentials", text)
    assert plan.ok, errors(plan)
    session.expire_all()
    assert session.get(Skill, world.id("s3")).status == "accepted"
    assert {"model credit risk", "price a bond"} <= vocabulary(session)
    assert session.scalar(select(Skill.status).where(Skill.name == "price a bond")) == "accepted"
