"""Curriculum co-design: catalogue, draft editing, change proposals, sign-off and revision history.

Sign-off workflow (``TRANSITIONS``; every status change goes through ``check_transition``)::

    draft ──submit──► in_review ──(last approval of the version)──► approved ──publish──► published ──retire──► retired
      ▲                 │    ▲                                          │
      └─return to draft─┴────┼──────────── return to draft ─────────────┤
                             └──────── any content edit (approvals withdrawn) ◄┘

Content and versions
- ``Credential.version`` is the content version and the optimistic lock. Every
  saved change (fields, learning outcomes, skill mappings, co-designers, an
  accepted proposal) goes through ``_apply``: one conditional
  ``UPDATE credential ... WHERE version = expected``, version + 1, a full
  ``CredentialRevision`` snapshot, an ``AuditEvent`` and a data-version bump.
  If someone else saved first the UPDATE matches no row and the save is refused
  with their change described (``EditConflict``).
- Approvals are recorded per (credential, version, organisation). An edit bumps
  the version, so earlier approvals no longer count: that is the withdrawal
  (the rows stay, as history). Publishing needs an approval of the current
  version from the credential's university and from every co-designing employer.
- Status changes are not content: they do not bump the version, and are
  recorded as audit events.

Who may change what
- Edit, propose, comment, submit, return to draft: partnership officers of the
  credential's university, HR managers of a co-designing employer, admins.
  Viewers never.
- Decide a proposal: every other party. A proposal is applied when the
  university and each co-designing employer other than the proposer's
  organisation have accepted it (one ``ProposalDecision`` per organisation);
  any of them may reject it, which closes it; the proposer may withdraw it.
  A co-designer change settles open proposals under the same rule; publishing
  closes those still open. docs/codesign.md explains the rule.
- Approve: each party for its own organisation. Publish and retire: the university.
- Create a draft, choose the co-designers: the university (``may_create``).

The studio asks ``studio_choices`` (what awaits the user, first) and ``Detail.actions``
(what they may do now); every call checks the rights again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field as dc_field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db import summaries
from db.engine import bump_data_version
from db.models import (
    Approval,
    ChangeProposal,
    Cohort,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    Decision,
    DeliveryMode,
    LearningOutcome,
    Organization,
    OrgKind,
    Partnership,
    Pathway,
    PathwayStep,
    ProposalComment,
    ProposalDecision,
    ProposalStatus,
    Role,
    Skill,
    utcnow,
)
from db.scope import AccessDenied, Scope, scoped, visible
from services import audit
from services.formatting import label

S = CredentialStatus
TRANSITIONS: dict[CredentialStatus, frozenset[CredentialStatus]] = {
    S.draft: frozenset({S.in_review}),
    S.in_review: frozenset({S.draft, S.approved}),
    S.approved: frozenset({S.draft, S.in_review, S.published}),
    S.published: frozenset({S.retired}),
    S.retired: frozenset(),
}
# Content can change until publication; an edit to an approved credential sends it back to review.
EDITABLE = frozenset({S.draft, S.in_review, S.approved})

FIELDS: dict[str, str] = {
    "code": "Code",
    "title": "Title",
    "summary": "Summary",
    "eqf_level": "EQF level",
    "ects_credits": "ECTS credits",
    "learning_hours": "Learning hours",
    "delivery_mode": "Delivery mode",
    "price": "Price",
}
LIST_FIELDS: dict[str, str] = {"outcomes": "Learning outcomes", "skills": "Skills", "partners": "Co-designing employers"}
LABELS = FIELDS | LIST_FIELDS
# What a change proposal may be about (co-designers are the university's choice, not a proposal).
PROPOSABLE = tuple(FIELDS) + ("outcomes", "skills")

MAX_SUMMARY = 5000
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
        old_s, new_s = S(current), S(new)
    except ValueError as exc:
        raise InvalidTransition(f"Unknown credential status: {exc}") from None
    if new_s not in TRANSITIONS[old_s]:
        allowed = ", ".join(s.replace("_", " ") for s in sorted(TRANSITIONS[old_s])) or "none (final status)"
        raise InvalidTransition(
            f"A credential cannot go from '{old_s.replace('_', ' ')}' to '{new_s.replace('_', ' ')}'. "
            f"Allowed next: {allowed}."
        )


# --- Loading and permissions -------------------------------------------------


def _load(session: Session, scope: Scope, credential_id: int) -> Credential:
    cred = session.execute(
        select(Credential).where(Credential.id == credential_id, visible(scope, Credential))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if cred is None:
        raise CodesignError("That credential does not exist or is outside your access.")
    return cred


def partner_ids(session: Session, credential_id: int) -> frozenset[int]:
    """The co-designing employers (internal: who must approve; not for display)."""
    return frozenset(session.scalars(
        select(CredentialPartner.employer_id).where(CredentialPartner.credential_id == credential_id)
    ).all())


def side(scope: Scope, cred: Credential, partners: frozenset[int]) -> str | None:
    """'university', 'employer', or None: which party of this credential the user belongs to."""
    if scope.organization_id == cred.university_id:
        return "university"
    if scope.organization_id in partners:
        return "employer"
    return None


def may_edit(scope: Scope, cred: Credential, partners: frozenset[int]) -> bool:
    if scope.read_only:
        return False
    if scope.sees_all:
        return True
    if scope.role == Role.partnership_officer:
        return scope.organization_id == cred.university_id
    if scope.role == Role.hr_manager:
        return scope.organization_id in partners
    return False


def _require_editor(scope: Scope, cred: Credential, partners: frozenset[int]) -> None:
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if not may_edit(scope, cred, partners):
        raise AccessDenied(
            "Only partnership officers of the credential's university and HR managers of a "
            "co-designing employer change this credential."
        )


def _require_editable(cred: Credential) -> None:
    if S(cred.status) not in EDITABLE:
        raise CodesignError(
            f"{cred.code} is {cred.status}: its content is frozen. Only drafts, credentials in review "
            "and approved (not yet published) credentials change."
        )


def _require_university(scope: Scope, cred: Credential, what: str) -> None:
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if not _is_university_side(scope, cred):
        raise AccessDenied(f"Only the credential's university {what}.")


# --- Validation --------------------------------------------------------------


def _text(value: Any, label: str, *, required: bool, max_len: int) -> str:
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


def _int(value: Any, label: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise CodesignError(f"{label} must be a whole number from {lo} to {hi}.")
    try:
        if isinstance(value, str):
            value = value.strip()
        n = Decimal(str(value))
        if n != n.to_integral_value():
            raise InvalidOperation
        n = int(n)
    except (InvalidOperation, ValueError, TypeError):
        raise CodesignError(f"{label} must be a whole number from {lo} to {hi}.") from None
    if not lo <= n <= hi:
        raise CodesignError(f"{label} must be a whole number from {lo} to {hi}; got {n}.")
    return n


def _decimal(value: Any, label: str, *, places: int, max_value: Decimal) -> str:
    unit = Decimal(1).scaleb(-places)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        d = Decimal(str(value).strip().replace(",", ""))
        if not d.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise CodesignError(f"{label} must be a number (e.g. {Decimal(5).quantize(unit)}).") from None
    if d < 0:
        raise CodesignError(f"{label} cannot be negative.")
    if d > max_value:
        raise CodesignError(f"{label} must be at most {max_value}.")
    if d != d.quantize(unit):
        raise CodesignError(f"{label} has at most {places} decimal place{'s' if places > 1 else ''}.")
    return str(d.quantize(unit))


def valid_esco_uri(uri: str | None) -> str | None:
    """An http(s) URI (e.g. http://data.europa.eu/esco/skill/...), or None; raises CodesignError."""
    if uri is None or not str(uri).strip():
        return None
    uri = str(uri).strip()
    parsed = urlparse(uri)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in uri):
        raise CodesignError("The ESCO URI must be an http(s) address, e.g. http://data.europa.eu/esco/skill/….")
    if len(uri) > 300:
        raise CodesignError("The ESCO URI is longer than 300 characters.")
    return uri


