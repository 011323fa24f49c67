"""Reading the access log: newest first, by dates and person, each entry with its people; and, as an attacker
would try it, whatever was logged by whom, an HR manager reads only entries and people of its own employer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from db.models import AccessLogEntry, AccessLogSubject, Employee, utcnow
from db.scope import scoped
from services import access_history, access_log
from services.filters import Filters
from services.periods import parse_quarter
from tests.world import TODAY, build_world

USERS = ["admin@u", "officer@u", "officer@u2", "hr@a", "hr@b", "viewer@a", "viewer@u"]
PEOPLE = ["a1", "a2", "a3", "b1", "b2", "c1"]
EMPLOYER_OF = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}
NAME_OF = {"a1": "Ann One", "a2": "Al Two", "a3": "Ada Three", "b1": "Bea One", "b2": "Bo Two", "c1": "Cy One"}


@pytest.fixture
def world(session):
    return build_world(session)


def record(session, world, user: str, people: list[str], *, view: str = "learner list", days_ago: int = 0):
    written = access_log.record(session, world.scope(session, user), view=view, filters="Period 2026Q2",
                                people=[world.id(p) for p in people])
    if days_ago:
        session.execute(update(AccessLogEntry).where(AccessLogEntry.id.in_([e.id for e in written]))
                        .values(occurred_at=utcnow() - timedelta(days=days_ago)))
    session.commit()


def test_entries_are_newest_first_with_their_people_and_narrowed_by_dates_and_person(session, world):
    record(session, world, "officer@u", ["a1", "a2"], days_ago=40)
    record(session, world, "admin@u", ["a2", "b1"], view="PDP goal list", days_ago=2)
    hr = world.scope(session, "hr@a")
    total, frame = access_history.entries(session, hr)
    assert total == 2
    assert list(frame["view"]) == ["PDP goal list", "learner list"]
    assert list(frame["people_shown"]) == ["Al Two (2)", "Al Two (2); Ann One (1)"]
    assert list(frame["rows"]) == [1, 2] and set(frame["employer"]) == {"Acme"}

    today = utcnow().date()
    assert access_history.entries(session, hr, since=today - timedelta(days=30), until=today)[0] == 1
    assert access_history.entries(session, hr, until=today - timedelta(days=30))[0] == 1
    assert access_history.entries(session, hr, person="ANN")[0] == 1  # names and ids, any case
    assert access_history.entries(session, hr, person="2")[0] == 2
    assert access_history.entries(session, hr, person="bea")[0] == 0  # Beta's person: not Acme's to find
    assert access_history.entries(session, hr, limit=1, offset=1)[1]["view"].tolist() == ["learner list"]
    assert access_history.entries(session, world.scope(session, "officer@u"))[0] == 0


def test_a_view_is_described_in_words(session, world):
    filters = Filters(parse_quarter("2026Q2"), employer_ids=frozenset({world.id("B"), world.id("A")}),
                      credential_ids=frozenset({world.id("K1")}))
    assert access_history.describe_view(session, filters, today=TODAY, statuses=["in_progress", "completed"],
                                        search=" ann ", page=2) == (
        "Period 2026Q2 (1 Apr 2026 – 30 Jun 2026); employers Acme, Beta; credentials K1; "
        "status Completed, In progress; search “ann”; page 2")
    assert access_history.describe_view(session, Filters(), today=TODAY) == "Period to date (1 Jan 1900 – 30 Jun 2026)"
    assert access_history.describe_view(session, filters, today=TODAY, states=["at_risk"], as_of=True) == (
        "As of 30 Jun 2026; employers Acme, Beta; credentials K1; goal state At risk")


logs = st.lists(st.tuples(st.sampled_from(USERS), st.sets(st.sampled_from(PEOPLE), min_size=1)),
                min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=logs, reader=st.sampled_from(USERS), person=st.sampled_from(["", "one", "1", "two", "bea", "cy"]),
       days=st.sampled_from([None, 0, 7]))
def test_whatever_was_logged_a_reader_gets_only_what_its_side_may_read(session, world, written, reader, person,
                                                                        days):
    session.execute(delete(AccessLogSubject))
    session.execute(delete(AccessLogEntry))
    session.commit()
    for user, people in written:
        record(session, world, user, sorted(people))
    scope = world.scope(session, reader)
    own = {p for p in PEOPLE if scope.sees_all or (reader.startswith("hr@") and
                                                    world.id(EMPLOYER_OF[p]) == scope.organization_id)}
    since = None if days is None else utcnow().date() - timedelta(days=days)

    # The reading functions: only own people's names, and every own person's entries.
    total, frame = access_history.entries(session, scope, since=since, person=person, limit=1000)
    names = {name.rsplit(" (", 1)[0] for shown in frame["people_shown"] for name in shown.split("; ") if name}
    assert names <= {NAME_OF[p] for p in own}
    for p in PEOPLE:
        about = access_log.entries_about(session, scope, employee_id=world.id(p))
        expected = sum(1 for _, people in written if p in people) if p in own else 0
        assert len(about) == expected, (reader, p)

    # The rows themselves, as any other query of the tables would get them.
    subjects = session.scalars(scoped(select(AccessLogSubject.employee_id), scope, AccessLogSubject)).all()
    employers = set(session.scalars(select(Employee.employer_id).where(Employee.id.in_(subjects))))
    entry_employers = set(session.scalars(scoped(select(AccessLogEntry.employer_id), scope, AccessLogEntry)))
    if scope.sees_all:
        assert len(subjects) == sum(len(people) for _, people in written)
    elif reader.startswith("hr@"):
        assert employers <= {scope.organization_id} and entry_employers <= {scope.organization_id}
    else:
        assert subjects == [] and entry_employers == set() and total == 0
