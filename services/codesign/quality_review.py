"""The yearly quality review of a published credential: when it is due, recording one, its history.

Quality-assurance guidance for micro-credentials asks that each be reviewed at least once a year and that
the changes be published. So:
- Publishing (``workflow.publish`` calls ``on_publish``) stamps the published revision's ``published_at``
  and starts the review cycle: ``next_review_on`` = the publication date + 12 months. A date already set is
  kept (the credential keeps its cycle: a review date is never moved later by publishing).
- ``record_review``: the university side of the credential (partnership officers of its university, admins)
  records who reviewed, the outcome and notes; the next review is at most 12 months after the review (by
  default exactly 12 months), may be earlier, never in the past. The credential's dates change by a
  conditional UPDATE on the next review date the officer was shown: of two officers recording at once, the
  second is refused and nothing is overwritten.
- Outcomes do not act by themselves: "retire" is a decision; the officer then retires the credential on the
  Sign-off tab (its own audited step, with a reason). "Revise": published content is frozen (published →
  retired only), so the review records that a revision was agreed; the revised credential is a new draft.
- The audit event holds the outcome, version, dates and the notes' length, not the notes: notes are free
  text and may name people; they stay in the review record, which only the credential's parties read.
- Who follows which credential's reviews is db/scope.py's ``review_concerns``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select, update
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import (
    Credential,
    CredentialPartner,
    CredentialReview,
    CredentialStatus,
    Organization,
    ReviewOutcome,
    utcnow,
)
from db.scope import Scope, review_concerns, visible
from services import audit
from services.codesign.loading import load
from services.codesign.rules import CodesignError
from services.codesign.validation import clean_text
from services.codesign.versions import add_baseline, find_revision, snapshot
from services.formatting import counted, fmt, label
from services.periods import today as today_
from services.permissions import is_university_side, may_edit, require_university

REVIEW_INTERVAL_MONTHS = 12
DUE_WITHIN_DAYS = 60  # "due soon": the next review falls within this many days
MAX_NOTES = 4000
OVERDUE, DUE_SOON, NOT_SCHEDULED = "Overdue", "Due soon", "Not scheduled"
DUE_COLUMNS = ["code", "title", "university", "last_reviewed_on", "next_review_on", "when", "state"]
HISTORY_COLUMNS = ["reviewed_on", "outcome", "next_review_on", "reviewer_email", "version", "notes"]
OUTCOMES = [outcome.value for outcome in ReviewOutcome]
# What each outcome leads to, as the studio says it after the review.
OUTCOME_MEANING = {
    ReviewOutcome.continue_as_is: "The credential continues as it is.",
    ReviewOutcome.revise: "A revision was agreed: published content is frozen, so the revised credential is "
                          "designed as a new draft.",
    ReviewOutcome.retire: "The review decided to retire it: retire it on the Sign-off tab, with the reason.",
}


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 29th–31st fall back to the month's last day (29 Feb → 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def latest_next_review(reviewed_on: date) -> date:
    """The latest next review a review on ``reviewed_on`` may set (and the default)."""
    return add_months(reviewed_on, REVIEW_INTERVAL_MONTHS)


def on_publish(session: Session, cred: Credential, today: date | None = None) -> None:
    """Called by ``workflow.publish`` before its commit: the published version's revision gets its
    ``published_at`` (its baseline written first if the credential predates tracking), and the review cycle
    starts unless one is already set."""
    revision = find_revision(session, cred.id, cred.version)
    if revision is None:
        add_baseline(session, cred, cred.version, snapshot(session, cred), utcnow())
        session.flush()
        revision = find_revision(session, cred.id, cred.version)
    revision.published_at = utcnow()
    session.add(revision)
    if cred.next_review_on is None:
        session.execute(update(Credential).where(Credential.id == cred.id, Credential.next_review_on.is_(None))
                        .values(next_review_on=latest_next_review(today or today_())))


def _clean_next_review(next_review_on: date | None, reviewed_on: date) -> date:
    latest = latest_next_review(reviewed_on)
    if next_review_on is None:
        return latest
    if next_review_on <= reviewed_on:
        raise CodesignError(f"The next review must be after this one ({fmt(reviewed_on, 'date')}).")
    if next_review_on > latest:
        raise CodesignError(f"The next review must be within 12 months of this one: by {fmt(latest, 'date')} at "
                            f"the latest, not {fmt(next_review_on, 'date')}.")
    return next_review_on


def record_review(session: Session, scope: Scope, *, credential_id: int, expected_next_review_on: date | None,
                  outcome: str, notes: str = "", next_review_on: date | None = None,
                  today: date | None = None) -> CredentialReview:
    """Record the yearly review of the credential's current (published) version, made today.

    ``expected_next_review_on``: the next review date the user was shown; if another review changed it
    meanwhile, this one is refused (nothing is overwritten)."""
    reviewed_on = today or today_()
    cred = load(session, scope, credential_id)
    require_university(scope, cred, "records its quality review")
    if cred.status != CredentialStatus.published:
        raise CodesignError(f"{cred.code} is {label(cred.status).lower()}: only a published credential is reviewed.")
    if outcome not in OUTCOMES:
        raise CodesignError("Choose the outcome of the review: continue, revise or retire.")
    notes = clean_text(notes, "Notes", required=False, max_len=MAX_NOTES)
    next_on = _clean_next_review(next_review_on, reviewed_on)
    before = {"last_reviewed_on": _iso(cred.last_reviewed_on), "next_review_on": _iso(cred.next_review_on)}
    shown = (Credential.next_review_on.is_(None) if expected_next_review_on is None
             else Credential.next_review_on == expected_next_review_on)
    result = session.execute(
        update(Credential).where(Credential.id == cred.id, Credential.status == CredentialStatus.published, shown)
        .values(last_reviewed_on=reviewed_on, next_review_on=next_on))
    if result.rowcount != 1:
        session.rollback()
        raise CodesignError(f"Someone else recorded a review of {cred.code} (or changed it) since you opened it: "
                            "nothing was saved. Their review is in the history; record yours again if it still"
                            " applies.")
    review = CredentialReview(
        credential_id=cred.id, version=cred.version, reviewed_on=reviewed_on, reviewer_email=scope.email,
        reviewer_organization_id=scope.organization_id or cred.university_id, outcome=outcome, notes=notes,
        next_review_on=next_on)
    session.add(review)
    audit.record(session, actor_email=scope.email, action="credential.review", entity="Credential",
                 entity_id=cred.id, organization_id=cred.university_id,
                 before=before,
                 after={"outcome": outcome, "version": cred.version, "reviewed_on": reviewed_on.isoformat(),
                        "next_review_on": next_on.isoformat(), "notes_length": len(notes)})
    bump_data_version(session)
    session.commit()
    session.refresh(review)
    return review


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def recorded_message(review: CredentialReview) -> str:
    """What the studio says once a review is recorded."""
    return (f"Review recorded; next review due {fmt(review.next_review_on, 'date')}. "
            + OUTCOME_MEANING[ReviewOutcome(review.outcome)])


def due_state(next_review_on: date | None, today: date, within_days: int = DUE_WITHIN_DAYS) -> tuple[str, str] | None:
    """(state, when in words) of a review date, or None when it is neither overdue nor due soon."""
    if next_review_on is None:
        return NOT_SCHEDULED, "no review date set"
    days = (next_review_on - today).days
    if days < 0:
        return OVERDUE, f"{counted(-days, 'day')} overdue"
    if days <= within_days:
        return DUE_SOON, "due today" if days == 0 else f"due in {counted(days, 'day')}"
    return None


def reviews_due(session: Session, scope: Scope, *, today: date, within_days: int = DUE_WITHIN_DAYS) -> pd.DataFrame:
    """Published credentials the user follows (``review_concerns``) whose review is overdue, due within
    ``within_days`` or not scheduled: the most overdue first. ``studio``: whether the user may open it in the
    co-design studio (the university side, a co-designing employer)."""
    rows = session.execute(
        select(Credential, Organization.name)
        .join(Organization, Organization.id == Credential.university_id)
        .where(visible(scope, Credential), review_concerns(scope), Credential.status == CredentialStatus.published)
        .where(Credential.next_review_on.is_(None)
               | (Credential.next_review_on <= today + timedelta(days=within_days)))
        .order_by(Credential.next_review_on.is_not(None), Credential.next_review_on, Credential.code)).all()
    partners: dict[int, set[int]] = {}
    for credential_id, employer_id in session.execute(  # one query for every row's co-designers
            select(CredentialPartner.credential_id, CredentialPartner.employer_id)
            .where(CredentialPartner.credential_id.in_([cred.id for cred, _ in rows] or [-1]))).all():
        partners.setdefault(credential_id, set()).add(employer_id)
    out = []
    for cred, university in rows:
        state = due_state(cred.next_review_on, today, within_days)
        if state is None:
            continue
        out.append({"credential_id": cred.id, "code": cred.code, "title": cred.title, "university": university,
                    "last_reviewed_on": cred.last_reviewed_on, "next_review_on": cred.next_review_on,
                    "when": state[1], "state": state[0],
                    "studio": may_edit(scope, cred, frozenset(partners.get(cred.id, ())))})
    return pd.DataFrame(out, columns=["credential_id", *DUE_COLUMNS, "studio"])


@dataclass(frozen=True)
class DueCounts:
    overdue: int
    due_soon: int
    not_scheduled: int


def due_counts(due: pd.DataFrame) -> DueCounts:
    states = due["state"].value_counts() if not due.empty else {}
    return DueCounts(int(states.get(OVERDUE, 0)), int(states.get(DUE_SOON, 0)), int(states.get(NOT_SCHEDULED, 0)))


def review_history(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    """The credential's reviews the user may read (``visible(scope, CredentialReview)``), newest first."""
    rows = session.scalars(
        select(CredentialReview).where(CredentialReview.credential_id == credential_id,
                                       visible(scope, CredentialReview))
        .order_by(CredentialReview.reviewed_on.desc(), CredentialReview.id.desc())).all()
    return pd.DataFrame([{"reviewed_on": row.reviewed_on, "version": row.version, "outcome": row.outcome,
                          "reviewer_email": row.reviewer_email, "notes": row.notes,
                          "next_review_on": row.next_review_on} for row in rows], columns=HISTORY_COLUMNS)


@dataclass(frozen=True)
class ReviewStatus:
    """The studio's Quality review tab for one credential: its dates, how due it is, whether the user records."""

    published: bool
    last_reviewed_on: date | None
    next_review_on: date | None
    state: str | None  # OVERDUE, DUE_SOON, NOT_SCHEDULED or None (not due yet)
    when: str
    may_record: bool
    default_next: date


def review_status(session: Session, scope: Scope, credential_id: int, *, today: date) -> ReviewStatus:
    cred = load(session, scope, credential_id)
    published = cred.status == CredentialStatus.published
    state = due_state(cred.next_review_on, today) if published else None
    return ReviewStatus(
        published=published, last_reviewed_on=cred.last_reviewed_on, next_review_on=cred.next_review_on,
        state=state[0] if state else None, when=state[1] if state else "",
        may_record=published and not scope.read_only and is_university_side(scope, cred),
        default_next=latest_next_review(today))
