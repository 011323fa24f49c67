"""The summary tables equal a recomputation from the raw rows, after random writes.

Each example writes random enrollments (any legal status and dates), skill assessments
and PDP goals, may move a person between departments, refreshes the summaries of the
employers touched, then checks every figure of the fast path against the raw path.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import summaries
from db.models import Cohort, Department, Employee, Enrollment, OutcomeSurvey, Pdp, PdpGoal, SkillAssessment
from services import metrics
from services.metrics import Filters
from services.metrics.cells import cells_period, outcome_cells
from services.metrics.paths import month_end
from services.periods import Period, parse_quarter
from tests.world import TODAY, build_world

QUARTERS = [parse_quarter(q) for q in ("2025Q1", "2025Q4", "2026Q1", "2026Q2", "2026Q3")]


SKILL_METRICS = ("skill_gaps", "skill_gaps_shown", "skills_gained", "skills_gained_by_quarter", "assessment_levels",
                 "assessment_levels_shown", "goal_states", "outcome_change", "outcome_change_shown", "retention",
                 "retention_shown", "departments_shown")


def _compare_skills(session, scope, f, today=TODAY):
    for name in SKILL_METRICS:
        fast = getattr(metrics, name)(session, scope, f, today=today)
        with metrics.raw_only():
            raw = getattr(metrics, name)(session, scope, f, today=today)
        if isinstance(fast, pd.DataFrame):
            pd.testing.assert_frame_equal(fast, raw, check_dtype=False, obj=name)
        elif isinstance(fast, metrics.SkillGaps):
            assert (fast.hidden, fast.gap_closed, fast.as_of) == (raw.hidden, raw.gap_closed, raw.as_of), name
            pd.testing.assert_frame_equal(fast.shown, raw.shown, check_dtype=False, obj=name)
        else:
            assert fast == raw, name


def _compare_outcome_cells(session, scope, f, today=TODAY):
    """The survey cells from the summaries, against the raw rows, cell for cell."""
    quarters, refused = cells_period(f, today)
    if refused:
        return
    every_department = Filters(f.period, f.employer_ids)
    fast = outcome_cells(session, scope, every_department, quarters)
    with metrics.raw_only():
        raw = outcome_cells(session, scope, every_department, quarters)
    keys = ["employer_id", "department_id", "quarter"]
    pd.testing.assert_frame_equal(fast.sort_values(keys, ignore_index=True), raw.sort_values(keys, ignore_index=True),
                                  check_dtype=False, obj="outcome_cells")


def _compare(session, scope, f):
    _compare_skills(session, scope, f)
    _compare_outcome_cells(session, scope, f)
    counts = {"summary": metrics.summary, "by_credential": metrics.by_credential,
              "by_department": metrics.by_department, "by_employer": metrics.by_employer,
              "days": metrics.days_to_complete, "by_cohort": metrics.by_cohort,
              "by_quarter": metrics.by_quarter}
    fast = {name: fn(session, scope, f, today=TODAY) for name, fn in counts.items()}
    with metrics.raw_only():
        raw = {name: fn(session, scope, f, today=TODAY) for name, fn in counts.items()}
    assert fast["summary"] == raw["summary"]
    # By cohort: grouped by ids then named, against the named grouping, row for row in order.
    pd.testing.assert_frame_equal(fast["by_cohort"], raw["by_cohort"])
    # By quarter: one read of the months, against one read per quarter.
    pd.testing.assert_frame_equal(fast["by_quarter"], raw["by_quarter"])
    for name in ("by_credential", "by_department", "by_employer", "days"):
        a, b = fast[name], raw[name]
        keys = [c for c in ("code", "employer", "department", "days") if c in a]
        a = a.sort_values(keys, ignore_index=True)
        b = b.sort_values(keys, ignore_index=True)
        # The raw path lists groups with nothing in the period only when rows touch it: compare non-empty groups.
        if name != "days":
            a = a[(a[["enrollments", "completed", "failed", "withdrawn", "active"]] != 0).any(axis=1)]
            b = b[(b[["enrollments", "completed", "failed", "withdrawn", "active"]] != 0).any(axis=1)]
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


enrollment = st.fixed_dictionaries({
    "person": st.sampled_from(["a1", "a2", "a3", "b1", "b2", "c1"]),
    "cohort": st.sampled_from(["C-K1", "C-K4", "C-K6"]),
    "start": st.integers(min_value=0, max_value=600),
    "status": st.sampled_from(["enrolled", "in_progress", "completed", "failed", "withdrawn"]),
    "length": st.integers(min_value=0, max_value=200),
    "cost": st.integers(min_value=0, max_value=3000),
    "survey": st.one_of(st.none(), st.tuples(*[st.integers(min_value=1, max_value=5)] * 4)),
})


PEOPLE = ["a1", "a2", "a3", "b1", "b2", "c1"]
assessment = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE),
    "skill": st.sampled_from(["s1", "s2"]),
    "day": st.integers(min_value=0, max_value=600),
    "level": st.integers(min_value=0, max_value=5),
})
goal = st.fixed_dictionaries({
    "person": st.sampled_from(PEOPLE),
    "skill": st.sampled_from(["s1", "s2"]),
    "target": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    "status": st.sampled_from(["planned", "in_progress", "achieved", "dropped"]),
    "due": st.integers(min_value=0, max_value=700),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(enrollment, max_size=12), assessments=st.lists(assessment, max_size=12),
       goals=st.lists(goal, max_size=6), move=st.booleans(), data=st.data())
def test_summaries_equal_raw_rows_after_random_writes(session, writes, assessments, goals, move, data):
    from tests.conftest import clear_all

    session.rollback()  # end the previous example's read transaction: TRUNCATE waits for it on PostgreSQL
    clear_all(session.get_bind())
    world = build_world(session)
    touched = set()
    for i, w in enumerate(writes):
        emp = session.get(Employee, world.id(w["person"]))
        cohort = session.get(Cohort, world.id(w["cohort"]))
        enrolled = date(2025, 1, 1) + timedelta(days=w["start"])
        end = enrolled + timedelta(days=w["length"])
        e = _unique_enrollment(session, emp, cohort, enrolled, end, w, i)
        session.add(e)
        if w["survey"] and w["status"] == "completed":
            session.flush()
            pb, pa, sb, sa = w["survey"]
            session.add(OutcomeSurvey(employee_id=emp.id, enrollment_id=e.id, surveyed_on=end, performance_before=pb,
                                      performance_after=pa, satisfaction_before=sb, satisfaction_after=sa))
        touched.add(emp.employer_id)
    for a in assessments:
        emp = session.get(Employee, world.id(a["person"]))
        session.add(SkillAssessment(employee_id=emp.id, skill_id=world.id(a["skill"]), level=a["level"],
                                    assessed_on=date(2025, 1, 1) + timedelta(days=a["day"])))
        touched.add(emp.employer_id)
    for i, g in enumerate(goals):
        emp = session.get(Employee, world.id(g["person"]))
        pdp = Pdp(employee_id=emp.id, period=f"P{i}")
        session.add(pdp)
        session.flush()
        session.add(PdpGoal(pdp_id=pdp.id, title="Random", skill_id=world.id(g["skill"]),
                            target_level=g["target"], status=g["status"],
                            due_on=date(2025, 6, 1) + timedelta(days=g["due"])))
        touched.add(emp.employer_id)
    if move:  # a person changes department: their history moves with them
        a1 = session.get(Employee, world.id("a1"))
        a1.department_id = world.id("A-IT")
        touched.add(a1.employer_id)
    session.flush()
    summaries.refresh(session, touched)
    session.commit()

    scope = world.scope(session, data.draw(st.sampled_from(["officer@u", "hr@a", "officer@u2", "admin@u"])))
    period = data.draw(st.sampled_from(QUARTERS))
    f = Filters(
        period,
        employer_ids=data.draw(st.one_of(st.none(), st.just(frozenset({world.id("A")})))),
        department_ids=data.draw(st.one_of(st.none(), st.just(frozenset({world.id("A-IT"), world.id("B-Sales")})))),
    )
    _compare(session, scope, f)
    # A day inside a month: the gaps come from the month's summary when nobody was assessed after it.
    _compare_skills(session, scope, f, today=data.draw(st.sampled_from(
        [TODAY, date(2026, 6, 14), date(2026, 8, 3), date(2026, 1, 31), date(2025, 12, 20)])))
    # A credential filter keeps the counts on the summaries too.
    _compare(session, scope, Filters(period, credential_ids=frozenset({world.id("K1")})))


def _unique_enrollment(session, emp, cohort, enrolled, end, w, i):
    """A fresh cohort of the same credential for each random row (keeps the natural key unique)."""
    run = Cohort(credential_id=cohort.credential_id, code=f"R{i}-{cohort.code}", starts_on=enrolled,
                 ends_on=end + timedelta(days=1), seats=10)
    session.add(run)
    session.flush()
    return Enrollment(
        employee_id=emp.id, credential_id=cohort.credential_id, cohort_id=run.id, enrolled_on=enrolled,
        status=w["status"], cost=Decimal(w["cost"]),
        completed_on=end if w["status"] in ("completed", "failed") else None,
        withdrawn_on=end if w["status"] == "withdrawn" else None,
    )


def test_refresh_of_one_employer_leaves_the_others(session):
    world = build_world(session)
    from sqlalchemy import func, select

    from db.models import EnrollmentMonthSummary as T

    before = dict(session.execute(select(T.employer_id, func.sum(T.enrolled)).group_by(T.employer_id)).all())
    summaries.refresh(session, [world.id("A")])
    session.commit()
    after = dict(session.execute(select(T.employer_id, func.sum(T.enrolled)).group_by(T.employer_id)).all())
    assert after == before and before[world.id("B")] == 2


def test_a_pdp_goal_change_keeps_the_gap_summary_exact(session):
    """Adding a target and dropping it (services/pdp) refresh that person's department only."""
    from services import pdp

    world = build_world(session)
    hr = world.scope(session, "hr@a")
    f = Filters(parse_quarter("2026Q2"))
    goal = pdp.add_goal(session, hr, employee_id=world.id("a2"), period="2026", title="Lead", due_on=date(2026, 9, 1),
                        skill_id=world.id("s2"), target_level=5)
    _compare_skills(session, hr, f)
    gaps = metrics.skill_gaps(session, hr, f, today=TODAY)
    assert gaps.loc[gaps["skill"] == "lead a team", "people"].sum() == 1
    pdp.update_goal_status(session, hr, goal_id=goal.id, status="dropped", expected_status="planned")
    _compare_skills(session, hr, f)
    gaps = metrics.skill_gaps(session, hr, f, today=TODAY)
    assert "lead a team" not in set(gaps["skill"])