def _clean(session: Session, cred: Credential, name: str, value: Any) -> Any:
    """The value in snapshot form, or CodesignError with a message naming the field."""
    if name == "code":
        code = _text(value, "Code", required=True, max_len=30)
        if not CODE_RE.match(code):
            raise CodesignError("Code may hold letters, digits, '.', '_' and '-' only, starting with a letter or digit.")
        taken = session.execute(
            select(Credential.id).where(func.lower(Credential.code) == code.lower(), Credential.id != cred.id)
        ).first()
        if taken:
            raise CodesignError(f"Code {code} is already used by another credential.")
        return code
    if name == "title":
        return _text(value, "Title", required=True, max_len=200)
    if name == "summary":
        return _text(value, "Summary", required=False, max_len=MAX_SUMMARY)
    if name == "eqf_level":
        return _int(value, "EQF level", 1, 8)
    if name == "ects_credits":
        return _decimal(value, "ECTS credits", places=1, max_value=Decimal("9999.9"))
    if name == "learning_hours":
        return _int(value, "Learning hours", 0, 100_000)
    if name == "delivery_mode":
        try:
            return DeliveryMode(str(value).strip()).value
        except ValueError:
            raise CodesignError(f"Delivery mode must be one of: {', '.join(m.value for m in DeliveryMode)}.") from None
    if name == "price":
        return _decimal(value, "Price", places=2, max_value=Decimal("9999999999.99"))
    if name == "outcomes":
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise CodesignError("Learning outcomes must be a list of texts.")
        out = [_text(v, f"Learning outcome {i}", required=True, max_len=MAX_OUTCOME) for i, v in enumerate(value, 1)]
        if len(out) > MAX_OUTCOMES:
            raise CodesignError(f"At most {MAX_OUTCOMES} learning outcomes.")
        return out
    if name == "skills":
        return _clean_skills(session, value)
    if name == "partners":
        return _clean_partners(session, cred, value)
    raise CodesignError(f"Unknown field '{name}'. Fields: {', '.join(LABELS)}.")


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
        wanted[skill_id] = _int(item.get("proficiency"), "Proficiency", 1, 5)
    if len(wanted) > MAX_SKILLS:
        raise CodesignError(f"At most {MAX_SKILLS} skills.")
    rows = {s.id: s for s in session.scalars(select(Skill).where(Skill.id.in_(sorted(wanted)))).all()} if wanted else {}
    missing = set(wanted) - set(rows)
    if missing:
        raise CodesignError("That skill does not exist; choose one from the list or add it first.")
    return sorted(
        ({"skill_id": k, "name": rows[k].name, "proficiency": p, "esco_uri": rows[k].esco_uri} for k, p in wanted.items()),
        key=lambda d: (d["name"].lower(), d["skill_id"]),
    )


def _clean_partners(session: Session, cred: Credential, value: Any) -> list[dict]:
    if isinstance(value, (str, dict)) or not isinstance(value, Iterable):
        raise CodesignError("Co-designers must be a list of employers.")
    try:
        ids = {int(x["employer_id"] if isinstance(x, dict) else x) for x in value}
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
    return sorted(({"employer_id": r[0], "code": r[1], "name": r[2]} for r in rows), key=lambda d: (d["name"], d["employer_id"]))


# --- Snapshots and diffs -----------------------------------------------------


def _dec(value, places: int) -> str:
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
        "ects_credits": _dec(cred.ects_credits, 1),
        "learning_hours": int(cred.learning_hours),
        "delivery_mode": cred.delivery_mode,
        "price": _dec(cred.price, 2),
        "outcomes": list(outcomes),
        "skills": sorted(({"skill_id": r[0], "name": r[1], "proficiency": r[2], "esco_uri": r[3]} for r in skills),
                         key=lambda d: (d["name"].lower(), d["skill_id"])),
        "partners": sorted(({"employer_id": r[0], "code": r[1], "name": r[2]} for r in partners),
                           key=lambda d: (d["name"], d["employer_id"])),
    }


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "delivery_mode":
        return str(value).replace("_", " ")
    if name == "price":
        return f"£{Decimal(str(value)):,.2f}"
    return str(value)


def diff(a: CredentialRevision | dict, b: CredentialRevision | dict) -> list[Change]:
    """What changed from ``a`` to ``b`` (revisions or snapshots), as readable (field, before, after) rows."""
    sa = json.loads(a.snapshot) if isinstance(a, CredentialRevision) else (a or {})
    sb = json.loads(b.snapshot) if isinstance(b, CredentialRevision) else (b or {})
    out: list[Change] = []
    for name, label in FIELDS.items():
        x, y = sa.get(name), sb.get(name)
        if x != y:
            out.append(Change(label, _show(name, x), _show(name, y)))
    oa, ob = sa.get("outcomes") or [], sb.get("outcomes") or []
    if oa != ob:
        if sorted(oa) == sorted(ob):
            out.append(Change("Learning outcomes (order)", "\n".join(f"{i}. {t}" for i, t in enumerate(oa, 1)),
                              "\n".join(f"{i}. {t}" for i, t in enumerate(ob, 1))))
        else:
            for i in range(max(len(oa), len(ob))):
                x = oa[i] if i < len(oa) else None
                y = ob[i] if i < len(ob) else None
                if x != y:
                    out.append(Change(f"Learning outcome {i + 1}", _show("", x), _show("", y)))
    ka = {d["name"]: d for d in sa.get("skills") or []}
    kb = {d["name"]: d for d in sb.get("skills") or []}
    for name in sorted(set(ka) | set(kb), key=str.lower):
        x, y = ka.get(name), kb.get(name)
        px = f"proficiency {x['proficiency']}" if x else "—"
        py = f"proficiency {y['proficiency']}" if y else "—"
        if px != py:
            out.append(Change(f"Skill: {name}", px, py))
    pa = ", ".join(d["name"] for d in sa.get("partners") or [])
    pb = ", ".join(d["name"] for d in sb.get("partners") or [])
    if pa != pb:
        out.append(Change(LIST_FIELDS["partners"], pa or "—", pb or "—"))
    return out


def diff_frame(changes: list[Change]) -> pd.DataFrame:
    return pd.DataFrame([(c.field, c.before, c.after) for c in changes], columns=["field", "before", "after"])


def _summary_of(changes: list[Change]) -> str:
    text = "Changed " + "; ".join(c.field for c in changes) if changes else "No change"
    return text if len(text) <= 500 else text[:497] + "…"


# --- Saving (the one write path for content) ---------------------------------


def _revision(session: Session, credential_id: int, version: int) -> CredentialRevision | None:
    return session.execute(
        select(CredentialRevision).where(CredentialRevision.credential_id == credential_id,
                                         CredentialRevision.version == version)
    ).scalar_one_or_none()


def _conflict(session: Session, credential_id: int, expected_version: int) -> EditConflict:
    """Describe what others saved after ``expected_version``. The session must be clean (rolled back)."""
    cred = session.execute(
        select(Credential).where(Credential.id == credential_id).execution_options(populate_existing=True)
    ).scalar_one()
    revs = session.scalars(
        select(CredentialRevision).where(CredentialRevision.credential_id == credential_id,
                                         CredentialRevision.version > expected_version)
        .order_by(CredentialRevision.version)
    ).all()
    base = _revision(session, credential_id, expected_version)
    theirs = diff(base, snapshot(session, cred)) if base is not None else []
    who = "; ".join(f"{r.saved_by} saved version {r.version} at {r.saved_at:%d %b %Y %H:%M} UTC" for r in revs[-3:])
    if cred.version == expected_version:
        msg = f"{cred.code} changed status meanwhile (now {cred.status.replace('_', ' ')}); nothing was saved."
    else:
        msg = (f"Someone else saved {cred.code} after the version you opened (version {expected_version}; "
               f"it is now version {cred.version}): {who or 'another user'}. Nothing of yours was saved. "
               "Their change is shown below; reload the latest version and make your change again.")
    return EditConflict(msg, current_version=cred.version, theirs=theirs)


def _apply(
    session: Session, scope: Scope, cred: Credential, *, expected_version: int, changes: dict[str, Any], summary: str = "",
    action: str = "credential.edit",
) -> CredentialRevision | None:
    """Validate and save ``changes`` as version expected+1, without committing. None when nothing changes."""
    partners = partner_ids(session, cred.id)
    _require_editor(scope, cred, partners)
    if "partners" in changes:
        _require_university(scope, cred, "chooses its co-designing employers")
    _require_editable(cred)
    if cred.version != expected_version:
        session.rollback()
        raise _conflict(session, cred.id, expected_version)
    if not changes:
        raise CodesignError("Nothing to save.")
    problems, clean = [], {}
    for name, value in changes.items():
        try:
            clean[name] = _clean(session, cred, name, value)
        except CodesignError as exc:
            problems.append(str(exc))
    if problems:
        raise CodesignError(" ".join(problems))
    before = snapshot(session, cred)
    after = {**before, **clean}
    changed = diff(before, after)
    if not changed:
        return None
    now = utcnow()
    values: dict[str, Any] = {k: v for k, v in clean.items() if k in FIELDS and before[k] != v}
    for k in ("ects_credits", "price"):
        if k in values:
            values[k] = Decimal(values[k])
    new_status = S.in_review.value if cred.status == S.approved else cred.status
    try:
        # The optimistic lock: a save by someone else since ``expected_version`` makes this match no row.
        result = session.execute(
            update(Credential)
            .where(Credential.id == cred.id, Credential.version == expected_version)
            .values(**values, version=Credential.version + 1, updated_at=now, status=new_status)
        )
        if result.rowcount != 1:
            session.rollback()
            raise _conflict(session, cred.id, expected_version)
        if _revision(session, cred.id, expected_version) is None:
            # Credentials created before co-design tracking: keep the version they start from.
            session.add(CredentialRevision(credential_id=cred.id, version=expected_version,
                                           snapshot=json.dumps(before, sort_keys=True), saved_by="(baseline)",
                                           saved_at=cred.updated_at or now,
                                           summary="Content before the first tracked change"))
        if before["outcomes"] != after["outcomes"]:
            session.execute(delete(LearningOutcome).where(LearningOutcome.credential_id == cred.id))
            session.add_all(LearningOutcome(credential_id=cred.id, position=i, text=t)
                            for i, t in enumerate(after["outcomes"], 1))
        if before["skills"] != after["skills"]:
            session.execute(delete(CredentialSkill).where(CredentialSkill.credential_id == cred.id))
            session.add_all(CredentialSkill(credential_id=cred.id, skill_id=d["skill_id"], proficiency=d["proficiency"])
                            for d in after["skills"])
            session.flush()
            summaries.refresh_for_credentials(session, [cred.id])
        if before["partners"] != after["partners"]:
            joined = dict(session.execute(select(CredentialPartner.employer_id, CredentialPartner.joined_on)
                                          .where(CredentialPartner.credential_id == cred.id)).all())
            session.execute(delete(CredentialPartner).where(CredentialPartner.credential_id == cred.id))
            session.add_all(CredentialPartner(credential_id=cred.id, employer_id=d["employer_id"],
                                              joined_on=joined.get(d["employer_id"], now.date()))
                            for d in after["partners"])
        rev = CredentialRevision(credential_id=cred.id, version=expected_version + 1,
                                 snapshot=json.dumps(after, sort_keys=True), saved_by=scope.email, saved_at=now,
                                 summary=(summary.strip() or _summary_of(changed))[:500])
        session.add(rev)
        keys = [k for k in after if before[k] != after[k]]
        audit.record(session, actor_email=scope.email, action=action, entity="Credential", entity_id=cred.id,
                     organization_id=cred.university_id,
                     before={"version": expected_version, **{k: before[k] for k in keys}},
                     after={"version": expected_version + 1, **{k: after[k] for k in keys}})
        if new_status != cred.status:
            audit.record(session, actor_email=scope.email, action="credential.status", entity="Credential",
                         entity_id=cred.id, organization_id=cred.university_id,
                         before={"status": cred.status}, after={"status": new_status,
                                                                "reason": "edited after approval"})
        bump_data_version(session)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CodesignError("Another credential uses that code, or the data changed meanwhile; nothing was saved.") from None
    return rev


