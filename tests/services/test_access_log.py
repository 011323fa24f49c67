"""The access log: one entry per employer shown, readable by admins and by that employer's HR managers only."""

from __future__ import annotations

import pytest

from services import access_log
from tests.world import build_world


@pytest.fixture
def world(session):
    return build_world(session)


def test_an_officers_list_is_logged_per_employer_and_read_only_by_that_employers_hr(session, world):
    officer = world.scope(session, "officer@u")
    access_log.record(session, officer, view="learner list", filters="2026 Q1",
                      people=[world.id("a1"), world.id("a2"), world.id("b1"), world.id("a1")])
    assert access_log.record(session, officer, view="learner list", filters="", people=[]) == []
    session.commit()

    def seen(user: str, person: str) -> list[tuple[str, int]]:
        return [(e.actor_email, e.rows) for e in
                access_log.entries_about(session, world.scope(session, user), employee_id=world.id(person))]

    assert seen("hr@a", "a1") == [("officer@uni-one.test", 2)]
    assert seen("hr@a", "b1") == []  # Beta's entry is not Acme's to read
    assert seen("hr@b", "b1") == [("officer@uni-one.test", 1)]
    assert seen("admin@u", "a2") == [("officer@uni-one.test", 2)]
    assert seen("officer@u", "a1") == []  # officers do not read the log
    assert seen("hr@a", "a3") == []  # not shown
