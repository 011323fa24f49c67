"""One run of the seed: its random stream, its day, its quarters, and what each step leaves for the next.

Every step draws from the one ``random`` stream in a fixed order, so the same seed and day give the same
rows; a step that drew one number more or less, or in another order, would change every row after it.
"""

from __future__ import annotations

from datetime import date

from db.models import EnrollmentStatus, PdpGoalStatus, Sponsor
from seed.rows import SeedRandom, Timestamps, add_quarters, quarter_start

QUARTERS = 8  # cohorts run over the current quarter and the seven before it
ENROLLMENTS_PER_EMPLOYEE = 4.0  # target average over the whole window

# Plain strings in the hot loop (enum attribute access is slow at a million rows).
ENROLLED = EnrollmentStatus.enrolled.value
IN_PROGRESS = EnrollmentStatus.in_progress.value
COMPLETED = EnrollmentStatus.completed.value
FAILED = EnrollmentStatus.failed.value
WITHDRAWN = EnrollmentStatus.withdrawn.value
SPONSOR_EMPLOYER = Sponsor.employer.value
SPONSOR_EMPLOYEE = Sponsor.employee.value
SPONSOR_FUND = Sponsor.public_fund.value
SPONSOR_UNIVERSITY = Sponsor.university.value
GOAL_PLANNED = PdpGoalStatus.planned.value
GOAL_IN_PROGRESS = PdpGoalStatus.in_progress.value
GOAL_ACHIEVED = PdpGoalStatus.achieved.value
GOAL_DROPPED = PdpGoalStatus.dropped.value


class SeedRun:
    """The state of one seed run, filled in step by step (``seed.demo.seed_database`` runs the steps)."""

    # seed.reference.write_organisations
    university_id: int
    org_id: dict[str, int]  # organisation code -> id
    employers: list[dict]  # the EMPLOYERS specs (then the large seed's generated ones) with id, n, partnership_start
    # seed.reference.write_curriculum
    skill_id: dict[str, int]
    skills_by_category: dict[str, list[int]]
    credentials: list[dict]  # the CREDENTIALS specs with id, skills, partner_ids, weeks, dates and costs
    credential_by_code: dict[str, dict]
    prerequisite: dict[int, int]  # credential id -> the one before it on a pathway
    credentials_for_skill: dict[int, list[int]]  # skill id -> published credentials that teach it
    # seed.reference.write_cohorts
    sections: dict[tuple[int, int], list[tuple]]  # (credential, quarter) -> (cohort, start, end, middle, lead days)
    cohort_seats: list[int]  # by cohort id
    cohort_enrollments: list[int]  # by cohort id, counted by the learning step
    # seed.people.write_people: per department id, and per employee (index = id - 1)
    department_track: list[str]
    employee_employer: list[int]  # index into employers
    employee_department: list[int]
    employee_manager: list[int | None]
    employee_is_manager: list[bool]
    employee_hired: list[date]
    employee_left: list[date | None]

    def __init__(self, *, employees: int, seed: int, today: date, long_tail_above: int):
        self.employee_count = employees
        self.long_tail = employees > long_tail_above  # about a hundred employers (seed/partners.py)
        self.seed = seed
        self.today = today
        self.random = SeedRandom(seed)
        self.timestamp = Timestamps(today)
        this_quarter = quarter_start(today)
        self.quarter_starts = [add_quarters(this_quarter, i - (QUARTERS - 1)) for i in range(QUARTERS)]
