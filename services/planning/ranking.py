"""Credentials that close a gap: the ranking of the partner universities' published credentials and pathways by
how much of the chosen people's gaps they close, with cost, budget, time, completion rate and next cohorts.

The definition of record is docs/metrics.md, "Credentials that close a gap"; labels and help texts are in
services/metrics/definitions.RANKING. The per-person arithmetic runs in pandas on the chosen people (a department
at most); the history and the budget are aggregated in SQL (services/planning/history.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from db.models import (
    Credential,
    CredentialSkill,
    CredentialStatus,
    Enrollment,
    EnrollmentStatus,
    Partnership,
    PartnershipStatus,
    Pathway,
    PathwayStep,
)
from db.scope import Scope, scoped
from services import seats
from services.formatting import fmt
from services.frames import frame
from services.metrics.definitions import MIN_GROUP
from services.metrics.suppression import or_suppressed
from services.planning.gaps import GAP_COLUMNS, check_level, current_people, people_gaps, require_planner
from services.planning.history import HISTORY_COLUMNS, budgets_left, credential_history

CANDIDATE_COLUMNS = ["key", "kind", "credential_id", "pathway_id", "code", "title", "steps", "levels_closed",
                     "gap_levels", "coverage", "people_helped", "mean_levels_closed", "price", "cost", "budget_left",
                     "fits_budget", "completions", "median_days", "finished", "completion_rate", "suppressed",
                     "next_cohort"]
CLOSED_COLUMNS = ["key", "code", "employee_id", "skill_id", "levels_closed"]
# Enrollments that mean the person has, or is getting, what the credential teaches (a failed one may retake it).
TAKEN = (EnrollmentStatus.completed, EnrollmentStatus.enrolled, EnrollmentStatus.in_progress)


@dataclass(frozen=True)
class Ranking:
    gaps: pd.DataFrame  # services/planning/gaps.people_gaps
    candidates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CANDIDATE_COLUMNS))
    closed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLOSED_COLUMNS))
    cohorts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=seats.OPEN_COHORT_COLUMNS))
    # (credential_id, skill_id, proficiency) of every candidate and pathway step; (employee_id, credential_id) taken.
    skills: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["credential_id", "skill_id",
                                                                                "proficiency"]))
    taken: frozenset[tuple[int, int]] = frozenset()


def rank(session: Session, scope: Scope, *, employer_id: int, employee_ids: Iterable[int], skill_ids: Iterable[int],
         target_level: int, today: date) -> Ranking:
    """The ranking for the employer's chosen people (current, in scope, their HR records visible) and skills."""
    require_planner(scope, employer_id)
    target_level = check_level(target_level)
    people = current_people(session, scope, employer_id=employer_id, employee_ids=employee_ids, today=today)
    gaps = people_gaps(session, scope, employee_ids=people, skill_ids=skill_ids, target_level=target_level,
                       today=today)
    open_gaps = gaps[gaps["gap"] > 0]
    if open_gaps.empty:
        return Ranking(gaps)
    universities = _partner_universities(session, scope, employer_id)
    offer = _published(session, scope, universities, sorted(set(open_gaps["skill_id"])))
    steps = _pathway_steps(session, scope, universities)
    credentials = _credentials(session, scope, sorted(set(offer["credential_id"]) | set(steps["credential_id"])))
    skills = offer[["credential_id", "skill_id", "proficiency"]]
    taken = _taken(session, scope, sorted(people), sorted(credentials.index))
    single = _closed(open_gaps, skills, taken, by="credential_id")
    path_skills = steps.merge(skills, on="credential_id")
    by_path = _closed(open_gaps, path_skills, taken, by="pathway_id")
    totals = single.groupby("credential_id")["levels_closed"].sum()
    best_step = steps.assign(closes=steps["credential_id"].map(totals).fillna(0)).groupby("pathway_id")["closes"].max()
    path_totals = by_path.groupby("pathway_id")["levels_closed"].sum()
    stacking = [int(p) for p, levels in path_totals.items() if levels > best_step.get(p, 0)]
    rows = [_credential_row(credentials.loc[c], single[single["credential_id"] == c]) for c in totals.index
            if totals[c] > 0]
    rows += [_pathway_row(steps[steps["pathway_id"] == p], credentials, by_path[by_path["pathway_id"] == p])
             for p in stacking]
    candidates = pd.DataFrame(rows)
    history = credential_history(session, scope, credential_ids=sorted(credentials.index), today=today)
    budgets = budgets_left(session, scope, employer_id=employer_id, university_ids=universities, today=today)
    offered = sorted({int(c) for ids in candidates["step_ids"] for c in ids})
    cohorts = seats.open_cohorts(session, scope, credential_ids=offered, today=today)
    candidates = _figures(candidates, history.set_index("credential_id"), budgets, cohorts, int(open_gaps["gap"].sum()))
    closed = pd.concat([single.assign(key=single["credential_id"].map(lambda c: f"credential:{c}")),
                        by_path[by_path["pathway_id"].isin(stacking)].assign(
                            key=lambda df: df["pathway_id"].map(lambda p: f"pathway:{p}"))])
    closed = closed.merge(candidates[["key", "code"]], on="key")[CLOSED_COLUMNS].reset_index(drop=True)
    return Ranking(gaps, _ordered(candidates), closed, cohorts, skills.reset_index(drop=True), frozenset(taken))


