"""Planning a credentials file: upsert on code within the target university. Only drafts change, under
the co-design version lock, and each created or changed credential gets a revision and a history event."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session

from db import summaries
from db.models import (
    AssessmentSupervision,
    AuditEvent,
    Credential,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    DeliveryMode,
    QualificationCycle,
    Skill,
    SkillStatus,
    Stackability,
    utcnow,
)
from services.codesign.rules import CodesignError
from services.codesign.validation import clean_field
from services.formatting import label
from services.imports.cells import BAD, has_value
from services.imports.common import ImportFailed, Progress
from services.imports.kinds import EUROPEAN_COLUMNS
from services.imports.planning import PlanContext, differences, insert_rows, skills_by_name, update_rows

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # as services/codesign/
ELEMENT_FIELDS = tuple(column.name for column in EUROPEAN_COLUMNS)
CREDENTIAL_FIELDS = {"title": "title", "summary": "summary", "level": "eqf_level", "credits": "ects_credits",
                     "hours": "learning_hours", "delivery_mode": "delivery_mode", "price": "price",
                     **{name: name for name in ELEMENT_FIELDS}}
def _norm(text) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")


# A choice cell may hold the value (supervised_identity_check) or its label as the studio shows it
# ("Supervised, with identity check"), in any case.
_CHOICES = {name: {_norm(text): member.value for member in kind for text in (member.value, label(member))}
            for name, kind in (("qualification_cycle", QualificationCycle),
                               ("assessment_supervision", AssessmentSupervision), ("stackability", Stackability))}


def _clean_elements(ctx: PlanContext, line: int, values: dict) -> None:
    """The European elements of a row cleaned as the studio cleans them (services/codesign/validation); each
    refusal is reported with its reason, the row is then written nowhere."""
    for name in ELEMENT_FIELDS:
        if name not in ctx.present or values.get(name) is BAD:
            continue
        raw = values[name]
        if name in _CHOICES and has_value(raw):
            raw = _CHOICES[name].get(_norm(raw), raw)
        try:
            values[name] = clean_field(ctx.session, None, name, raw)
        except CodesignError as exc:
            ctx.error(line, name, str(exc))


def _stored_credentials(session: Session) -> dict:
    """Every credential by lower-case code (codes are unique across universities)."""
    return {row.code.lower(): row for row in session.execute(
        select(Credential.id, Credential.university_id, Credential.code, Credential.title, Credential.summary,
               Credential.eqf_level, Credential.ects_credits, Credential.learning_hours, Credential.delivery_mode,
               Credential.price, Credential.status, Credential.version,
               *(getattr(Credential, name) for name in ELEMENT_FIELDS))).all()}


def _mapped_skills(session: Session) -> dict[int, dict[str, tuple[str, int]]]:
    """{credential id: {lower-case skill name: (name, proficiency)}}."""
    mapped: dict[int, dict[str, tuple[str, int]]] = {}
    for credential_id, name, level in session.execute(
            select(CredentialSkill.credential_id, Skill.name, CredentialSkill.proficiency)
            .join(Skill, Skill.id == CredentialSkill.skill_id)).all():
        mapped.setdefault(credential_id, {})[name.lower()] = (name, level)
    return mapped


def _check_code(ctx: PlanContext, seen: dict, line: int, code) -> bool:
    """Report a code that is malformed or repeats an earlier row's; True for a repeat (the row is skipped)."""
    if not has_value(code):
        return False
    if not CODE_RE.match(code):
        ctx.error(line, "code", f"'{code}' is not a code: use letters, digits, '.', '_' and '-', "
                                "starting with a letter or digit")
        return False
    return ctx.is_duplicate(seen, code.lower(), line, "code", f"code '{code}'")


