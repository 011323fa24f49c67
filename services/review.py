"""The quarterly review pack: one quarter against the previous one and the same
quarter last year, for one partner or all partners in scope.

Every figure comes from services/metrics/; this module only selects, compares
and words them. ``build_pack`` is used by the Quarterly review page, the
downloads and ``manage.py report`` alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Credential, CredentialPartner, CredentialStatus, Organization
from db.scope import Scope, scoped
from services import metrics
from services.codesign.history import CHANGE_COLUMNS, changes_in_period
from services.filters import Filters, requested_employers
from services.formatting import fmt
from services.frames import frame
from services.metrics import METRICS, SUPPRESSED
from services.periods import Period
from services.review_actions import PACK_COLUMNS, PackActions, actions_for_pack

IN_CO_DESIGN = (CredentialStatus.draft, CredentialStatus.in_review, CredentialStatus.approved)

# The headline table: Summary attributes, labelled and written as services/metrics.METRICS says.
KPI_ROWS = ["headcount", "enrollments", "completed", "failed", "withdrawn", "active", "completion_rate",
            "participation_rate", "median_days_to_complete", "spend", "cost_per_completion"]


@dataclass
class ReviewPack:
    quarter: Period
    previous: Period
    last_year: Period
    audience: str  # whose pack: one employer's name, or "All partners"
    generated_on: date
    summary: metrics.Summary
    kpis: pd.DataFrame
    by_credential: pd.DataFrame
    by_quarter: pd.DataFrame
    days_to_complete: pd.DataFrame
    skills_gained: int
    skills_gained_previous: int
    skill_gaps: pd.DataFrame  # suppressed groups removed
    gap_closed: float | None
    goal_states: dict[str, int]
    outcome: metrics.OutcomeShown
    retention: metrics.RetentionShown  # read at the quarter's end over large cells (metrics/retained.py)
    budget: metrics.Budget
    co_design: pd.DataFrame
    alerts: metrics.Alerts  # as of today, like the Overview (a past day cannot be reconstructed)
    narrative: list[str]
    # Field by field, what the revisions saved in the quarter changed (services/codesign/history.py).
    co_design_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    # The meeting's record (services/review_actions.py): the actions agreed in the previous quarter's review
    # with their state now, and the open ones due before the next review.
    actions_previous: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PACK_COLUMNS))
    actions_due: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PACK_COLUMNS))
    # The pack names no one: learners at risk counted by credential, small counts suppressed (metrics/goals.py).
    at_risk_by_credential: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_empty(self) -> bool:
        s = self.summary
        return s.enrollments == 0 and s.active == 0 and s.completed + s.failed + s.withdrawn == 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the pack, by sheet name (Excel) / section."""
        return {
            "Headline KPIs": self.kpis,
            "By credential": self.by_credential,
            "By quarter": self.by_quarter,
            "Time to complete": self.days_to_complete,
            "Skill gaps": self.skill_gaps,
            "PDP goals": pd.DataFrame({"state": list(self.goal_states), "goals": list(self.goal_states.values())}),
            "Outcomes": self.outcomes_table(),
            "Spend and budget": self.budget_table(),
            "Co-design": self.co_design,
            "Co-design changes": self.co_design_changes,
            "Actions last quarter": self.actions_previous,
            "Actions due": self.actions_due,
            "Learners at risk by credential": self.at_risk_by_credential,
        }

    def outcomes_table(self) -> pd.DataFrame:
        outcome, retention = self.outcome, self.retention
        figures = [("completer_rate", retention.completer_rate, retention.completers),
                   ("other_rate", retention.other_rate, retention.others)]
        # Survey figures cover only large groups (metrics/cells.py): none shown means none large enough.
        surveys = [{"measure": METRICS[key].label, "value": value if outcome.shown else SUPPRESSED,
                    "kind": METRICS[key].kind, "n": outcome.n if outcome.shown else None}
                   for key, value in (("performance_change", outcome.performance_change),
                                      ("satisfaction_change", outcome.satisfaction_change))]
        # Retention too covers only large cells (metrics/retained.py): 0 people means none large enough.
        return pd.DataFrame(surveys + [{"measure": METRICS[key].label, "value": value if people else SUPPRESSED,
                                        "kind": METRICS[key].kind, "n": people or None}
                                       for key, value, people in figures], dtype=object)

    def budget_table(self) -> pd.DataFrame:
        money = self.budget
        return pd.DataFrame([
            {"measure": "Annual partnership budget", "value": money.annual_budget, "kind": "money"},
            {"measure": "Budget for the quarter (pro rata)", "value": money.budget_for_period, "kind": "money"},
            {"measure": "Spend on enrollments started in the quarter", "value": money.spend, "kind": "money"},
            {"measure": METRICS["used"].label, "value": money.used, "kind": METRICS["used"].kind},
            {"measure": METRICS["cost_per_completion"].label, "value": self.summary.cost_per_completion,
             "kind": METRICS["cost_per_completion"].kind},
        ], dtype=object)