def _partner_universities(session: Session, scope: Scope, employer_id: int) -> list[int]:
    stmt = scoped(select(Partnership.university_id).where(Partnership.employer_id == employer_id,
                                                          Partnership.status != PartnershipStatus.ended),
                  scope, Partnership)
    return sorted(set(session.execute(stmt).scalars().all()))


def _published(session: Session, scope: Scope, universities: list[int], skill_ids: list[int]) -> pd.DataFrame:
    """(credential_id, skill_id, proficiency) of the published credentials in scope teaching a gap skill."""
    stmt = scoped(select(CredentialSkill.credential_id, CredentialSkill.skill_id, CredentialSkill.proficiency)
                  .join(Credential, Credential.id == CredentialSkill.credential_id)
                  .where(Credential.status == CredentialStatus.published, Credential.university_id.in_(universities),
                         CredentialSkill.skill_id.in_(skill_ids)), scope, Credential, CredentialSkill)
    return frame(session.execute(stmt), ["credential_id", "skill_id", "proficiency"])


def _pathway_steps(session: Session, scope: Scope, universities: list[int]) -> pd.DataFrame:
    """(pathway_id, code, title, position, credential_id) of the visible pathways of these universities whose every
    step is a published credential (a pathway with a retired or draft step cannot be followed to its end)."""
    stmt = scoped(select(Pathway.id, Pathway.code, Pathway.title, PathwayStep.position, PathwayStep.credential_id,
                         Credential.status)
                  .join(PathwayStep, PathwayStep.pathway_id == Pathway.id)
                  .join(Credential, Credential.id == PathwayStep.credential_id)
                  .where(Pathway.university_id.in_(universities)).order_by(Pathway.id, PathwayStep.position),
                  scope, Pathway, PathwayStep, Credential)
    df = frame(session.execute(stmt),
               ["pathway_id", "code", "title", "position", "credential_id", "status"])
    unfinished = set(df.loc[df["status"] != CredentialStatus.published, "pathway_id"])
    return df[~df["pathway_id"].isin(unfinished)].drop(columns="status").reset_index(drop=True)


def _credentials(session: Session, scope: Scope, ids: list[int]) -> pd.DataFrame:
    stmt = scoped(select(Credential.id, Credential.code, Credential.title, Credential.price, Credential.university_id)
                  .where(Credential.id.in_(ids)), scope, Credential)
    df = frame(session.execute(stmt), ["credential_id", "code", "title", "price", "university_id"])
    return df.assign(price=df["price"].astype("float64")).set_index("credential_id")


