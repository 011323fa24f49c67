"""What the learning step keeps while it draws: the rows it writes into (shared by every employee) and one
employee's record so far (enrollments, skill levels), which their PDPs then build on."""

from __future__ import annotations

from datetime import date

from db.models import Enrollment, OutcomeSurvey, Pdp, PdpGoal, SkillAssessment
from seed.rows import Writer
from seed.run import QUARTERS, SeedRun


class LearningRecords:
    """The row buffers of the learning step and the last id written to each."""

    def __init__(self, run: SeedRun, writer: Writer):
        self.run, self.writer = run, writer
        self.enrollments = writer.rows(Enrollment)
        self.assessments = writer.rows(SkillAssessment)
        self.pdps = writer.rows(Pdp)
        self.goals = writer.rows(PdpGoal)
        self.surveys = writer.rows(OutcomeSurvey)
        self.last_id = dict(enrollment=0, assessment=0, pdp=0, goal=0, survey=0)
        self.credential_tables: dict[tuple, tuple[list[int], list[float]]] = {}

    def next_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def assess(self, learner: Learner, skill_id: int, level: int, on: date, source: str) -> None:
        """Record a skill assessment and remember the level as the learner's current one."""
        self.assessments.append(dict(id=self.next_id("assessment"), employee_id=learner.employee_id,
                                     skill_id=skill_id, level=level, assessed_on=on, source=source))
        learner.levels[skill_id] = level


class Learner:
    """One employee while their learning is drawn."""

    def __init__(self, run: SeedRun, index: int, eligible: list[int]):
        self.employee_id = index + 1
        self.employer = run.employers[run.employee_employer[index]]
        self.hired = run.employee_hired[index]
        self.left = run.employee_left[index]
        self.manager = run.employee_manager[index]
        self.track = run.department_track[run.employee_department[index]]
        self.is_manager = run.employee_is_manager[index]
        self.eligible = eligible  # the quarters they could enrol in
        self.levels: dict[int, int] = {}  # skill id -> last assessed level
        # (credential id, status, start, end, outcome day) per enrollment, in the order drawn
        self.enrollments: list[tuple] = []
        self.taken: list[int] = []
        self.completed: dict[int, date] = {}
        self.per_quarter = [0] * QUARTERS

    def employed_on(self, day: date) -> bool:
        return self.left is None or day < self.left
