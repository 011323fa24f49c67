"""The LearningAchievementSpecification of a micro-credential: title, outcomes, ECTS, EQF level, form of
participation, prerequisites, volume of learning, and the Annex I elements ELM has no property for (as notes).
One per credential version, shared by every learner's credential (and built once per export)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from db.models import Credential, LearningOutcome
from services.badges.settings import base_url
from services.edc import vocabulary as cv
from services.edc.nodes import node_id as _node_id
from services.edc.nodes import note as _note
from services.edc.nodes import text as _text
from services.formatting import label


def _points(ects: Decimal) -> str:
    return format(Decimal(ects).normalize(), "f")


def _specification_notes(credential_id: str, credential: Credential) -> list[dict]:
    """Annex I elements ELM has no property of its own for, as notes, when set."""
    notes = []
    if credential.qualification_cycle:
        notes.append(("cycle", "Qualifications Framework of the European Higher Education Area: "
                               f"{label(credential.qualification_cycle).lower()}"))
    if credential.quality_assurance.strip():
        notes.append(("quality-assurance", f"Quality assurance: {credential.quality_assurance.strip()}"))
    if credential.stackability:
        text = f"Stackability: {label(credential.stackability).lower()}"
        if credential.stacks_towards.strip():
            text += f", towards {credential.stacks_towards.strip()}"
        notes.append(("stackability", text))
    if credential.further_information.strip():
        notes.append(("further-information", f"Further information: {credential.further_information.strip()}"))
    return [_note(credential_id, name, text) for name, text in notes]


def specification_uri(credential: Credential) -> str:
    """The specification is the micro-credential's (one per version), shared by every learner's credential."""
    name = f"{base_url()}/credentials/{credential.id}/v{credential.version}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def cached_specification(session: Session, credential: Credential, cache: dict | None) -> dict:
    if cache is None:
        return specification(session, specification_uri(credential), credential)
    if credential.id not in cache:
        cache[credential.id] = specification(session, specification_uri(credential), credential)
    return cache[credential.id]


def specification(session: Session, credential_id: str, credential: Credential) -> dict:
    """The LearningAchievementSpecification; ``credential_id`` (the specification's uri) seeds its nodes' ids."""
    outcomes = session.scalars(select(LearningOutcome).where(LearningOutcome.credential_id == credential.id)
                               .order_by(LearningOutcome.position)).all()
    node: dict = {
        "id": _node_id(credential_id, "specification"),
        "type": "LearningAchievementSpecification",
        "title": _text(credential.title),
        "creditPoint": {"id": _node_id(credential_id, "credit"), "type": "CreditPoint", "framework": cv.ECTS,
                        "point": _points(credential.ects_credits)},
        "eqfLevel": cv.eqf_level(credential.eqf_level),
        "language": cv.ENGLISH,
        "learningOutcome": [{"id": _node_id(credential_id, f"outcome-{outcome.id}"), "type": "LearningOutcome",
                             "title": _text(outcome.text)} for outcome in outcomes],
        "mode": cv.MODES[credential.delivery_mode],
    }
    if credential.summary.strip():
        node["description"] = _text(credential.summary.strip())
    if credential.learning_hours:
        node["volumeOfLearning"] = f"PT{credential.learning_hours}H"
    if credential.prerequisites.strip():
        node["entryRequirement"] = _note(credential_id, "prerequisites", credential.prerequisites.strip())
    notes = _specification_notes(credential_id, credential)
    if notes:
        node["additionalNote"] = notes
    return node
