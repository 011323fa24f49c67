"""Shared fixtures and helpers of the co-design tests (test_codesign_*.py).


Their expectations are written by hand from tests/world.py: K2 is a draft co-designed by Acme (A),
K3 a draft co-designed by Beta (B), K1 published (co-designed by A), K4 retired, K5 in review
(no co-designer), K6 published by Uni Two.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Approval, AuditEvent, Credential, CredentialSkill
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def sc(session, world, label):
    return world.scope(session, label)


def cred(session, world, label="K2") -> Credential:
    session.expire_all()
    return session.get(Credential, world.id(label))


def audit_actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_email != "seed")
                                .order_by(AuditEvent.id)).all())


# The mandatory European elements (Annex I) the test world's credentials lack: it has the title, an outcome
# (K2, K3), ECTS credits, the level and the delivery mode.
ELEMENTS = {"issuer_country": "IE", "assessment_type": "A written exam and a workplace project",
            "quality_assurance": "Internal quality assurance of Uni One, accredited by the national agency"}


def complete(session, world, label="K2") -> Credential:
    """Give a credential the mandatory European elements it lacks (services/codesign/completeness.py)."""
    c = session.get(Credential, world.id(label))
    for name, value in ELEMENTS.items():
        setattr(c, name, value)
    session.add(c)
    session.commit()
    return c


def make_ready(session, world, label="K2", *, status="draft", approvals=()) -> Credential:
    """Give a credential what review needs (summary, outcome, skill, the European elements), then put it
    in ``status``."""
    c = complete(session, world, label)
    c.summary = "Data skills for banking teams"
    c.status = status
    session.add(c)
    if not session.get(CredentialSkill, (c.id, world.id("s1"))):
        session.add(CredentialSkill(credential_id=c.id, skill_id=world.id("s1"), proficiency=3))
    for org in approvals:
        session.add(Approval(credential_id=c.id, version=c.version, organization_id=world.id(org),
                             approver_email=f"someone@{org}"))
    session.commit()
    return c
