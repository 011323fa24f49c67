"""Reading co-design: the catalogue, choices for pickers, a credential's detail, sign-off and proposals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from db.models import (
    Approval,
    ChangeProposal,
    Cohort,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    Organization,
    OrgKind,
    Pathway,
    PathwayStep,
    ProposalComment,
    ProposalDecision,
    ProposalStatus,
    Skill,
    SkillStatus,
)
from db.scope import Scope, scoped, visible
from services.codesign.completeness import complete_condition
from services.codesign.history import revisions
from services.codesign.loading import (
    approved_organizations,
    load,
    org_names,
    outcome_texts,
    partner_ids,
    required_parties,
)
from services.codesign.proposing import decisions_of
from services.codesign.published import missing_counts, standard_text
from services.codesign.rules import LABELS
from services.codesign.text import show
from services.codesign.versions import snapshot
from services.formatting import label
from services.frames import frame
from services.permissions import (
    allowed_actions,
    content_editable,
    may_edit,
    organization_side,
    proposal_rights,
    side,
)

CATALOGUE_COLUMNS = ["credential_id", "code", "title", "status", "eqf_level", "ects_credits", "learning_hours",
                     "delivery_mode", "price", "partners", "skills", "version", "updated_at", "european_standard",
                     "next_review_on"]
# The catalogue's "European standard" filter: every mandatory element of Annex I set, or not.
EUROPEAN_FILTERS = ("any", "complete", "incomplete")
# Sign-off states (shown with services.formatting.label): approved; waiting (in review, the party has not
# approved the current version); not_in_review (a draft: approvals are given in review); not_recorded
# (published or retired, but this dashboard holds no approval of the version: it came from elsewhere).
SIGNOFF_COLUMNS = ["organization", "party", "state", "approved_by", "approved_at"]
IMPORTED_FROM = "Imported from "


# --- Catalogue and choices ----------------------------------------------------------


def _visible_partner_names(session: Session, scope: Scope,
                           credential_ids: list[int]) -> dict[int, tuple[list[str], int]]:
    """Per credential: names of co-designers the user may see, and how many others there are."""
    if not credential_ids:
        return {}
    rows = session.execute(
        select(CredentialPartner.credential_id, Organization.name)
        .outerjoin(Organization, and_(Organization.id == CredentialPartner.employer_id, visible(scope, Organization)))
        .where(CredentialPartner.credential_id.in_(credential_ids), visible(scope, CredentialPartner))
    ).all()
    partners: dict[int, tuple[list[str], int]] = {}
    for credential_id, name in rows:
        names, hidden = partners.get(credential_id, ([], 0))
        if name is None:
            hidden += 1
        else:
            names = sorted([*names, name])
        partners[credential_id] = (names, hidden)
    return partners


def partners_text(names: list[str], hidden: int) -> str:
    parts = list(names)
    if hidden:
        parts.append(f"{hidden} other employer{'s' if hidden > 1 else ''}")
    return ", ".join(parts)


def _skill_names(session: Session, credential_ids: list[int]) -> dict[int, list[str]]:
    skills: dict[int, list[str]] = {}
    if credential_ids:
        for credential_id, name in session.execute(
            select(CredentialSkill.credential_id, Skill.name).join(Skill, Skill.id == CredentialSkill.skill_id)
            .where(CredentialSkill.credential_id.in_(credential_ids)).order_by(Skill.name)
        ).all():
            skills.setdefault(credential_id, []).append(name)
    return skills


def catalogue(
    session: Session, scope: Scope, *, statuses: Iterable[str] | None = None, partner_ids: Iterable[int] | None = None,
    skill_ids: Iterable[int] | None = None, levels: Iterable[int] | None = None, search: str = "", limit: int = 1000,
    european: str = "any",
) -> pd.DataFrame:
    """Credentials the user may see, filtered; one row each with partners, skills and how many of the
    European standard's mandatory elements it lacks (``european``: any, complete or incomplete, in SQL)."""
    stmt = scoped(select(Credential), scope, Credential)
    if european not in EUROPEAN_FILTERS:
        raise ValueError(f"european must be one of {', '.join(EUROPEAN_FILTERS)}")
    if european != "any":
        stmt = stmt.where(complete_condition() if european == "complete" else ~complete_condition())
    if statuses:
        stmt = stmt.where(Credential.status.in_(sorted(statuses)))
    if levels:
        stmt = stmt.where(Credential.eqf_level.in_(sorted(int(level) for level in levels)))
    if partner_ids:
        # Only co-designers in the scope: asked about another employer, the catalogue would tell which
        # credentials that employer co-designs (an empty intersection matches nothing; it does not widen).
        stmt = stmt.where(Credential.id.in_(
            select(CredentialPartner.credential_id).where(
                CredentialPartner.employer_id.in_(sorted(scope.employers(partner_ids) or ())))
        ))
    if skill_ids:
        stmt = stmt.where(Credential.id.in_(
            select(CredentialSkill.credential_id).where(CredentialSkill.skill_id.in_(sorted(skill_ids)))
        ))
    if search.strip():
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Credential.code).like(like), func.lower(Credential.title).like(like),
                              func.lower(Credential.summary).like(like)))
    creds = session.scalars(stmt.order_by(Credential.code).limit(limit)).all()
    ids = [cred.id for cred in creds]
    partners, skills = _visible_partner_names(session, scope, ids), _skill_names(session, ids)
    lacking = missing_counts(session, list(creds))
    rows = [(cred.id, cred.code, cred.title, cred.status, cred.eqf_level, float(cred.ects_credits),
             cred.learning_hours, cred.delivery_mode, float(cred.price),
             partners_text(*partners.get(cred.id, ([], 0))), ", ".join(skills.get(cred.id, [])), cred.version,
             cred.updated_at, standard_text(lacking[cred.id]), cred.next_review_on) for cred in creds]
    return pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)


