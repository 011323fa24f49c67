"""The Council Recommendation's elements of a micro-credential (16 June 2022, Annex I): which a credential has.

A credential cannot be submitted for review or published until every mandatory element is set
(services/codesign/workflow.py). Some elements are never missing here: the learner and the date of issuing
belong to each completion, the awarding body is the credential's university, and the EQF level and the form
of participation (the delivery mode) always have a value. The checklist shows them too, with where they come
from, so the page lists the Recommendation's elements in full.

``missing`` reads a snapshot (services/codesign/versions.snapshot); ``complete_condition`` is the same
rule in SQL for the catalogue's filter. tests/services/test_completeness.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, func, select

from db.models import Credential, LearningOutcome
from services.codesign.rules import FIELDS, CodesignError
from services.codesign.text import show


@dataclass(frozen=True)
class Element:
    """One Annex I element: its name, whether the credential has it, and the value or where it comes from."""

    name: str
    mandatory: bool
    met: bool
    shown: str


def _text(name: str) -> Callable[[dict], bool]:
    return lambda content: bool(str(content.get(name) or "").strip())


# (element, the snapshot field it is edited in or None, whether it is set). In Annex I's order.
MANDATORY: tuple[tuple[str, str | None, Callable[[dict], bool]], ...] = (
    ("Identification of the learner", None, lambda content: True),
    ("Title", "title", _text("title")),
    ("Country or region of the issuer", "issuer_country", _text("issuer_country")),
    ("Awarding body", None, lambda content: True),
    ("Date of issuing", None, lambda content: True),
    ("Learning outcomes", "outcomes", lambda content: bool(content.get("outcomes"))),
    ("Notional workload (ECTS credits)", "ects_credits",
     lambda content: Decimal(str(content.get("ects_credits") or 0)) > 0),
    ("Level (EQF)", "eqf_level", lambda content: bool(content.get("eqf_level"))),
    ("Type of assessment", "assessment_type", _text("assessment_type")),
    ("Form of participation", "delivery_mode", _text("delivery_mode")),
    ("Type of quality assurance", "quality_assurance", _text("quality_assurance")),
)
OPTIONAL: tuple[tuple[str, str], ...] = (
    ("Cycle (QF-EHEA), where it applies", "qualification_cycle"),
    ("Prerequisites to enrol", "prerequisites"),
    ("Supervision and identity verification during assessment", "assessment_supervision"),
    ("Grade achieved", ""),
    ("Integration or stackability options", "stackability"),
    ("Further information", "further_information"),
)
_FROM_ELSEWHERE = {
    "Identification of the learner": "From each learner's record, when the credential is issued",
    "Date of issuing": "The completion date, when the credential is issued",
    "Grade achieved": "Each learner's score, when the credential is issued",
}


def missing(content: dict) -> list[str]:
    """The mandatory elements ``content`` (a snapshot) lacks, in Annex I's order."""
    return [name for name, _field, is_set in MANDATORY if not is_set(content)]


def _shown(name: str, field: str | None, content: dict, awarding_body: str) -> str:
    if name in _FROM_ELSEWHERE:
        return _FROM_ELSEWHERE[name]
    if name == "Awarding body":
        return awarding_body
    if field == "outcomes":
        count = len(content.get("outcomes") or [])
        return f"{count} learning outcome{'' if count == 1 else 's'}" if count else "—"
    if field == "stackability" and content.get("stackability") == "stackable" and content.get("stacks_towards"):
        return f"{show(field, content[field])}: towards {content['stacks_towards']}"
    return show(field, content.get(field)) if field else "—"


def checklist(content: dict, *, awarding_body: str) -> list[Element]:
    """Every Annex I element, mandatory first, with whether it is set and what it reads."""
    elements = [Element(name, True, is_set(content), _shown(name, field, content, awarding_body))
                for name, field, is_set in MANDATORY]
    for name, field in OPTIONAL:
        shown = _shown(name, field, content, awarding_body)
        elements.append(Element(name, False, name in _FROM_ELSEWHERE or shown != "—", shown))
    return elements


def require_complete(content: dict, code: str, before: str) -> None:
    """Refuse (CodesignError naming every missing element) a step ``before`` which all must be set."""
    lacking = missing(content)
    if lacking:
        raise CodesignError(f"Before {before}, {code} needs every mandatory element of the European standard "
                            f"for micro-credentials. Missing: {', '.join(lacking)}.")


def complete_condition() -> ColumnElement[bool]:
    """``missing(snapshot) == []`` as SQL over Credential (title and level are always set: required columns)."""
    def has(column) -> ColumnElement[bool]:
        return func.length(func.trim(func.coalesce(column, ""))) > 0

    has_outcome = exists(select(LearningOutcome.id).where(LearningOutcome.credential_id == Credential.id))
    return (has(Credential.issuer_country) & has(Credential.assessment_type) & has(Credential.quality_assurance)
            & has(Credential.delivery_mode) & (Credential.ects_credits > 0) & has_outcome)


ELEMENT_FIELDS = frozenset(field for _name, field, _is_set in MANDATORY if field) | frozenset(
    field for _name, field in OPTIONAL if field)
assert ELEMENT_FIELDS <= set(FIELDS) | {"outcomes"}, "every element is edited in a field of the studio"
