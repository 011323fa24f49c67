"""AppTest: the Plan page ranks the credentials that close a department's gaps; the skill-gap heatmap leads to it
with the department and skills chosen; only HR managers and admins reach it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from db import summaries
from db.engine import bump_data_version
from db.models import Credential, CredentialSkill, Employee, Pdp, PdpGoal
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, button, open_page
from ui import data
from ui.plan import ranking as plan_widgets

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


@pytest.fixture
def plan_world(app_db, session):
    """Uni One publishes LEAD3 (lead a team, level 3) and LEAD2 (level 2); five more Acme people in Operations
    aim at level 4 in leading a team, so the heatmap shows Operations' gap (a group of 5 or more)."""
    world = app_db
    for code, level in (("LEAD3", 3), ("LEAD2", 2)):
        credential = Credential(university_id=world.id("U"), code=code, title=f"Leading {level}", eqf_level=5,
                                price=Decimal("700"), status="published")
        session.add(credential)
        session.flush()
        session.add(CredentialSkill(credential_id=credential.id, skill_id=world.id("s2"), proficiency=level))
    for n in range(5):
        person = Employee(employer_id=world.id("A"), employee_ref=f"OPS-{n}", full_name=f"Olive Ops {n}",
                          department_id=world.id("A-Ops"), hired_on=date(2022, 1, 1))
        session.add(person)
        session.flush()
        pdp = Pdp(employee_id=person.id, period="2026")
        session.add(pdp)
        session.flush()
        session.add(PdpGoal(pdp_id=pdp.id, title="Lead", skill_id=world.id("s2"), target_level=4,
                            due_on=date(2026, 12, 31)))
    summaries.refresh(session)
    bump_data_version(session)
    session.commit()
    # Figures are cached per data version in this process; earlier tests' worlds had the same one.
    data.clear()
    plan_widgets._cached.clear()
    return world


def _multi(at, label):
    return next(w for w in at.multiselect if w.label == label)


def _ranking(at):
    return next(d.value for d in at.dataframe if "Gap closed" in d.value.columns)


def test_hr_manager_picks_a_department_and_skills_and_sees_the_ranking(plan_world):
    at = open_page("hr@acme.test", "pages/plan.py", title="Plan development")
    _multi(at, "Department").select(plan_world.id("A-Ops")).run()
    assert any("6 people" in c.value for c in at.caption)  # a1 and the five; a3 has left
    skills = _multi(at, "Gap skills")
    assert skills.options[0].startswith("lead a team")  # below a PDP target for these people: offered first
    skills.select(plan_world.id("s2")).run()
    assert not at.exception, at.exception
    ranked = _ranking(at)
    assert list(ranked["Code"]) == ["LEAD3", "LEAD2"]
    # a1: 0 → 3 (no PDP target on the skill: the default 3); the five: 0 → 4, LEAD3 teaches 3.
    assert ranked.iloc[0]["Levels closed"] == "18" and ranked.iloc[0]["People helped"] == "6"
    assert ranked.iloc[0]["Completion rate"] == "–"  # no history at all
    # The people's gaps are HR records by name: showing them is in the access log, with the people shown.
    assert _logged_people("Plan: people's gaps") == 6
    # Choosing a recommendation keeps the choices and shows what counted.
    at.selectbox(key="plan_recommendation").select("credential:" + str(_credential_id(plan_world, "LEAD3"))).run()
    assert not at.exception, at.exception
    assert _multi(at, "Department").value == [plan_world.id("A-Ops")]
    assert any("Olive Ops 0 +3" in m.value for m in at.markdown)


def _logged_people(view: str) -> int:
    from sqlmodel import Session, func, select

    from db.engine import get_engine
    from db.models import AccessLogEntry, AccessLogSubject

    with Session(get_engine()) as session:
        return session.exec(select(func.count()).select_from(AccessLogSubject).join(
            AccessLogEntry, AccessLogEntry.id == AccessLogSubject.entry_id).where(AccessLogEntry.view == view)).one()


def _credential_id(world, code):
    from sqlmodel import Session, select

    from db.engine import get_engine

    with Session(get_engine()) as session:
        return session.exec(select(Credential.id).where(Credential.code == code)).one()


def test_admin_picks_the_employer_first(plan_world):
    at = open_page("admin@uni-one.test", "pages/plan.py", title="Plan development")
    assert not at.multiselect
    at.selectbox(key="plan_employer").select(plan_world.id("A")).run()
    assert not at.exception, at.exception
    assert _multi(at, "Department").options == ["IT", "Operations"]


@pytest.mark.parametrize("email", ["officer@uni-one.test", "viewer@acme.test"])
def test_officer_and_viewer_cannot_reach_it(plan_world, email):
    at = app_as(email).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in their menu
        at.switch_page("pages/plan.py")
    assert "Plan development" not in [t.value for t in at.title]


def test_the_heatmap_control_lands_on_plan_with_department_and_skills_chosen(plan_world):
    at = open_page("hr@acme.test", "pages/upskilling.py", title="Upskilling")
    at.selectbox(key="plan_gap_row").select("Operations").run()
    button(at, "Find credentials").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Plan development"
    assert _multi(at, "Department").value == [plan_world.id("A-Ops")]
    assert _multi(at, "Gap skills").value == [plan_world.id("s2")]
    assert list(_ranking(at)["Code"]) == ["LEAD3", "LEAD2"]


def test_officers_get_no_plan_control_on_the_heatmap(plan_world):
    at = open_page("officer@uni-one.test", "pages/upskilling.py", title="Upskilling")
    assert "Find credentials" not in [b.label for b in at.button]


def test_hr_manager_plans_for_a_managers_team(plan_world):
    at = open_page("hr@acme.test", "pages/plan.py", title="Plan development")
    at.radio(key="plan_mode").set_value("A team").run()
    team = at.selectbox(key="plan_team")
    assert team.options == ["Ann One (1 person)"]  # Acme's only manager; Beta's are not offered
    team.select(plan_world.id("a1")).run()
    assert not at.exception, at.exception
    assert any("1 people" in c.value for c in at.caption)  # Al Two, Ann One's direct report
    _multi(at, "Gap skills").select(plan_world.id("s2")).run()
    assert not at.exception, at.exception
    assert list(_ranking(at)["People helped"]) == ["1", "1"]
