"""Cleaning what a user typed into the snapshot form of a field, or a CodesignError naming the field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

import pycountry
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import (
    AssessmentSupervision,
    Credential,
    DeliveryMode,
    Organization,
    OrgKind,
    Partnership,
    QualificationCycle,
    Skill,
    SkillStatus,
    Stackability,
)
from services.codesign.rules import (
    CODE_RE,
    FIELDS,
    LABELS,
    MAX_ELEMENT_TEXT,
    MAX_OUTCOME,
    MAX_OUTCOMES,
    MAX_SKILLS,
    MAX_SUMMARY,
    CodesignError,
)
from services.formatting import label


def clean_text(value: Any, label: str, *, required: bool, max_len: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CodesignError(f"{label} must be text.")
    value = value.strip()
    if "\x00" in value:
        raise CodesignError(f"{label} contains a NUL character.")
    if required and not value:
        raise CodesignError(f"{label} is required.")
    if len(value) > max_len:
        raise CodesignError(f"{label} is {len(value):,} characters long; at most {max_len:,} are allowed.")
    return value


def clean_int(value: Any, label: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise CodesignError(f"{label} must be a whole number from {low} to {high}.")
    try:
        if isinstance(value, str):
            value = value.strip()
        number = Decimal(str(value))
        if number != number.to_integral_value():
            raise InvalidOperation
        number = int(number)
    except (InvalidOperation, ValueError, TypeError):
        raise CodesignError(f"{label} must be a whole number from {low} to {high}.") from None
    if not low <= number <= high:
        raise CodesignError(f"{label} must be a whole number from {low} to {high}; got {number}.")
    return number


def clean_decimal(value: Any, label: str, *, places: int, max_value: Decimal) -> str:
    unit = Decimal(1).scaleb(-places)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        amount = Decimal(str(value).strip().replace(",", ""))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise CodesignError(f"{label} must be a number (e.g. {Decimal(5).quantize(unit)}).") from None
    if amount < 0:
        raise CodesignError(f"{label} cannot be negative.")
    if amount > max_value:
        raise CodesignError(f"{label} must be at most {max_value}.")
    if amount != amount.quantize(unit):
        raise CodesignError(f"{label} has at most {places} decimal place{'s' if places > 1 else ''}.")
    return str(amount.quantize(unit))


def valid_esco_uri(uri: str | None) -> str | None:
    """An http(s) URI (e.g. http://data.europa.eu/esco/skill/...), or None; raises CodesignError."""
    if uri is None or not str(uri).strip():
        return None
    uri = str(uri).strip()
    parsed = urlparse(uri)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(char.isspace() for char in uri):
        raise CodesignError("The ESCO URI must be an http(s) address, e.g. http://data.europa.eu/esco/skill/….")
    if len(uri) > 300:
        raise CodesignError("The ESCO URI is longer than 300 characters.")
    return uri


def _clean_code(session: Session, cred: Credential, value: Any) -> str:
    code = clean_text(value, "Code", required=True, max_len=30)
    if not CODE_RE.match(code):
        raise CodesignError("Code may hold letters, digits, '.', '_' and '-' only, starting with a letter or digit.")
    taken = session.execute(
        select(Credential.id).where(func.lower(Credential.code) == code.lower(), Credential.id != cred.id)
    ).first()
    if taken:
        raise CodesignError(f"Code {code} is already used by another credential.")
    return code


def _clean_delivery_mode(value: Any) -> str:
    try:
        return DeliveryMode(str(value).strip()).value
    except ValueError:
        modes = ", ".join(mode.value for mode in DeliveryMode)
        raise CodesignError(f"Delivery mode must be one of: {modes}.") from None


def clean_country(value: Any) -> str | None:
    """An ISO 3166 country ("IE") or region ("ES-CT") code, upper case; None when blank."""
    code = clean_text(value, FIELDS["issuer_country"], required=False, max_len=6).upper()
    if not code:
        return None
    known = (pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.subdivisions.get(code=code))
    if known is None:
        raise CodesignError(f"{FIELDS['issuer_country']}: {code} is not an ISO 3166 country or region code "
                            "(e.g. IE for Ireland, ES-CT for Catalonia).")
    return code


def _choice(kind: type, name: str) -> Callable[[Any], str | None]:
    """A cleaner for an optional choice among ``kind``'s values (blank: not set)."""
    def clean(value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        try:
            return kind(str(value).strip()).value
        except ValueError:
            options = ", ".join(label(option) for option in kind)
            raise CodesignError(f"{FIELDS[name]} must be one of: {options}.") from None
    return clean


def _element_text(name: str) -> Callable[[Any], str]:
    return lambda value: clean_text(value, FIELDS[name], required=False, max_len=MAX_ELEMENT_TEXT)


def _clean_outcomes(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CodesignError("Learning outcomes must be a list of texts.")
    texts = [clean_text(text, f"Learning outcome {number}", required=True, max_len=MAX_OUTCOME)
             for number, text in enumerate(value, 1)]
    if len(texts) > MAX_OUTCOMES:
        raise CodesignError(f"At most {MAX_OUTCOMES} learning outcomes.")
    return texts


def _clean_skills(session: Session, value: Any) -> list[dict]:
    if isinstance(value, (str, dict)) or not isinstance(value, Iterable):
        raise CodesignError("Skills must be a list of {skill_id, proficiency}.")
    wanted: dict[int, int] = {}
    for item in value:
        try:
            skill_id = int(item["skill_id"])
        except (KeyError, TypeError, ValueError):
            raise CodesignError("Each skill mapping needs a skill.") from None
        if skill_id in wanted:
            raise CodesignError("A skill is mapped twice; map each skill once.")
        wanted[skill_id] = clean_int(item.get("proficiency"), "Proficiency", 1, 5)
    if len(wanted) > MAX_SKILLS:
        raise CodesignError(f"At most {MAX_SKILLS} skills.")
    # Only the shared list: a skill an employer proposed is used nowhere until the university accepts it (and
    # the refusal is the same as for an unknown id, so it tells nothing of another employer's proposal).
    rows = ({skill.id: skill for skill in session.scalars(select(Skill).where(
        Skill.id.in_(sorted(wanted)), Skill.status == SkillStatus.accepted)).all()} if wanted else {})
    if set(wanted) - set(rows):
        raise CodesignError("That skill does not exist in the skills list; choose one from the list (a proposed "
                            "skill joins it once the university accepts it).")
    mapped = ({"skill_id": skill_id, "name": rows[skill_id].name, "proficiency": proficiency,
               "esco_uri": rows[skill_id].esco_uri} for skill_id, proficiency in wanted.items())
    return sorted(mapped, key=lambda item: (item["name"].lower(), item["skill_id"]))


def _clean_partners(session: Session, cred: Credential, value: Any) -> list[dict]:
    if isinstance(value, (str, dict)) or not isinstance(value, Iterable):
        raise CodesignError("Co-designers must be a list of employers.")
    try:
        ids = {int(item["employer_id"] if isinstance(item, dict) else item) for item in value}
    except (KeyError, TypeError, ValueError):
        raise CodesignError("Each co-designer must be an employer.") from None
    partnered = set(session.scalars(
        select(Partnership.employer_id).where(Partnership.university_id == cred.university_id)
    ).all())
    if ids - partnered:
        raise CodesignError("Co-designers must be employers in partnership with the credential's university.")
    rows = session.execute(
        select(Organization.id, Organization.code, Organization.name)
        .where(Organization.id.in_(sorted(ids)), Organization.kind == OrgKind.employer)
    ).all() if ids else []
    employers = ({"employer_id": employer_id, "code": code, "name": name} for employer_id, code, name in rows)
    return sorted(employers, key=lambda item: (item["name"], item["employer_id"]))


# Fields whose value is cleaned without looking at the database.
_PLAIN: dict[str, Callable[[Any], Any]] = {
    "title": lambda value: clean_text(value, "Title", required=True, max_len=200),
    "summary": lambda value: clean_text(value, "Summary", required=False, max_len=MAX_SUMMARY),
    "eqf_level": lambda value: clean_int(value, "EQF level", 1, 8),
    "ects_credits": lambda value: clean_decimal(value, "ECTS credits", places=1, max_value=Decimal("9999.9")),
    "learning_hours": lambda value: clean_int(value, "Learning hours", 0, 100_000),
    "delivery_mode": _clean_delivery_mode,
    "price": lambda value: clean_decimal(value, "Price", places=2, max_value=Decimal("9999999999.99")),
    "outcomes": _clean_outcomes,
    "issuer_country": clean_country,
    "qualification_cycle": _choice(QualificationCycle, "qualification_cycle"),
    "assessment_supervision": _choice(AssessmentSupervision, "assessment_supervision"),
    "stackability": _choice(Stackability, "stackability"),
    **{name: _element_text(name) for name in ("assessment_type", "quality_assurance", "prerequisites",
                                              "stacks_towards", "further_information")},
}


def clean_field(session: Session, cred: Credential, name: str, value: Any) -> Any:
    """The value in snapshot form, or CodesignError with a message naming the field."""
    if name == "code":
        return _clean_code(session, cred, value)
    if name == "skills":
        return _clean_skills(session, value)
    if name == "partners":
        return _clean_partners(session, cred, value)
    if name not in _PLAIN:
        raise CodesignError(f"Unknown field '{name}'. Fields: {', '.join(LABELS)}.")
    return _PLAIN[name](value)


def clean_fields(session: Session, cred: Credential, values: dict[str, Any]) -> dict[str, Any]:
    """Every value cleaned; every problem reported at once (one CodesignError) when any is invalid."""
    problems, clean = [], {}
    for name, value in values.items():
        try:
            clean[name] = clean_field(session, cred, name, value)
        except CodesignError as exc:
            problems.append(str(exc))
    if problems:
        raise CodesignError(" ".join(problems))
    return clean
