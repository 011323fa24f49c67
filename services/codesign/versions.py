"""Versions of a credential's content: snapshots (plain JSON data), saved revisions, readable diffs, conflicts."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    LearningOutcome,
    Organization,
    Skill,
)
from services.codesign.rules import EUROPEAN_DEFAULTS, FIELDS, LIST_FIELDS, Change, EditConflict
from services.codesign.text import show

BASELINE_BY = "(baseline)"
BASELINE_SUMMARY = "Content before the first tracked change"


def _decimal_text(value: Any, places: int) -> str:
    return str(Decimal(str(value if value is not None else 0)).quantize(Decimal(1).scaleb(-places)))


def snapshot(session: Session, cred: Credential) -> dict:
    """The credential's full content (fields, outcomes, skills, co-designers) as plain JSON data."""
    outcomes = session.scalars(
        select(LearningOutcome.text).where(LearningOutcome.credential_id == cred.id).order_by(LearningOutcome.position)
    ).all()
    skills = session.execute(
        select(Skill.id, Skill.name, CredentialSkill.proficiency, Skill.esco_uri)
        .join(CredentialSkill, CredentialSkill.skill_id == Skill.id)
        .where(CredentialSkill.credential_id == cred.id)
    ).all()
    partners = session.execute(
        select(Organization.id, Organization.code, Organization.name)
        .join(CredentialPartner, CredentialPartner.employer_id == Organization.id)
        .where(CredentialPartner.credential_id == cred.id)
    ).all()
    return {
        "code": cred.code,
        "title": cred.title,
        "summary": cred.summary or "",
        "eqf_level": int(cred.eqf_level),
        "ects_credits": _decimal_text(cred.ects_credits, 1),
        "learning_hours": int(cred.learning_hours),
        "delivery_mode": cred.delivery_mode,
        "price": _decimal_text(cred.price, 2),
        **{name: getattr(cred, name) if getattr(cred, name) is not None else default
           for name, default in EUROPEAN_DEFAULTS.items()},
        "outcomes": list(outcomes),
        "skills": sorted(({"skill_id": skill_id, "name": name, "proficiency": proficiency, "esco_uri": uri}
                          for skill_id, name, proficiency, uri in skills),
                         key=lambda item: (item["name"].lower(), item["skill_id"])),
        "partners": sorted(({"employer_id": employer_id, "code": code, "name": name}
                            for employer_id, code, name in partners),
                           key=lambda item: (item["name"], item["employer_id"])),
    }


# --- Diffs -----------------------------------------------------------------------


def _field_changes(old: dict, new: dict) -> list[Change]:
    return [Change(label, show(name, old.get(name)), show(name, new.get(name)))
            for name, label in FIELDS.items() if old.get(name) != new.get(name)]


def _numbered(texts: list[str]) -> str:
    return "\n".join(f"{number}. {text}" for number, text in enumerate(texts, 1))


def _outcome_changes(old: dict, new: dict) -> list[Change]:
    """The whole list when only the order changed, else each numbered outcome that differs."""
    old_items, new_items = old.get("outcomes") or [], new.get("outcomes") or []
    if old_items == new_items:
        return []
    if sorted(old_items) == sorted(new_items):
        return [Change("Learning outcomes (order)", _numbered(old_items), _numbered(new_items))]
    changes = []
    for i in range(max(len(old_items), len(new_items))):
        before = old_items[i] if i < len(old_items) else None
        after = new_items[i] if i < len(new_items) else None
        if before != after:
            changes.append(Change(f"Learning outcome {i + 1}", show("", before), show("", after)))
    return changes


def _skill_changes(old: dict, new: dict) -> list[Change]:
    old_skills = {item["name"]: item for item in old.get("skills") or []}
    new_skills = {item["name"]: item for item in new.get("skills") or []}
    changes = []
    for name in sorted(set(old_skills) | set(new_skills), key=str.lower):
        before, after = old_skills.get(name), new_skills.get(name)
        before_text = f"proficiency {before['proficiency']}" if before else "—"
        after_text = f"proficiency {after['proficiency']}" if after else "—"
        if before_text != after_text:
            changes.append(Change(f"Skill: {name}", before_text, after_text))
    return changes


def _partner_changes(old: dict, new: dict) -> list[Change]:
    before = ", ".join(item["name"] for item in old.get("partners") or [])
    after = ", ".join(item["name"] for item in new.get("partners") or [])
    return [Change(LIST_FIELDS["partners"], before or "—", after or "—")] if before != after else []


def _content(version: CredentialRevision | dict) -> dict:
    """A snapshot with every field: one saved before the European elements existed reads as having them empty."""
    content = json.loads(version.snapshot) if isinstance(version, CredentialRevision) else (version or {})
    return {**EUROPEAN_DEFAULTS, **content} if content else content


def diff(a: CredentialRevision | dict, b: CredentialRevision | dict) -> list[Change]:
    """What changed from ``a`` to ``b`` (revisions or snapshots), as readable (field, before, after) rows."""
    old, new = _content(a), _content(b)
    return [*_field_changes(old, new), *_outcome_changes(old, new), *_skill_changes(old, new),
            *_partner_changes(old, new)]


def diff_frame(changes: list[Change]) -> pd.DataFrame:
    return pd.DataFrame([(change.field, change.before, change.after) for change in changes],
                        columns=["field", "before", "after"])


def summary_of(changes: list[Change]) -> str:
    text = "Changed " + "; ".join(change.field for change in changes) if changes else "No change"
    return text if len(text) <= 500 else text[:497] + "…"


# --- Saved revisions ---------------------------------------------------------------


def find_revision(session: Session, credential_id: int, version: int) -> CredentialRevision | None:
    return session.execute(
        select(CredentialRevision).where(CredentialRevision.credential_id == credential_id,
                                         CredentialRevision.version == version)
    ).scalar_one_or_none()


def add_baseline(session: Session, cred: Credential, version: int, content: dict, saved_at: datetime) -> None:
    """Record ``content`` as the revision of ``version``, for credentials created before co-design tracking:
    the version they start from stays comparable."""
    session.add(CredentialRevision(credential_id=cred.id, version=version,
                                   snapshot=json.dumps(content, sort_keys=True), saved_by=BASELINE_BY,
                                   saved_at=cred.updated_at or saved_at, summary=BASELINE_SUMMARY))


def conflict(session: Session, credential_id: int, expected_version: int) -> EditConflict:
    """Describe what others saved after ``expected_version``. The session must be clean (rolled back)."""
    cred = session.execute(
        select(Credential).where(Credential.id == credential_id).execution_options(populate_existing=True)
    ).scalar_one()
    later = session.scalars(
        select(CredentialRevision).where(CredentialRevision.credential_id == credential_id,
                                         CredentialRevision.version > expected_version)
        .order_by(CredentialRevision.version)
    ).all()
    base = find_revision(session, credential_id, expected_version)
    theirs = diff(base, snapshot(session, cred)) if base is not None else []
    who = "; ".join(f"{rev.saved_by} saved version {rev.version} at {rev.saved_at:%d %b %Y %H:%M} UTC"
                    for rev in later[-3:])
    if cred.version == expected_version:
        message = f"{cred.code} changed status meanwhile (now {cred.status.replace('_', ' ')}); nothing was saved."
    else:
        message = (f"Someone else saved {cred.code} after the version you opened (version {expected_version}; "
                   f"it is now version {cred.version}): {who or 'another user'}. Nothing of yours was saved. "
                   "Their change is shown below; reload the latest version and make your change again.")
    return EditConflict(message, current_version=cred.version, theirs=theirs)
