"""Purpose limits: an employer's HR records (PDP goals) reach a partner university's officers by name only
while the employer shares them; only that employer's HR manager turns sharing on or off, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.engine import data_version
from db.models import AuditEvent, Partnership
from db.scope import AccessDenied
from services import pdp, sharing
from services.filters import Filters
from tests.world import TODAY, build_world


@pytest.fixture
def world(session):
    return build_world(session)


def goal_people(session, world, user: str) -> list[str]:
    total, rows = pdp.goals(session, world.scope(session, user), Filters(), today=TODAY)
    assert total == len(rows)
    return sorted(rows["employee"])


def share(session, world, partnership: str, on: bool, *, user: str = "hr@a") -> None:
    sharing.set_sharing(session, world.scope(session, user), partnership_id=world.id(partnership), share=on,
                        expected=not on)


def test_an_officer_sees_no_goal_by_name_until_the_employer_shares(session, world):
    assert goal_people(session, world, "officer@u") == []
    assert goal_people(session, world, "viewer@u") == []
    assert goal_people(session, world, "hr@a") == ["Ann One"]
    assert goal_people(session, world, "admin@u") == ["Ann One", "Bea One", "Cy One"]
    share(session, world, "U-A", True)
    # A fresh scope (every run builds one) sees Acme's people, and still not Beta's.
    assert goal_people(session, world, "officer@u") == ["Ann One"]
    assert goal_people(session, world, "officer@u2") == []  # Acme shares with Uni One only
    share(session, world, "U-A", False)
    assert goal_people(session, world, "officer@u") == []


def test_the_search_finds_no_one_it_may_not_show(session, world):
    officer = world.scope(session, "officer@u")
    assert pdp.goals(session, officer, Filters(), today=TODAY, search="ann")[0] == 0


def test_the_note_names_the_employers_that_keep_their_records(session, world):
    officer = world.scope(session, "officer@u")
    assert sharing.withheld_note(session, officer, Filters()) == (
        "Acme and Beta keep their people's PDP goals to their own HR; their HR managers can share them on "
        "the Privacy page. The figures above count everyone.")
    only_beta = Filters(employer_ids=frozenset({world.id("B")}))
    assert sharing.withheld_note(session, officer, only_beta) == (
        "Beta keeps its people's PDP goals to its own HR; its HR manager can share them on the Privacy page. "
        "The figures above count everyone.")
    share(session, world, "U-A", True)
    assert "Acme" not in sharing.withheld_note(session, world.scope(session, "officer@u"), Filters())
    assert sharing.withheld_note(session, world.scope(session, "hr@a"), Filters()) is None
    assert sharing.withheld_note(session, world.scope(session, "admin@u"), Filters()) is None


def events(session) -> list[tuple]:
    session.expire_all()
    return [(e.actor_email, e.entity_id, e.organization_id, json.loads(e.before), json.loads(e.after))
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "partnership.sharing")
                                     .order_by(AuditEvent.id))]


def test_turning_sharing_on_and_off_is_audited_under_the_employer(session, world):
    version = data_version(session)
    share(session, world, "U-A", True)
    share(session, world, "U-A", False)
    pid, acme = str(world.id("U-A")), world.id("A")
    assert events(session) == [
        ("hr@acme.test", pid, acme, {"shares_individual_records": False}, {"shares_individual_records": True}),
        ("hr@acme.test", pid, acme, {"shares_individual_records": True}, {"shares_individual_records": False}),
    ]
    assert data_version(session) > version  # every process's cached pages miss


@pytest.mark.parametrize("user, refusal", [
    ("viewer@a", "Only Acme's HR managers"),
    ("officer@u", "Only Acme's HR managers"),
    ("admin@u", "Only Acme's HR managers"),
    ("hr@b", "does not exist or is outside your access"),
])
def test_only_the_employers_hr_manager_may_change_it(session, world, user, refusal):
    with pytest.raises((AccessDenied, sharing.SharingError), match=refusal):
        share(session, world, "U-A", True, user=user)
    session.expire_all()
    assert session.get(Partnership, world.id("U-A")).shares_individual_records is False
    assert events(session) == []


def test_a_stale_toggle_changes_nothing_and_says_who_changed_it(session, world):
    share(session, world, "U-A", True)
    with pytest.raises(sharing.SharingConflict, match="hr@acme.test turned sharing with Uni One on") as refused:
        # A second tab still shows "off" and asks for "on" again: that is not a change the person chose.
        sharing.set_sharing(session, world.scope(session, "hr@a"), partnership_id=world.id("U-A"), share=True,
                            expected=False)
    assert refused.value.shares is True
    assert "Nothing was changed" in str(refused.value)
    assert len(events(session)) == 1


def test_bad_input_is_refused_with_a_message(session, world):
    hr = world.scope(session, "hr@a")
    with pytest.raises(sharing.SharingError, match="does not exist"):
        sharing.set_sharing(session, hr, partnership_id=99999, share=True, expected=False)
    with pytest.raises(sharing.SharingError, match="on or off"):
        sharing.set_sharing(session, hr, partnership_id=world.id("U-A"), share="yes", expected=False)


def test_the_sharing_list_each_side_sees(session, world):
    def rows(user):
        return [(r.university, r.employer, r.shares, r.may_change)
                for r in sharing.partnerships(session, world.scope(session, user))]

    assert rows("hr@a") == [("Uni One", "Acme", False, True)]
    assert rows("viewer@a") == [("Uni One", "Acme", False, False)]
    share(session, world, "U-A", True)
    assert rows("officer@u") == [("Uni One", "Acme", True, False), ("Uni One", "Beta", False, False)]
    assert rows("admin@u") == [("Uni One", "Acme", True, False), ("Uni One", "Beta", False, False),
                               ("Uni Two", "Gamma", False, False)]


GOALS_FILE = ("employee_ref,period,title,skill,target_level,due_on,status\n"
              "1,2026,Grow,analyse big data,3,2026-12-31,planned\n")


@pytest.mark.parametrize("kind, text, records", [
    ("pdp_goals", GOALS_FILE, "PDP goals"),
    ("assessments", "employee_ref,skill,level,assessed_on,source\n1,analyse big data,5,2026-02-01,manager\n",
     "skill assessments"),
])
def test_an_officer_imports_no_hr_records_of_an_employer_that_keeps_them(session, world, kind, text, records):
    """An import's preview compares the file with the stored records ("target_level: 4 → 3"): it would show an
    officer the very records it may not see, so only an employer that shares them takes them from its university."""
    from services import imports

    def officer_import():
        return imports.import_file(session, world.scope(session, "officer@u"), kind, text.encode(), "hr.csv",
                                   employer_id=world.id("A"), dry_run=True)

    with pytest.raises(AccessDenied) as refused:
        officer_import()
    assert str(refused.value) == (f"Acme keeps its people's {records} to its own HR: its HR manager imports them, "
                                  "or shares them with your university on the Privacy page.")
    share(session, world, "U-A", True)
    assert officer_import().ok
    # Enrollments stay the university's to import either way (its learners).
    enrollments = ("employee_ref,credential_code,cohort,enrolled_on,status\n2,K1,K1-26Q1,2026-01-03,in_progress\n")
    assert imports.import_file(session, world.scope(session, "officer@u"), "enrollments", enrollments.encode(),
                               "lms.csv", employer_id=world.id("B"), dry_run=True).ok