def partner_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Employers the user may see that co-design at least one credential they may see."""
    stmt = (select(Organization.id, Organization.name).where(
        Organization.kind == OrgKind.employer, visible(scope, Organization),
        Organization.id.in_(scoped(select(CredentialPartner.employer_id), scope, CredentialPartner)),
    ).order_by(Organization.name))
    return [tuple(row) for row in session.execute(stmt).all()]


def skill_choices(session: Session) -> list[tuple[int, str]]:
    """The shared skills list (accepted skills): what pickers offer; a proposed skill is not in it."""
    return [tuple(row) for row in session.execute(
        select(Skill.id, Skill.name).where(Skill.status == SkillStatus.accepted).order_by(Skill.name)).all()]


def editable_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Credentials the user may change (content or sign-off): visible, not retired, and they are a party."""
    if scope.read_only:
        return []
    stmt = (scoped(select(Credential), scope, Credential).where(Credential.status != CredentialStatus.retired)
            .order_by(Credential.code))
    return [(cred.id, f"{cred.code} · {cred.title} ({label(cred.status)})") for cred in session.scalars(stmt).all()
            if may_edit(scope, cred, partner_ids(session, cred.id))]


def current_version(session: Session, scope: Scope, credential_id: int) -> int:
    return load(session, scope, credential_id).version


def field_value(session: Session, scope: Scope, credential_id: int, name: str) -> Any:
    """The current value of one field in snapshot form (for forms)."""
    return snapshot(session, load(session, scope, credential_id))[name]


# --- Detail -------------------------------------------------------------------------


@dataclass
class Detail:
    credential: Credential
    university: str
    outcomes: list[str]
    skills: pd.DataFrame
    partners: str
    cohorts: pd.DataFrame
    pathways: pd.DataFrame
    can_edit: bool
    side: str | None
    design_visible: bool
    actions: frozenset[str] = frozenset()
    partner_ids: frozenset[int] = frozenset()
    signoff: pd.DataFrame | None = None
    signoff_note: str = ""
    revisions: pd.DataFrame | None = None
    proposals: list[dict] = dataclass_field(default_factory=list)


def _skills_frame(session: Session, scope: Scope, cred: Credential) -> pd.DataFrame:
    return frame(session.execute(
        select(Skill.id, Skill.name, Skill.category, CredentialSkill.proficiency, Skill.esco_uri)
        .join(CredentialSkill, CredentialSkill.skill_id == Skill.id)
        .where(CredentialSkill.credential_id == cred.id, visible(scope, CredentialSkill)).order_by(Skill.name)
    ), ["skill_id", "skill", "category", "proficiency", "esco_uri"])


