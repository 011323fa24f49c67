"""One employee's personal development plans: last year's (closed) and, for about 60% of current staff,
this year's. Goals name the credentials taken in the year, then skills of the employee's track."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from db.models import AssessmentSource, PdpStatus
from seed.catalogue import SKILLS, TRACK_CATEGORIES
from seed.learners import Learner, LearningRecords
from seed.run import (
    COMPLETED,
    ENROLLED,
    FAILED,
    GOAL_ACHIEVED,
    GOAL_DROPPED,
    GOAL_IN_PROGRESS,
    GOAL_PLANNED,
    IN_PROGRESS,
    WITHDRAWN,
)

MANAGER = AssessmentSource.manager.value
# The goal for a credential taken this year follows how the enrollment went.
_CURRENT_GOAL_STATUS = {COMPLETED: GOAL_ACHIEVED, WITHDRAWN: GOAL_DROPPED, FAILED: GOAL_IN_PROGRESS,
                        ENROLLED: GOAL_PLANNED}


class Planning:
    """Writes a learner's PDPs and their goals, after their enrollments are drawn."""

    def __init__(self, records: LearningRecords, learner: Learner):
        self.records, self.run, self.learner = records, records.run, learner
        self.random, self.today = self.run.random, self.run.today
        categories = TRACK_CATEGORIES[learner.track] + (TRACK_CATEGORIES["lead"] if learner.is_manager else [])
        self.pool = [skill for category in categories for skill in self.run.skills_by_category[category]]

    def write(self) -> None:
        self._last_year()
        self._this_year()

    def _plan(self, period: int, status: PdpStatus, created: date) -> int:
        pdp_id = self.records.next_id("pdp")
        self.records.pdps.append(dict(id=pdp_id, employee_id=self.learner.employee_id, period=str(period),
                                      manager_id=self.learner.manager, status=status.value,
                                      created_at=self.run.timestamp(created)))
        return pdp_id

    def _goal(self, pdp_id: int, title: str, skill_id: int, credential_id: int | None, target: int, due: date,
              status: str, changed: date) -> None:
        self.records.goals.append(dict(
            id=self.records.next_id("goal"), pdp_id=pdp_id, title=title[:200], skill_id=skill_id,
            credential_id=credential_id, target_level=target, due_on=due, status=status,
            updated_at=self.run.timestamp(changed)))

    def _credential_goal(self, pdp_id: int, used: list[int], credential_id: int, status: str, due: date,
                         changed: date) -> None:
        """A goal to complete a credential taken in the plan's year, for its main skill (once per skill)."""
        credential = self.run.credentials[credential_id - 1]
        skill_id, proficiency = credential["skills"][0]
        if skill_id in used:
            return
        used.append(skill_id)
        self._goal(pdp_id, f"Complete {credential['title']}", skill_id, credential_id, proficiency, due, status,
                   changed)

    def _last_year(self) -> None:
        learner, random = self.learner, self.random
        year = self.today.year - 1
        year_end = date(year, 12, 31)
        if not (learner.hired <= date(year, 3, 1) and (learner.left is None or learner.left > year_end)
                and random.random() < 0.45):
            return
        created = max(date(year, 1, 8) + timedelta(days=random.randint(0, 70)), learner.hired + timedelta(days=14))
        pdp_id = self._plan(year, PdpStatus.closed, created)
        goal_count = random.choice((1, 2, 2, 3))
        used: list[int] = []
        for credential_id, status, start, end, outcome_day in learner.enrollments:
            if len(used) >= goal_count:
                break
            if start.year != year or start < created:
                continue
            due = min(year_end, end + timedelta(days=14))
            self._credential_goal(pdp_id, used, credential_id,
                                  GOAL_ACHIEVED if status == COMPLETED else GOAL_DROPPED, due,
                                  min(self.today, outcome_day or due))
        self._skill_goals(pdp_id, used, goal_count, created, year_end,
                          lambda due: GOAL_ACHIEVED if random.random() < 0.62 else GOAL_DROPPED)

    def _this_year(self) -> None:
        learner, random, today = self.learner, self.random, self.today
        if learner.left is not None or learner.hired > today - timedelta(days=14):
            return
        year = today.year
        this_year = [taken for taken in learner.enrollments if taken[2].year == year or taken[1] in (ENROLLED,
                                                                                                   IN_PROGRESS)]
        if random.random() >= (0.66 if this_year else 0.5):
            return
        earliest = min(today, max(date(year, 1, 6), learner.hired + timedelta(days=14)))
        created = earliest + timedelta(days=random.randint(0, min(80, (today - earliest).days)))
        draft = random.random() < 0.08
        pdp_id = self._plan(year, PdpStatus.draft if draft else PdpStatus.active, created)
        year_end = date(year, 12, 31)
        goal_count = random.choice((1, 2, 2, 3, 3, 4))
        used: list[int] = []
        if not draft:
            for credential_id, status, _start, end, outcome_day in this_year:
                if len(used) >= min(goal_count, 2):
                    break
                due = min(year_end, max(created, end) + timedelta(days=14))
                self._credential_goal(pdp_id, used, credential_id, _CURRENT_GOAL_STATUS.get(status, GOAL_IN_PROGRESS),
                                      due, min(today, outcome_day or created))
        self._skill_goals(pdp_id, used, goal_count, created, year_end,
                          (lambda due: GOAL_PLANNED) if draft else self._current_status)

    def _current_status(self, due: date) -> str:
        """A goal of an active plan: overdue unless achieved or dropped, mostly planned when far off."""
        draw = self.random.random()
        if due < self.today:
            return (GOAL_ACHIEVED if draw < 0.55 else GOAL_DROPPED if draw < 0.65
                    else GOAL_IN_PROGRESS if draw < 0.85 else GOAL_PLANNED)
        if (due - self.today).days <= 30:
            return GOAL_PLANNED if draw < 0.45 else GOAL_IN_PROGRESS if draw < 0.9 else GOAL_ACHIEVED
        return GOAL_PLANNED if draw < 0.6 else GOAL_IN_PROGRESS if draw < 0.93 else GOAL_ACHIEVED

    def _skill_goals(self, pdp_id: int, used: list[int], goal_count: int, created: date, year_end: date,
                     status_for: Callable[[date], str]) -> None:
        """Skill goals until the plan has its goals, or a draw lands on a skill it already has."""
        while len(used) < goal_count:
            before = len(used)
            self._skill_goal(pdp_id, used, created, year_end, status_for)
            if len(used) == before:
                break

    def _skill_goal(self, pdp_id: int, used: list[int], created: date, year_end: date,
                    status_for: Callable[[date], str]) -> None:
        random, learner = self.random, self.learner
        fresh = [skill for skill in self.pool if skill not in learner.levels and skill not in used]
        skill_id = random.choice(fresh or self.pool)
        if skill_id in used:
            return
        used.append(skill_id)
        base = learner.levels.get(skill_id)
        if base is None:  # the manager's view of where they start
            base = random.choice((0, 1, 1, 2, 2, 3))
            self.records.assess(learner, skill_id, base, created, MANAGER)
        if base >= 5:
            return
        target = min(5, base + random.choice((1, 1, 2)))
        earliest = created + timedelta(days=30)
        due = earliest if earliest >= year_end else earliest + timedelta(
            days=random.randint(0, (year_end - earliest).days))
        status = status_for(due)
        credential_id, title = self._goal_title(skill_id, target)
        changed = min(self.today, due) if status in (GOAL_ACHIEVED, GOAL_DROPPED) else created
        self._goal(pdp_id, title, skill_id, credential_id, target, due, status, changed)
        self._assess_progress(skill_id, base, target, status, created, due)

    def _goal_title(self, skill_id: int, target: int) -> tuple[int | None, str]:
        """Some skill goals name a published credential that teaches the skill (one not taken yet)."""
        name = SKILLS[skill_id - 1][0]
        taken = [enrollment[0] for enrollment in self.learner.enrollments]
        options = [credential for credential in self.run.credentials_for_skill.get(skill_id, ())
                   if credential not in taken]
        if options and self.random.random() < 0.35:
            credential_id = self.random.choice(options)
            return credential_id, f"Build '{name}' through {self.run.credentials[credential_id - 1]['title']}"
        return None, f"Reach level {target} in '{name}'"

    def _assess_progress(self, skill_id: int, base: int, target: int, status: str, created: date, due: date) -> None:
        """The manager confirms an achieved goal's level, and sometimes a step towards a goal in progress."""
        random, learner, today = self.random, self.learner, self.today
        if status == GOAL_ACHIEVED:
            on = max(created, min(today, due - timedelta(days=random.randint(0, 20))))
            if learner.employed_on(on):
                self.records.assess(learner, skill_id, target, on, MANAGER)
        elif status == GOAL_IN_PROGRESS and target - base >= 2 and random.random() < 0.4:
            on = created + timedelta(days=random.randint(0, max(0, (today - created).days)))
            self.records.assess(learner, skill_id, base + 1, on, MANAGER)
