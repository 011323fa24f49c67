"""Next quarter's cohorts: for every published credential running this quarter, the sections that start
after today, with seats and nobody enrolled yet, so the demo has "next cohorts with seats left" to plan with.

Written after every other row, from a random stream of their own (seeded from the run's seed): every row
and id the rest of the seed writes is the same as without them, and the same seed and day still give the
same data.
"""

from __future__ import annotations

import random
from datetime import timedelta

from db.models import Cohort, CredentialStatus
from seed.rows import Writer, add_quarters
from seed.run import QUARTERS, SeedRun

SECTIONS = 2  # per credential: enough choice for the Plan page, few rows


def write_next_cohorts(run: SeedRun, writer: Writer) -> None:
    draw = random.Random(f"{run.seed}:next-cohorts")
    first_day = add_quarters(run.quarter_starts[-1], 1)
    label = f"{first_day.year}Q{(first_day.month - 1) // 3 + 1}"
    cohort_id = len(run.cohort_seats)  # cohort_seats[0] is a placeholder: the next id after the seed's cohorts
    for credential in run.credentials:
        if credential["status"] != CredentialStatus.published or credential["last_q"] != QUARTERS - 1:
            continue
        for k in range(SECTIONS):
            start = first_day + timedelta(days=draw.randint(3, 9) + 14 * k)
            start += timedelta(days=(7 - start.weekday()) % 7)  # a Monday, as the seed's other cohorts
            weeks = min(16, max(6, credential["weeks"] + draw.choice((-1, 0, 0, 1))))
            writer.rows(Cohort).append(dict(
                id=cohort_id, credential_id=credential["id"], code=f"{label}-{k + 1:02d}", starts_on=start,
                ends_on=start + timedelta(days=7 * weeks - 3), seats=draw.choice((20, 24, 25, 30, 30, 35, 40))))
            cohort_id += 1