def _cohorts_frame(session: Session, scope: Scope, cred: Credential) -> pd.DataFrame:
    return frame(session.execute(
        scoped(select(Cohort.code, Cohort.starts_on, Cohort.ends_on, Cohort.seats), scope, Cohort)
        .where(Cohort.credential_id == cred.id).order_by(Cohort.starts_on.desc())
    ), ["cohort", "starts_on", "ends_on", "seats"])


def _pathways_frame(session: Session, scope: Scope, cred: Credential) -> pd.DataFrame:
    steps = select(PathwayStep.pathway_id, func.count().label("n")).group_by(PathwayStep.pathway_id).subquery()
    return frame(session.execute(
        scoped(select(Pathway.code, Pathway.title, PathwayStep.position, steps.c.n)
               .join(PathwayStep, PathwayStep.pathway_id == Pathway.id)
               .join(steps, steps.c.pathway_id == Pathway.id), scope, Pathway, PathwayStep)
        .where(PathwayStep.credential_id == cred.id).order_by(Pathway.code)
    ), ["pathway", "title", "step", "steps"])


def detail(session: Session, scope: Scope, credential_id: int) -> Detail:
    cred = load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    university = session.get(Organization, cred.university_id)
    skills, cohorts = _skills_frame(session, scope, cred), _cohorts_frame(session, scope, cred)
    pathways = _pathways_frame(session, scope, cred)
    names = _visible_partner_names(session, scope, [cred.id]).get(cred.id, ([], 0))
    # Mirrors db/scope.py's design-record rule: the employer side reads it only as a co-designer.
    design_visible = not scope.is_employer_side or scope.organization_id in partners
    approved_by_me = scope.organization_id in approved_organizations(session, cred, cred.version)
    result = Detail(
        credential=cred, university=university.name if university else "", outcomes=outcome_texts(session, cred.id),
        skills=skills, partners=partners_text(*names), cohorts=cohorts, pathways=pathways,
        can_edit=may_edit(scope, cred, partners) and content_editable(cred),
        side=side(scope, cred, partners), design_visible=design_visible,
        actions=allowed_actions(scope, cred, partners, approved_by_me), partner_ids=partners,
    )
    if design_visible:
        result.signoff = signoff(session, scope, cred)
        result.signoff_note = signoff_note(session, scope, cred, result.signoff)
        result.revisions = revisions(session, scope, cred.id)
        result.proposals = proposals(session, scope, cred.id)
    return result


# --- Sign-off -----------------------------------------------------------------------


def signoff(session: Session, scope: Scope, cred: Credential) -> pd.DataFrame:
    """Each required party and its approval of the current version (if any)."""
    parties = required_parties(session, cred)
    names = org_names(session, parties)
    got = {approval.organization_id: approval for approval in session.scalars(scoped(
        select(Approval).where(Approval.credential_id == cred.id, Approval.version == cred.version), scope, Approval
    )).all()}
    status = CredentialStatus(cred.status)
    missing = ("not_in_review" if status == CredentialStatus.draft else
               "not_recorded" if status in (CredentialStatus.published, CredentialStatus.retired) else "waiting")
    rows = [(names.get(org, "?"), "university" if org == cred.university_id else "employer",
             "approved" if org in got else missing, got[org].approver_email if org in got else "",
             got[org].approved_at if org in got else None) for org in parties]
    return pd.DataFrame(rows, columns=SIGNOFF_COLUMNS)


def came_by_import(session: Session, scope: Scope, credential_id: int) -> str | None:
    """The file a credential first came in from, when it was created by an import (its first revision says so)."""
    first = session.execute(scoped(select(CredentialRevision.summary).where(
        CredentialRevision.credential_id == credential_id), scope, CredentialRevision)
        .order_by(CredentialRevision.version).limit(1)).scalar_one_or_none()
    if first and first.startswith(IMPORTED_FROM):
        return first[len(IMPORTED_FROM):].strip() or "a file"
    return None


