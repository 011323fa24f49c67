"""Enrollment lifecycle: the one place where status changes are allowed or refused.

    enrolled ──► in_progress ──► completed
        │             ├────────► failed
        └─────────────┴────────► withdrawn

completed, failed and withdrawn are final; taking a credential again is a new
enrollment (in a later cohort).
"""

from __future__ import annotations

from datetime import date

from db.models import Enrollment, EnrollmentStatus, utcnow

S = EnrollmentStatus
TRANSITIONS: dict[EnrollmentStatus, frozenset[EnrollmentStatus]] = {
    S.enrolled: frozenset({S.in_progress, S.withdrawn}),
    S.in_progress: frozenset({S.completed, S.failed, S.withdrawn}),
    S.completed: frozenset(),
    S.failed: frozenset(),
    S.withdrawn: frozenset(),
}


class InvalidTransition(ValueError):
    """An enrollment status change that the lifecycle does not allow."""


def check_transition(current: str, new: str) -> None:
    try:
        old_s, new_s = S(current), S(new)
    except ValueError as exc:
        raise InvalidTransition(f"Unknown enrollment status: {exc}") from None
    if new_s not in TRANSITIONS[old_s]:
        allowed = ", ".join(sorted(TRANSITIONS[old_s])) or "none (final status)"
        raise InvalidTransition(
            f"An enrollment cannot go from '{old_s}' to '{new_s}'. Allowed next: {allowed}."
        )


def change_status(
    enrollment: Enrollment, new_status: str, *, on: date, score: float | None = None
) -> Enrollment:
    """Move an enrollment to ``new_status`` on day ``on``, setting the outcome dates."""
    check_transition(enrollment.status, new_status)
    if on < enrollment.enrolled_on:
        raise InvalidTransition(
            f"The date {on.isoformat()} is before the enrollment date {enrollment.enrolled_on.isoformat()}."
        )
    new = S(new_status)
    if new in (S.completed, S.failed):
        enrollment.completed_on = on
        if score is not None:
            if not 0 <= score <= 100:
                raise InvalidTransition("A score must be between 0 and 100.")
            enrollment.score = score
    elif new == S.withdrawn:
        enrollment.withdrawn_on = on
    enrollment.status = new.value
    enrollment.last_activity_on = on
    enrollment.updated_at = utcnow()
    return enrollment


def record_problems(
    *, status: str, enrolled_on: date, completed_on: date | None, withdrawn_on: date | None
) -> list[str]:
    """Why a stored enrollment record is inconsistent (empty when it is fine).

    Used by imports and the seed, so stored records always match the lifecycle.
    """
    try:
        s = S(status)
    except ValueError:
        return [f"unknown status '{status}' (allowed: {', '.join(S)})"]
    problems = []
    if s in (S.completed, S.failed):
        if completed_on is None:
            problems.append(f"a {s} enrollment needs completed_on")
        elif completed_on < enrolled_on:
            problems.append("completed_on is before enrolled_on")
    elif completed_on is not None:
        problems.append(f"an enrollment with status {s} cannot have completed_on")
    if s == S.withdrawn:
        if withdrawn_on is None:
            problems.append("a withdrawn enrollment needs withdrawn_on")
        elif withdrawn_on < enrolled_on:
            problems.append("withdrawn_on is before enrolled_on")
    elif withdrawn_on is not None:
        problems.append(f"an enrollment with status {s} cannot have withdrawn_on")
    return problems
