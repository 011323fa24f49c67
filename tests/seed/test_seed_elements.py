"""The demo seed to the European standard: every published and retired credential has all mandatory elements
of Annex I, a draft still lacks some, the university names its legal identifier, and each published version's
revision says when it was published (the public change list)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from db.models import AuditEvent, Credential, CredentialRevision, Organization
from db.scope import scope_for_user
from seed.demo import seed_database
from services import codesign
from services.codesign import completeness, published
from services.identity import find_user


def test_the_seeded_catalogue_is_complete_where_it_is_published(blank_engine):
    engine = blank_engine("elements")
    seed_database(engine, employees=40, seed=7, today=date(2026, 5, 20))
    with Session(engine) as session:
        university = session.scalar(select(Organization).where(Organization.code == "NBU"))
        assert (university.country, university.legal_identifier) == ("GB", "UKPRN 10001234")
        credentials = session.scalars(select(Credential).order_by(Credential.code)).all()
        lacking = {cred.code: completeness.missing(codesign.snapshot(session, cred)) for cred in credentials}
        for cred in credentials:
            if cred.status != "draft":
                assert lacking[cred.code] == [], cred.code
            assert cred.issuer_country == "GB"
        assert lacking["MC-SUS-101"] == ["Type of assessment", "Type of quality assurance"]
        assert lacking["MC-CX-101"] == ["Type of quality assurance"]
        assert {cred.stackability for cred in credentials} == {"stackable", "stand_alone"}
        assert len({cred.assessment_supervision for cred in credentials if cred.status != "draft"}) == 3
        data101 = next(cred for cred in credentials if cred.code == "MC-DATA-101")
        assert (data101.stackability, data101.stacks_towards) == (
            "stackable", "Data Analytics Professional pathway (PW-DATA)")

        # The version published has published_at: the time of its "Published" status change.
        for cred in credentials:
            revisions = {revision.version: revision.published_at for revision in session.scalars(
                select(CredentialRevision).where(CredentialRevision.credential_id == cred.id)).all()}
            if cred.status in ("published", "retired"):
                events = session.scalars(select(AuditEvent).where(
                    AuditEvent.entity == "Credential", AuditEvent.entity_id == str(cred.id),
                    AuditEvent.action == "credential.status")).all()
                published_at = next(event.occurred_at for event in events
                                    if json.loads(event.after)["status"] == "published")
                assert revisions == {**{v: None for v in range(1, cred.version)}, cred.version: published_at}
            else:
                assert set(revisions.values()) == {None}, cred.code

        # HR of Kestrel Logistics, which does not co-design MC-DATA-101: its published version only.
        kestrel = scope_for_user(session, find_user(session, "hr@kestrel-logistics.co.uk"))
        changes = published.change_list(session, kestrel, data101.id)
        assert set(changes["version"]) == {2} and set(changes["before"]) == {"—"}
        assert "Learning outcome 4" in set(changes["field"])