def _change(now, before) -> float | None:
    if now is None or before is None:
        return None
    return now - before


def kpi_table(now: metrics.Summary, previous: metrics.Summary, last_year: metrics.Summary) -> pd.DataFrame:
    rows = []
    for key in KPI_ROWS:
        this, before, year_ago = getattr(now, key), getattr(previous, key), getattr(last_year, key)
        rows.append({"metric": METRICS[key].label, "kind": METRICS[key].kind, "this_quarter": this,
                     "previous_quarter": before, "change_vs_previous": _change(this, before),
                     "same_quarter_last_year": year_ago, "change_vs_last_year": _change(this, year_ago)})
    # object dtype keeps "no figure" as None instead of turning it into NaN.
    return pd.DataFrame(rows, dtype=object)


def co_design(session: Session, scope: Scope, employer_ids: frozenset[int] | None, quarter: Period) -> pd.DataFrame:
    """Credentials in co-design (draft, in review, approved) and whether they changed in the quarter."""
    partners = (
        select(CredentialPartner.credential_id, func.count(CredentialPartner.employer_id).label("partners"))
        .group_by(CredentialPartner.credential_id)
        .subquery()
    )
    stmt = scoped(
        select(Credential.code, Credential.title, Credential.status, Credential.version, Credential.updated_at,
               func.coalesce(partners.c.partners, 0))
        .outerjoin(partners, partners.c.credential_id == Credential.id)
        .where(Credential.status.in_([s.value for s in IN_CO_DESIGN]))
        .order_by(Credential.code),
        scope, Credential,
    )
    if employer_ids is not None:
        stmt = stmt.where(Credential.id.in_(
            select(CredentialPartner.credential_id).where(CredentialPartner.employer_id.in_(sorted(employer_ids)))))
    df = frame(session.execute(stmt),
               ["code", "title", "status", "version", "updated_at", "co_designing_employers"])
    changed = df["updated_at"].map(lambda t: quarter.start <= t.date() <= quarter.end if t is not None else False)
    df["changed_this_quarter"] = changed.astype(bool)
    df["last_change"] = df["updated_at"].map(lambda t: t.date() if t is not None else None)
    return df.drop(columns=["updated_at"])


def _pct_change(now, before) -> float | None:
    if now is None or before in (None, 0):
        return None
    return (now - before) / before


def _record_lines(pack: ReviewPack) -> list[str]:
    """What changed in co-design, and what became of last meeting's actions."""
    lines = []
    if not pack.co_design_changes.empty:
        changes, changed = len(pack.co_design_changes), pack.co_design_changes["code"].nunique()
        lines.append(f"In co-design, {fmt(changes)} change{'' if changes == 1 else 's'} "
                     f"{'was' if changes == 1 else 'were'} saved to {fmt(changed)} "
                     f"credential{'' if changed == 1 else 's'}.")
    actions = PackActions(previous=pack.actions_previous, due=pack.actions_due).sentence(pack.previous.label)
    return lines + ([actions] if actions else [])


def narrative(pack: ReviewPack) -> list[str]:
    """Plain sentences about the largest changes, written only from the pack's figures."""
    lines: list[str] = []
    q, prev = pack.quarter.label, pack.previous.label
    s = pack.summary
    if pack.is_empty:
        return [f"There was no enrollment activity in {q} for {pack.audience}.", *_record_lines(pack)]
    lines.append(
        f"In {q}, {s.enrollments:,} enrollments started, {s.completed:,} were completed, {s.failed:,} failed "
        f"and {s.withdrawn:,} were withdrawn; {s.active:,} were still running at the quarter's end."
    )
    counts = pack.kpis[pack.kpis["kind"] == "count"].copy()
    counts["pct"] = [_pct_change(a, b) for a, b in zip(counts["this_quarter"], counts["previous_quarter"], strict=True)]
    counts = counts.dropna(subset=["pct"])
    counts = counts[counts["pct"].abs() >= 0.05].sort_values("pct", key=lambda x: x.abs(), ascending=False)
    for row in counts.head(3).itertuples():
        word = "rose" if row.pct > 0 else "fell"
        lines.append(f"{row.metric} {word} from {fmt(row.previous_quarter)} in {prev} to {fmt(row.this_quarter)} "
                     f"({fmt(row.pct, 'growth')}).")
    rate = pack.kpis.set_index("metric").loc["Completion rate"]
    if rate["this_quarter"] is not None and rate["previous_quarter"] is not None:
        diff = rate["this_quarter"] - rate["previous_quarter"]
        if abs(diff) >= 0.02:
            lines.append(f"The completion rate moved from {fmt(rate['previous_quarter'], 'rate')} to "
                         f"{fmt(rate['this_quarter'], 'rate')} ({fmt(diff, 'points')}).")
    if not pack.by_credential.empty and pack.by_credential["enrollments"].max() > 0:
        top = pack.by_credential.sort_values("enrollments", ascending=False).iloc[0]
        lines.append(f"The most taken credential was {top['code']} ({top['title']}) with {fmt(top['enrollments'])} "
                     "enrollments.")
    if pack.budget.used is not None:
        lines.append(f"Spend was {fmt(pack.budget.spend, 'money')}, {fmt(pack.budget.used, 'rate')} of the pro-rata "
                     "budget for the quarter.")
    lines += _record_lines(pack)
    a = pack.alerts
    if a.learners_at_risk or a.overdue_goals:
        lines.append(f"As of {fmt(a.as_of, 'date')}, {fmt(a.learners_at_risk)} learners are at risk of not finishing "
                     f"and {fmt(a.overdue_goals)} PDP goals are overdue.")
    return lines


