"""The co-design vocabulary: its errors, the sign-off workflow's transitions, the fields of a credential's content."""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.models import CredentialStatus

TRANSITIONS: dict[CredentialStatus, frozenset[CredentialStatus]] = {
    CredentialStatus.draft: frozenset({CredentialStatus.in_review}),
    CredentialStatus.in_review: frozenset({CredentialStatus.draft, CredentialStatus.approved}),
    CredentialStatus.approved: frozenset({CredentialStatus.draft, CredentialStatus.in_review,
                                          CredentialStatus.published}),
    CredentialStatus.published: frozenset({CredentialStatus.retired}),
    CredentialStatus.retired: frozenset(),
}
# Which statuses allow content changes (EDITABLE) is an action rule: services/permissions.py.

FIELDS: dict[str, str] = {
    "code": "Code",
    "title": "Title",
    "summary": "Summary",
    "eqf_level": "EQF level",
    "ects_credits": "ECTS credits",
    "learning_hours": "Learning hours",
    "delivery_mode": "Delivery mode",
    "price": "Price",
    # The Council Recommendation's elements (Annex I) the fields above do not hold: services/codesign/completeness.py.
    "issuer_country": "Country or region of the issuer",
    "qualification_cycle": "Cycle (QF-EHEA)",
    "assessment_type": "Type of assessment",
    "quality_assurance": "Type of quality assurance",
    "prerequisites": "Prerequisites to enrol",
    "assessment_supervision": "Supervision and identity verification",
    "stackability": "Stackability",
    "stacks_towards": "Stacks towards",
    "further_information": "Further information",
}
# The value of each European element in a revision saved before it existed (so old versions compare equal).
EUROPEAN_DEFAULTS: dict[str, str | None] = {
    "issuer_country": None, "qualification_cycle": None, "assessment_type": "", "quality_assurance": "",
    "prerequisites": "", "assessment_supervision": None, "stackability": None, "stacks_towards": "",
    "further_information": "",
}
LIST_FIELDS: dict[str, str] = {
    "outcomes": "Learning outcomes",
    "skills": "Skills",
    "partners": "Co-designing employers",
}
LABELS = FIELDS | LIST_FIELDS
# What a change proposal may be about (co-designers are the university's choice, not a proposal).
PROPOSABLE = tuple(FIELDS) + ("outcomes", "skills")

MAX_SUMMARY = 5000
MAX_ELEMENT_TEXT = 2000  # assessment type, quality assurance, prerequisites, stacks towards, further information
MAX_OUTCOME = 1000
MAX_OUTCOMES = 30
MAX_SKILLS = 50
MAX_RATIONALE = 2000
MAX_COMMENT = 2000
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class CodesignError(ValueError):
    """A co-design change that was refused, with a message for the person who asked."""


class InvalidTransition(CodesignError):
    """A status change the sign-off workflow does not allow."""


@dataclass(frozen=True)
class Change:
    """One readable difference between two versions."""

    field: str
    before: str
    after: str


class EditConflict(CodesignError):
    """Someone else saved the credential after the version this change was based on."""

    def __init__(self, message: str, *, current_version: int, theirs: list[Change]):
        super().__init__(message)
        self.current_version = current_version
        self.theirs = theirs


def check_transition(current: str, new: str) -> None:
    try:
        old_status, new_status = CredentialStatus(current), CredentialStatus(new)
    except ValueError as exc:
        raise InvalidTransition(f"Unknown credential status: {exc}") from None
    if new_status not in TRANSITIONS[old_status]:
        allowed = ", ".join(status.replace("_", " ") for status in sorted(TRANSITIONS[old_status])) \
            or "none (final status)"
        raise InvalidTransition(
            f"A credential cannot go from '{old_status.replace('_', ' ')}' to '{new_status.replace('_', ' ')}'. "
            f"Allowed next: {allowed}."
        )
