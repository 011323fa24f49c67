"""The skills vocabulary: one list of skills every organisation shares, which the universities keep.

A partnership officer (or an admin) adds a skill to it directly. An HR manager proposes one: until a partnership
officer of a university partnered with the employer accepts it, only that employer and those universities see it
(db/scope.py) and nothing may use it (credential mappings, proposals, PDP goals, imports); a rejected skill stays
out of the list. Who may do what: services/permissions.py, section "Skills vocabulary".
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import Organization, Skill, SkillStatus, utcnow
from db.scope import Scope, visible
from services import audit
from services.codesign.rules import CodesignError
from services.codesign.validation import clean_text, valid_esco_uri
from services.permissions import require_skill_proposer, require_vocabulary_keeper

SKILL_PROPOSAL_COLUMNS = ["skill_id", "skill", "category", "esco_uri", "status", "proposed_by", "proposer_email",
                          "decided_by", "decided_at"]


def _name_taken(session: Session, name: str) -> None:
    """Refuse a name the vocabulary holds in any state, saying in which (never by whom: a proposal may be
    another employer's)."""
    status = session.scalar(select(Skill.status).where(func.lower(Skill.name) == name.lower()))
    if status == SkillStatus.accepted:
        raise CodesignError(f"The skill '{name}' is already in the list; choose it there.")
    if status == SkillStatus.proposed:
        raise CodesignError(f"The skill '{name}' has already been proposed; it joins the list once the university "
                            "accepts it.")
    if status == SkillStatus.rejected:
        raise CodesignError(f"The skill '{name}' was proposed and the university did not accept it.")


def _new_skill(session: Session, scope: Scope, *, name: str, category: str | None, esco_uri: str | None,
               status: SkillStatus, action: str) -> Skill:
    name = clean_text(name, "Skill name", required=True, max_len=200)
    category = clean_text(category, "Category", required=False, max_len=80) or None
    uri = valid_esco_uri(esco_uri)
    _name_taken(session, name)
    proposed = status == SkillStatus.proposed
    skill = Skill(name=name, category=category, esco_uri=uri, status=status,
                  proposed_by_id=scope.organization_id if proposed else None,
                  proposer_email=scope.email if proposed else None)
    try:
        session.add(skill)
        session.flush()
    except IntegrityError:  # the same name, added meanwhile by someone else
        session.rollback()
        _name_taken(session, name)
        raise
    audit.record(session, actor_email=scope.email, action=action, entity="Skill", entity_id=skill.id,
                 organization_id=scope.organization_id or None,
                 after={"name": name, "category": category, "esco_uri": uri, "status": status})
    bump_data_version(session)
    session.commit()
    return skill


def add_skill(session: Session, scope: Scope, *, name: str, category: str | None = None,
              esco_uri: str | None = None) -> Skill:
    """The university adds a skill (with an optional ESCO URI) to the shared list: every organisation may use it."""
    require_vocabulary_keeper(scope)
    return _new_skill(session, scope, name=name, category=category, esco_uri=esco_uri, status=SkillStatus.accepted,
                      action="skill.add")


def propose_new_skill(session: Session, scope: Scope, *, name: str, category: str | None = None,
                      esco_uri: str | None = None) -> Skill:
    """An HR manager proposes a skill for the shared list; a partnership officer accepts or rejects it."""
    require_skill_proposer(scope)
    return _new_skill(session, scope, name=name, category=category, esco_uri=esco_uri, status=SkillStatus.proposed,
                      action="skill.propose")


def _decide(session: Session, scope: Scope, skill_id: int, status: SkillStatus, action: str) -> Skill:
    require_vocabulary_keeper(scope)
    skill = session.scalar(select(Skill).where(Skill.id == int(skill_id), visible(scope, Skill)))
    if skill is None:
        raise CodesignError("There is no such skill proposal, or it is outside your access.")
    if skill.status == SkillStatus.accepted:
        raise CodesignError(f"'{skill.name}' is already in the list.")
    if skill.status == SkillStatus.rejected:
        raise CodesignError(f"The university already rejected '{skill.name}'.")
    # Conditional on the proposal being open still: of two decisions at once, the second changes nothing.
    decided = session.execute(
        update(Skill).where(Skill.id == skill.id, Skill.status == SkillStatus.proposed)
        .values(status=status, decided_by=scope.email, decided_at=utcnow())
    ).rowcount
    if not decided:
        session.rollback()
        raise CodesignError(f"Someone decided '{skill.name}' meanwhile; reload to see their decision.")
    audit.record(session, actor_email=scope.email, action=action, entity="Skill", entity_id=skill.id,
                 organization_id=scope.organization_id or None,
                 before={"status": SkillStatus.proposed}, after={"status": status, "name": skill.name})
    bump_data_version(session)
    session.commit()
    session.refresh(skill)
    return skill


def accept_skill(session: Session, scope: Scope, *, skill_id: int) -> Skill:
    """The university accepts a proposed skill: it joins the shared list, for every organisation."""
    return _decide(session, scope, skill_id, SkillStatus.accepted, "skill.accept")


def reject_skill(session: Session, scope: Scope, *, skill_id: int) -> Skill:
    """The university rejects a proposed skill: it stays out of the list (its proposer sees the decision)."""
    return _decide(session, scope, skill_id, SkillStatus.rejected, "skill.reject")


def skill_proposals(session: Session, scope: Scope) -> pd.DataFrame:
    """The skills employers proposed that the user may see (for an HR manager, their employer's; for a
    university, its partners'), those awaiting a decision first, then by name."""
    rows = session.execute(
        select(Skill.id, Skill.name, Skill.category, Skill.esco_uri, Skill.status, Organization.name,
               Skill.proposer_email, Skill.decided_by, Skill.decided_at)
        .join(Organization, Organization.id == Skill.proposed_by_id)
        .where(visible(scope, Skill))
        .order_by((Skill.status != SkillStatus.proposed), func.lower(Skill.name))
    ).all()
    return pd.DataFrame(rows, columns=SKILL_PROPOSAL_COLUMNS)
