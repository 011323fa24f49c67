"""Building an Open Badges 3.0 OpenBadgeCredential (unsigned) from a completed enrollment.

The Achievement is the credential (a MicroCredential); the subject is the learner, identified by a
salted hash only (see the package's Decisions).

The European elements (Council Recommendation on micro-credentials, Annex I) where OB 3.0 has a place:
ECTS in ``creditsAvailable``/``creditsEarned``; the EQF level as an Alignment to its Europa URI
(http://data.europa.eu/snb/eqf/N, framework "European Qualifications Framework") and a tag; skills as
Alignments to their ESCO URIs (framework "ESCO"); the grade as a Result linked to the "Grade"
ResultDescription (percent, 0–100); the awarding body is the issuer Profile (the university), with its
country (the credential's issuer_country, else the university's) as an Address and its legal identifier as
an IdentifierEntry; the form of participation, cycle and stackability as tags; type of assessment,
supervision and identity check, prerequisites, quality assurance, stackability and further information in
the criteria narrative, which OB 3.0 allows in Markdown (it has no field of its own for them).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

import pycountry
from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    Cohort,
    Credential,
    CredentialPartner,
    CredentialSkill,
    Employee,
    Enrollment,
    EnrollmentStatus,
    LearningOutcome,
    Organization,
    Skill,
)
from services.badges.settings import CONTEXT, SCHEMA_URL, BadgeError, base_url
from services.formatting import label

EQF_URI = "http://data.europa.eu/snb/eqf/{level}"
EQF_FRAMEWORK = "European Qualifications Framework"
ESCO_FRAMEWORK = "ESCO"
# Annex I's forms of participation: online, onsite, blended (on campus and at the workplace are both onsite).
PARTICIPATION = {"online": "online", "blended": "blended", "on_campus": "onsite (on campus)",
                 "workplace": "onsite (at the workplace)"}


def _date_time(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment.isoformat()}T00:00:00Z"


def _profile(organization: Organization) -> dict:
    return {"id": f"{base_url()}/issuers/{quote(organization.code, safe='')}", "type": ["Profile"],
            "name": organization.name}


def _issuer(university: Organization, credential: Credential) -> dict:
    """The awarding body: the university's Profile, with the issuer's country or region (ISO 3166: "IE", or a
    subdivision such as "ES-CT") and its legal identifier, when known."""
    profile = _profile(university)
    country = (credential.issuer_country or university.country or "").strip().upper()
    if country:
        address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": country[:2]}
        name = getattr(pycountry.countries.get(alpha_2=country[:2]), "name", None)
        if name:
            address["addressCountry"] = name
        if len(country) > 2:
            address["addressRegion"] = country
        profile["address"] = address
    if university.legal_identifier:
        profile["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": university.legal_identifier,
                                       "identifierType": "ext:LegalIdentifier"}]
    return profile


def credential_uri(enrollment_id: int) -> str:
    """Stable per enrollment and deployment, so a re-export keeps the badge's id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/enrollments/{enrollment_id}')}"


def _narrative(university: Organization, outcomes: list[str], named: list[Organization], others: int) -> str:
    """The criteria: the learning outcomes, numbered, and who co-designed the credential (the co-designers the
    badge may not name only counted, as the learner's employer's catalogue shows them)."""
    if outcomes:
        narrative = "Learners who earn this micro-credential can:\n\n" + "\n".join(
            f"{number}. {outcome}" for number, outcome in enumerate(outcomes, 1))
    else:
        narrative = "Completion of the micro-credential."
    names = [partner.name for partner in named]
    if others:
        employers = f"employer{'s' if others > 1 else ''}"
        names.append(f"{others} other {employers}" if names else f"{others} {employers}")
    if names:
        narrative += f"\n\nCo-designed by {university.name} with {' and '.join(names)}."
    return narrative


def _european_details(credential: Credential) -> str:
    """Annex I's elements that OB 3.0 has no field for, as Markdown lines of the criteria narrative."""
    lines = [("Form of participation", PARTICIPATION.get(credential.delivery_mode, label(credential.delivery_mode))),
             ("Type of assessment", credential.assessment_type),
             ("Supervision and identity verification during assessment",
              label(credential.assessment_supervision) if credential.assessment_supervision else ""),
             ("Prerequisites to enrol", credential.prerequisites),
             ("Type of quality assurance", credential.quality_assurance),
             ("Integration and stackability", _stackability(credential)),
             ("Further information", credential.further_information)]
    return "\n".join(f"- **{name}**: {' '.join(value.split())}" for name, value in lines if value and value.strip())


def _stackability(credential: Credential) -> str:
    if not credential.stackability:
        return ""
    towards = (credential.stacks_towards or "").strip()
    return f"{label(credential.stackability)}{f', towards {towards}' if towards else ''}"


def _eqf_alignment(level: int) -> dict:
    return {"type": ["Alignment"], "targetName": f"EQF level {level}", "targetUrl": EQF_URI.format(level=level),
            "targetCode": str(level), "targetFramework": EQF_FRAMEWORK, "targetType": "ext:EQFLevel"}


def _tags(credential: Credential) -> list[str]:
    tags = [f"EQF level {credential.eqf_level}",
            PARTICIPATION.get(credential.delivery_mode, label(credential.delivery_mode))]
    if credential.qualification_cycle:
        tags.append(f"{label(credential.qualification_cycle)} (QF-EHEA)")
    if credential.stackability:
        tags.append(label(credential.stackability))
    return tags


