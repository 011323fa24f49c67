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

TRANSITIONS: dict[EnrollmentStatus, frozenset[EnrollmentStatus]] = {
    EnrollmentStatus.enrolled: frozenset({EnrollmentStatus.in_progress, EnrollmentStatus.withdrawn}),
    EnrollmentStatus.in_progress: frozenset(
        {EnrollmentStatus.completed, EnrollmentStatus.failed, EnrollmentStatus.withdrawn}),
    EnrollmentStatus.completed: frozenset(),
    EnrollmentStatus.failed: frozenset(),
    EnrollmentStatus.withdrawn: frozenset(),
}


class InvalidTransition(ValueError):
    """An enrollment status change that the lifecycle does not allow."""


def check_transition(current: str, new: str) -> None:
    try:
        from_status, to_status = EnrollmentStatus(current), EnrollmentStatus(new)
    except ValueError as exc:
        raise InvalidTransition(f"Unknown enrollment status: {exc}") from None
    if to_status not in TRANSITIONS[from_status]:
        allowed = ", ".join(sorted(TRANSITIONS[from_status])) or "none (final status)"
        raise InvalidTransition(
            f"An enrollment cannot go from '{from_status}' to '{to_status}'. Allowed next: {allowed}."
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
    new = EnrollmentStatus(new_status)
    if new in (EnrollmentStatus.completed, EnrollmentStatus.failed):
        enrollment.completed_on = on
        if score is not None:
            if not 0 <= score <= 100:
                raise InvalidTransition("A score must be between 0 and 100.")
            enrollment.score = score
    elif new == EnrollmentStatus.withdrawn:
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
        checked = EnrollmentStatus(status)
    except ValueError:
        return [f"unknown status '{status}' (allowed: {', '.join(EnrollmentStatus)})"]
    problems = []
    if checked in (EnrollmentStatus.completed, EnrollmentStatus.failed):
        if completed_on is None:
            problems.append(f"a {checked} enrollment needs completed_on")
        elif completed_on < enrolled_on:
            problems.append("completed_on is before enrolled_on")
    elif completed_on is not None:
        problems.append(f"an enrollment with status {checked} cannot have completed_on")
    if checked == EnrollmentStatus.withdrawn:
        if withdrawn_on is None:
            problems.append("a withdrawn enrollment needs withdrawn_on")
        elif withdrawn_on < enrolled_on:
            problems.append("withdrawn_on is before enrolled_on")
    elif withdrawn_on is not None:
        problems.append(f"an enrollment with status {checked} cannot have withdrawn_on")
    return problems