def signoff_note(session: Session, scope: Scope, cred: Credential, table: pd.DataFrame) -> str:
    """One sentence saying truthfully where the sign-off state comes from, when it is not the workflow's."""
    if "not_recorded" not in set(table["state"]):
        return ""
    status = label(cred.status).lower()
    if came_by_import(session, scope, cred.id):
        return f"Imported as {status}, no sign-off recorded in this dashboard."
    return f"{label(cred.status)} without a sign-off recorded in this dashboard (given before or outside it)."


# --- Proposals ----------------------------------------------------------------------


def _decision_rows(proposal: ChangeProposal, parties: list[int], got: dict[int, ProposalDecision],
                   names: dict[int, str]) -> list[dict]:
    """Who decides ``proposal`` and what each did: accepted / rejected, still to decide (open), or did not decide."""
    rows = []
    for org in [party for party in parties if party != proposal.organization_id] + sorted(set(got) - set(parties)):
        decision = got.get(org)
        state = (decision.decision if decision else
                 "to_decide" if proposal.status == ProposalStatus.open else "did_not_decide")
        rows.append({"organization_id": org, "organization": names.get(org, "?"), "decision": state,
                     "by": decision.decided_by if decision else "", "at": decision.decided_at if decision else None,
                     "note": decision.note if decision else "", "party": org in parties})
    return rows


def _value_text(name: str, value: Any, session: Session | None = None) -> str:
    if name == "outcomes":
        return "\n".join(f"{number}. {text}" for number, text in enumerate(value or [], 1)) or "—"
    if name == "skills":
        items = value or []
        if items and "name" not in items[0] and session is not None:
            names = dict(session.execute(select(Skill.id, Skill.name).where(
                Skill.id.in_([int(item["skill_id"]) for item in items]))).all())
            items = [{**item, "name": names.get(int(item["skill_id"]), "?")} for item in items]
        return "; ".join(f"{item['name']} ({item['proficiency']})" for item in items) or "—"
    return show(name, value)


def _comments(session: Session, scope: Scope, proposal_ids: list[int]) -> dict[int, list[dict]]:
    comments: dict[int, list[dict]] = {}
    for row in session.scalars(scoped(select(ProposalComment).where(
            ProposalComment.proposal_id.in_(proposal_ids)), scope, ProposalComment)
            .order_by(ProposalComment.created_at, ProposalComment.id)).all():
        comments.setdefault(row.proposal_id, []).append({"author": row.author_email, "text": row.text,
                                                         "at": row.created_at})
    return comments


def proposals(session: Session, scope: Scope, credential_id: int) -> list[dict]:
    """Proposals (newest first) with their comments, who has decided and who still has to, and what the
    user may do with each, as plain data for the page."""
    found = session.scalars(scoped(select(ChangeProposal).where(ChangeProposal.credential_id == credential_id),
                                   scope, ChangeProposal).order_by(ChangeProposal.id.desc())).all()
    if not found:
        return []
    cred = load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    parties = required_parties(session, cred)
    got = decisions_of(session, [proposal.id for proposal in found])
    names = org_names(session, {proposal.organization_id for proposal in found} | set(parties)
                      | {org for by_org in got.values() for org in by_org})
    comments = _comments(session, scope, [proposal.id for proposal in found])
    current = snapshot(session, cred)
    cards = []
    for proposal in found:
        value = json.loads(proposal.new_value)
        rows = _decision_rows(proposal, parties, got.get(proposal.id, {}), names)
        cards.append({
            "id": proposal.id, "field": proposal.field, "label": LABELS.get(proposal.field, proposal.field),
            "status": proposal.status, "proposer": proposal.proposer_email,
            "organization_id": proposal.organization_id,
            "side": organization_side(cred, proposal.organization_id, partners),
            "organization": names.get(proposal.organization_id, ""), "rationale": proposal.rationale,
            "base_version": proposal.base_version, "created_at": proposal.created_at,
            "decided_by": proposal.decided_by, "decided_at": proposal.decided_at,
            "current": _value_text(proposal.field, current.get(proposal.field)),
            "proposed": _value_text(proposal.field, value, session),
            "comments": comments.get(proposal.id, []), "decisions": rows,
            "waiting_for": [row["organization"] for row in rows if row["decision"] == "to_decide"],
            **proposal_rights(scope, cred, partners, proposal, rows),
        })
    return cards
