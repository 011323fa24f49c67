"""Access: each role sees exactly the rows the README's access rules give it.

Expectations are written out by hand from the world's picture in tests/world.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.models import (
    Approval,
    AppUser,
    AuditEvent,
    ChangeProposal,
    Cohort,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    DataVersion,
    Department,
    Employee,
    Enrollment,
    LearningOutcome,
    Organization,
    OutcomeSurvey,
    Partnership,
    Pathway,
    PathwayStep,
    Pdp,
    PdpGoal,
    ProposalComment,
    Skill,
    SkillAssessment,
)
from db.scope import AccessDenied, scoped, visible
from services import codesign, metrics
from services.periods import parse_quarter
from tests.world import TODAY, build_world

# The former staff tests/world.py keeps so that every department has MIN_GROUP people on record.
FORMER_A = " ".join([*(f"former-Operations-{n}" for n in range(3)), *(f"former-IT-{n}" for n in range(4))])
FORMER_B = " ".join(f"former-Sales-{n}" for n in range(3))
FORMER_C = " ".join(f"former-Lab-{n}" for n in range(4))


def _set(s: str) -> set[str]:
    return set(s.split())


OFFICER_U = {
    Organization: _set("U A B"),
    Partnership: _set("U-A U-B"),
    AppUser: _set("admin@u officer@u viewer@u"),
    AuditEvent: _set("AE-U AE-A AE-B"),
    Department: _set("A-Ops A-IT B-Sales"),
    Employee: _set(f"a1 a2 a3 b1 b2 {FORMER_A} {FORMER_B}"),
    Enrollment: _set("E-a1-K1 E-a2-K1 E-a3-K4 E-b1-K1 E-b2-K1"),
    SkillAssessment: _set("SA-a1 SA-b1"),
    Pdp: _set("PDP-a1 PDP-b1"),
    PdpGoal: _set("G-PDP-a1 G-PDP-b1"),
    OutcomeSurvey: _set("OS-a1 OS-b1"),
    Credential: _set("K1 K2 K3 K4 K5"),
    LearningOutcome: _set("LO-K1 LO-K2 LO-K3"),
    CredentialSkill: _set("CS-K1 CS-K3"),
    CredentialPartner: _set("CP-K1-A CP-K2-A CP-K3-B"),
    Cohort: _set("C-K1 C-K4"),
    Pathway: _set("P1"),
    PathwayStep: _set("P1-1 P1-2"),
    # Proposed skills: with their employer and its partner universities (s3 Acme's, s4 Beta's).
    Skill: _set("s1 s2 s3 s4"),
    ChangeProposal: _set("PR-K2"),
    ProposalComment: _set("PC-K2"),
    Approval: _set("AP-K1-U AP-K1-A"),
    CredentialRevision: _set("RV-K1"),
}
OFFICER_U2 = {
    Organization: _set("U2 C"),
    Partnership: _set("U2-C"),
    AppUser: _set("officer@u2"),
    AuditEvent: _set("AE-C"),
    Department: _set("C-Lab"),
    Employee: _set(f"c1 {FORMER_C}"),
    Enrollment: _set("E-c1-K6"),
    SkillAssessment: _set("SA-c1"),
    Pdp: _set("PDP-c1"),
    PdpGoal: _set("G-PDP-c1"),
    OutcomeSurvey: _set("OS-c1"),
    Credential: _set("K6"),
    LearningOutcome: _set("LO-K6"),
    CredentialSkill: _set("CS-K6"),
    CredentialPartner: _set("CP-K6-C"),
    Cohort: _set("C-K6"),
    Pathway: _set("P2"),
    PathwayStep: _set("P2-1"),
    Skill: _set("s1 s2"),
    ChangeProposal: set(),
    ProposalComment: set(),
    Approval: set(),
    CredentialRevision: set(),
}
HR_A = {
    Organization: _set("U A"),
    Partnership: _set("U-A"),
    AppUser: _set("hr@a viewer@a gone@a"),
    AuditEvent: _set("AE-A"),
    Department: _set("A-Ops A-IT"),
    Employee: _set(f"a1 a2 a3 {FORMER_A}"),
    Enrollment: _set("E-a1-K1 E-a2-K1 E-a3-K4"),
    SkillAssessment: _set("SA-a1"),
    Pdp: _set("PDP-a1"),
    PdpGoal: _set("G-PDP-a1"),
    OutcomeSurvey: _set("OS-a1"),
    # published K1, retired K4 (catalogue); draft K2 because Acme co-designs it.
    Credential: _set("K1 K2 K4"),
    LearningOutcome: _set("LO-K1 LO-K2"),
    CredentialSkill: _set("CS-K1"),
    CredentialPartner: _set("CP-K1-A CP-K2-A"),
    Cohort: _set("C-K1 C-K4"),
    Pathway: _set("P1"),
    PathwayStep: _set("P1-1 P1-2"),
    Skill: _set("s1 s2 s3"),
    # Acme co-designs K1 and K2: their design record is Acme's too.
    ChangeProposal: _set("PR-K2"),
    ProposalComment: _set("PC-K2"),
    Approval: _set("AP-K1-U AP-K1-A"),
    CredentialRevision: _set("RV-K1"),
}
HR_B = {
    Organization: _set("U B"),
    Partnership: _set("U-B"),
    AppUser: _set("hr@b"),
    AuditEvent: _set("AE-B"),
    Department: _set("B-Sales"),
    Employee: _set(f"b1 b2 {FORMER_B}"),
    Enrollment: _set("E-b1-K1 E-b2-K1"),
    SkillAssessment: _set("SA-b1"),
    Pdp: _set("PDP-b1"),
    PdpGoal: _set("G-PDP-b1"),
    OutcomeSurvey: _set("OS-b1"),
    Credential: _set("K1 K3 K4"),
    LearningOutcome: _set("LO-K1 LO-K3"),
    CredentialSkill: _set("CS-K1 CS-K3"),
    CredentialPartner: _set("CP-K1-A CP-K3-B"),
    Cohort: _set("C-K1 C-K4"),
    Pathway: _set("P1"),
    PathwayStep: _set("P1-1 P1-2"),
    Skill: _set("s1 s2 s4"),
    # Beta sees published K1 in the catalogue, but not its design record (Acme's approval, revisions).
    ChangeProposal: set(),
    ProposalComment: set(),
    Approval: set(),
    CredentialRevision: set(),
}

EXPECTED = {
    "officer@u": OFFICER_U,
    "viewer@u": OFFICER_U,
    "officer@u2": OFFICER_U2,
    "hr@a": HR_A,
    "viewer@a": HR_A,
    "hr@b": HR_B,
}
MODELS = list(OFFICER_U)


@pytest.fixture
def world(session):
    return build_world(session)


def visible_labels(session, world, scope, model) -> set[str]:
    pk = list(model.__table__.primary_key.columns)
    rows = session.execute(scoped(select(*pk), scope, model)).all()
    return {world.label_of(model, r[0] if len(pk) == 1 else tuple(r)) for r in rows}


@pytest.mark.parametrize("user", list(EXPECTED))
def test_each_role_sees_exactly_its_rows(session, world, user):
    scope = world.scope(session, user)
    for model in MODELS:
        assert visible_labels(session, world, scope, model) == EXPECTED[user][model], model.__name__


def test_admin_sees_every_row(session, world):
    scope = world.scope(session, "admin@u")
    for model in MODELS:
        assert visible_labels(session, world, scope, model) == world.labels(model), model.__name__


def test_every_table_with_partner_data_has_a_rule(session, world):
    scope = world.scope(session, "hr@a")
    for model in MODELS:
        visible(scope, model)  # does not raise
    with pytest.raises(AccessDenied, match="No access rule"):
        visible(scope, DataVersion)


def test_filters_narrow_but_never_widen(session, world):
    scope = world.scope(session, "hr@a")
    a, b = world.id("A"), world.id("B")
    assert scope.employers([a, b]) == frozenset({a})
    assert scope.employers([b]) == frozenset()
    officer = world.scope(session, "officer@u")
    assert officer.employers([b, world.id("C")]) == frozenset({b})


def test_write_access_checks(session, world):
    hr = world.scope(session, "hr@a")
    hr.require_employer(world.id("A"), write=True)
    with pytest.raises(AccessDenied):
        hr.require_employer(world.id("B"))
    with pytest.raises(AccessDenied, match="read-only"):
        world.scope(session, "viewer@a").require_employer(world.id("A"), write=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hr_manager_never_gets_another_employers_rows(session, world, data):
    """Whatever filters are passed, Acme's HR manager sees only Acme's people."""
    scope = world.scope(session, "hr@a")
    ids = lambda *labels: st.one_of(st.none(), st.sets(st.sampled_from([world.id(x) for x in labels] + [999])))  # noqa: E731
    filters = metrics.Filters(
        # None reads the raw rows; a quarter reads the summary tables.
        period=data.draw(st.sampled_from([None, parse_quarter("2026Q1"), parse_quarter("2026Q2")])),
        employer_ids=_frozen(data.draw(ids("U", "U2", "A", "B", "C"))),
        department_ids=_frozen(data.draw(ids("A-Ops", "A-IT", "B-Sales", "C-Lab"))),
        credential_ids=_frozen(data.draw(ids("K1", "K2", "K3", "K4", "K5", "K6"))),
    )
    for name in ("by_employer", "by_department"):
        table = getattr(metrics, name)(session, scope, filters, today=TODAY)
        assert set(table["employer"]) <= {"Acme"}, name
    s = metrics.summary(session, scope, filters, today=TODAY)
    # Acme: a1, a2, a3, and its 7 former staff in "to date" (tests/world.py)
    assert s.headcount <= 10 and s.enrollments <= 3 and s.employers <= 1
    n, learners = metrics.at_risk_learners(session, scope, filters, today=TODAY)
    assert set(learners["employer"]) <= {"Acme"}
    gaps = metrics.skill_gaps(session, scope, filters, today=TODAY)
    assert set(gaps["employer"]) <= {"Acme"}
    assert metrics.goal_states(session, scope, filters, today=TODAY)["on_track"] <= 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_catalogue_never_answers_for_an_employer_outside_the_scope(session, world, data):
    """Whatever co-designers Beta's HR manager filters the catalogue by, it answers only for Beta: K3 (which
    Beta co-designs) when Beta is asked for, nothing otherwise, and it never names Acme or Gamma."""
    scope = world.scope(session, "hr@b")
    requested = data.draw(st.sets(st.sampled_from([world.id(x) for x in ("U", "U2", "A", "B", "C")] + [999]),
                                  min_size=1))
    table = codesign.catalogue(session, scope, partner_ids=requested)
    assert list(table["code"]) == (["K3"] if world.id("B") in requested else [])
    assert not {"Acme", "Gamma"} & {name for names in table["partners"] for name in names.split(", ")}


def _frozen(x):
    return None if x is None else frozenset(x)


# --- Purpose limits and the access log ------------------------------------------------------------------

RECORDS_BY_NAME = {  # whose people's HR records each user sees by name, while no employer shares
    "admin@u": None, "officer@u": set(), "viewer@u": set(), "officer@u2": set(),
    "hr@a": {"A"}, "viewer@a": {"A"}, "hr@b": {"B"},
}


@pytest.mark.parametrize("user", list(RECORDS_BY_NAME))
def test_hr_records_by_name_stay_with_the_employer_until_it_shares(session, world, user):
    from db.scope import records_visible

    scope = world.scope(session, user)
    expected = RECORDS_BY_NAME[user]
    assert scope.record_employer_ids == (None if expected is None else {world.id(x) for x in expected})
    shown = set(session.scalars(select(Employee.id).where(records_visible(scope, Employee.employer_id))))
    assert {world.label_of(Employee, i) for i in shown} == (
        world.labels(Employee) if expected is None else
        {label for label in world.labels(Employee) if world.label_of(Organization, session.get(
            Employee, world.id(label)).employer_id) in expected})


def test_sharing_reaches_the_partner_universitys_officers_only(session, world):
    partnership = session.get(Partnership, world.id("U-A"))
    partnership.shares_individual_records = True
    session.commit()
    assert world.scope(session, "officer@u").record_employer_ids == {world.id("A")}
    assert world.scope(session, "viewer@u").record_employer_ids == {world.id("A")}
    assert world.scope(session, "officer@u2").record_employer_ids == frozenset()
    assert world.scope(session, "hr@b").record_employer_ids == {world.id("B")}


def test_the_access_log_rows_each_role_reads(session, world):
    from db.models import AccessLogEntry, AccessLogSubject
    from services import access_log

    access_log.record(session, world.scope(session, "officer@u"), view="learner list", filters="",
                      people=[world.id(x) for x in ("a1", "b1", "c1")])
    session.commit()
    by_employer = {e.employer_id: e.id for e in session.scalars(select(AccessLogEntry))}
    for user, employers in [("admin@u", {"A", "B", "C"}), ("hr@a", {"A"}), ("hr@b", {"B"}), ("viewer@a", set()),
                            ("officer@u", set()), ("viewer@u", set()), ("officer@u2", set())]:
        scope = world.scope(session, user)
        entries = set(session.scalars(scoped(select(AccessLogEntry.id), scope, AccessLogEntry)))
        assert entries == {by_employer[world.id(x)] for x in employers}, user
        people = set(session.scalars(scoped(select(AccessLogSubject.employee_id), scope, AccessLogSubject)))
        assert people == {world.id(x.lower() + "1") for x in ("A", "B", "C") if x in employers}, user
