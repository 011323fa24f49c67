"""Building a European Digital Credential (ELM v3, JSON-LD, unsealed) for one completed enrollment.

Modelled on the Commission's micro-credential sample (Sample-MC-Annex1): the learner (a Person) claims a
LearningAchievement, specified by a LearningAchievementSpecification (title, outcomes, ECTS, EQF level, form
of participation, prerequisites), proven by a LearningAssessment (type of assessment, grade, supervision) and
awarded by the university (the awarding body, also the issuer). Ids are stable per enrollment.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session

from db.models import Credential, Employee, Enrollment, EnrollmentStatus, Organization
from services.badges.settings import base_url
from services.edc import vocabulary as cv
from services.edc.awarding_body import organisation
from services.edc.display import display_parameter
from services.edc.nodes import node_id as _node_id
from services.edc.nodes import note as _note
from services.edc.nodes import text as _text
from services.edc.settings import CONTEXT, SHAPES_ID, TYPE, EdcError
from services.edc.specification import cached_specification
from services.formatting import label


def _date_time(day: date) -> str:
    """A date as the credential's xsd:dateTime: midnight UTC (the product records completion dates)."""
    return f"{day.isoformat()}T00:00:00Z"


def credential_uri(enrollment_id: int) -> str:
    """Stable per enrollment and deployment (and not the Open Badge's id: it is another credential)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/edc/enrollments/{enrollment_id}')}"


def assessment(credential_id: str, credential: Credential, enrollment: Enrollment) -> dict:
    """The assessment that proves the achievement: its type, the grade (the score) and the supervision."""
    title = credential.assessment_type.strip() or "Assessment"
    node: dict = {
        "id": _node_id(credential_id, "assessment"),
        "type": "LearningAssessment",
        "title": _text(title),
        "specifiedBy": {"id": _node_id(credential_id, "assessment-specification"),
                        "type": "LearningAssessmentSpecification", "title": _text(title),
                        "mode": cv.MODES[credential.delivery_mode], "language": cv.ENGLISH},
    }
    # The shapes require a grade: the score when one was recorded, else the completion itself.
    grade = "Passed" if enrollment.score is None else f"{enrollment.score:g} out of 100"
    node["grade"] = _note(credential_id, "grade", grade)
    if credential.assessment_supervision in cv.SUPERVISION:
        node["idVerification"] = cv.SUPERVISION[credential.assessment_supervision]
    elif credential.assessment_supervision:
        node["additionalNote"] = [_note(credential_id, "supervision",
                                        f"Supervision: {label(credential.assessment_supervision).lower()}")]
    return node


def build(session: Session, enrollment: Enrollment, *, _specifications: dict | None = None) -> dict:
    """The EuropeanDigitalCredential of one completed enrollment (unsealed). ``_specifications``: an export's
    cache of the credentials' specifications, which depend on the credential only."""
    if enrollment.status != EnrollmentStatus.completed or enrollment.completed_on is None:
        raise EdcError(f"Enrollment {enrollment.id} is not completed; only completions earn a credential.")
    credential = session.get(Credential, enrollment.credential_id)
    employee = session.get(Employee, enrollment.employee_id)
    university = session.get(Organization, credential.university_id)
    credential_id = credential_uri(enrollment.id)
    awarding_body = organisation(university, country_code=credential.issuer_country)
    completed = _date_time(enrollment.completed_on)
    awarding = {"id": _node_id(credential_id, "awarding"), "type": "AwardingProcess",
                "awardingBody": awarding_body, "awardingDate": completed}
    achievement = {
        "id": _node_id(credential_id, "achievement"),
        "type": "LearningAchievement",
        "title": _text(credential.title),
        "awardedBy": awarding,
        "provenBy": {**assessment(credential_id, credential, enrollment), "awardedBy": awarding},
        "specifiedBy": cached_specification(session, credential, _specifications),
    }
    return {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": list(TYPE),
        "credentialProfiles": cv.GENERIC_PROFILE,
        "credentialSchema": {"id": SHAPES_ID, "type": "ShaclValidator2017"},
        "credentialSubject": {"id": _node_id(credential_id, "learner"), "type": "Person",
                              "fullName": _text(employee.full_name), "hasClaim": achievement},
        "issuer": awarding_body,
        "issued": completed,
        "issuanceDate": completed,
        "validFrom": completed,
        "displayParameter": display_parameter(lambda name: _node_id(credential_id, name), credential.title),
    }