hire = st.fixed_dictionaries({
    "department": st.sampled_from(["A-Ops", "A-IT", "B-Sales", None]),
    "hired": st.integers(min_value=0, max_value=900),
    # None: still employed; 0: left the day they were hired; a leaver on a month's first day matters too.
    "stayed": st.one_of(st.none(), st.integers(min_value=0, max_value=500), st.sampled_from(["first"])),
})
# Whole months (quarters, one month, a year), and one period cutting months (the employee rows then).
HEADCOUNT_PERIODS = [*QUARTERS, Period(date(2026, 3, 1), date(2026, 3, 31), "March"),
                     Period(date(2025, 1, 1), date(2025, 12, 31), "2025"),
                     Period(date(2025, 11, 15), date(2026, 2, 10), "part months")]


def _compare_headcounts(session, scope, f):
    fast = (metrics.headcount(session, scope, f, today=TODAY),
            metrics.by_department(session, scope, f, today=TODAY)[["employer", "department", "headcount"]],
            metrics.by_employer(session, scope, f, today=TODAY)[["employer", "headcount"]])
    with metrics.raw_only():
        raw = (metrics.headcount(session, scope, f, today=TODAY),
               metrics.by_department(session, scope, f, today=TODAY)[["employer", "department", "headcount"]],
               metrics.by_employer(session, scope, f, today=TODAY)[["employer", "headcount"]])
    assert fast[0] == raw[0]
    for a, b in zip(fast[1:], raw[1:], strict=True):
        # The enrollment summaries list groups with nothing in the period (headcount 0): compare the others.
        keys = [c for c in ("employer", "department") if c in a]
        a, b = (x[x["headcount"] > 0].sort_values(keys, ignore_index=True) for x in (a, b))
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hires=st.lists(hire, max_size=10),
       # A person leaves on a day, or on the first day of the period asked about (gone for all of it).
       leaves=st.lists(st.tuples(st.sampled_from(PEOPLE), st.one_of(st.integers(min_value=0, max_value=400),
                                                                     st.just("period start"))), max_size=3),
       move=st.booleans(), data=st.data())
