"""The yearly quality review of the published demo credentials: what the studio would have recorded.

Each published credential (published on the day seed/history.py publishes it, which also dates its published
revision) gets one or two yearly reviews by the university's partnership officers, with the credential's
``last_reviewed_on`` / ``next_review_on`` and a "credential.review" audit event each, as
services/codesign/quality_review.record_review writes them. Where the next review falls relative to the
seed's today is drawn per credential (the first published credential is overdue, the second due soon, the
others mostly later), so the overview and the studio have reviews to show.

Written after the design history from a random stream of its own (seeded from the run's seed), so every
other row is the same as without it.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sqlalchemy import func, select, update

from db.models import AuditEvent, Credential, CredentialReview, CredentialStatus, ReviewOutcome
from seed.demo_users import DEMO_USERS
from seed.organisations import UNIVERSITY
from seed.rows import Writer
from seed.run import SeedRun
from services.codesign.quality_review import add_months

MONTHS = 12
FIRST_REVIEW_AFTER = 60  # days: no review in the first two months after publication
NOTES = {
    ReviewOutcome.continue_as_is: [
        "Outcomes, assessment and workload checked against the partners' feedback; no change needed.",
        "Completion and survey results in line with the previous year. Continue as it is.",
        "Employers confirmed the skills still match their roles; assessment rubric unchanged.",
    ],
    ReviewOutcome.revise: [
        "Partners asked for an updated case study and a shorter first unit: revision agreed.",
        "Tools taught are out of date; agreed to revise the practical outcomes in a new draft.",
    ],
}


def _officers() -> list[str]:
    return [user["email"].lower() for user in DEMO_USERS
            if user["org_code"] == UNIVERSITY["code"] and user["role"] == "partnership_officer" and user["is_active"]]


def _published_on(run: SeedRun, credential: dict) -> date:
    """The day seed/history.py publishes a published credential: its last update."""
    return credential["updated_on"]


def _next_review(draw: random.Random, today: date, position: int) -> date:
    state = ("overdue", "due_soon")[position] if position < 2 else draw.choice(
        ("overdue", "due_soon", "due_soon", "later", "later", "later", "later"))
    if state == "overdue":
        return today - timedelta(days=draw.randint(5, 40))
    if state == "due_soon":
        return today + timedelta(days=draw.randint(7, 55))
    return today + timedelta(days=draw.randint(75, 330))


def _review_days(draw: random.Random, published: date, next_review: date) -> list[date]:
    """At most two review days, oldest first: the last exactly 12 months before ``next_review``, the one before
    about a year earlier (a little late on its due date, as reviews are)."""
    days, day = [], add_months(next_review, -MONTHS)
    while len(days) < 2 and day > published + timedelta(days=FIRST_REVIEW_AFTER):
        days.insert(0, day)
        day = add_months(day, -MONTHS) - timedelta(days=draw.randint(0, 20))
    return days


def write_quality_reviews(run: SeedRun, writer: Writer) -> None:
    draw = random.Random(f"{run.seed}:quality-reviews")
    writer.flush()  # the credentials are in the database: their review dates are set by UPDATE
    conn, officers = writer.conn, _officers()
    event_id = (conn.execute(select(func.max(AuditEvent.id))).scalar() or 1) + 1
    review_id = (conn.execute(select(func.max(CredentialReview.id))).scalar() or 0) + 1
    position = 0
    for credential in run.credentials:
        if credential["status"] != CredentialStatus.published:
            continue
        published = _published_on(run, credential)
        days = _review_days(draw, published, _next_review(draw, run.today, position))
        position += 1
        last, next_on = None, add_months(published, MONTHS)  # as publishing sets it
        for day in days:
            outcome = ReviewOutcome.revise if draw.random() < 0.2 else ReviewOutcome.continue_as_is
            notes, reviewer = draw.choice(NOTES[outcome]), draw.choice(officers)
            new_next = add_months(day, MONTHS)
            at = run.timestamp(day)
            writer.rows(CredentialReview).append(dict(
                id=review_id, credential_id=credential["id"], version=credential["version"], reviewed_on=day,
                reviewer_email=reviewer, reviewer_organization_id=run.university_id, outcome=outcome.value,
                notes=notes, next_review_on=new_next, created_at=at))
            writer.rows(AuditEvent).append(dict(
                id=event_id, occurred_at=at, actor_email=reviewer, organization_id=run.university_id,
                action="credential.review", entity="Credential", entity_id=str(credential["id"]),
                before=json.dumps({"last_reviewed_on": last and last.isoformat(),
                                   "next_review_on": next_on.isoformat()}, sort_keys=True),
                after=json.dumps({"outcome": outcome.value, "version": credential["version"],
                                  "reviewed_on": day.isoformat(), "next_review_on": new_next.isoformat(),
                                  "notes_length": len(notes)}, sort_keys=True)))
            review_id, event_id = review_id + 1, event_id + 1
            last, next_on = day, new_next
        conn.execute(update(Credential).where(Credential.id == credential["id"])
                     .values(last_reviewed_on=last, next_review_on=next_on))
