"""What changed in co-design in the quarter, field by field, from the revision history, in the review pack."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from db.models import Credential, CredentialRevision
from services.codesign.versions import snapshot
from services.formatting import shown_frame
from services.periods import parse_quarter
from services.review import build_pack
from services.review_slides import slides
from tests.world import TODAY, build_world

Q2 = parse_quarter("2026Q2")


@pytest.fixture
def world(session):
    world = build_world(session)
    k2 = session.get(Credential, world.id("K2"))  # a draft co-designed with Acme
    v1 = snapshot(session, k2)
    v2 = v1 | {"title": "Credential K2 for banks"}
    v3 = v2 | {"price": "1250.00", "outcomes": ["Outcome of K2", "Explain credit risk"]}
    for version, content, who, saved_at in (
            (1, v1, "officer@uni-one.test", datetime(2026, 1, 15, 9, tzinfo=timezone.utc)),
            (2, v2, "hr@acme.test", datetime(2026, 4, 10, 9, tzinfo=timezone.utc)),
            (3, v3, "officer@uni-one.test", datetime(2026, 5, 20, 9, tzinfo=timezone.utc))):
        session.add(CredentialRevision(credential_id=k2.id, version=version, snapshot=json.dumps(content),
                                       saved_by=who, saved_at=saved_at, summary="test"))
    session.commit()
    return world


def test_two_revisions_in_the_quarter_list_the_changed_fields_only(session, world):
    pack = build_pack(session, world.scope(session, "officer@u"), quarter=Q2, today=TODAY)
    changes = pack.co_design_changes
    assert changes[["code", "field", "before", "after", "party"]].values.tolist() == [
        ["K2", "Title", "Credential K2", "Credential K2 for banks", "employer"],
        ["K2", "Price", "£1,000.00", "£1,250.00", "university"],
        ["K2", "Learning outcome 2", "—", "Explain credit risk", "university"],
    ]
    assert not {"EQF level", "Summary", "Learning hours"} & set(changes["field"])
    assert "In co-design, 3 changes were saved to 1 credential." in pack.narrative
    shown = shown_frame(changes)
    assert list(shown.columns) == ["Code", "Field", "Before", "After", "Saved", "Party"]
    assert shown["Party"].tolist() == ["Employer", "University", "University"]
    # The co-design slide (and so the deck) lists the same changes, field by field.
    slide = next(s for s in slides(pack) if s.key == "co_design")
    assert slide.table[["Field", "After"]].values.tolist() == [
        ["Title", "Credential K2 for banks"], ["Price", "£1,250.00"], ["Learning outcome 2", "Explain credit risk"]]
    assert ("Changes this quarter", "3", "to 1 credential in 2026Q2") in slide.figures


def test_the_changes_of_another_quarter_or_a_credential_not_co_designed_are_not_listed(session, world):
    officer = world.scope(session, "officer@u")
    assert build_pack(session, officer, quarter=parse_quarter("2026Q1"), today=TODAY).co_design_changes.empty
    beta = build_pack(session, officer, quarter=Q2, today=TODAY, employer_ids=frozenset({world.id("B")}))
    assert beta.co_design_changes.empty
    # Beta's HR manager may not read K2's design record at all.
    assert build_pack(session, world.scope(session, "hr@b"), quarter=Q2, today=TODAY).co_design_changes.empty
    assert len(build_pack(session, world.scope(session, "hr@a"), quarter=Q2, today=TODAY).co_design_changes) == 3
