"""One employee's enrollments: how many, in which quarters and credentials, which cohort, how each went,
what it cost, and the skill assessments and outcome survey around it. Some who fail or withdraw try again."""

from __future__ import annotations

from bisect import bisect_right, insort
from datetime import date, timedelta
from itertools import accumulate

from seed.catalogue import SECTOR_AFFINITY
from seed.learners import Learner, LearningRecords
from seed.run import (
    COMPLETED,
    ENROLLED,
    FAILED,
    IN_PROGRESS,
    QUARTERS,
    SPONSOR_EMPLOYEE,
    SPONSOR_EMPLOYER,
    SPONSOR_FUND,
    SPONSOR_UNIVERSITY,
    WITHDRAWN,
)
from services.enrollments import record_problems

GROWTH = [1.0 + 0.07 * i for i in range(QUARTERS)]  # later quarters draw more learners
DAY = timedelta(days=1)


class Enrolling:
    """Draws one learner's enrollments, slot by slot (a slot is a quarter and maybe a credential to retake)."""

    def __init__(self, records: LearningRecords, learner: Learner, rate: float, credentials: dict[int, dict]):
        self.records, self.run, self.learner = records, records.run, learner
        self.credentials = credentials
        self.random = self.run.random
        self.slots = self._slots(rate)
        self.commitment = 0.6 + 0.8 * self.random.random()  # scales the chance of withdrawing
        self.position = 0

    def _slots(self, rate: float) -> list[tuple[int, int]]:
        """(quarter, credential id or 0 = choose) for each enrollment the learner sets out to make."""
        random, learner = self.random, self.learner
        eligible = learner.eligible
        count = 0
        if eligible and random.random() >= 0.12:  # some people never take a credential
            wanted = rate * len(eligible) / QUARTERS * (0.6 if learner.left else 1.0) * (0.4 + 1.2 * random.random())
            count = min(int(wanted) + (random.random() < wanted - int(wanted)), 2 * len(eligible))
        if not count:
            return []
        weights = list(accumulate(GROWTH[quarter] for quarter in eligible))
        return sorted((quarter, 0) for quarter in random.choices(eligible, cum_weights=weights, k=count))

    def run_slots(self) -> None:
        while self.position < len(self.slots):
            quarter, retake = self.slots[self.position]
            self.position += 1
            if self.learner.per_quarter[quarter] >= 2 and not retake:
                continue
            credential_id = retake or self._choose_credential(quarter)
            if credential_id:
                self._enrol(quarter, credential_id, retake)

    def _choose_credential(self, quarter: int) -> int:
        """A credential running this quarter, by the learner's odds; not one taken, mostly in pathway order."""
        learner = self.learner
        table_ids, table_weights = self._credential_table(learner.employer["sector"], learner.track,
                                                          learner.is_manager, quarter)
        if not table_ids:
            return 0
        for _ in range(4):
            candidate = table_ids[bisect_right(table_weights, self.random.random() * table_weights[-1])]
            if candidate in learner.taken:
                continue
            before = self.run.prerequisite.get(candidate)
            if before is not None and before not in learner.completed and self.random.random() < 0.75:
                continue
            return candidate
        return 0

    def _credential_table(self, sector: str, track: str, is_manager: bool, quarter: int):
        """The credentials open in a quarter with cumulative weights for people of this sector, track and role."""
        key = (sector, track, is_manager, quarter)
        table = self.records.credential_tables.get(key)
        if table is None:
            ids, weights = [], []
            affinity = SECTOR_AFFINITY.get(sector, {})
            for credential in self.run.credentials:
                if (credential["id"], quarter) not in self.run.sections:
                    continue
                weight = credential["pop"] * affinity.get(credential["code"], 1.0)
                if track in credential["tracks"]:
                    weight *= 3.0
                if is_manager and "lead" in credential["tracks"]:
                    weight *= 3.0
                if weight > 0:
                    ids.append(credential["id"])
                    weights.append(weight)
            table = (ids, list(accumulate(weights)))
            self.records.credential_tables[key] = table
        return table

    def _enrolment_day(self, quarter: int, credential_id: int, retake: int) -> tuple | None:
        """A cohort of the credential and the day the learner enrolled in it, or None when that cannot be."""
        learner, random = self.learner, self.random
        sections = self.run.sections.get((credential_id, quarter))
        if not sections:
            return None
        section = random.choice(sections)
        _cohort, start, _end, _middle, lead_min = section
        if learner.left is not None and learner.left <= start:
            return None
        # a paused partnership has taken no new learners for two quarters
        if learner.employer["status"] == "paused" and start >= self.run.quarter_starts[QUARTERS - 2]:
            return None
        # an ended partnership (only among the large seed's generated partners) took nobody after it ended
        if learner.employer["status"] == "ended" and start >= learner.employer["ends_on"]:
            return None
        enrolled = start - timedelta(days=random.randint(lead_min, max(lead_min, 21)))
        if enrolled < learner.hired:
            return None
        if retake:
            previous_end = max((taken[4] for taken in learner.enrollments
                                if taken[0] == credential_id and taken[4] is not None), default=None)
            if previous_end is None or enrolled <= previous_end:
                return None
        return section, enrolled

    def _enrol(self, quarter: int, credential_id: int, retake: int) -> None:
        chosen = self._enrolment_day(quarter, credential_id, retake)
        if chosen is None:
            return
        (cohort_id, start, end, middle, _lead_min), enrolled = chosen
        learner = self.learner
        credential = self.credentials[credential_id]
        learner.taken.append(credential_id)
        learner.per_quarter[quarter] += 1
        left_during = learner.left is not None and learner.left <= end + timedelta(days=21)
        outcome = Outcome(self.run.today, learner.left, enrolled, start, end, middle)
        outcome.draw(self.random, credential, self.commitment, left_during)
        if outcome.status == COMPLETED:
            learner.completed[credential_id] = outcome.completed_on
        enrollment_id = self._write_enrollment(credential, cohort_id, enrolled, outcome)
        learner.enrollments.append((credential_id, outcome.status, start, end,
                                    outcome.completed_on or outcome.withdrawn_on))
        self._assess_skills(credential, enrolled, outcome)
        self._survey(enrollment_id, outcome)
        # Now and then, somebody who failed or withdrew tries again a quarter or two later.
        if outcome.status in (FAILED, WITHDRAWN) and not left_during and self.random.random() < 0.3:
            later = quarter + self.random.choice((1, 1, 2))
            if later < QUARTERS and later in learner.eligible:
                insort(self.slots, (later, credential_id), lo=self.position)

    def _write_enrollment(self, credential: dict, cohort_id: int, enrolled: date, outcome: Outcome) -> int:
        random = self.random
        draw = random.random()
        sponsor = (SPONSOR_EMPLOYER if draw < 0.80 else SPONSOR_EMPLOYEE if draw < 0.87
                   else SPONSOR_FUND if draw < 0.95 else SPONSOR_UNIVERSITY)
        if self.learner.employer["id"] in credential["partner_ids"]:
            cost = credential["costs"][1]  # co-design partner rate
        elif random.random() < 0.12:
            cost = credential["costs"][2]  # volume discount
        else:
            cost = credential["costs"][0]
        problems = record_problems(status=outcome.status, enrolled_on=enrolled,
                                   completed_on=outcome.completed_on, withdrawn_on=outcome.withdrawn_on)
        if problems:  # a bug in this generator, never data to write
            raise AssertionError(f"seed enrollment breaks the lifecycle: {problems}")
        enrollment_id = self.records.next_id("enrollment")
        self.records.enrollments.append(dict(
            id=enrollment_id, employee_id=self.learner.employee_id, credential_id=credential["id"],
            cohort_id=cohort_id, enrolled_on=enrolled, status=outcome.status,
            last_activity_on=outcome.last_activity, completed_on=outcome.completed_on,
            withdrawn_on=outcome.withdrawn_on, score=outcome.score, cost=cost, sponsor=sponsor,
            updated_at=self.run.timestamp(outcome.completed_on or outcome.withdrawn_on or outcome.last_activity
                                          or enrolled),
        ))
        self.run.cohort_enrollments[cohort_id] += 1
        return enrollment_id

    def _assess_skills(self, credential: dict, enrolled: date, outcome: Outcome) -> None:
        """Skills assessed when enrolling and again after completing (at employers that assess)."""
        random, learner = self.random, self.learner
        if random.random() >= learner.employer["assess"]:
            return
        skills = credential["skills"][: 2 if random.random() < 0.4 else 1]
        on = max(learner.hired, enrolled - timedelta(days=random.randint(0, 10)))
        source = "self" if random.random() < 0.6 else "manager"
        for skill_id, proficiency in skills:
            before = learner.levels.get(skill_id)
            if before is None:
                before = min(3, random.choice((0, 1, 1, 2, 2, 3)), max(0, proficiency - 1))
            self.records.assess(learner, skill_id, before, on, source)
        if outcome.status != COMPLETED:
            return
        after_on = outcome.completed_on + timedelta(days=random.randint(7, 40))
        if after_on <= self.run.today and learner.employed_on(after_on):
            source = "assessment" if random.random() < 0.6 else "manager"
            for skill_id, proficiency in skills:
                after = min(5, max(learner.levels[skill_id] + random.choice((1, 1, 2)), proficiency - 1))
                self.records.assess(learner, skill_id, after, after_on, source)

    def _survey(self, enrollment_id: int, outcome: Outcome) -> None:
        """An outcome survey two to four months after some completions: performance and satisfaction."""
        random = self.random
        if outcome.status != COMPLETED or random.random() >= 0.58:
            return
        surveyed = outcome.completed_on + timedelta(days=random.randint(60, 120))
        if surveyed > self.run.today or not self.learner.employed_on(surveyed):
            return
        performance_before = random.choices((1, 2, 3, 4, 5), (3, 20, 50, 25, 2))[0]
        satisfaction_before = random.choices((1, 2, 3, 4, 5), (5, 20, 45, 25, 5))[0]
        performance_after = min(5, max(1, performance_before + random.choices((-1, 0, 1, 2), (6, 50, 38, 6))[0]))
        satisfaction_after = min(5, max(1, satisfaction_before + random.choices((-1, 0, 1, 2), (8, 47, 38, 7))[0]))
        self.records.surveys.append(dict(
            id=self.records.next_id("survey"), employee_id=self.learner.employee_id, enrollment_id=enrollment_id,
            surveyed_on=surveyed, performance_before=performance_before, performance_after=performance_after,
            satisfaction_before=satisfaction_before, satisfaction_after=satisfaction_after))