def save_draft(
    session: Session, scope: Scope, *, credential_id: int, expected_version: int, changes: dict[str, Any],
    summary: str = "",
) -> CredentialRevision | None:
    """Save ``changes`` (fields of ``FIELDS``, 'outcomes', 'skills', 'partners') made to ``expected_version``.

    Returns the new revision, or None when the values equal the current ones.
    Raises EditConflict when someone else saved since ``expected_version``.
    """
    cred = _load(session, scope, credential_id)
    rev = _apply(session, scope, cred, expected_version=expected_version, changes=changes, summary=summary)
    if rev is not None and "partners" in changes:
        _settle_proposals(session, scope, credential_id)
    session.commit()
    return rev


def set_partners(session: Session, scope: Scope, *, credential_id: int, expected_version: int,
                 employer_ids: Iterable[int], summary: str = "") -> CredentialRevision | None:
    """The university chooses the co-designing employers (a new version); open proposals are settled."""
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"partners": sorted(int(e) for e in employer_ids)}, summary=summary)


def partner_options(session: Session, scope: Scope, university_id: int | None = None) -> list[tuple[int, str]]:
    """Employers in partnership with the university (who may co-design its credentials), by name."""
    university_id = university_id or scope.organization_id
    return [tuple(r) for r in session.execute(
        select(Organization.id, Organization.name).where(
            Organization.kind == OrgKind.employer, visible(scope, Organization),
            Organization.id.in_(select(Partnership.employer_id).where(Partnership.university_id == university_id)))
        .order_by(Organization.name)).all()]


def may_create(scope: Scope) -> bool:
    """Whether the user starts new credentials: partnership officers (for their university) and admins."""
    return not scope.read_only and (scope.sees_all or (scope.role == Role.partnership_officer
                                                       and scope.org_kind == OrgKind.university))


def create_draft(
    session: Session, scope: Scope, *, code: str, title: str, eqf_level: int, university_id: int | None = None,
    partner_ids: Iterable[int] = (), summary: str = "", ects_credits: Any = 0, learning_hours: Any = 0,
    delivery_mode: str = DeliveryMode.online.value, price: Any = 0,
) -> Credential:
    """A new draft credential (version 1, with its first revision). University officers and admins.

    Every problem with the inputs is reported at once; nothing is written unless all are valid."""
    university_id = university_id or scope.organization_id
    uni = session.get(Organization, university_id)
    if uni is None or uni.kind != OrgKind.university:
        raise CodesignError("Choose the university that awards the credential.")
    probe = Credential(id=-1, university_id=university_id, code="", title="", eqf_level=1)
    _require_university(scope, probe, "creates its credentials")
    problems, clean = [], {}
    for name, value in (("code", code), ("title", title), ("eqf_level", eqf_level), ("summary", summary),
                        ("ects_credits", ects_credits), ("learning_hours", learning_hours),
                        ("delivery_mode", delivery_mode), ("price", price), ("partners", list(partner_ids))):
        try:
            clean[name] = _clean(session, probe, name, value)
        except CodesignError as exc:
            problems.append(str(exc))
    if problems:
        raise CodesignError(" ".join(problems))
    cred = Credential(university_id=university_id, code=clean["code"], title=clean["title"], summary=clean["summary"],
                      eqf_level=clean["eqf_level"], ects_credits=Decimal(clean["ects_credits"]),
                      learning_hours=clean["learning_hours"], delivery_mode=clean["delivery_mode"],
                      price=Decimal(clean["price"]), status=S.draft, version=1)
    try:
        session.add(cred)
        session.flush()
        session.add_all(CredentialPartner(credential_id=cred.id, employer_id=d["employer_id"], joined_on=utcnow().date())
                        for d in clean["partners"])
        session.flush()
        snap = snapshot(session, cred)
        session.add(CredentialRevision(credential_id=cred.id, version=1, snapshot=json.dumps(snap, sort_keys=True),
                                       saved_by=scope.email, summary="Created"))
        audit.record(session, actor_email=scope.email, action="credential.create", entity="Credential",
                     entity_id=cred.id, organization_id=university_id, after={"version": 1, **snap})
        bump_data_version(session)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise CodesignError(f"Code {clean['code']} is already used; nothing was saved.") from None
    return cred


# Outcomes and skills: small helpers that build the new list and save it through save_draft.


def _outcomes(session: Session, credential_id: int) -> list[str]:
    return list(session.scalars(select(LearningOutcome.text).where(LearningOutcome.credential_id == credential_id)
                                .order_by(LearningOutcome.position)).all())


def _checked_index(items: list, index: int, what: str = "learning outcome") -> int:
    if not 0 <= index < len(items):
        raise CodesignError(f"There is no {what} number {index + 1}.")
    return index


def add_outcome(session, scope, *, credential_id: int, expected_version: int, text: str, position: int | None = None):
    """Insert an outcome at ``position`` (1-based; default: last)."""
    items = _outcomes(session, credential_id)
    pos = len(items) if position is None else max(0, min(len(items), int(position) - 1))
    items.insert(pos, text)
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"outcomes": items}, summary=f"Added learning outcome {pos + 1}")


def edit_outcome(session, scope, *, credential_id: int, expected_version: int, index: int, text: str):
    """Replace the text of outcome ``index`` (0-based)."""
    items = _outcomes(session, credential_id)
    items[_checked_index(items, index)] = text
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"outcomes": items}, summary=f"Edited learning outcome {index + 1}")


def remove_outcome(session, scope, *, credential_id: int, expected_version: int, index: int):
    items = _outcomes(session, credential_id)
    items.pop(_checked_index(items, index))
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"outcomes": items}, summary=f"Removed learning outcome {index + 1}")


def reorder_outcomes(session, scope, *, credential_id: int, expected_version: int, order: Sequence[int]):
    """Put the outcomes in ``order`` (a permutation of 0-based current positions)."""
    items = _outcomes(session, credential_id)
    if sorted(order) != list(range(len(items))):
        raise CodesignError("The new order must list every learning outcome once.")
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"outcomes": [items[i] for i in order]}, summary="Reordered learning outcomes")


def move_outcome(session, scope, *, credential_id: int, expected_version: int, index: int, delta: int):
    """Move outcome ``index`` (0-based) up (delta -1) or down (+1)."""
    n = len(_outcomes(session, credential_id))
    _checked_index(list(range(n)), index)
    target = index + delta
    if not 0 <= target < n:
        raise CodesignError("That learning outcome cannot move further.")
    order = list(range(n))
    order[index], order[target] = order[target], order[index]
    return reorder_outcomes(session, scope, credential_id=credential_id, expected_version=expected_version, order=order)


def _skill_map(session: Session, credential_id: int) -> dict[int, int]:
    return dict(session.execute(select(CredentialSkill.skill_id, CredentialSkill.proficiency)
                                .where(CredentialSkill.credential_id == credential_id)).all())