def build_pack(
    session: Session, scope: Scope, *, quarter: Period, today: date,
    employer_ids: frozenset[int] | None = None, audience: str | None = None,
) -> ReviewPack:
    # The pack asks for some figures more than once (the quarters' counts in the summaries and the series,
    # the spend, the goal states): each is read once (services/metrics/reuse.py).
    with metrics.reusing(session=session):
        return _build_pack(session, scope, quarter=quarter, today=today, employer_ids=employer_ids,
                           audience=audience)


def _build_pack(session: Session, scope: Scope, *, quarter: Period, today: date,
                employer_ids: frozenset[int] | None, audience: str | None) -> ReviewPack:
    f = Filters(period=quarter, employer_ids=employer_ids)
    prev, last = quarter.previous(), quarter.same_last_year()
    now = metrics.summary(session, scope, f, today=today)
    before = metrics.summary(session, scope, f.with_period(prev), today=today)
    year_ago = metrics.summary(session, scope, f.with_period(last), today=today)
    gaps = metrics.skill_gaps_shown(session, scope, f, today=today)
    if audience is None:
        audience = _audience(session, scope, employer_ids)
    by_cred = metrics.by_credential(session, scope, f, today=today)
    pack = ReviewPack(
        quarter=quarter, previous=prev, last_year=last, audience=audience, generated_on=today,
        summary=now,
        kpis=kpi_table(now, before, year_ago),
        by_credential=by_cred[["code", "title", "enrollments", "completed", "failed", "withdrawn", "active",
                               "completion_rate"]],
        by_quarter=metrics.by_quarter(session, scope, f, today=today, quarters=5),
        days_to_complete=metrics.days_to_complete(session, scope, f, today=today),
        skills_gained=metrics.skills_gained(session, scope, f, today=today),
        skills_gained_previous=metrics.skills_gained(session, scope, f.with_period(prev), today=today),
        skill_gaps=gaps.shown[["employer", "department", "skill", "people", "mean_gap", "gap_closed"]],
        gap_closed=gaps.gap_closed,
        goal_states=metrics.goal_states(session, scope, f, today=today),
        outcome=metrics.outcome_change_shown(session, scope, f, today=today),
        retention=metrics.retention_shown(session, scope, f, today=today),
        budget=metrics.budget(session, scope, f, today=today),
        co_design=co_design(session, scope, requested_employers(scope, employer_ids), quarter),
        alerts=metrics.alerts(session, scope, f, today=today),
        narrative=[],
        at_risk_by_credential=metrics.at_risk_by_credential(session, scope, f, today=today),
    )
    requested = requested_employers(scope, employer_ids)
    pack.co_design_changes = changes_in_period(session, scope, start=quarter.start, end=quarter.end,
                                               employer_ids=requested)
    actions = actions_for_pack(session, scope, quarter=quarter, employer_ids=requested, today=today)
    pack.actions_previous, pack.actions_due = actions.previous, actions.due
    pack.narrative = narrative(pack)
    return pack


def _audience(session: Session, scope: Scope, employer_ids: frozenset[int] | None) -> str:
    ids = scope.employers(employer_ids)
    if ids is not None and len(ids) == 1:
        name = session.execute(select(Organization.name).where(Organization.id == next(iter(ids)))).scalar_one_or_none()
        if name:
            return name
    if ids is not None and len(ids) == 0:
        return "No partner"
    return "All partners" if employer_ids is None else f"{len(ids)} partners"