def test_headcount_summary_equals_employee_rows_after_random_hires_and_leavers(session, hires, leaves, move, data):
    """Hires, leavers (some on a month's first day, some the day they were hired) and a move between
    departments, refreshed per employer: every headcount equals the count of employee rows."""
    from tests.conftest import clear_all

    session.rollback()
    clear_all(session.get_bind())
    world = build_world(session)
    period = data.draw(st.sampled_from(HEADCOUNT_PERIODS))
    touched = set()
    for i, h in enumerate(hires):
        department = session.get(Department, world.id(h["department"])) if h["department"] else None
        employer_id = department.employer_id if department else world.id("A")
        hired = date(2024, 7, 1) + timedelta(days=h["hired"])
        if h["stayed"] == "first":
            left = month_end(hired) + timedelta(days=1)
        else:
            left = None if h["stayed"] is None else hired + timedelta(days=h["stayed"])
        session.add(Employee(employer_id=employer_id, employee_ref=f"hire-{i}", full_name=f"Hire {i}",
                             department_id=department.id if department else None, hired_on=hired, left_on=left))
        touched.add(employer_id)
    for person, days in leaves:
        emp = session.get(Employee, world.id(person))
        day = period.start if days == "period start" else date(2025, 1, 1) + timedelta(days=days)
        emp.left_on = max(emp.hired_on, day)
        touched.add(emp.employer_id)
    if move:
        a1 = session.get(Employee, world.id("a1"))
        a1.department_id = world.id("A-IT")
        touched.add(a1.employer_id)
    session.flush()
    summaries.refresh(session, touched)
    session.commit()

    scope = world.scope(session, data.draw(st.sampled_from(["officer@u", "hr@a", "officer@u2", "admin@u"])))
    f = Filters(
        period,
        employer_ids=data.draw(st.one_of(st.none(), st.just(frozenset({world.id("A")})))),
        department_ids=data.draw(st.one_of(st.none(), st.just(frozenset({world.id("A-IT"), world.id("B-Sales")})))),
    )
    _compare_headcounts(session, scope, f)