def _taken(session: Session, scope: Scope, people: list[int], credential_ids: list[int]) -> set[tuple[int, int]]:
    stmt = scoped(select(Enrollment.employee_id, Enrollment.credential_id)
                  .where(Enrollment.employee_id.in_(people), Enrollment.credential_id.in_(credential_ids),
                         Enrollment.status.in_(TAKEN)), scope, Enrollment)
    return {(int(person), int(credential)) for person, credential in session.execute(stmt).all()}


def _closed(open_gaps: pd.DataFrame, skills: pd.DataFrame, taken: set, *, by: str) -> pd.DataFrame:
    """Per ``by`` (a credential, or a pathway over its steps), person and skill: the levels closed,
    min(target, highest proficiency) − current, for the (person, step) pairs the person does not take already."""
    pairs = open_gaps.merge(skills, on="skill_id")
    keep = [(person, credential) not in taken for person, credential in zip(pairs["employee_id"],
                                                                             pairs["credential_id"], strict=True)]
    pairs = pairs[pd.Series(keep, index=pairs.index, dtype=bool)]
    if pairs.empty:
        return pd.DataFrame(columns=[by, "employee_id", "skill_id", "levels_closed"], dtype="int64")
    best = pairs.groupby([by, "employee_id", "skill_id"], as_index=False).agg(
        proficiency=("proficiency", "max"), target=("target", "first"), current=("current", "first"))
    best["levels_closed"] = (best[["target", "proficiency"]].min(axis=1) - best["current"]).clip(lower=0)
    return best[best["levels_closed"] > 0][[by, "employee_id", "skill_id", "levels_closed"]].astype("int64")


def _credential_row(credential: pd.Series, closed: pd.DataFrame) -> dict:
    return dict(key=f"credential:{credential.name}", kind="credential", credential_id=int(credential.name),
                pathway_id=None, code=credential["code"], title=credential["title"], steps=credential["code"],
                step_ids=(int(credential.name),), university_id=int(credential["university_id"]),
                levels_closed=int(closed["levels_closed"].sum()), people_helped=closed["employee_id"].nunique(),
                price=float(credential["price"]))


def _pathway_row(steps: pd.DataFrame, credentials: pd.DataFrame, closed: pd.DataFrame) -> dict:
    ids = tuple(int(c) for c in steps["credential_id"])
    first = steps.iloc[0]
    return dict(key=f"pathway:{first['pathway_id']}", kind="pathway", credential_id=ids[0],
                pathway_id=int(first["pathway_id"]), code=first["code"], title=first["title"],
                steps=" → ".join(credentials.loc[c, "code"] for c in ids), step_ids=ids,
                university_id=int(credentials.loc[ids[0], "university_id"]),
                levels_closed=int(closed["levels_closed"].sum()), people_helped=closed["employee_id"].nunique(),
                price=float(sum(credentials.loc[c, "price"] for c in ids)))


def _history_of(history: pd.DataFrame, step_ids: tuple[int, ...]) -> dict:
    """A candidate's history: a credential's own; a pathway's steps combined (the fewest completions and outcomes,
    the sum of medians, the product of rates), shown only when every step's is, so no step's small figure can be
    worked out from a pathway's."""
    rows = [history.loc[c] if c in history.index else pd.Series({"completions": 0, "finished": 0,
                                                                   "median_days": None, "completion_rate": None})
            for c in step_ids]
    completions = min(int(row["completions"]) for row in rows)
    finished = min(int(row["finished"]) for row in rows)
    median, rate = None, None
    if completions >= MIN_GROUP:
        median = float(sum(float(row["median_days"]) for row in rows))
    if finished >= MIN_GROUP:
        rate = 1.0
        for row in rows:
            rate *= float(row["completion_rate"])
    suppressed = 0 < completions < MIN_GROUP or 0 < finished < MIN_GROUP
    return dict(completions=completions, finished=finished, median_days=median, completion_rate=rate,
                suppressed=suppressed)


