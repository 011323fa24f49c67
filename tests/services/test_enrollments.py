"""The enrollment lifecycle: every legal and illegal status change."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from db.models import Enrollment, EnrollmentStatus
from services.enrollments import TRANSITIONS, InvalidTransition, change_status, check_transition, record_problems

S = EnrollmentStatus
LEGAL = {
    (S.enrolled, S.in_progress), (S.enrolled, S.withdrawn),
    (S.in_progress, S.completed), (S.in_progress, S.failed), (S.in_progress, S.withdrawn),
}


def test_transition_table_is_exactly_the_documented_one():
    assert {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts} == LEGAL


@pytest.mark.parametrize("old,new", list(product(S, S)))
def test_every_pair(old, new):
    if (old, new) in LEGAL:
        check_transition(old, new)
    else:
        with pytest.raises(InvalidTransition, match=f"cannot go from '{old}' to '{new}'"):
            check_transition(old, new)


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="Unknown enrollment status"):
        check_transition("enrolled", "graduated")


def _enrollment(status="enrolled"):
    return Enrollment(employee_id=1, credential_id=1, cohort_id=1, enrolled_on=date(2026, 1, 1), status=status)


def test_change_status_sets_outcome_dates():
    e = _enrollment()
    change_status(e, "in_progress", on=date(2026, 1, 5))
    assert e.status == "in_progress" and e.last_activity_on == date(2026, 1, 5)
    change_status(e, "completed", on=date(2026, 3, 1), score=88)
    assert (e.status, e.completed_on, e.score) == ("completed", date(2026, 3, 1), 88)
    w = _enrollment()
    change_status(w, "withdrawn", on=date(2026, 1, 2))
    assert w.withdrawn_on == date(2026, 1, 2) and w.completed_on is None


def test_change_status_refuses_bad_dates_and_scores():
    with pytest.raises(InvalidTransition, match="before the enrollment date"):
        change_status(_enrollment(), "withdrawn", on=date(2025, 12, 31))
    with pytest.raises(InvalidTransition, match="between 0 and 100"):
        change_status(_enrollment("in_progress"), "completed", on=date(2026, 2, 1), score=120)


def test_record_problems():
    d = date(2026, 1, 1)
    assert record_problems(status="completed", enrolled_on=d, completed_on=date(2026, 2, 1), withdrawn_on=None) == []
    assert record_problems(status="completed", enrolled_on=d, completed_on=None, withdrawn_on=None) == [
        "a completed enrollment needs completed_on"]
    assert record_problems(status="withdrawn", enrolled_on=d, completed_on=None, withdrawn_on=date(2025, 1, 1)) == [
        "withdrawn_on is before enrolled_on"]
    assert record_problems(status="enrolled", enrolled_on=d, completed_on=d, withdrawn_on=None) == [
        "an enrollment with status enrolled cannot have completed_on"]
    assert "unknown status" in record_problems(status="done", enrolled_on=d, completed_on=None, withdrawn_on=None)[0]