def _changes(ctx: PlanContext, defaults: dict, mapped: dict, values: dict, current) -> list[str]:
    pairs = [(column, getattr(current, attr), values[column] if values[column] is not None else defaults[column])
             for column, attr in CREDENTIAL_FIELDS.items() if column in ctx.present]
    if "skills" in ctx.present:
        have = {key: level for key, (_, level) in mapped.get(current.id, {}).items()}
        want = {key: level for key, (_, level) in (values["skills"] or {}).items()}
        if have != want:
            pairs.append(("skills", mapped.get(current.id, {}), values["skills"] or {}))
    return differences(pairs)


def plan_credentials(ctx: PlanContext, rows) -> None:
    stored = _stored_credentials(ctx.session)
    skills = skills_by_name(ctx.session)
    mapped = _mapped_skills(ctx.session)
    defaults = ctx.spec.defaults
    seen: dict = {}
    new_skills: dict[str, str] = {}
    creates, updates = [], []
    for line, values in rows:
        code = values["code"]
        if _check_code(ctx, seen, line, code):
            continue
        _clean_elements(ctx, line, values)
        current = stored.get(code.lower()) if has_value(code) else None
        if current is not None and current.university_id != ctx.target:
            ctx.error(line, "code", f"code '{code}' is used by another university's credential")
            continue
        if has_value(values.get("skills")):
            for key, (name, _) in values["skills"].items():
                if key not in skills:
                    new_skills.setdefault(key, name)
        if line in ctx.bad:
            continue
        if current is None:
            creates.append((line, values))
            ctx.will_create(line, code)
            continue
        changed = _changes(ctx, defaults, mapped, values, current)
        if changed and current.status != CredentialStatus.draft:
            ctx.error(line, "code", f"credential '{current.code}' is {current.status}: an import changes only draft "
                                    "credentials (change it on the Co-design page)")
            continue
        if changed:
            updates.append((line, values, current))
        ctx.compared(line, current.code, changed)
    ctx.set_counts(rows, creates, updates)
    ctx.plan.also_created["skills"] = len(new_skills)
    ctx.plan._write = _Writer(ctx, new_skills, creates, updates).write