# Days around a month's edges: today on the 1st, mid-month, on the last day, and with today + AT_RISK_DAYS
# at a month's end (nothing after it in its month) or just past one.
GOAL_DAYS = [date(2026, 6, 1), date(2026, 6, 14), date(2026, 6, 30), date(2026, 1, 30), date(2026, 2, 1),
             date(2025, 12, 31)]


def test_goal_states_from_the_summary_equal_the_goal_rows_on_every_day_near_today(session):
    """Open goals due on each day from 40 days before to 70 after: those the month summary places in
    the wrong state (due this month before today, planned and due after today + AT_RISK_DAYS) are
    corrected from the rows, for every scope and filter."""
    world = build_world(session)
    touched = set()
    for i, person in enumerate(PEOPLE):
        emp = session.get(Employee, world.id(person))
        pdp = Pdp(employee_id=emp.id, period=f"G{i}")
        session.add(pdp)
        session.flush()
        for day in range(-40, 71):
            for status in ("planned", "in_progress"):
                session.add(PdpGoal(pdp_id=pdp.id, title="Near", skill_id=world.id("s1"), target_level=3,
                                    status=status, due_on=date(2026, 6, 14) + timedelta(days=day + i)))
        touched.add(emp.employer_id)
    session.flush()
    summaries.refresh(session, touched)
    session.commit()
    for day in GOAL_DAYS:
        for user in ("officer@u", "hr@a", "admin@u"):
            scope = world.scope(session, user)
            for f in (Filters(), Filters(department_ids=frozenset({world.id("A-IT")}))):
                fast = metrics.goal_states(session, scope, f, today=day)
                with metrics.raw_only():
                    raw = metrics.goal_states(session, scope, f, today=day)
                assert fast == raw, (day, user)
    # The goals span the edges: some are overdue, at risk and on track on the middle day.
    states = metrics.goal_states(session, world.scope(session, "admin@u"), Filters(), today=date(2026, 6, 14))
    assert states["overdue"] > 0 and states["at_risk"] > 0 and states["on_track"] > 0
