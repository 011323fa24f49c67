"""The Team box: narrows the lists that name people to one manager's direct reports (services/people/teams.py).

Only the lists: figures (KPIs, charts, department tables) keep whole department cells and never take the team,
so the box says so. HR managers and admins get it; officers do not (they see their partners' learners, not
their teams).
"""

from __future__ import annotations

import streamlit as st

from db.models import Role
from db.scope import Scope
from services import people
from ui import data, state

EVERYONE = 0
CAPTION = "The team narrows the lists of people; figures stay by department."


def offers_teams(scope: Scope) -> bool:
    return scope.role in (Role.hr_manager, Role.admin)


def team_box(scope: Scope, *, key: str, container=None) -> int | None:
    """The manager chosen in the Team box (None: everyone). ``key`` keeps the choice across reruns and pages."""
    if not offers_teams(scope):
        return None
    managers = dict(data.options(people.managers, scope))
    if not managers:
        return None
    box = container or st
    # "Everyone" is 0, not None: a selectbox showing None shows its placeholder instead (no employee id is 0).
    chosen = state.choice("Team", [EVERYONE, *managers], key=key, container=box, default=EVERYONE,
                          format_func=lambda manager: "Everyone" if manager == EVERYONE else managers[manager])
    box.caption(CAPTION)
    return None if chosen in (EVERYONE, None) else chosen


def team_words(scope: Scope, team: int | None) -> str:
    """The team in the words of the access log's selection ("; team of Ann One (3 people)"), "" for everyone."""
    if team is None:
        return ""
    return f"; team of {dict(data.options(people.managers, scope)).get(team, 'a manager')}"
