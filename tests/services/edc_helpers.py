"""The test world made ready for European Digital Credentials: the universities' legal identities and the
Annex I fields of K1 set, and a development seal key outside the repository."""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from db.engine import bump_data_version
from db.models import Credential, Enrollment, Organization
from tests.world import build_world

_generate = rsa.generate_private_key


@functools.cache
def _one_key(key_size: int):
    return _generate(public_exponent=65537, key_size=key_size)


@pytest.fixture(autouse=True)
def seal_files(tmp_path, monkeypatch):
    # One RSA key per test session (generating one takes about a second); each test still writes its own files.
    monkeypatch.setattr(rsa, "generate_private_key", lambda public_exponent, key_size: _one_key(key_size))
    monkeypatch.setenv("EDC_SEAL_KEY", str(tmp_path / "seal" / "edc-seal-key.pem"))
    monkeypatch.delenv("EDC_SEAL_CERT", raising=False)
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(tmp_path / "keys" / "badge-key.json"))
    monkeypatch.setenv("BADGE_BASE_URL", "https://badges.uni-one.test")
    return tmp_path / "seal"


@pytest.fixture
def edc_world(session):
    return make_ready(session, build_world(session))


def make_ready(session, world):
    """The universities' legal identities and K1's Annex I fields, set and committed."""
    one = session.get(Organization, world.id("U"))
    one.legal_identifier, one.country = "UKPRN 10001234", "GB"
    two = session.get(Organization, world.id("U2"))
    two.legal_identifier, two.country = "EE-REG 70000740", "EE"
    k1 = session.get(Credential, world.id("K1"))
    k1.ects_credits, k1.eqf_level, k1.delivery_mode = Decimal("2.5"), 6, "blended"
    k1.issuer_country, k1.qualification_cycle = "IE", "first_cycle"
    k1.assessment_type, k1.quality_assurance = "Written exam", "Internal review by the faculty board"
    k1.prerequisites, k1.assessment_supervision = "Basic statistics", "unsupervised_no_identity_check"
    k1.stackability, k1.stacks_towards = "stackable", "MSc Data Science"
    k1.further_information, k1.learning_hours = "See the course page", 60
    k1.summary = "Data analysis for banks"
    session.get(Enrollment, world.id("E-a1-K1")).score = 87.5
    session.get(Credential, world.id("K6")).assessment_supervision = "supervised_identity_check"
    bump_data_version(session)  # as every write does: the pages' caches see the change
    session.commit()
    return world
