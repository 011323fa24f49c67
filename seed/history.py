"""The app users and the co-design record: what the co-design studio would have recorded for each credential
(revisions, status changes, approvals and their audit events). No random draws: the rest stays as it was."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from db.models import Approval, AppUser, AuditEvent, CredentialRevision, CredentialStatus, Role
from seed.catalogue import esco_uri
from seed.demo_users import DEMO_USERS
from seed.organisations import UNIVERSITY
from seed.partners import write_generated_users
from seed.rows import Timestamps, Writer, money
from seed.run import SeedRun
from services.codesign.rules import EUROPEAN_DEFAULTS


def write_users(run: SeedRun, writer: Writer) -> None:
    for user_id, user in enumerate(DEMO_USERS, start=1):
        writer.rows(AppUser).append(dict(
            id=user_id, email=user["email"].lower(), display_name=user["display_name"], role=Role(user["role"]).value,
            organization_id=run.org_id[user["org_code"]], is_active=bool(user["is_active"]),
            created_at=run.timestamp(run.today - timedelta(days=400 - 9 * user_id)), last_login_at=None,
        ))
    write_generated_users(run, writer, first_id=len(DEMO_USERS) + 1)  # none at the demo scale


def write_design_history(run: SeedRun, writer: Writer) -> None:
    """A revision per version (version 1 created by the university, each later one a change by a co-designer
    or the university), the status changes up to the credential's status and, from review on, the approvals of
    its current version: by every party once approved (published and retired included), by the university
    while in review. Dated between the credential's created and updated days."""
    users = {(user["org_code"], user["role"]): (user_id, user["email"])
             for user_id, user in reversed(list(enumerate(DEMO_USERS, 1))) if user["is_active"]}
    code_of = {organisation_id: code for code, organisation_id in run.org_id.items()}
    officer = users[(UNIVERSITY["code"], Role.partnership_officer.value)]
    history = _History(writer, run.timestamp, run.university_id)
    skill_names = {skill_id: name for name, skill_id in run.skill_id.items()}
    for credential in run.credentials:
        hr_managers = [users[(code_of[employer_id], Role.hr_manager.value)]
                       for employer_id in credential["partner_ids"]]
        _credential_history(run, history, credential, officer, hr_managers,
                            _versions(_snapshot(run, credential, skill_names), credential["version"]))


def _on(start: date, end: date, fraction: float) -> date:
    """The day a fraction of the way from start to end."""
    return start + timedelta(days=round((end - start).days * fraction))


def _credential_history(run: SeedRun, history: _History, credential: dict, officer: tuple[int, str],
                        hr_managers: list[tuple[int, str]], snapshots: list[tuple[dict, str]]) -> None:
    status = CredentialStatus(credential["status"])
    credential_id, version = credential["id"], credential["version"]
    start, end = credential["created_on"], credential["updated_on"]
    if status == CredentialStatus.retired:  # published before its first cohort, retired on updated_on
        end = min(run.quarter_starts[credential["first_q"]] - timedelta(days=14), end)
    history.created(credential_id, snapshots[0], officer[1], start)
    for edit in range(2, version + 1):
        who = hr_managers[(edit - 2) % len(hr_managers)] if hr_managers and edit % 2 == 0 else officer
        history.edited(credential_id, edit, snapshots[edit - 2], snapshots[edit - 1], who[1],
                       _on(start, end, 0.5 * (edit - 1) / version))
    if status == CredentialStatus.draft:
        return
    history.status(credential_id, version, "draft", "in_review", officer[1], _on(start, end, 0.6))
    parties = [(run.university_id, officer)] + list(zip(credential["partner_ids"], hr_managers, strict=True))
    if status == CredentialStatus.in_review:
        parties = parties[:1]
    for k, (organisation_id, who) in enumerate(parties):
        history.approved(credential_id, version, organisation_id, who, _on(start, end, 0.65 + 0.25 * k / len(parties)))
    if status == CredentialStatus.in_review:
        return
    history.status(credential_id, version, "in_review", "approved", parties[-1][1][1], _on(start, end, 0.9),
                   reason="approved by the university and every co-designing employer")
    if status == CredentialStatus.approved:
        return
    history.published(credential_id, version, history.status(credential_id, version, "approved", "published",
                                                              officer[1], end))
    if status == CredentialStatus.retired:
        history.status(credential_id, version, "published", "retired", officer[1], credential["updated_on"])


def _snapshot(run: SeedRun, credential: dict, skill_names: dict[int, str]) -> dict:
    """The credential's content as services/codesign.snapshot writes it (revisions hold these)."""
    partners = [(employer["id"], employer["code"], employer["name"]) for employer in run.employers
                if employer["id"] in credential["partner_ids"]]
    return {
        "code": credential["code"], "title": credential["title"], "summary": credential["summary"],
        "eqf_level": credential["eqf"], "ects_credits": str(Decimal(credential["ects"]).quantize(Decimal("0.1"))),
        "learning_hours": int(Decimal(credential["ects"]) * 25), "delivery_mode": credential["mode"],
        "price": str(money(credential["price"])),
        **{name: credential.get(name, default) for name, default in EUROPEAN_DEFAULTS.items()},
        "outcomes": list(credential["outcomes"]),
        "skills": sorted(({"skill_id": skill_id, "name": skill_names[skill_id], "proficiency": proficiency,
                           "esco_uri": esco_uri(skill_names[skill_id])}
                          for skill_id, proficiency in credential["skills"]),
                         key=lambda skill: (skill["name"].lower(), skill["skill_id"])),
        "partners": sorted(({"employer_id": employer_id, "code": code, "name": name}
                            for employer_id, code, name in partners),
                           key=lambda partner: (partner["name"], partner["employer_id"])),
    }


