"""The Plan page's steps: who the plan is for, which gap skills, their gaps, the ranking and the recommendation
chosen. Every choice is kept by a stable key (ui/state.py), so nothing resets after an action elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import Scope
from services import people as people_services
from services.formatting import fmt
from services.metrics import RANKING, RANKING_CANDIDATES, RANKING_ORDER
from services.planning import gaps as plan_gaps
from services.planning import ranking as plan_ranking
from services.planning.choice import PlanChoice
from ui import access, data, state
from ui.data import CACHE_TTL_SECONDS, current_data_version

ARRIVAL_KEY = "plan_arrival"  # set by the heatmap's "Plan for a gap" (ui/plan/entry.py)
DEPARTMENT, TEAM, CHOSEN = "A department", "A team", "Chosen people"
LEVELS = [1, 2, 3, 4, 5]
SHOWN = ["code", "title", "steps", "coverage", "levels_closed", "people_helped", "mean_levels_closed", "price",
         "cost", "budget_left", "fits_budget", "median_days", "completions", "completion_rate", "next_cohort"]
HEADINGS = {"code": "Code", "title": "Title", "steps": "Steps", "fits_budget": "Fits the budget",
            "next_cohort": "Next cohort with seats"}


def arrive_from_heatmap() -> None:
    """Take the department and skills the heatmap's control handed over, as the page's kept choices."""
    arrival = st.session_state.pop(ARRIVAL_KEY, None)
    if arrival is None:
        return
    state.select("plan_employer", arrival["employer_id"])
    state.select("plan_mode", DEPARTMENT)
    state.select("plan_departments", list(arrival["department_ids"]))
    state.select("plan_skills", list(arrival["skill_ids"]))


def kept_multiselect(label: str, options: Sequence, *, key: str, format_func: Callable = str, container=None,
                     **kwargs) -> list:
    """A multiselect whose choice is kept across reruns and pages (options no longer offered are dropped)."""
    state.restore(key, [], list(options))
    value = (container or st).multiselect(label, list(options), key=key, format_func=format_func,
                                          on_change=state.keep, args=(key,), **kwargs)
    st.session_state[state.KEEP + key] = value
    return value


def _with(function, scope: Scope, **kwargs):
    with Session(get_engine()) as session:
        return function(session, scope, **kwargs)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=200)
def _cached(name: str, scope: Scope, version: int, kwargs: tuple):
    functions = {"departments": plan_gaps.departments, "current_people": plan_gaps.current_people,
                 "skill_choices": plan_gaps.skill_choices, "skills_with_gaps": plan_gaps.skills_with_gaps,
                 "heatmap_departments": plan_gaps.heatmap_departments, "rank": plan_ranking.rank}
    return _with(functions[name], scope, **dict(kwargs))


def cached(name: str, scope: Scope, **kwargs):
    """One of the planning services, cached per scope, arguments and data version."""
    return _cached(name, scope, current_data_version(), tuple(sorted(kwargs.items())))


def who_picker(scope: Scope, *, employer_id: int, today: date) -> dict[int, str]:
    """A: who the plan is for (a department, a manager's team, or people chosen by name): id → name."""
    state.restore("plan_mode", DEPARTMENT, [DEPARTMENT, TEAM, CHOSEN])
    mode = st.radio("Who", [DEPARTMENT, TEAM, CHOSEN], key="plan_mode", horizontal=True, on_change=state.keep,
                    args=("plan_mode",))
    if mode == TEAM:
        managers = dict(data.options(people_services.managers, scope, employer_id))
        manager = state.choice("Team of", list(managers), key="plan_team", format_func=managers.get, default=None,
                               placeholder="Choose a manager")
        people = cached("current_people", scope, employer_id=employer_id, today=today,
                        team_of=manager) if manager is not None else {}
    elif mode == DEPARTMENT:
        names = dict(cached("departments", scope, employer_id=employer_id))
        chosen = kept_multiselect("Department", list(names), key="plan_departments", format_func=names.get,
                                  placeholder="Choose a department")
        people = cached("current_people", scope, employer_id=employer_id, today=today,
                        department_ids=tuple(chosen)) if chosen else {}
    else:
        search = st.text_input("Search by name or employee id", key="plan_search")
        kept_ids = tuple(state.kept("plan_people", []))
        matches = cached("current_people", scope, employer_id=employer_id, today=today, search=search, limit=200)
        known = cached("current_people", scope, employer_id=employer_id, today=today,
                       employee_ids=kept_ids) if kept_ids else {}
        options = known | matches
        chosen = kept_multiselect("People", list(options), key="plan_people", format_func=options.get,
                                  placeholder="Choose people")
        people = {person: options[person] for person in chosen}
    st.caption(f"{fmt(len(people))} people, current employees only.")
    return people


def skills_picker(scope: Scope, *, people: dict[int, str], today: date) -> tuple[list[int], int]:
    """B: the gap skills (those where these people are below a PDP target first) and the default target level."""
    names = cached("skill_choices", scope)
    with_gaps = cached("skills_with_gaps", scope, employee_ids=tuple(sorted(people)), today=today) if people else {}
    ordered = sorted(names, key=lambda skill: (-with_gaps.get(skill, 0), names[skill]))

    def label(skill: int) -> str:
        n = with_gaps.get(skill, 0)
        return f"{names[skill]} (below a PDP target: {fmt(n)} people)" if n else names[skill]

    left, right = st.columns([3, 1])
    skills = kept_multiselect("Gap skills", ordered, key="plan_skills", format_func=label, container=left,
                              placeholder="Choose skills")
    level = state.choice("Target level where no PDP target is recorded", LEVELS, key="plan_level", default=3,
                         container=right, help="A person's PDP target for the skill counts where one is recorded.")
    return skills, int(level)


def gaps_table(scope: Scope, gaps: pd.DataFrame, *, description: str) -> None:
    """C: each person's current level, target and gap per skill (HR records by name: the view is logged)."""
    with st.expander(f"The people's gaps ({fmt(int(gaps['gap'].sum()))} levels in all)"):
        shown = pd.DataFrame({"Person": gaps["person"], "Skill": gaps["skill"],
                              "Current level": gaps["current"].map(fmt), "Target": gaps["target"].map(fmt),
                              "Gap (levels)": gaps["gap"].map(fmt)})
        st.dataframe(shown, hide_index=True, width="stretch")
    access.shown(scope, view="Plan: people's gaps", description=description, people=gaps["employee_id"])


def _cell(value, key: str) -> str:
    if key in RANKING:
        return fmt(value, RANKING[key].kind)
    if key == "fits_budget":
        return fmt(value, "flag")
    return fmt(value, "text")


# Each candidate's card: its figures in lines of related ones (what it closes; what it costs; how it goes; when).
CARD_LINES = (("coverage", "levels_closed", "people_helped", "mean_levels_closed"),
              ("price", "cost", "budget_left", "fits_budget"),
              ("median_days", "completions", "completion_rate"),
              ("next_cohort",))


def _card(position: int, row: pd.Series, headings: dict[str, str]) -> None:
    name = f"**{position}. {row['code']} · {row['title']}**"
    if row["kind"] == "pathway":
        name += f" — a pathway that closes the gap in steps: {row['steps']}"
    lines = [" · ".join(f"{headings[key]}: **{_cell(row[key], key)}**" for key in line) for line in CARD_LINES]
    with st.container(border=True):
        st.markdown("  \n".join([name, *lines]))


def ranking_table(result: plan_ranking.Ranking) -> None:
    """D: the ranking, best first, each candidate's figures on a card (nothing cut off at any width), the same as a
    table to compare, and what counted."""
    rows = plan_ranking.shown(result.candidates)
    headings = {key: RANKING[key].label if key in RANKING else HEADINGS[key] for key in SHOWN}
    for position, (_, row) in enumerate(rows.iterrows(), start=1):
        _card(position, row, headings)
    with st.expander("The ranking as a table"):
        st.dataframe(pd.DataFrame({headings[key]: [_cell(v, key) for v in rows[key]] for key in SHOWN}),
                     hide_index=True, width="stretch")
    with st.expander("How the ranking is made"):
        st.markdown(RANKING_CANDIDATES + " " + RANKING_ORDER)
        st.markdown("\n".join(f"- **{metric.label}**: {metric.definition}" for metric in RANKING.values()))


def _options(candidates: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """Recommendation key → (the credential acted on, its label); a pathway is planned one step at a time."""
    options = {}
    for row in candidates.itertuples():
        closes = f"closes {fmt(row.coverage, 'rate')} of the gap"
        if row.kind == "credential":
            options[row.key] = (row.credential_id, f"{row.code} · {row.title} ({closes})")
            continue
        codes = row.steps.split(" → ")
        for position, (credential_id, code) in enumerate(zip(row.step_ids, codes, strict=True), start=1):
            options[f"{row.key}:{credential_id}"] = (
                credential_id, f"{row.code} step {position} of {len(codes)}: {code} (the pathway {closes})")
    return options


def what_counted(result: plan_ranking.Ranking, credential_id: int, people: dict[int, str]) -> None:
    """Per skill, the levels the chosen credential closes and for whom."""
    targets = plan_ranking.plan_targets(result, credential_id=credential_id)
    if not targets:
        return
    gaps = result.gaps.set_index(["employee_id", "skill_id"])
    by_skill: dict[str, list[str]] = {}
    for person, skill, level in targets:
        row = gaps.loc[(person, skill)]
        by_skill.setdefault(row["skill"], []).append(f"{people.get(person, row['person'])} +{level - row['current']}")
    st.markdown("\n".join(f"- **{skill}**: {', '.join(parts)}" for skill, parts in by_skill.items()))


def recommendation(employer_id: int, result: plan_ranking.Ranking,
                   people: dict[int, str]) -> tuple[PlanChoice, pd.DataFrame] | None:
    """E: the recommendation chosen, as the PlanChoice the actions take, and its open cohorts."""
    options = _options(result.candidates)
    key = state.choice("Choose a recommendation", list(options), key="plan_recommendation",
                       format_func=lambda k: options[k][1], default=None, placeholder="Choose a credential")
    if key is None:
        return None
    credential_id = int(options[key][0])
    what_counted(result, credential_id, people)
    targets = plan_ranking.plan_targets(result, credential_id=credential_id)
    if not targets:
        st.info("This step closes none of these gaps by itself; choose another step of the pathway.")
        return None
    cohorts = result.cohorts[result.cohorts["credential_id"] == credential_id].reset_index(drop=True)
    return PlanChoice(employer_id=employer_id, credential_id=credential_id, targets=targets), cohorts