def set_skill(session, scope, *, credential_id: int, expected_version: int, skill_id: int, proficiency: int):
    """Map a skill at a proficiency (1-5), or change the proficiency of a mapped one."""
    current = _skill_map(session, credential_id)
    current[int(skill_id)] = proficiency
    name = session.get(Skill, int(skill_id))
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"skills": [{"skill_id": k, "proficiency": v} for k, v in current.items()]},
                      summary=f"Mapped skill {name.name if name else skill_id} at proficiency {proficiency}")


def remove_skill(session, scope, *, credential_id: int, expected_version: int, skill_id: int):
    current = _skill_map(session, credential_id)
    if int(skill_id) not in current:
        raise CodesignError("That skill is not mapped to this credential.")
    del current[int(skill_id)]
    return save_draft(session, scope, credential_id=credential_id, expected_version=expected_version,
                      changes={"skills": [{"skill_id": k, "proficiency": v} for k, v in current.items()]})


def skills_with(session: Session, scope: Scope, *, credential_id: int, skill_id: int,
                proficiency: int | None) -> list[dict]:
    """The credential's skill mapping with one skill mapped at ``proficiency`` (None: removed), for a proposal."""
    _load(session, scope, credential_id)
    current = _skill_map(session, credential_id)
    if proficiency is None:
        if int(skill_id) not in current:
            raise CodesignError("That skill is not mapped to this credential.")
        del current[int(skill_id)]
    else:
        current[int(skill_id)] = proficiency
    return [{"skill_id": k, "proficiency": v} for k, v in sorted(current.items())]


def add_skill(session: Session, scope: Scope, *, name: str, category: str | None = None,
              esco_uri: str | None = None) -> Skill:
    """Add a skill to the shared vocabulary (with an optional ESCO URI). Editors only."""
    if scope.read_only or scope.role not in (Role.admin, Role.partnership_officer, Role.hr_manager):
        raise AccessDenied("Viewers have read-only access.")
    name = _text(name, "Skill name", required=True, max_len=200)
    category = _text(category, "Category", required=False, max_len=80) or None
    uri = valid_esco_uri(esco_uri)
    if session.execute(select(Skill.id).where(func.lower(Skill.name) == name.lower())).first():
        raise CodesignError(f"The skill '{name}' is already in the list; choose it there.")
    skill = Skill(name=name, category=category, esco_uri=uri)
    try:
        session.add(skill)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CodesignError(f"The skill '{name}' is already in the list.") from None
    audit.record(session, actor_email=scope.email, action="skill.add", entity="Skill", entity_id=skill.id,
                 organization_id=scope.organization_id or None,
                 after={"name": name, "category": category, "esco_uri": uri})
    bump_data_version(session)
    session.commit()
    return skill


# --- Change proposals --------------------------------------------------------


