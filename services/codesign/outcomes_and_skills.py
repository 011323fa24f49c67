"""Learning outcomes and skill mappings: small helpers that build the new list and save it through save_draft
(the skills list itself: ``vocabulary``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from db.models import CredentialRevision, Skill
from db.scope import Scope
from services.codesign.editing import save_draft
from services.codesign.loading import outcome_texts, skill_map
from services.codesign.rules import CodesignError


def _checked_index(items: list, index: int, what: str = "learning outcome") -> int:
    if not 0 <= index < len(items):
        raise CodesignError(f"There is no {what} number {index + 1}.")
    return index


def _save_outcomes(session: Session, scope: Scope, credential_id: int, expected_version: int, items: list[str],
                   summary: str) -> CredentialRevision | None:
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"outcomes": items}, summary=summary)


def add_outcome(session, scope, *, credential_id: int, expected_version: int, text: str, position: int | None = None):
    """Insert an outcome at ``position`` (1-based; default: last)."""
    items = outcome_texts(session, credential_id)
    index = len(items) if position is None else max(0, min(len(items), int(position) - 1))
    items.insert(index, text)
    return _save_outcomes(session, scope, credential_id, expected_version, items,
                          f"Added learning outcome {index + 1}")


def edit_outcome(session, scope, *, credential_id: int, expected_version: int, index: int, text: str):
    """Replace the text of outcome ``index`` (0-based)."""
    items = outcome_texts(session, credential_id)
    items[_checked_index(items, index)] = text
    return _save_outcomes(session, scope, credential_id, expected_version, items,
                          f"Edited learning outcome {index + 1}")


def remove_outcome(session, scope, *, credential_id: int, expected_version: int, index: int):
    items = outcome_texts(session, credential_id)
    items.pop(_checked_index(items, index))
    return _save_outcomes(session, scope, credential_id, expected_version, items,
                          f"Removed learning outcome {index + 1}")


def reorder_outcomes(session, scope, *, credential_id: int, expected_version: int, order: Sequence[int]):
    """Put the outcomes in ``order`` (a permutation of 0-based current positions)."""
    items = outcome_texts(session, credential_id)
    if sorted(order) != list(range(len(items))):
        raise CodesignError("The new order must list every learning outcome once.")
    return _save_outcomes(session, scope, credential_id, expected_version, [items[i] for i in order],
                          "Reordered learning outcomes")


def move_outcome(session, scope, *, credential_id: int, expected_version: int, index: int, delta: int):
    """Move outcome ``index`` (0-based) up (delta -1) or down (+1)."""
    count = len(outcome_texts(session, credential_id))
    _checked_index(list(range(count)), index)
    target = index + delta
    if not 0 <= target < count:
        raise CodesignError("That learning outcome cannot move further.")
    order = list(range(count))
    order[index], order[target] = order[target], order[index]
    return reorder_outcomes(session, scope, credential_id=credential_id, expected_version=expected_version, order=order)


def _as_changes(mapping: dict[int, int]) -> dict[str, list[dict]]:
    return {"skills": [{"skill_id": skill_id, "proficiency": level} for skill_id, level in mapping.items()]}


def set_skill(session, scope, *, credential_id: int, expected_version: int, skill_id: int, proficiency: int):
    """Map a skill at a proficiency (1-5), or change the proficiency of a mapped one."""
    current = skill_map(session, credential_id)
    current[int(skill_id)] = proficiency
    skill = session.get(Skill, int(skill_id))
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes=_as_changes(current),
                      summary=f"Mapped skill {skill.name if skill else skill_id} at proficiency {proficiency}")


def remove_skill(session, scope, *, credential_id: int, expected_version: int, skill_id: int):
    current = skill_map(session, credential_id)
    if int(skill_id) not in current:
        raise CodesignError("That skill is not mapped to this credential.")
    del current[int(skill_id)]
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes=_as_changes(current))
