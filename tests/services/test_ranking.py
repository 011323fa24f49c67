"""Credentials that close a gap (services/planning): the people's gaps and the ranking, on a hand-built fixture
whose every figure below is counted by hand (docs/metrics.md, "Credentials that close a gap").

    Uni (U) ── partners ── Ember (E, budget 3,700 a year, shares no HR records), Fern (F)
    Uni Two (U2) ─ no partnership with Ember

Ember's Operations: p1, p2, p3 (current) and p4 (left). Skills s1, s2; the target where no PDP target is
recorded: 3. Gaps (current → target):
    p1: s1 1 → 4 (PDP target) = 3,  s2 2 → 3 = 1
    p2: s1 3 → 3 (latest of 1, 3) = 0,  s2 0 → 3 (its PDP goal is dropped) = 3
    p3: s1 0 → 3 (an assessment after today does not count) = 3,  s2 0 → 3 = 3       total 13 levels
Credentials (proficiency): DATA1 s1 2 (£500), LEAD3 s2 3 (£800; p3 is enrolled in it), DATA4 s1 4 + s2 1
(£1,200), DATA2B s1 2 (£400), DRAFT5 (draft), FAR (Uni Two's). Pathway PATH1: DATA1 then LEAD3; SOLO: DATA4 only.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest

from db import summaries
from db.models import (
    AppUser,
    Cohort,
    Credential,
    CredentialSkill,
    Department,
    Employee,
    Enrollment,
    Organization,
    Partnership,
    Pathway,
    PathwayStep,
    Pdp,
    PdpGoal,
    Skill,
    SkillAssessment,
)
from db.scope import AccessDenied, scope_for_user
from services.metrics import MIN_GROUP, SUPPRESSED
from services.planning import gaps, ranking

TODAY = date(2026, 6, 30)


class Fixture:
    def __init__(self, session):
        self.session, self.ids = session, {}

    def add(self, label, row):
        self.session.add(row)
        self.session.flush()
        self.ids[label] = getattr(row, "id", None)
        return row

    def scope(self, email):
        return scope_for_user(self.session, self.session.get(AppUser, self.ids[email]))


def _build(session) -> Fixture:
    f = Fixture(session)
    add = f.add
    uni = add("U", Organization(code="U", name="Uni", kind="university"))
    uni2 = add("U2", Organization(code="U2", name="Uni Two", kind="university"))
    ember = add("E", Organization(code="E", name="Ember", kind="employer"))
    fern = add("F", Organization(code="F", name="Fern", kind="employer"))
    add("U-E", Partnership(university_id=uni.id, employer_id=ember.id, starts_on=date(2024, 1, 1),
                           annual_budget=Decimal("3700")))
    add("U-F", Partnership(university_id=uni.id, employer_id=fern.id, starts_on=date(2024, 1, 1),
                           annual_budget=Decimal("9000"), shares_individual_records=True))
    for email, role, org in [("hr@ember.test", "hr_manager", ember), ("hr@fern.test", "hr_manager", fern),
                             ("officer@uni.test", "partnership_officer", uni), ("admin@uni.test", "admin", uni)]:
        add(email, AppUser(email=email, display_name=email, role=role, organization_id=org.id))
    ops = add("Ops", Department(employer_id=ember.id, name="Operations"))
    history = add("Hist", Department(employer_id=ember.id, name="History"))
    fern_ops = add("F-Ops", Department(employer_id=fern.id, name="Operations"))

    def person(label, employer, department, **kw):
        return add(label, Employee(employer_id=employer.id, employee_ref=label, full_name=f"Person {label}",
                                   department_id=department.id, hired_on=kw.pop("hired_on", date(2020, 1, 1)), **kw))

    people = {label: person(label, ember, ops) for label in ("p1", "p2", "p3")}
    person("p4", ember, ops, left_on=date(2026, 3, 31))
    past = [person(f"h{n}", ember, history) for n in range(MIN_GROUP + 1)]
    f1 = person("f1", fern, fern_ops)
    s1 = add("s1", Skill(name="analyse data"))
    s2 = add("s2", Skill(name="lead a team"))

    def level(who, skill, value, day):
        add(f"A-{who.employee_ref}-{skill.name}-{day}", SkillAssessment(employee_id=who.id, skill_id=skill.id,
                                                                         level=value, assessed_on=day))

    p1, p2, p3 = people["p1"], people["p2"], people["p3"]
    level(p1, s1, 1, date(2026, 1, 5))
    level(p1, s2, 2, date(2026, 1, 5))
    level(p2, s1, 1, date(2025, 1, 5))
    level(p2, s1, 3, date(2026, 2, 5))
    level(p3, s1, 5, TODAY + timedelta(days=1))
    for who, skill, target, status in [(p1, s1, 4, "planned"), (p1, s1, 2, "achieved"), (p2, s2, 5, "dropped")]:
        pdp_label = f"PDP-{who.employee_ref}"
        pdp = session.get(Pdp, f.ids[pdp_label]) if pdp_label in f.ids else add(
            pdp_label, Pdp(employee_id=who.id, period="2026"))
        add(f"G-{who.employee_ref}-{skill.name}-{target}", PdpGoal(pdp_id=pdp.id, title="Grow", skill_id=skill.id,
                                                                   target_level=target, due_on=date(2026, 12, 31),
                                                                   status=status))

    def credential(code, university, price, skills, status="published"):
        row = add(code, Credential(university_id=university.id, code=code, title=f"Credential {code}", eqf_level=5,
                                   price=Decimal(price), status=status))
        for skill, proficiency in skills:
            add(f"CS-{code}-{skill.name}", CredentialSkill(credential_id=row.id, skill_id=skill.id,
                                                           proficiency=proficiency))
        add(f"C-{code}-old", Cohort(credential_id=row.id, code=f"{code}-25", starts_on=date(2025, 1, 10),
                                    ends_on=date(2025, 12, 20), seats=30))
        return row

    data1 = credential("DATA1", uni, "500", [(s1, 2)])
    lead3 = credential("LEAD3", uni, "800", [(s2, 3)])
    data4 = credential("DATA4", uni, "1200", [(s1, 4), (s2, 1)])
    credential("DATA2B", uni, "400", [(s1, 2)])
    credential("DRAFT5", uni, "100", [(s1, 5)], status="draft")
    credential("FAR", uni2, "100", [(s1, 5), (s2, 5)])
    add("C-DATA1-next", Cohort(credential_id=data1.id, code="DATA1-26S", starts_on=date(2026, 9, 7),
                               ends_on=date(2026, 11, 27), seats=10))
    path = add("PATH1", Pathway(university_id=uni.id, code="PATH1", title="Data, then leading"))
    add("PATH1-1", PathwayStep(pathway_id=path.id, credential_id=data1.id, position=1))
    add("PATH1-2", PathwayStep(pathway_id=path.id, credential_id=lead3.id, position=2))
    solo = add("SOLO", Pathway(university_id=uni.id, code="SOLO", title="Only one step"))
    add("SOLO-1", PathwayStep(pathway_id=solo.id, credential_id=data4.id, position=1))

    def enrol(label, who, cred, status, enrolled_on, *, days=None, cost="0", withdrawn=False):
        cohort_id = f.ids[f"C-{cred.code}-old"]
        add(label, Enrollment(employee_id=who.id, credential_id=cred.id, cohort_id=cohort_id, enrolled_on=enrolled_on,
                              status=status, cost=Decimal(cost),
                              completed_on=enrolled_on + timedelta(days=days) if days is not None else None,
                              withdrawn_on=enrolled_on + timedelta(days=7) if withdrawn else None))

    # DATA1's history: MIN_GROUP completions (30, 40, ... days) and one withdrawal this year (£500 of budget).
    for n, who in enumerate(past[:MIN_GROUP]):
        enrol(f"E-{who.employee_ref}-DATA1", who, data1, "completed", date(2025, 2, 1), days=30 + 10 * n, cost="500")
    enrol("E-withdrawn-DATA1", past[MIN_GROUP], data1, "withdrawn", date(2026, 2, 1), cost="500", withdrawn=True)
    # LEAD3's: one completion fewer than MIN_GROUP. p3 is enrolled in it this year (£800 of budget).
    for n, who in enumerate(past[:MIN_GROUP - 1]):
        enrol(f"E-{who.employee_ref}-LEAD3", who, lead3, "completed", date(2025, 3, 1), days=20 + n, cost="800")
    enrol("E-p3-LEAD3", p3, lead3, "enrolled", date(2026, 5, 1), cost="800")
    # Another employer's spend is not Ember's budget.
    enrol("E-f1-DATA1", f1, data1, "enrolled", date(2026, 3, 1), cost="500")
    summaries.refresh(session)
    session.commit()
    return f


@pytest.fixture
def fx(session):
    return _build(session)


def _ids(fx, *labels):
    return [fx.ids[label] for label in labels]


def _rank(fx, email="hr@ember.test", *, people=("p1", "p2", "p3"), employer="E", target_level=3):
    return ranking.rank(fx.session, fx.scope(email), employer_id=fx.ids[employer], employee_ids=_ids(fx, *people),
                        skill_ids=_ids(fx, "s1", "s2"), target_level=target_level, today=TODAY)


def test_people_gaps_read_latest_level_and_pdp_target_else_the_chosen_level(fx):
    df = gaps.people_gaps(fx.session, fx.scope("hr@ember.test"), employee_ids=_ids(fx, "p1", "p2", "p3"),
                          skill_ids=_ids(fx, "s1", "s2"), target_level=3, today=TODAY)
    got = {(fx_label(fx, row.employee_id), row.skill): (row.current, row.target, row.gap) for row in df.itertuples()}
    assert got == {("p1", "analyse data"): (1, 4, 3), ("p1", "lead a team"): (2, 3, 1),
                   ("p2", "analyse data"): (3, 3, 0), ("p2", "lead a team"): (0, 3, 3),
                   ("p3", "analyse data"): (0, 3, 3), ("p3", "lead a team"): (0, 3, 3)}
    assert list(df.columns) == ["employee_id", "person", "skill_id", "skill", "current", "target", "gap"]
    assert set(df["person"]) == {"Person p1", "Person p2", "Person p3"}


def fx_label(fx, employee_id):
    return next(label for label in ("p1", "p2", "p3", "p4", "f1") if fx.ids[label] == employee_id)


def test_who_is_current_people_of_a_department_or_chosen_ids_in_scope(fx):
    hr = fx.scope("hr@ember.test")
    by_department = gaps.current_people(fx.session, hr, employer_id=fx.ids["E"], department_ids=[fx.ids["Ops"]],
                                        today=TODAY)
    assert sorted(by_department) == sorted(_ids(fx, "p1", "p2", "p3"))  # p4 has left
    assert by_department[fx.ids["p1"]] == "Person p1"
    chosen = gaps.current_people(fx.session, hr, employer_id=fx.ids["E"], employee_ids=_ids(fx, "p2", "p4", "f1"),
                                 today=TODAY)
    assert list(chosen) == [fx.ids["p2"]]  # the leaver and another employer's person are not offered
    with pytest.raises(AccessDenied):
        gaps.current_people(fx.session, hr, employer_id=fx.ids["F"], department_ids=[fx.ids["F-Ops"]], today=TODAY)
    departments = gaps.departments(fx.session, hr, employer_id=fx.ids["E"])
    assert departments == [(fx.ids["Hist"], "History"), (fx.ids["Ops"], "Operations")]


def test_ranking_order_coverage_levels_people_and_cost(fx):
    result = _rank(fx)
    rows = result.candidates
    assert list(rows["code"]) == ["DATA4", "PATH1", "LEAD3", "DATA1", "DATA2B"]
    by_code = rows.set_index("code")
    assert by_code["levels_closed"].to_dict() == {"DATA4": 8, "PATH1": 7, "LEAD3": 4, "DATA1": 3, "DATA2B": 3}
    assert set(by_code["gap_levels"]) == {13}
    assert by_code.loc["DATA4", "coverage"] == pytest.approx(8 / 13)
    assert by_code.loc["LEAD3", "coverage"] == pytest.approx(4 / 13)
    assert by_code["people_helped"].to_dict() == {"DATA4": 3, "PATH1": 3, "LEAD3": 2, "DATA1": 2, "DATA2B": 2}
    assert by_code.loc["DATA4", "mean_levels_closed"] == pytest.approx(8 / 3)
    assert by_code["price"].to_dict() == {"DATA4": 1200, "PATH1": 1300, "LEAD3": 800, "DATA1": 500, "DATA2B": 400}
    assert by_code["cost"].to_dict() == {"DATA4": 3600, "PATH1": 3900, "LEAD3": 1600, "DATA1": 1000, "DATA2B": 800}
    # 3,700 a year, less this year's 500 (a withdrawal) and 800 (p3's enrollment); Fern's 500 is not Ember's.
    assert set(by_code["budget_left"]) == {2400}
    assert by_code["fits_budget"].to_dict() == {"DATA4": False, "PATH1": False, "LEAD3": True, "DATA1": True,
                                                "DATA2B": True}
    assert by_code.loc["PATH1", "kind"] == "pathway" and by_code.loc["PATH1", "steps"] == "DATA1 → LEAD3"
    # A draft, another university's credential and a one-step pathway are no candidates.
    assert not {"DRAFT5", "FAR", "SOLO"} & set(rows["code"])


def test_levels_closed_per_person_skip_what_they_already_take(fx):
    closed = _rank(fx).closed
    data4 = closed[closed["code"] == "DATA4"].set_index(["employee_id", "skill_id"])["levels_closed"]
    p1, p2, p3, s1, s2 = _ids(fx, "p1", "p2", "p3", "s1", "s2")
    assert data4.to_dict() == {(p1, s1): 3, (p2, s2): 1, (p3, s1): 3, (p3, s2): 1}
    lead3 = closed[closed["code"] == "LEAD3"]
    assert p3 not in set(lead3["employee_id"])  # enrolled in it already
    path = closed[closed["code"] == "PATH1"].set_index(["employee_id", "skill_id"])["levels_closed"]
    assert path.to_dict() == {(p1, s1): 1, (p1, s2): 1, (p2, s2): 3, (p3, s1): 2}
    targets = ranking.plan_targets(_rank(fx), credential_id=fx.ids["DATA4"])
    assert sorted(targets) == sorted([(p1, s1, 4), (p2, s2, 1), (p3, s1, 3), (p3, s2, 1)])


def test_completion_history_is_suppressed_below_min_group_and_shown_at_it(fx):
    by_code = _rank(fx).candidates.set_index("code")
    assert by_code.loc["DATA1", "completions"] == MIN_GROUP
    assert by_code.loc["DATA1", "median_days"] == statistics.median(30 + 10 * n for n in range(MIN_GROUP))
    assert by_code.loc["DATA1", "completion_rate"] == pytest.approx(MIN_GROUP / (MIN_GROUP + 1))
    assert by_code.loc["LEAD3", "median_days"] is None and by_code.loc["LEAD3", "completion_rate"] is None
    assert by_code.loc["LEAD3", "suppressed"] and not by_code.loc["DATA1", "suppressed"]
    shown = ranking.shown(_rank(fx).candidates).set_index("code")
    assert shown.loc["LEAD3", "completion_rate"] == SUPPRESSED and shown.loc["LEAD3", "median_days"] == SUPPRESSED
    assert shown.loc["LEAD3", "completions"] == SUPPRESSED
    assert shown.loc["DATA1", "completions"] == MIN_GROUP
    # DATA1 and DATA2B close as much for as many: the known completion rate goes first.
    assert shown.index.get_loc("DATA1") < shown.index.get_loc("DATA2B")
    assert shown.loc["DATA2B", "completion_rate"] is None  # no history at all: no figure


def test_next_cohorts_with_seats_left(fx):
    result = _rank(fx)
    assert list(result.cohorts["cohort"]) == ["DATA1-26S"]
    by_code = result.candidates.set_index("code")
    assert "DATA1-26S" in by_code.loc["DATA1", "next_cohort"]
    assert "DATA1-26S" in by_code.loc["PATH1", "next_cohort"]  # a pathway starts with its first step
    assert by_code.loc["DATA4", "next_cohort"] is None


def test_hr_manager_never_ranks_another_employers_people(fx):
    with pytest.raises(AccessDenied):
        _rank(fx, employer="F", people=("f1",))
    # Another employer's ids under one's own employer: nobody, so nothing is ranked.
    result = _rank(fx, people=("f1",))
    assert result.gaps.empty and result.candidates.empty
    assert gaps.people_gaps(fx.session, fx.scope("hr@ember.test"), employee_ids=_ids(fx, "f1"),
                            skill_ids=_ids(fx, "s1"), target_level=3, today=TODAY).empty


def test_officer_of_a_partnership_that_shares_no_records_cannot_rank_by_name(fx):
    officer = fx.scope("officer@uni.test")
    with pytest.raises(AccessDenied):
        _rank(fx, "officer@uni.test")
    assert gaps.people_gaps(fx.session, officer, employee_ids=_ids(fx, "p1"), skill_ids=_ids(fx, "s1"),
                            target_level=3, today=TODAY).empty
    # Fern shares its records with the university: its officer may plan for Fern's people.
    assert not gaps.people_gaps(fx.session, officer, employee_ids=_ids(fx, "f1"), skill_ids=_ids(fx, "s1"),
                                target_level=3, today=TODAY).empty


def test_admin_ranks_for_the_chosen_employer_like_its_hr_manager(fx):
    admin = _rank(fx, "admin@uni.test").candidates
    assert list(admin["code"]) == ["DATA4", "PATH1", "LEAD3", "DATA1", "DATA2B"]
    assert list(admin["levels_closed"]) == [8, 7, 4, 3, 3]


def test_bad_input_is_refused_with_a_clear_message(fx):
    with pytest.raises(ValueError, match="between 1 and 5"):
        _rank(fx, target_level=6)


def test_skills_with_gaps_count_people_below_a_recorded_pdp_target(fx):
    hr = fx.scope("hr@ember.test")
    # p1 is at 1 of a target of 4 in s1; p2's goal on s2 is dropped, so it records no target.
    assert gaps.skills_with_gaps(fx.session, hr, employee_ids=_ids(fx, "p1", "p2", "p3"), today=TODAY) == {
        fx.ids["s1"]: 1}
    # People with no PDP goal on any skill: no gap is recorded (this used to fail on the empty frame).
    assert gaps.skills_with_gaps(fx.session, hr, employee_ids=_ids(fx, "p3"), today=TODAY) == {}


def test_heatmap_rows_name_a_department_or_a_cell_of_several(fx):
    rows = gaps.heatmap_departments(fx.session, fx.scope("hr@ember.test"))
    # Operations (4 people on record) is too small alone, so History joins it in "Other departments".
    assert rows[("Ember", "Operations")] == (fx.ids["E"], (fx.ids["Ops"],))
    employer, departments = rows[("Ember", "Other departments")]
    assert employer == fx.ids["E"] and sorted(departments) == sorted(_ids(fx, "Ops", "Hist"))
    assert not any(employer_name == "Fern" for employer_name, _ in rows)  # Fern is too small to count