class Outcome:
    """How one enrollment went, as far as today shows: status, the days that mark it, and the score."""

    def __init__(self, today: date, left: date | None, enrolled: date, start: date, end: date, middle: date):
        self.today, self.left = today, left
        self.enrolled, self.start, self.end, self.middle = enrolled, start, end, middle
        self.status = ENROLLED
        self.completed_on: date | None = None
        self.withdrawn_on: date | None = None
        self.last_activity: date | None = None
        self.score: float | None = None

    def draw(self, random, credential: dict, commitment: float, left_during: bool) -> None:
        if left_during and self.left <= self.end:
            self.status = WITHDRAWN
            self.withdrawn_on = max(self.enrolled, self.left - timedelta(days=random.randint(0, 14)))
        elif self.end < self.today:
            self._finished(random, credential, commitment)
        elif self.start <= self.today:
            self._running(random, commitment)
        elif random.random() < 0.05:  # starts after today
            self._withdraw_by_now(random)
        if self.status == COMPLETED:
            self.score = round(min(100.0, max(55.0, random.gauss(76, 10))), 1)
            self.last_activity = self.completed_on
        elif self.status == FAILED:
            self.score = round(random.uniform(10, 54.9), 1)
            self.last_activity = self.completed_on
        elif self.status == WITHDRAWN:
            self.last_activity = self.withdrawn_on

    def _withdraw_by_now(self, random) -> None:
        self.status = WITHDRAWN
        self.withdrawn_on = self.enrolled + timedelta(days=int((self.today - self.enrolled).days * random.random()))

    def _finished(self, random, credential: dict, commitment: float) -> None:
        """The cohort has ended: withdrawn on the way, or a result (unless it is not known yet)."""
        draw = random.random()
        chance_of_withdrawing = (0.235 + 0.02 * (float(credential["ects"]) - 5)) * commitment
        if draw < chance_of_withdrawing:
            self.status = WITHDRAWN
            span_days = (self.end - self.enrolled).days
            self.withdrawn_on = self.enrolled + timedelta(days=int(span_days * random.random() ** 1.5))
            return
        self.status = FAILED if draw < chance_of_withdrawing + 1.2 * credential["fail"] else COMPLETED
        done = max(self.middle, self.end + timedelta(days=random.randint(-14, 21)))
        if self.left is not None:
            done = min(done, self.left - DAY)
        if done > self.today:  # result not known yet
            self.status = IN_PROGRESS
            self.last_activity = self.end - timedelta(days=random.randint(0, 10))
        else:
            self.completed_on = done

    def _running(self, random, commitment: float) -> None:
        draw = random.random()
        if draw < 0.09 * commitment:
            self._withdraw_by_now(random)
        elif self.today > self.middle and draw < 0.09 * commitment + 0.05:
            self.status = COMPLETED
            self.completed_on = self.middle + timedelta(days=int((self.today - self.middle).days * random.random()))
        elif draw > 0.93:
            self.status = ENROLLED  # signed up, not started
        else:
            self.status = IN_PROGRESS
            since = (self.today - self.start).days
            if since > 35 and random.random() < 0.2:  # stalled: feeds the at-risk list
                self.last_activity = self.start + timedelta(days=random.randint(0, since - 31))
            else:
                self.last_activity = self.today - timedelta(days=random.randint(0, min(since, 12)))