def _alignments(university: Organization, skills: list) -> list[dict]:
    """The credential's skills: ESCO skills by their URI, the others by the university's own skill ids."""
    return [
        {
            "type": ["Alignment"],
            "targetName": name,
            "targetUrl": esco_uri or f"{base_url()}/skills/{skill_id}",
            "targetCode": esco_uri or str(skill_id),
            "targetFramework": ESCO_FRAMEWORK if esco_uri else f"{university.name} skills",
            "targetType": "ext:ESCOSkill" if esco_uri else "ext:Skill",
            "targetDescription": f"Proficiency {proficiency} of 5",
        }
        for skill_id, name, esco_uri, proficiency in skills
    ]


def _co_designers(session: Session, credential: Credential, employer_id: int) -> tuple[list[Organization], int]:
    """The co-designers a badge names (the learner's employer, when it is one) and how many others there are.

    The badge goes to the learner and their employer, who may not learn which other employers co-design the
    credential (db/scope.py: an employer sees no other employer); naming only the learner's employer keeps
    the badge the same whoever exports it, so a re-export signs the same claims."""
    partner_ids = set(session.scalars(select(CredentialPartner.employer_id)
                                      .where(CredentialPartner.credential_id == credential.id)).all())
    named = [session.get(Organization, employer_id)] if employer_id in partner_ids else []
    return named, len(partner_ids) - len(named)


def achievement(session: Session, credential: Credential, *, employer_id: int) -> dict:
    """The credential as an OB 3.0 Achievement (MicroCredential), for a learner employed by ``employer_id``."""
    university = session.get(Organization, credential.university_id)
    achievement_id = f"{base_url()}/achievements/{quote(credential.code, safe='')}"
    outcomes = session.scalars(select(LearningOutcome.text).where(LearningOutcome.credential_id == credential.id)
                               .order_by(LearningOutcome.position)).all()
    skills = session.execute(
        select(Skill.id, Skill.name, Skill.esco_uri, CredentialSkill.proficiency)
        .join(CredentialSkill, CredentialSkill.skill_id == Skill.id)
        .where(CredentialSkill.credential_id == credential.id).order_by(Skill.name)
    ).all()
    named, others = _co_designers(session, credential, employer_id)
    narrative = _narrative(university, outcomes, named, others)
    details = _european_details(credential)
    document: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": credential.title,
        "description": credential.summary or credential.title,
        "criteria": {"narrative": f"{narrative}\n\n{details}" if details else narrative},
        "humanCode": credential.code,
        "version": str(credential.version),
        "creditsAvailable": float(credential.ects_credits),
        "tag": _tags(credential),
        "alignment": [_eqf_alignment(credential.eqf_level), *_alignments(university, skills)],
        "resultDescription": [
            {"id": f"{achievement_id}#status", "type": ["ResultDescription"], "name": "Status",
             "resultType": "Status"},
            {"id": f"{achievement_id}#grade", "type": ["ResultDescription"], "name": "Grade", "resultType": "Percent",
             "valueMin": "0", "valueMax": "100"},
        ],
    }
    # Open Badges allows one creator: the learner's employer when it co-designed the credential alone, else the
    # university, with the co-designer it may name beside it.
    if named and not others:
        document["creator"] = _profile(named[0])
    elif named or others:
        document["creator"] = _profile(university)
    if named and others:
        document["coDesigners"] = [_profile(partner) for partner in named]
    return document


def _identity(email: str | None, employer_code: str, employee_ref: str, salt: str) -> dict:
    if email and email.strip():
        value, kind = email.strip().lower(), "emailAddress"
    else:
        value, kind = f"{employer_code}:{employee_ref}", "sourcedId"
    digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": kind, "hashed": True,
            "salt": salt}


def _results(enrollment: Enrollment, achievement_id: str) -> list[dict]:
    results: list[dict] = [{"type": ["Result"], "resultDescription": f"{achievement_id}#status",
                            "status": "Completed"}]
    if enrollment.score is not None:
        results.append({"type": ["Result"], "resultDescription": f"{achievement_id}#grade",
                        "value": f"{enrollment.score:g}"})
    return results


def build(session: Session, enrollment: Enrollment, *, _achievements: dict | None = None) -> dict:
    """The OpenBadgeCredential for one completed enrollment (unsigned)."""
    if enrollment.status != EnrollmentStatus.completed or enrollment.completed_on is None:
        raise BadgeError(f"Enrollment {enrollment.id} is not completed; only completions earn a badge.")
    credential = session.get(Credential, enrollment.credential_id)
    employee = session.get(Employee, enrollment.employee_id)
    employer = session.get(Organization, employee.employer_id)
    university = session.get(Organization, credential.university_id)
    achievements = _achievements if _achievements is not None else {}
    if (credential.id, employer.id) not in achievements:
        achievements[credential.id, employer.id] = achievement(session, credential, employer_id=employer.id)
    badge_achievement = achievements[credential.id, employer.id]
    badge_id = credential_uri(enrollment.id)
    salt = hashlib.sha256(f"salt:{badge_id}".encode()).hexdigest()[:16]
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(employee.email, employer.code, employee.employee_ref, salt)],
        "achievement": badge_achievement,
        "activityStartDate": _date_time(enrollment.enrolled_on),
        "activityEndDate": _date_time(enrollment.completed_on),
        "creditsEarned": float(credential.ects_credits),
        "result": _results(enrollment, badge_achievement["id"]),
    }
    cohort = session.get(Cohort, enrollment.cohort_id)
    if cohort is not None:
        subject["term"] = cohort.code
    return {
        "@context": list(CONTEXT),
        "id": badge_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credential.title,
        "issuer": _issuer(university, credential),
        "validFrom": _date_time(enrollment.completed_on),
        "awardedDate": _date_time(enrollment.completed_on),
        "credentialSubject": subject,
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
