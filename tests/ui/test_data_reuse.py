"""ui/data.py's pages share the figures of one database and data version (services/metrics/reuse.py):
a page's second call reuses what its first read, and a write (a new data version) is never served stale."""

from __future__ import annotations

from datetime import date

import pytest

from db import summaries
from db.engine import bump_data_version, get_engine
from db.models import Employee
from services import metrics
from services.filters import Filters
from services.periods import parse_quarter
from tests.statements import statements
from tests.world import TODAY, build_world
from ui import data

Q2 = parse_quarter("2026Q2")


@pytest.fixture
def world(session, db_url, monkeypatch):
    built = build_world(session)
    monkeypatch.setenv("DATABASE_URL", db_url)
    data.clear()  # earlier tests' worlds had the same data version in this process
    yield built
    data.clear()


def test_a_page_reuses_its_figures_and_a_write_is_never_served_stale(session, world):
    scope = world.scope(session, "officer@u")
    first = data.get(metrics.summary, scope, Filters(Q2), TODAY)
    acme = data.get(metrics.by_employer, scope, Filters(Q2), TODAY).set_index("employer").loc["Acme", "headcount"]
    data.get(metrics.alerts, scope, Filters(Q2), TODAY)
    with statements(get_engine()) as seen:
        states = data.get(metrics.goal_states, scope, Filters(Q2), TODAY)
    with statements(session.get_bind()) as alone:
        assert metrics.goal_states(session, scope, Filters(Q2), today=TODAY) == states
    figures = [s for s in seen if "FROM dataversion" not in s]
    assert len(figures) == len(alone) - 2 == 0  # the goal states were read by the alerts
    # A hire, written as an import writes it: summaries refreshed and the data version bumped.
    session.add(Employee(employer_id=world.id("A"), employee_ref="new", full_name="New Hire",
                         department_id=world.id("A-IT"), hired_on=date(2026, 5, 4)))
    session.flush()
    summaries.refresh(session, [world.id("A")])
    bump_data_version(session)
    session.commit()
    again = data.get(metrics.summary, scope, Filters(Q2), TODAY)
    assert again.headcount == first.headcount + 1
    after = data.get(metrics.by_employer, scope, Filters(Q2), TODAY).set_index("employer").loc["Acme", "headcount"]
    assert after == acme + 1