def _versions(final: dict, count: int) -> list[tuple[dict, str]]:
    """Snapshots of versions 1..count (with what each changed), worked back from the final content: version 2
    added the last learning outcome, version 3 raised the first skill's proficiency by one."""
    snapshots = [(final, "")]
    for version in range(count, 1, -1):
        current = snapshots[0][0]
        if version == 2:
            previous = {**current, "outcomes": current["outcomes"][:-1]}
            change = f"Added learning outcome {len(current['outcomes'])}"
        else:
            first = current["skills"][0]
            lower = [dict(skill, proficiency=skill["proficiency"] - 1) if skill is first else skill
                     for skill in current["skills"]]
            previous = {**current, "skills": lower if first["proficiency"] > 1 else current["skills"][1:]}
            change = f"Mapped skill {first['name']} at proficiency {first['proficiency']}"
        snapshots[0] = (current, change)
        snapshots.insert(0, (previous, "Created"))
    snapshots[0] = (snapshots[0][0], "Created")
    return snapshots


class _History:
    """Rows of the co-design record (revisions, approvals, audit events), with ids, for the writer."""

    def __init__(self, writer: Writer, timestamp: Timestamps, university_id: int):
        self.writer, self.timestamp, self.university_id = writer, timestamp, university_id
        self.event_id = 1  # 1 is the seed's own event, written last
        self.minute = 0

    def _at(self, day: date) -> datetime:
        self.minute += 1  # events of one day keep their order
        return self.timestamp(day) + timedelta(minutes=self.minute)

    def _event(self, credential_id: int, actor: str, action: str, at: datetime, before: dict | None,
               after: dict) -> None:
        self.event_id += 1
        self.writer.rows(AuditEvent).append(dict(
            id=self.event_id, occurred_at=at, actor_email=actor, organization_id=self.university_id, action=action,
            entity="Credential", entity_id=str(credential_id),
            before=None if before is None else json.dumps(before, sort_keys=True),
            after=json.dumps(after, sort_keys=True)))

    def _revision(self, credential_id: int, version: int, snapshot: dict, by: str, at: datetime,
                  summary: str) -> None:
        rows = self.writer.rows(CredentialRevision)
        rows.append(dict(id=self.writer.counts["credentialrevision"] + len(rows) + 1, credential_id=credential_id,
                         version=version, snapshot=json.dumps(snapshot, sort_keys=True), saved_by=by, saved_at=at,
                         summary=summary, published_at=None))

    def created(self, credential_id: int, snapshot: tuple[dict, str], by: str, day: date) -> None:
        self.minute = 0  # a credential's events are minutes apart on their days, in order
        at = self._at(day)
        self._revision(credential_id, 1, snapshot[0], by, at, snapshot[1])
        self._event(credential_id, by, "credential.create", at, None, {"version": 1, **snapshot[0]})

    def edited(self, credential_id: int, version: int, before: tuple[dict, str], after: tuple[dict, str], by: str,
               day: date) -> None:
        at = self._at(day)
        self._revision(credential_id, version, after[0], by, at, after[1])
        keys = [key for key in after[0] if before[0][key] != after[0][key]]
        self._event(credential_id, by, "credential.edit", at,
                    {"version": version - 1, **{key: before[0][key] for key in keys}},
                    {"version": version, **{key: after[0][key] for key in keys}})

    def status(self, credential_id: int, version: int, old: str, new: str, by: str, day: date,
               reason: str = "") -> datetime:
        after = {"status": new, "version": version, **({"reason": reason} if reason else {})}
        at = self._at(day)
        self._event(credential_id, by, "credential.status", at, {"status": old}, after)
        return at

    def published(self, credential_id: int, version: int, at: datetime) -> None:
        """The revision of ``version`` was published at ``at``: it joins the public change list."""
        for row in reversed(self.writer.rows(CredentialRevision)):
            if (row["credential_id"], row["version"]) == (credential_id, version):
                row["published_at"] = at
                return
        raise AssertionError(f"no revision {version} of credential {credential_id} to publish")

    def approved(self, credential_id: int, version: int, organisation_id: int, who: tuple[int, str],
                 day: date) -> None:
        at = self._at(day)
        rows = self.writer.rows(Approval)
        rows.append(dict(id=self.writer.counts["approval"] + len(rows) + 1, credential_id=credential_id,
                         version=version, organization_id=organisation_id, user_id=who[0], approver_email=who[1],
                         approved_at=at))
        self._event(credential_id, who[1], "credential.approve", at, None,
                    {"version": version, "organization_id": organisation_id})