class _Writer:
    """The writes of a valid credentials plan, step by step."""

    def __init__(self, ctx: PlanContext, new_skills: dict[str, str], creates: list, updates: list) -> None:
        self.ctx, self.new_skills, self.creates, self.updates = ctx, new_skills, creates, updates
        self.university_id = ctx.target
        self.defaults = ctx.spec.defaults

    def _add_skills(self, session: Session, now) -> None:
        """The university's file names its skills: new names join the vocabulary, and a name an employer
        proposed (or one rejected before) is accepted by it."""
        held = set(session.scalars(select(func.lower(Skill.name)).where(
            func.lower(Skill.name).in_(sorted(self.new_skills)))).all())
        if held:
            session.execute(update(Skill).where(func.lower(Skill.name).in_(sorted(held))).values(
                status=SkillStatus.accepted, decided_by=self.ctx.scope.email, decided_at=now))
        insert_rows(session, Skill, [{"name": name, "category": None, "esco_uri": None}
                                     for key, name in self.new_skills.items() if key not in held], None, "")

    def fields(self, values: dict) -> dict:
        return {attr: (values[column] if values[column] is not None else self.defaults[column])
                for column, attr in CREDENTIAL_FIELDS.items() if column in self.ctx.present}

    def write(self, session: Session, progress: Progress | None) -> None:
        now = utcnow()
        if self.new_skills:
            self._add_skills(session, now)
        skill_ids = {key: skill_id for key, (skill_id, _) in skills_by_name(session).items()}
        if self.updates:
            self._save_baselines(session, now)
        self._insert_created(session, now)
        self._update_changed(session, now)
        ids = dict(session.execute(select(func.lower(Credential.code), Credential.id)
                                   .where(Credential.university_id == self.university_id)).all())
        if "skills" in self.ctx.present:
            self._replace_skills(session, ids, skill_ids)
        self._record_history(session, ids, now)

    def _save_baselines(self, session: Session, now) -> None:
        """The content before this import, for drafts that had no revision yet."""
        from services import codesign

        ids = [current.id for _, _, current in self.updates]
        have = set(session.execute(select(CredentialRevision.credential_id, CredentialRevision.version)
                                   .where(CredentialRevision.credential_id.in_(ids))).all())
        for credential in session.scalars(select(Credential).where(Credential.id.in_(ids))).all():
            if (credential.id, credential.version) not in have:
                session.add(CredentialRevision(
                    credential_id=credential.id, version=credential.version, saved_by="(baseline)",
                    saved_at=credential.updated_at or now, summary="Content before the first tracked change",
                    snapshot=json.dumps(codesign.snapshot(session, credential), sort_keys=True)))
        session.flush()

    def _insert_created(self, session: Session, now) -> None:
        insert_rows(session, Credential, [
            {"university_id": self.university_id, "code": values["code"], "title": values["title"], "summary": "",
             "eqf_level": values["level"], "ects_credits": Decimal(0), "learning_hours": 0,
             "delivery_mode": DeliveryMode.online.value, "price": Decimal(0),
             "status": CredentialStatus.draft.value, "version": 1, "created_at": now, "updated_at": now,
             **self.fields(values)} for _, values in self.creates], None, "")

    def _update_changed(self, session: Session, now) -> None:
        # The version is the co-design optimistic lock: a save by someone else since the plan matches no row.
        table = Credential.__table__
        matched = update_rows(
            session, Credential,
            [{"b_id": current.id, "b_version": current.version, "updated_at": now, **self.fields(values)}
             for _, values, current in self.updates],
            stmt=table.update().where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(version=table.c.version + 1))
        if self.updates and session.get_bind().dialect.supports_sane_multi_rowcount and matched != len(self.updates):
            raise ImportFailed("Someone changed these credentials meanwhile.")

    def _replace_skills(self, session: Session, ids: dict[str, int], skill_ids: dict[str, int]) -> None:
        touched = [(ids[values["code"].lower()], values["skills"] or {}) for _, values in self.creates] + \
                  [(current.id, values["skills"] or {}) for _, values, current in self.updates]
        if not touched:
            return
        touched_ids = [credential_id for credential_id, _ in touched]
        session.execute(delete(CredentialSkill).where(CredentialSkill.credential_id.in_(touched_ids)))
        insert_rows(session, CredentialSkill, [
            {"credential_id": credential_id, "skill_id": skill_ids[key], "proficiency": level}
            for credential_id, wanted in touched for key, (_, level) in wanted.items()], None, "")
        summaries.refresh_for_credentials(session, touched_ids)

    def _record_history(self, session: Session, ids: dict[str, int], now) -> None:
        """One revision per created or changed credential, so the co-design history stays complete, and an
        event naming the import (the studio and catalogue read these)."""
        from services import codesign

        ctx = self.ctx
        changed_ids = [ids[values["code"].lower()] for _, values in self.creates] + \
                      [current.id for _, _, current in self.updates]
        created_ids = {ids[values["code"].lower()] for _, values in self.creates}
        versions = []
        for credential in session.scalars(select(Credential).where(Credential.id.in_(changed_ids))
                                          .execution_options(populate_existing=True)).all():
            session.add(CredentialRevision(
                credential_id=credential.id, version=credential.version, saved_by=ctx.scope.email, saved_at=now,
                summary=f"{codesign.IMPORTED_FROM}{ctx.plan.filename}"[:500],
                snapshot=json.dumps(codesign.snapshot(session, credential), sort_keys=True)))
            versions.append((credential.id, credential.version))
        insert_rows(session, AuditEvent, [
            {"occurred_at": now, "actor_email": ctx.scope.email, "organization_id": self.university_id,
             "action": "credential.import", "entity": "Credential", "entity_id": str(credential_id), "before": None,
             "after": json.dumps({"filename": ctx.plan.filename, "sha256": ctx.plan.sha256, "version": version,
                                  "created": credential_id in created_ids}, sort_keys=True)}
            for credential_id, version in versions], None, "")