def _load_proposal(session: Session, scope: Scope, proposal_id: int) -> tuple[ChangeProposal, Credential]:
    prop = session.execute(
        select(ChangeProposal).where(ChangeProposal.id == proposal_id, visible(scope, ChangeProposal))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if prop is None:
        raise CodesignError("That proposal does not exist or is outside your access.")
    return prop, _load(session, scope, prop.credential_id)


def _org_side(cred: Credential, organization_id: int, partners: frozenset[int]) -> str | None:
    if organization_id == cred.university_id:
        return "university"
    return "employer" if organization_id in partners else None


def propose(
    session: Session, scope: Scope, *, credential_id: int, field: str, new_value: Any, rationale: str,
) -> ChangeProposal:
    """Propose ``field`` := ``new_value`` with a rationale; the other side decides."""
    cred = _load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    _require_editor(scope, cred, partners)
    _require_editable(cred)
    my_side = side(scope, cred, partners)
    if my_side is None:
        raise AccessDenied("Proposals are made by the credential's university or a co-designing employer.")
    if my_side == "university" and not partners:
        raise CodesignError(f"{cred.code} has no co-designing employer to decide a proposal; edit it directly.")
    if field not in PROPOSABLE:
        raise CodesignError(f"A proposal changes one of: {', '.join(LABELS[f] for f in PROPOSABLE)}.")
    value = _clean(session, cred, field, new_value)
    rationale = _text(rationale, "Rationale", required=True, max_len=MAX_RATIONALE)
    current = snapshot(session, cred)[field]
    if current == value:
        raise CodesignError(f"{LABELS[field]} already has that value.")
    stored = [{"skill_id": d["skill_id"], "proficiency": d["proficiency"]} for d in value] if field == "skills" else value
    prop = ChangeProposal(credential_id=cred.id, proposer_user_id=scope.user_id, proposer_email=scope.email,
                          organization_id=scope.organization_id, field=field, new_value=json.dumps(stored),
                          rationale=rationale, base_version=cred.version)
    session.add(prop)
    session.flush()
    audit.record(session, actor_email=scope.email, action="proposal.create", entity="ChangeProposal",
                 entity_id=prop.id, organization_id=cred.university_id,
                 after={"credential": cred.code, "field": field, "new_value": value, "rationale": rationale,
                        "base_version": cred.version})
    bump_data_version(session)
    session.commit()
    return prop


def propose_skill(session: Session, scope: Scope, *, credential_id: int, skill_id: int | None,
                  proficiency: int | None, rationale: str) -> ChangeProposal:
    """Propose one change to the skills mapping: map ``skill_id`` at ``proficiency``, or remove it (None)."""
    if skill_id is None:
        raise CodesignError("Choose a skill.")
    value = skills_with(session, scope, credential_id=credential_id, skill_id=skill_id, proficiency=proficiency)
    return propose(session, scope, credential_id=credential_id, field="skills", new_value=value, rationale=rationale)


def comment(session: Session, scope: Scope, *, proposal_id: int, text: str) -> ProposalComment:
    prop, cred = _load_proposal(session, scope, proposal_id)
    partners = partner_ids(session, cred.id)
    _require_editor(scope, cred, partners)
    if side(scope, cred, partners) is None:
        raise AccessDenied("Comments come from the credential's university or a co-designing employer.")
    text = _text(text, "Comment", required=True, max_len=MAX_COMMENT)
    row = ProposalComment(proposal_id=prop.id, author_email=scope.email, organization_id=scope.organization_id,
                          text=text)
    session.add(row)
    session.flush()
    audit.record(session, actor_email=scope.email, action="proposal.comment", entity="ProposalComment",
                 entity_id=row.id, organization_id=cred.university_id,
                 after={"proposal": prop.id, "credential": cred.code, "text": text})
    bump_data_version(session)
    session.commit()
    return row


def _decide(session: Session, scope: Scope, prop: ChangeProposal, cred: Credential, status: ProposalStatus) -> None:
    """Close an open proposal (accepted, rejected, withdrawn), with its audit event; no commit."""
    result = session.execute(
        update(ChangeProposal).where(ChangeProposal.id == prop.id, ChangeProposal.status == ProposalStatus.open)
        .values(status=status.value, decided_by=scope.email, decided_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise CodesignError("Someone decided this proposal meanwhile; nothing was saved. Reload to see the decision.")
    audit.record(session, actor_email=scope.email, action=f"proposal.{status.value}", entity="ChangeProposal",
                 entity_id=prop.id, organization_id=cred.university_id, before={"status": ProposalStatus.open.value},
                 after={"status": status.value, "credential": cred.code, "field": prop.field})


def _require_open(prop: ChangeProposal) -> None:
    if prop.status != ProposalStatus.open:
        raise CodesignError(f"This proposal is already {prop.status}.")


# The decision rule: a proposal is applied when every other party (the university and each co-designing
# employer, but the proposer's organisation) has accepted it; any of them may reject it, which closes it;
# the proposer may withdraw it while it is open. Each organisation decides once (ProposalDecision).


def deciders(session: Session, cred: Credential, prop: ChangeProposal) -> list[int]:
    """The organisations that decide ``prop``: every party of the credential now, but the proposer's."""
    return [o for o in required_parties(session, cred) if o != prop.organization_id]


def _decisions(session: Session, proposal_ids: Iterable[int]) -> dict[int, dict[int, ProposalDecision]]:
    """proposal id → organisation id → its decision."""
    ids = sorted(set(proposal_ids))
    out: dict[int, dict[int, ProposalDecision]] = {}
    if ids:
        for d in session.scalars(select(ProposalDecision).where(ProposalDecision.proposal_id.in_(ids))).all():
            out.setdefault(d.proposal_id, {})[d.organization_id] = d
    return out


def still_to_accept(session: Session, cred: Credential, prop: ChangeProposal) -> list[int]:
    """Deciders that have not accepted ``prop`` yet (decisions of former co-designers no longer count)."""
    got = _decisions(session, [prop.id]).get(prop.id, {})
    return [o for o in deciders(session, cred, prop) if getattr(got.get(o), "decision", None) != Decision.accepted]


def _require_decider(scope: Scope, prop: ChangeProposal, cred: Credential, partners: frozenset[int]) -> None:
    _require_editor(scope, cred, partners)
    if side(scope, cred, partners) is None:
        raise AccessDenied("Proposals are decided by the credential's university and its co-designing employers.")
    if scope.organization_id == prop.organization_id:
        raise AccessDenied("Your organisation made this proposal: the other parties decide it (you may withdraw it).")


def _lock_open(session: Session, prop: ChangeProposal) -> None:
    """Lock the open proposal's row (a no-op UPDATE) until commit: two "last" acceptances made at the same
    time then run one after the other, so the second sees the first and applies the change."""
    result = session.execute(update(ChangeProposal).where(
        ChangeProposal.id == prop.id, ChangeProposal.status == ProposalStatus.open).values(status=ProposalStatus.open))
    if result.rowcount != 1:
        session.rollback()
        raise CodesignError("Someone decided this proposal meanwhile; nothing was saved. Reload to see the decision.")


def _insert_once(session: Session, row: Any, refusal: str) -> None:
    """Add a row its unique key allows once per organisation (a decision, an approval); one written by a
    concurrent request first is refused with ``refusal`` and nothing of this request is kept."""
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CodesignError(refusal) from None


def _record_decision(session: Session, scope: Scope, prop: ChangeProposal, cred: Credential, decision: Decision,
                     note: str) -> None:
    mine = session.scalar(select(ProposalDecision.decision).where(
        ProposalDecision.proposal_id == prop.id, ProposalDecision.organization_id == scope.organization_id))
    if mine is not None:
        session.rollback()
        raise CodesignError(f"Your organisation has already {mine} proposal #{prop.id}.")
    _insert_once(session, ProposalDecision(proposal_id=prop.id, organization_id=scope.organization_id,
                                           decision=decision, decided_by=scope.email, user_id=scope.user_id, note=note),
                 f"Your organisation has already decided proposal #{prop.id}.")
    audit.record(session, actor_email=scope.email, action="proposal.decision", entity="ChangeProposal",
                 entity_id=prop.id, organization_id=cred.university_id,
                 after={"decision": decision.value, "organization_id": scope.organization_id, "credential": cred.code,
                        "field": prop.field, "note": note})


def _check_field_unchanged(session: Session, cred: Credential, prop: ChangeProposal) -> None:
    """Refuse a proposal whose field changed after it was made: applying it would overwrite that change."""
    if prop.base_version == cred.version:
        return
    base = _revision(session, cred.id, prop.base_version)
    now = snapshot(session, cred)[prop.field]
    if base is not None and json.loads(base.snapshot).get(prop.field) != now:
        raise CodesignError(
            f"{LABELS[prop.field]} changed after this proposal was made (on version {prop.base_version}); "
            "accepting it would overwrite that change. Reject it, or ask for a new proposal."
        )


def _apply_proposal(session: Session, scope: Scope, prop: ChangeProposal, cred: Credential,
                    expected_version: int) -> CredentialRevision | None:
    """Save the proposed change as a new version and close the proposal as accepted; no commit."""
    rev = _apply(session, scope, cred, expected_version=expected_version, changes={prop.field: json.loads(prop.new_value)},
                 summary=f"Accepted proposal #{prop.id} by {prop.proposer_email}: {prop.rationale}"[:500])
    _decide(session, scope, prop, cred, ProposalStatus.accepted)
    return rev


@dataclass(frozen=True)
class Decided:
    """What a decision did: the proposal's status now, the version it applied, who still has to decide."""

    proposal_id: int
    status: str
    revision: CredentialRevision | None = None
    waiting_for: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.status == ProposalStatus.rejected:
            return f"Proposal #{self.proposal_id} rejected: it is closed and nothing changed."
        if self.status == ProposalStatus.accepted:
            applied = f" as version {self.revision.version}" if self.revision else " (the value was already current)"
            return f"Proposal #{self.proposal_id} accepted by every party and applied{applied}."
        return (f"You accepted proposal #{self.proposal_id}. It is applied once "
                f"{and_list(self.waiting_for)} {'accepts' if len(self.waiting_for) == 1 else 'accept'} too.")


def and_list(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return "" if not names else names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _org_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all()) \
        if ids else {}


def accept(session: Session, scope: Scope, *, proposal_id: int, expected_version: int, note: str = "") -> Decided:
    """Record the user's organisation's acceptance; the last one needed applies the change (a new version)."""
    prop, cred = _load_proposal(session, scope, proposal_id)
    partners = partner_ids(session, cred.id)
    _require_decider(scope, prop, cred, partners)
    _require_open(prop)
    _require_editable(cred)
    _check_version(session, cred, expected_version)
    _check_field_unchanged(session, cred, prop)
    note = _text(note, "Comment", required=False, max_len=MAX_COMMENT)
    _lock_open(session, prop)
    _record_decision(session, scope, prop, cred, Decision.accepted, note)
    waiting = still_to_accept(session, cred, prop)
    if waiting:
        bump_data_version(session)
        session.commit()
        names = _org_names(session, waiting)
        return Decided(prop.id, ProposalStatus.open.value, waiting_for=tuple(names.get(o, "?") for o in waiting))
    rev = _apply_proposal(session, scope, prop, cred, expected_version)
    bump_data_version(session)
    session.commit()
    return Decided(prop.id, ProposalStatus.accepted.value, revision=rev)


def reject(session: Session, scope: Scope, *, proposal_id: int, note: str = "") -> Decided:
    """Any deciding party may reject: the proposal closes and nothing changes."""
    prop, cred = _load_proposal(session, scope, proposal_id)
    partners = partner_ids(session, cred.id)
    _require_decider(scope, prop, cred, partners)
    _require_open(prop)
    note = _text(note, "Comment", required=False, max_len=MAX_COMMENT)
    _lock_open(session, prop)
    _record_decision(session, scope, prop, cred, Decision.rejected, note)
    _decide(session, scope, prop, cred, ProposalStatus.rejected)
    if note:
        session.add(ProposalComment(proposal_id=prop.id, author_email=scope.email,
                                    organization_id=scope.organization_id, text=note))
    bump_data_version(session)
    session.commit()
    return Decided(prop.id, ProposalStatus.rejected.value)


def withdraw(session: Session, scope: Scope, *, proposal_id: int) -> ChangeProposal:
    """The proposing organisation takes its open proposal back."""
    prop, cred = _load_proposal(session, scope, proposal_id)
    partners = partner_ids(session, cred.id)
    _require_editor(scope, cred, partners)
    if scope.organization_id != prop.organization_id and not scope.sees_all:
        raise AccessDenied("Only the proposing organisation withdraws its proposal.")
    _require_open(prop)
    _decide(session, scope, prop, cred, ProposalStatus.withdrawn)
    bump_data_version(session)
    session.commit()
    return prop


def _settle_proposals(session: Session, scope: Scope, credential_id: int) -> None:
    """After the co-designers changed: close open proposals nobody can decide any more, apply those that
    every remaining party has accepted (the rule holds whoever takes part); no commit."""
    cred = _load(session, scope, credential_id)
    parties = set(required_parties(session, cred))
    for prop in session.scalars(select(ChangeProposal).where(
            ChangeProposal.credential_id == cred.id, ChangeProposal.status == ProposalStatus.open)
            .order_by(ChangeProposal.id)).all():
        if prop.organization_id not in parties or not deciders(session, cred, prop):
            _decide(session, scope, prop, cred, ProposalStatus.withdrawn)
            session.add(ProposalComment(proposal_id=prop.id, author_email=scope.email,
                                        organization_id=scope.organization_id,
                                        text="Closed: the co-designers changed and no one is left to decide it."))
        elif not still_to_accept(session, cred, prop):
            try:
                _check_field_unchanged(session, cred, prop)
            except CodesignError:
                continue  # left open: the proposer withdraws it or proposes again
            _apply_proposal(session, scope, prop, cred, cred.version)
            cred = _load(session, scope, credential_id)


# --- Sign-off ----------------------------------------------------------------


def required_parties(session: Session, cred: Credential) -> list[int]:
    """The organisations whose approval of the current version publication needs: university first."""
    return [cred.university_id, *sorted(partner_ids(session, cred.id))]


def _approved_orgs(session: Session, cred: Credential, version: int) -> set[int]:
    return set(session.scalars(select(Approval.organization_id).where(
        Approval.credential_id == cred.id, Approval.version == version)).all())


def missing_approvals(session: Session, cred: Credential) -> list[int]:
    have = _approved_orgs(session, cred, cred.version)
    return [o for o in required_parties(session, cred) if o not in have]


def waiting_for_approval(session: Session, scope: Scope, credential_id: int) -> list[str]:
    """Names of the parties whose approval of the current version is still missing (university first)."""
    cred = _load(session, scope, credential_id)
    missing = missing_approvals(session, cred)
    names = _org_names(session, missing)
    return [names.get(o, "?") for o in missing]


def _set_status(session: Session, scope: Scope, cred: Credential, new: CredentialStatus, *, expected_version: int,
                reason: str = "") -> None:
    """Conditional status change (same version, same status as read), with its audit event; no commit."""
    check_transition(cred.status, new)
    result = session.execute(
        update(Credential).where(Credential.id == cred.id, Credential.version == expected_version,
                                 Credential.status == cred.status)
        .values(status=new.value, updated_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict(session, cred.id, expected_version)
    after = {"status": new.value, "version": expected_version}
    if reason:
        after["reason"] = reason
    audit.record(session, actor_email=scope.email, action="credential.status", entity="Credential",
                 entity_id=cred.id, organization_id=cred.university_id, before={"status": cred.status}, after=after)
    bump_data_version(session)


def _ensure_revision(session: Session, scope: Scope, cred: Credential) -> None:
    """The version under review has a revision (credentials created before co-design tracking)."""
    if _revision(session, cred.id, cred.version) is None:
        session.add(CredentialRevision(credential_id=cred.id, version=cred.version,
                                       snapshot=json.dumps(snapshot(session, cred), sort_keys=True),
                                       saved_by="(baseline)", saved_at=cred.updated_at or utcnow(),
                                       summary="Content before the first tracked change"))


def _check_version(session: Session, cred: Credential, expected_version: int) -> None:
    if cred.version != expected_version:
        session.rollback()
        raise _conflict(session, cred.id, expected_version)


def _maybe_complete(session: Session, scope: Scope, cred: Credential) -> bool:
    """in_review → approved once every party approved the current version."""
    if cred.status == S.in_review and not missing_approvals(session, cred):
        _set_status(session, scope, cred, S.approved, expected_version=cred.version,
                    reason="approved by the university and every co-designing employer")
        return True
    return False


def submit_for_review(session: Session, scope: Scope, *, credential_id: int, expected_version: int) -> Credential:
    cred = _load(session, scope, credential_id)
    _require_editor(scope, cred, partner_ids(session, cred.id))
    _check_version(session, cred, expected_version)
    check_transition(cred.status, S.in_review)
    if cred.status != S.draft:  # approved → in_review is the edit path, not a submission
        raise InvalidTransition(f"Only a draft is submitted for review; {cred.code} is {cred.status.replace('_', ' ')}.")
    snap = snapshot(session, cred)
    problems = []
    if not snap["summary"]:
        problems.append("a summary")
    if not snap["outcomes"]:
        problems.append("at least one learning outcome")
    if not snap["skills"]:
        problems.append("at least one skill")
    if problems:
        raise CodesignError(f"Before review, {cred.code} needs {', '.join(problems)}.")
    _ensure_revision(session, scope, cred)
    _set_status(session, scope, cred, S.in_review, expected_version=expected_version)
    cred.status = S.in_review.value
    _maybe_complete(session, scope, cred)  # approvals of this exact version may exist from an earlier review
    session.commit()
    return _load(session, scope, credential_id)


def return_to_draft(session: Session, scope: Scope, *, credential_id: int, expected_version: int) -> Credential:
    cred = _load(session, scope, credential_id)
    _require_editor(scope, cred, partner_ids(session, cred.id))
    _check_version(session, cred, expected_version)
    _set_status(session, scope, cred, S.draft, expected_version=expected_version)
    session.commit()
    return _load(session, scope, credential_id)


def approve(session: Session, scope: Scope, *, credential_id: int, expected_version: int) -> Approval:
    """Record the user's organisation's approval of ``expected_version`` (which must be the current one)."""
    cred = _load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if not _may_approve(scope, side(scope, cred, partners)):
        raise AccessDenied("Approvals come from the credential's university and its co-designing employers.")
    _check_version(session, cred, expected_version)
    if cred.status != S.in_review:
        raise InvalidTransition(
            f"{cred.code} is {cred.status.replace('_', ' ')}; approvals are given while it is in review."
            + (" Submit it for review first." if cred.status == S.draft else "")
        )
    if scope.organization_id in _approved_orgs(session, cred, cred.version):
        raise CodesignError(f"Your organisation has already approved version {cred.version}.")
    row = Approval(credential_id=cred.id, version=cred.version, organization_id=scope.organization_id,
                   user_id=scope.user_id, approver_email=scope.email)
    _insert_once(session, row, f"Your organisation has already approved version {expected_version}.")
    audit.record(session, actor_email=scope.email, action="credential.approve", entity="Credential",
                 entity_id=cred.id, organization_id=cred.university_id,
                 after={"version": cred.version, "organization_id": scope.organization_id})
    bump_data_version(session)
    _maybe_complete(session, scope, cred)
    session.commit()
    return row


def publish(session: Session, scope: Scope, *, credential_id: int, expected_version: int) -> Credential:
    cred = _load(session, scope, credential_id)
    _require_university(scope, cred, "publishes the credential")
    _check_version(session, cred, expected_version)
    check_transition(cred.status, S.published)
    missing = missing_approvals(session, cred)
    if missing:
        names = session.scalars(select(Organization.name).where(Organization.id.in_(missing))).all()
        raise InvalidTransition(f"Version {cred.version} still needs the approval of: {', '.join(sorted(names))}.")
    _set_status(session, scope, cred, S.published, expected_version=expected_version)
    _close_open_proposals(session, scope, cred, f"Closed when version {cred.version} was published: "
                                                "published content is frozen.")
    session.commit()
    return _load(session, scope, credential_id)


def _close_open_proposals(session: Session, scope: Scope, cred: Credential, why: str) -> None:
    """Open proposals can no longer apply (publication freezes the content): close them, saying why; no commit."""
    for prop in session.scalars(select(ChangeProposal).where(
            ChangeProposal.credential_id == cred.id, ChangeProposal.status == ProposalStatus.open)).all():
        _decide(session, scope, prop, cred, ProposalStatus.withdrawn)
        session.add(ProposalComment(proposal_id=prop.id, author_email=scope.email,
                                    organization_id=scope.organization_id, text=why))


def retire(session: Session, scope: Scope, *, credential_id: int, expected_version: int, reason: str = "") -> Credential:
    """Published → retired. Nothing is deleted: revisions, approvals, cohorts and badges keep their history."""
    cred = _load(session, scope, credential_id)
    _require_university(scope, cred, "retires the credential")
    _check_version(session, cred, expected_version)
    _set_status(session, scope, cred, S.retired, expected_version=expected_version,
                reason=_text(reason, "Reason", required=False, max_len=500))
    session.commit()
    return _load(session, scope, credential_id)


# --- Reading: catalogue, detail, history --------------------------------------


def _visible_partner_names(session: Session, scope: Scope, credential_ids: list[int]) -> dict[int, tuple[list[str], int]]:
    """Per credential: names of co-designers the user may see, and how many others there are."""
    if not credential_ids:
        return {}
    rows = session.execute(
        select(CredentialPartner.credential_id, Organization.name)
        .outerjoin(Organization, and_(Organization.id == CredentialPartner.employer_id, visible(scope, Organization)))
        .where(CredentialPartner.credential_id.in_(credential_ids), visible(scope, CredentialPartner))
    ).all()
    out: dict[int, tuple[list[str], int]] = {}
    for cid, name in rows:
        names, hidden = out.get(cid, ([], 0))
        if name is None:
            hidden += 1
        else:
            names = sorted([*names, name])
        out[cid] = (names, hidden)
    return out


def partners_text(names: list[str], hidden: int) -> str:
    parts = list(names)
    if hidden:
        parts.append(f"{hidden} other employer{'s' if hidden > 1 else ''}")
    return ", ".join(parts)


CATALOGUE_COLUMNS = ["credential_id", "code", "title", "status", "eqf_level", "ects_credits", "learning_hours",
                     "delivery_mode", "price", "partners", "skills", "version", "updated_at"]


def catalogue(
    session: Session, scope: Scope, *, statuses: Iterable[str] | None = None, partner_ids: Iterable[int] | None = None,
    skill_ids: Iterable[int] | None = None, levels: Iterable[int] | None = None, search: str = "", limit: int = 1000,
) -> pd.DataFrame:
    """Credentials the user may see, filtered; one row each with partners and skills."""
    stmt = scoped(select(Credential), scope, Credential)
    if statuses:
        stmt = stmt.where(Credential.status.in_(sorted(statuses)))
    if levels:
        stmt = stmt.where(Credential.eqf_level.in_(sorted(int(x) for x in levels)))
    if partner_ids:
        stmt = stmt.where(Credential.id.in_(
            select(CredentialPartner.credential_id).where(CredentialPartner.employer_id.in_(sorted(partner_ids)))
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
    ids = [c.id for c in creds]
    partners = _visible_partner_names(session, scope, ids)
    skills: dict[int, list[str]] = {}
    if ids:
        for cid, name in session.execute(
            select(CredentialSkill.credential_id, Skill.name).join(Skill, Skill.id == CredentialSkill.skill_id)
            .where(CredentialSkill.credential_id.in_(ids)).order_by(Skill.name)
        ).all():
            skills.setdefault(cid, []).append(name)
    rows = [(c.id, c.code, c.title, c.status, c.eqf_level, float(c.ects_credits), c.learning_hours, c.delivery_mode,
             float(c.price), partners_text(*partners.get(c.id, ([], 0))), ", ".join(skills.get(c.id, [])), c.version,
             c.updated_at) for c in creds]
    return pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)


def partner_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Employers the user may see that co-design at least one credential they may see."""
    stmt = (select(Organization.id, Organization.name).where(
        Organization.kind == OrgKind.employer, visible(scope, Organization),
        Organization.id.in_(scoped(select(CredentialPartner.employer_id), scope, CredentialPartner)),
    ).order_by(Organization.name))
    return [tuple(r) for r in session.execute(stmt).all()]


def skill_choices(session: Session) -> list[tuple[int, str]]:
    return [tuple(r) for r in session.execute(select(Skill.id, Skill.name).order_by(Skill.name)).all()]


def editable_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Credentials the user may change (content or sign-off): visible, not retired, and they are a party."""
    if scope.read_only:
        return []
    stmt = scoped(select(Credential), scope, Credential).where(Credential.status != S.retired).order_by(Credential.code)
    out = []
    for cred in session.scalars(stmt).all():
        if may_edit(scope, cred, partner_ids(session, cred.id)):
            out.append((cred.id, f"{cred.code} · {cred.title} ({label(cred.status)})"))
    return out


# --- What awaits the user (the studio's picker) --------------------------------


def _is_university_side(scope: Scope, cred: Credential) -> bool:
    return scope.sees_all or (scope.role == Role.partnership_officer and scope.organization_id == cred.university_id)


def _may_approve(scope: Scope, mine: str | None) -> bool:
    return mine is not None and (scope.sees_all or (mine == "university" and scope.role == Role.partnership_officer)
                                 or (mine == "employer" and scope.role == Role.hr_manager))


@dataclass(frozen=True)
class Attention:
    """One credential in the studio's picker: how urgent it is for the user (0 first) and what awaits them."""

    credential_id: int
    code: str
    title: str
    status: str
    rank: int
    needs: tuple[str, ...]

    @property
    def label(self) -> str:
        text = f"{self.code} · {self.title} · {label(self.status)}"
        return text + (" — " + "; ".join(self.needs) if self.needs else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _attention_of(scope: Scope, cred: Credential, partners: frozenset[int], approved_by_me: bool,
                  to_decide: int, mine_open: int) -> Attention:
    mine, status = side(scope, cred, partners), S(cred.status)
    needs, rank = [], 3
    if status == S.in_review and _may_approve(scope, mine) and not approved_by_me:
        needs.append(f"your approval of version {cred.version}")
    if to_decide:
        needs.append(f"{_plural(to_decide, 'proposal')} to decide")
    if status == S.approved and _is_university_side(scope, cred):
        needs.append("ready to publish")
    if needs:
        rank = 0
    elif status == S.draft:
        needs.append("to complete and submit for review")
        rank = 1
    elif status == S.in_review:
        needs.append("waiting for the other parties' approval")
        rank = 2
    elif status == S.approved:
        needs.append("waiting for the university to publish")
        rank = 2
    elif mine_open:
        rank = 2
    if mine_open:
        needs.append(f"{_plural(mine_open, 'proposal')} of yours open")
    return Attention(cred.id, cred.code, cred.title, cred.status, rank, tuple(needs))


def studio_choices(session: Session, scope: Scope) -> list[Attention]:
    """The credentials the user may change, what needs their attention first (approvals they owe, proposals
    awaiting their decision, credentials to publish), then drafts, then those waiting for others, then
    published ones; most recently changed first within each group. A few queries, whatever the count."""
    if scope.read_only:
        return []
    creds = session.scalars(scoped(select(Credential), scope, Credential)
                            .where(Credential.status != S.retired)).all()
    ids = [c.id for c in creds]
    if not ids:
        return []
    partners: dict[int, set[int]] = {}
    for cid, emp in session.execute(select(CredentialPartner.credential_id, CredentialPartner.employer_id)
                                    .where(CredentialPartner.credential_id.in_(ids))).all():
        partners.setdefault(cid, set()).add(emp)
    mine = scope.organization_id
    approved = set(session.execute(select(Approval.credential_id, Approval.version).where(
        Approval.credential_id.in_(ids), Approval.organization_id == mine)).all())
    open_props = session.execute(select(ChangeProposal.id, ChangeProposal.credential_id, ChangeProposal.organization_id)
                                 .where(ChangeProposal.credential_id.in_(ids),
                                        ChangeProposal.status == ProposalStatus.open)).all()
    decided = set(session.scalars(select(ProposalDecision.proposal_id).where(
        ProposalDecision.proposal_id.in_([p[0] for p in open_props] or [-1]),
        ProposalDecision.organization_id == mine)).all())
    out = []
    for cred in creds:
        parts = frozenset(partners.get(cred.id, ()))
        if not may_edit(scope, cred, parts):
            continue
        props = [p for p in open_props if p[1] == cred.id]
        is_party = side(scope, cred, parts) is not None
        to_decide = sum(1 for p in props if is_party and p[2] != mine and p[0] not in decided)
        mine_open = sum(1 for p in props if p[2] == mine)
        out.append((cred.updated_at, _attention_of(scope, cred, parts, (cred.id, cred.version) in approved,
                                                   to_decide, mine_open)))
    out.sort(key=lambda t: t[1].code)
    out.sort(key=lambda t: t[0], reverse=True)  # stable sorts: rank, then most recent, then code
    out.sort(key=lambda t: t[1].rank)
    return [a for _, a in out]


# --- Detail ---------------------------------------------------------------------


def allowed_actions(scope: Scope, cred: Credential, partners: frozenset[int], approved_by_me: bool) -> frozenset[str]:
    """What the user may do with the credential now: the page offers exactly these (the service checks again)."""
    if scope.read_only:
        return frozenset()
    mine, status = side(scope, cred, partners), S(cred.status)
    editor, university = may_edit(scope, cred, partners), _is_university_side(scope, cred)
    out = set()
    if editor and status in EDITABLE:
        out.add("edit")
        if mine is not None:
            out.add("propose")
    if university and status in EDITABLE:
        out.add("partners")
    if editor and status == S.draft:
        out.add("submit")
    if status == S.in_review and _may_approve(scope, mine) and not approved_by_me:
        out.add("approve")
    if university and status == S.approved:
        out.add("publish")
    if editor and status in (S.in_review, S.approved):
        out.add("return_to_draft")
    if university and status == S.published:
        out.add("retire")
    return frozenset(out)


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
    proposals: list[dict] = dc_field(default_factory=list)


def detail(session: Session, scope: Scope, credential_id: int) -> Detail:
    cred = _load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    uni = session.get(Organization, cred.university_id)
    skills = pd.DataFrame(session.execute(
        select(Skill.id, Skill.name, Skill.category, CredentialSkill.proficiency, Skill.esco_uri)
        .join(CredentialSkill, CredentialSkill.skill_id == Skill.id)
        .where(CredentialSkill.credential_id == cred.id, visible(scope, CredentialSkill)).order_by(Skill.name)
    ).all(), columns=["skill_id", "skill", "category", "proficiency", "esco_uri"])
    cohorts = pd.DataFrame(session.execute(
        scoped(select(Cohort.code, Cohort.starts_on, Cohort.ends_on, Cohort.seats), scope, Cohort)
        .where(Cohort.credential_id == cred.id).order_by(Cohort.starts_on.desc())
    ).all(), columns=["cohort", "starts_on", "ends_on", "seats"])
    steps = select(PathwayStep.pathway_id, func.count().label("n")).group_by(PathwayStep.pathway_id).subquery()
    pathways = pd.DataFrame(session.execute(
        scoped(select(Pathway.code, Pathway.title, PathwayStep.position, steps.c.n)
               .join(PathwayStep, PathwayStep.pathway_id == Pathway.id)
               .join(steps, steps.c.pathway_id == Pathway.id), scope, Pathway, PathwayStep)
        .where(PathwayStep.credential_id == cred.id).order_by(Pathway.code)
    ).all(), columns=["pathway", "title", "step", "steps"])
    names = _visible_partner_names(session, scope, [cred.id]).get(cred.id, ([], 0))
    # Mirrors db/scope.py's design-record rule: the employer side reads it only as a co-designer.
    design_visible = not scope.is_employer_side or scope.organization_id in partners
    approved_by_me = scope.organization_id in _approved_orgs(session, cred, cred.version)
    out = Detail(
        credential=cred, university=uni.name if uni else "", outcomes=_outcomes(session, cred.id), skills=skills,
        partners=partners_text(*names), cohorts=cohorts, pathways=pathways,
        can_edit=may_edit(scope, cred, partners) and S(cred.status) in EDITABLE,
        side=side(scope, cred, partners), design_visible=design_visible,
        actions=allowed_actions(scope, cred, partners, approved_by_me), partner_ids=partners,
    )
    if design_visible:
        out.signoff = signoff(session, scope, cred)
        out.signoff_note = signoff_note(session, scope, cred, out.signoff)
        out.revisions = revisions(session, scope, cred.id)
        out.proposals = proposals(session, scope, cred.id)
    return out


# Sign-off states (shown with services.formatting.label): approved; waiting (in review, the party has not
# approved the current version); not_in_review (a draft: approvals are given in review); not_recorded
# (published or retired, but this dashboard holds no approval of the version: it came from elsewhere).
SIGNOFF_COLUMNS = ["organization", "party", "state", "approved_by", "approved_at"]


def signoff(session: Session, scope: Scope, cred: Credential) -> pd.DataFrame:
    """Each required party and its approval of the current version (if any)."""
    parties = required_parties(session, cred)
    orgs = _org_names(session, parties)
    got = {a.organization_id: a for a in session.scalars(scoped(
        select(Approval).where(Approval.credential_id == cred.id, Approval.version == cred.version), scope, Approval
    )).all()}
    status = S(cred.status)
    missing = ("not_in_review" if status == S.draft else
               "not_recorded" if status in (S.published, S.retired) else "waiting")
    rows = [(orgs.get(o, "?"), "university" if o == cred.university_id else "employer",
             "approved" if o in got else missing, got[o].approver_email if o in got else "",
             got[o].approved_at if o in got else None) for o in parties]
    return pd.DataFrame(rows, columns=SIGNOFF_COLUMNS)


def came_by_import(session: Session, scope: Scope, credential_id: int) -> str | None:
    """The file a credential first came in from, when it was created by an import (its first revision says so)."""
    first = session.execute(scoped(select(CredentialRevision.summary).where(
        CredentialRevision.credential_id == credential_id), scope, CredentialRevision)
        .order_by(CredentialRevision.version).limit(1)).scalar_one_or_none()
    if first and first.startswith(IMPORTED_FROM):
        return first[len(IMPORTED_FROM):].strip() or "a file"
    return None


IMPORTED_FROM = "Imported from "


def signoff_note(session: Session, scope: Scope, cred: Credential, table: pd.DataFrame) -> str:
    """One sentence saying truthfully where the sign-off state comes from, when it is not the workflow's."""
    if "not_recorded" not in set(table["state"]):
        return ""
    status = label(cred.status).lower()
    if came_by_import(session, scope, cred.id):
        return f"Imported as {status}, no sign-off recorded in this dashboard."
    return f"{label(cred.status)} without a sign-off recorded in this dashboard (given before or outside it)."


def revisions(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    rows = session.execute(scoped(
        select(CredentialRevision.version, CredentialRevision.saved_by, CredentialRevision.saved_at,
               CredentialRevision.summary).where(CredentialRevision.credential_id == credential_id),
        scope, CredentialRevision).order_by(CredentialRevision.version.desc())).all()
    return pd.DataFrame(rows, columns=["version", "saved_by", "saved_at", "summary"])


def revision(session: Session, scope: Scope, credential_id: int, version: int) -> CredentialRevision:
    rev = session.execute(scoped(select(CredentialRevision).where(
        CredentialRevision.credential_id == credential_id, CredentialRevision.version == version),
        scope, CredentialRevision)).scalar_one_or_none()
    if rev is None:
        raise CodesignError(f"There is no saved version {version} you may see.")
    return rev


def compare(session: Session, scope: Scope, credential_id: int, version_a: int, version_b: int) -> list[Change]:
    """The readable diff between two saved versions the user may see."""
    return diff(revision(session, scope, credential_id, version_a), revision(session, scope, credential_id, version_b))


def _decision_rows(p: ChangeProposal, parties: list[int], got: dict[int, ProposalDecision],
                   names: dict[int, str]) -> list[dict]:
    """Who decides ``p`` and what each did: accepted / rejected, still to decide (open), or did not decide."""
    rows = []
    for org in [o for o in parties if o != p.organization_id] + sorted(set(got) - set(parties)):
        d = got.get(org)
        state = d.decision if d else ("to_decide" if p.status == ProposalStatus.open else "did_not_decide")
        rows.append({"organization_id": org, "organization": names.get(org, "?"), "decision": state,
                     "by": d.decided_by if d else "", "at": d.decided_at if d else None, "note": d.note if d else "",
                     "party": org in parties})
    return rows


def _proposal_rights(scope: Scope, cred: Credential, partners: frozenset[int], p: ChangeProposal,
                     rows: list[dict]) -> dict[str, bool]:
    """What the user may do with one proposal (the page shows these buttons; the service checks again)."""
    is_open, editor = p.status == ProposalStatus.open, may_edit(scope, cred, partners)
    party = editor and side(scope, cred, partners) is not None
    mine = next((r for r in rows if r["organization_id"] == scope.organization_id and r["party"]), None)
    may_decide = is_open and party and mine is not None and mine["decision"] == "to_decide"
    return {"can_comment": is_open and party, "can_reject": may_decide,
            "can_accept": may_decide and S(cred.status) in EDITABLE,
            "can_withdraw": is_open and editor and (scope.organization_id == p.organization_id or scope.sees_all)}


def proposals(session: Session, scope: Scope, credential_id: int) -> list[dict]:
    """Proposals (newest first) with their comments, who has decided and who still has to, and what the
    user may do with each, as plain data for the page."""
    props = session.scalars(scoped(select(ChangeProposal).where(ChangeProposal.credential_id == credential_id),
                                   scope, ChangeProposal).order_by(ChangeProposal.id.desc())).all()
    if not props:
        return []
    cred = _load(session, scope, credential_id)
    partners = partner_ids(session, cred.id)
    parties = required_parties(session, cred)
    got = _decisions(session, [p.id for p in props])
    names = _org_names(session, {p.organization_id for p in props} | set(parties)
                       | {o for d in got.values() for o in d})
    comments: dict[int, list[dict]] = {}
    for c in session.scalars(scoped(select(ProposalComment).where(
            ProposalComment.proposal_id.in_([p.id for p in props])), scope, ProposalComment)
            .order_by(ProposalComment.created_at, ProposalComment.id)).all():
        comments.setdefault(c.proposal_id, []).append(
            {"author": c.author_email, "text": c.text, "at": c.created_at})
    current = snapshot(session, cred)
    out = []
    for p in props:
        value = json.loads(p.new_value)
        rows = _decision_rows(p, parties, got.get(p.id, {}), names)
        out.append({
            "id": p.id, "field": p.field, "label": LABELS.get(p.field, p.field), "status": p.status,
            "proposer": p.proposer_email, "organization_id": p.organization_id,
            "side": _org_side(cred, p.organization_id, partners),
            "organization": names.get(p.organization_id, ""), "rationale": p.rationale, "base_version": p.base_version,
            "created_at": p.created_at, "decided_by": p.decided_by, "decided_at": p.decided_at,
            "current": _value_text(p.field, current.get(p.field)), "proposed": _value_text(p.field, value, session),
            "comments": comments.get(p.id, []), "decisions": rows,
            "waiting_for": [r["organization"] for r in rows if r["decision"] == "to_decide"],
            **_proposal_rights(scope, cred, partners, p, rows),
        })
    return out


def _value_text(name: str, value: Any, session: Session | None = None) -> str:
    if name == "outcomes":
        return "\n".join(f"{i}. {t}" for i, t in enumerate(value or [], 1)) or "—"
    if name == "skills":
        items = value or []
        if items and "name" not in items[0] and session is not None:
            names = dict(session.execute(select(Skill.id, Skill.name).where(
                Skill.id.in_([int(d["skill_id"]) for d in items]))).all())
            items = [{**d, "name": names.get(int(d["skill_id"]), "?")} for d in items]
        return "; ".join(f"{d['name']} ({d['proficiency']})" for d in items) or "—"
    return _show(name, value)


def current_version(session: Session, scope: Scope, credential_id: int) -> int:
    return _load(session, scope, credential_id).version


def field_value(session: Session, scope: Scope, credential_id: int, name: str) -> Any:
    """The current value of one field in snapshot form (for forms)."""
    return snapshot(session, _load(session, scope, credential_id))[name]


HISTORY_ACTIONS = ("credential.status", "credential.approve", "credential.create", "credential.import")


def _event_text(action: str, data: dict, names: dict[int, str]) -> str:
    if action == "credential.status":
        what = f"Status → {label(data.get('status', ''))}"
    elif action == "credential.approve":
        org = names.get(data.get("organization_id"))
        what = f"Approved version {data.get('version')}" + (f" for {org}" if org else "")
    elif action == "credential.import":
        what = f"{'Created' if data.get('created') else 'Updated'} by the import of {data.get('filename') or 'a file'}"
        what += f" (version {data.get('version')})" if data.get("version") else ""
    else:
        what = f"Created (version {data.get('version', 1)})"
    return what + (f" ({data['reason']})" if data.get("reason") else "")


def history_events(session: Session, scope: Scope, credential_id: int) -> pd.DataFrame:
    """Creation, imports, status changes and approvals (from the audit trail the user may read), newest first."""
    from db.models import AuditEvent

    rows = session.execute(scoped(
        select(AuditEvent.occurred_at, AuditEvent.actor_email, AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.entity == "Credential", AuditEvent.entity_id == str(credential_id),
               AuditEvent.action.in_(HISTORY_ACTIONS)),
        scope, AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())).all()
    parsed = [(at, who, action, json.loads(after or "{}")) for at, who, action, after in rows]
    names = _org_names(session, {d["organization_id"] for *_, d in parsed if d.get("organization_id")})
    out = [(at, who, _event_text(action, data, names)) for at, who, action, data in parsed]
    return pd.DataFrame(out, columns=["at", "by", "event"])