def _next_cohort(cohorts: pd.DataFrame, credential_id: int) -> str | None:
    mine = cohorts[cohorts["credential_id"] == credential_id]
    if mine.empty:
        return None
    first = mine.iloc[0]
    return f"{first['cohort']}, starts {fmt(first['starts_on'], 'date')}, {fmt(first['seats_left'])} seats left"


def _figures(candidates: pd.DataFrame, history: pd.DataFrame, budgets: dict[int, float], cohorts: pd.DataFrame,
             gap_levels: int) -> pd.DataFrame:
    out = candidates.copy()
    out["gap_levels"] = gap_levels
    out["coverage"] = out["levels_closed"] / gap_levels
    out["mean_levels_closed"] = out["levels_closed"] / out["people_helped"]
    out["cost"] = out["price"] * out["people_helped"]
    out["budget_left"] = out["university_id"].map(lambda u: budgets.get(int(u)))
    out["fits_budget"] = [left is not None and cost <= left for cost, left in zip(out["cost"], out["budget_left"],
                                                                                   strict=True)]
    figures = pd.DataFrame([_history_of(history, ids) for ids in out["step_ids"]], index=out.index)
    out = pd.concat([out, figures], axis=1)
    out["next_cohort"] = [_next_cohort(cohorts, c) for c in out["credential_id"]]
    return out


def _ordered(candidates: pd.DataFrame) -> pd.DataFrame:
    """Coverage, people helped (most first), completion rate (highest first, none last), median days (fewest
    first, none last), price (lowest first), code."""
    keys = candidates.assign(
        _rate=candidates["completion_rate"].map(lambda v: -v if v is not None else float("inf")),
        _days=candidates["median_days"].map(lambda v: v if v is not None else float("inf")))
    keys = keys.sort_values(["coverage", "people_helped", "_rate", "_days", "price", "code"],
                            ascending=[False, False, True, True, True, True], kind="stable")
    out = keys.drop(columns=["_rate", "_days"]).reset_index(drop=True)
    for column in ("median_days", "completion_rate", "next_cohort"):
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out


def shown(candidates: pd.DataFrame) -> pd.DataFrame:
    """The ranking as the page shows it: the history's figures about fewer than MIN_GROUP as SUPPRESSED."""
    out = candidates.copy()
    out["completion_rate"] = [or_suppressed(rate, n) for rate, n in zip(out["completion_rate"], out["finished"],
                                                                         strict=True)]
    out["median_days"] = [or_suppressed(days, n) for days, n in zip(out["median_days"], out["completions"],
                                                                     strict=True)]
    out["completions"] = [or_suppressed(n, n) for n in out["completions"]]
    return out


def plan_targets(ranking: Ranking, *, credential_id: int) -> tuple[tuple[int, int, int], ...]:
    """(employee_id, skill_id, target level) for each chosen person and gap skill ``credential_id`` raises: the
    gap's target capped at the level the credential teaches (services/planning/choice.PlanChoice.targets)."""
    skills = ranking.skills[ranking.skills["credential_id"] == credential_id]
    pairs = ranking.gaps[ranking.gaps["gap"] > 0].merge(skills, on="skill_id")
    targets = []
    for row in pairs.itertuples():
        if (row.employee_id, credential_id) in ranking.taken:
            continue
        level = min(int(row.target), int(row.proficiency))
        if level > row.current:
            targets.append((int(row.employee_id), int(row.skill_id), level))
    return tuple(targets)


__all__ = ["CANDIDATE_COLUMNS", "GAP_COLUMNS", "HISTORY_COLUMNS", "Ranking", "plan_targets", "rank", "shown"]
