"""Shared by the people tests: a person with distinctive identifiers, a dump of every table, the figures."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import Employee, metadata
from services import access_log, metrics, pdp
from services.filters import Filters
from services.periods import Period, parse_quarter
from tests.world import TODAY

# Ann One (a1 of tests/world.py) given identifiers that a search cannot find by accident.
ANN = {"employee_ref": "HR-ANN-7781", "full_name": "Annabel Onestone", "email": "annabel.onestone@acme.test",
       "job_title": "Chief credit risk officer", "location": "Harrogate annexe"}
GOAL_TITLE = "Annabel Onestone coaches the Harrogate team"
IDENTIFYING = [ANN["employee_ref"], ANN["full_name"], ANN["email"], ANN["job_title"], ANN["location"], GOAL_TITLE,
               "Onestone"]


def make_ann_identifiable(session: Session, world) -> int:
    """a1 with a distinctive name, email, HRIS id, job and place; a goal titled with her name (audited with
    her HRIS id); a learner list that showed her, searched by her name."""
    employee = session.get(Employee, world.id("a1"))
    for name, value in ANN.items():
        setattr(employee, name, value)
    session.add(employee)
    session.commit()
    hr = world.scope(session, "hr@a")
    pdp.add_goal(session, hr, employee_id=employee.id, period="2026", title=GOAL_TITLE, skill_id=world.id("s2"),
                 credential_id=None, target_level=3, due_on=date(2026, 12, 31))
    access_log.record(session, world.scope(session, "officer@u"), view="learner list",
                      filters=f"2026 Q2; search: {ANN['full_name']}", people=[employee.id, world.id("a2")])
    session.commit()
    return employee.id


def dump(session: Session) -> str:
    """Every column of every row of every table, as one lower-case text."""
    session.expire_all()
    return "\n".join(f"{table.name}: {tuple(row)}" for table in metadata.sorted_tables
                     for row in session.execute(select(table))).lower()


def found(text: str) -> list[str]:
    return [needle for needle in IDENTIFYING if needle.lower() in text.lower()]


def _plain(value):
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records", date_format="iso"))
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


FIGURES = (metrics.summary, metrics.by_credential, metrics.by_cohort, metrics.by_employer, metrics.by_quarter,
           metrics.by_department, metrics.departments_shown, metrics.days_to_complete, metrics.skills_gained,
           metrics.skills_gained_by_quarter, metrics.outcome_change, metrics.outcome_change_shown, metrics.retention,
           metrics.budget, metrics.goal_states, metrics.skill_gaps, metrics.skill_gaps_shown,
           metrics.assessment_levels, metrics.assessment_levels_shown)
PERIODS = [parse_quarter("2026Q1"), parse_quarter("2026Q2"), Period(date(2025, 1, 1), date(2026, 6, 30), "to date")]


def figures(session: Session, scope) -> str:
    """Every dashboard figure (services/metrics) for past periods, as one JSON text."""
    session.expire_all()
    out = {f"{function.__name__} {period.label}": _plain(function(session, scope, Filters(period=period), today=TODAY))
           for function in FIGURES for period in PERIODS}
    return json.dumps(out, sort_keys=True, default=str)
