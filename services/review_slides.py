"""The quarterly review as slides: one definition of what each slide says, shared by the
PowerPoint deck (services/review_deck.py) and the on-screen slide show.

A slide holds only finished text (every figure written by services/formatting) and
plain numbers for its chart, so whoever draws it decides nothing about the figures.
Aggregates only: the at-risk slide counts learners by credential and never names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from services.formatting import fmt, fmt_change, label, shown_frame
from services.metrics import DEFINITIONS, METRICS, SUPPRESSED
from services.population import MIN_GROUP
from services.review import ReviewPack

SLIDE_TITLES = (
    "Quarterly partnership review", "Headline figures", "Enrollments and completions", "Time to complete",
    "Skills gained against gaps", "PDP progress", "Outcomes at work", "Spend against budget", "Co-design",
    "Last quarter's actions", "Risks",
)
MAX_TABLE_ROWS = 8
# The headline slide's figures: the Summary attributes a meeting reads first.
HEADLINE = ("enrollments", "completed", "completion_rate", "active", "participation_rate", "spend")
NO_ACTIONS = "No actions were recorded last quarter."
# Axis number formats (Excel / PowerPoint codes) for the kinds a chart shows.
NUMBER_FORMATS = {"count": "#,##0", "rate": "0%", "money": "£#,##0", "days": "#,##0"}


@dataclass(frozen=True)
class Chart:
    """A small chart: native where the kind allows (bar, line, grouped bar), else the pack's
    Altair chart ``picture`` (a key of services/review_export.pack_charts) as an image."""

    kind: str  # "bar", "grouped bar", "line" or "picture"
    categories: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[float, ...]], ...] = ()
    x_title: str = ""
    y_title: str = ""
    number_format: str = "#,##0"
    picture: str | None = None


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    figures: tuple[tuple[str, str, str], ...] = ()  # (label, value, comparison), all formatted
    chart: Chart | None = None
    table: pd.DataFrame | None = field(default=None, compare=False)  # formatted, at most MAX_TABLE_ROWS rows
    lines: tuple[str, ...] = ()  # short statements shown on the slide
    notes: str = ""  # the speaker notes: the narrative for the slide and each figure's definition
    subtitle: str = ""


def _in_words(text: str) -> str:
    # Definitions name stored fields (enrolled_on); notes read aloud name them in words.
    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda match: match.group().replace("_", " "), text)


def _notes(sentences: list[str], terms: list[str]) -> str:
    definitions = [f"{term}: {DEFINITIONS[term]}" for term in dict.fromkeys(terms) if term in DEFINITIONS]
    parts = list(sentences) + (["Definitions:"] + definitions if definitions else [])
    return _in_words("\n".join(parts))


def _about(pack: ReviewPack, *words: str) -> list[str]:
    """The narrative's sentences that talk about this slide's subject."""
    return [line for line in pack.narrative if any(word.lower() in line.lower() for word in words)]


def _versus(change, kind: str, period) -> str:
    return f"{fmt_change(change, kind)} vs {period.label}"


def _table(df: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame | None:
    if df.empty:
        return None
    return shown_frame(df.head(MAX_TABLE_ROWS), names).reset_index(drop=True)


def _title(pack: ReviewPack) -> Slide:
    q = pack.quarter
    subtitle = (f"{pack.audience}\n{q.label}: {fmt(q.start, 'date')} – {fmt(q.end, 'date')}\n"
                f"Compared with {pack.previous.label} and {pack.last_year.label} · "
                f"generated on {fmt(pack.generated_on, 'date')}")
    return Slide("title", SLIDE_TITLES[0], subtitle=subtitle,
                 notes=_notes(pack.narrative + [DEFINITIONS["Suppression"]], []))


def _headline(pack: ReviewPack) -> Slide:
    kpis = pack.kpis.set_index("metric")
    figures, terms = [], []
    for key in HEADLINE:
        metric = METRICS[key]
        row = kpis.loc[metric.label]
        comparison = (f"{_versus(row['change_vs_previous'], metric.kind, pack.previous)} · "
                      f"{_versus(row['change_vs_last_year'], metric.kind, pack.last_year)}")
        figures.append((metric.label, fmt(row["this_quarter"], metric.kind), comparison))
        terms.append(metric.label)
    return Slide("headline", SLIDE_TITLES[1], figures=tuple(figures), notes=_notes(pack.narrative, terms))


def _enrollments(pack: ReviewPack) -> Slide:
    s = pack.summary
    by_quarter = pack.by_quarter
    chart = None
    if not by_quarter.empty:
        chart = Chart("grouped bar", tuple(by_quarter["quarter"]),
                      (("Enrollments", tuple(float(v) for v in by_quarter["enrollments"])),
                       ("Completions", tuple(float(v) for v in by_quarter["completed"]))),
                      x_title="Quarter", y_title="Enrollments", number_format=NUMBER_FORMATS["count"])
    credentials = pack.by_credential[pack.by_credential["enrollments"] > 0].sort_values("enrollments",
                                                                                         ascending=False)
    return Slide("enrollments", SLIDE_TITLES[2],
                 figures=(("Enrollments", fmt(s.enrollments), f"started in {pack.quarter.label}"),
                          ("Completions", fmt(s.completed), f"completion rate {fmt(s.completion_rate, 'rate')}")),
                 chart=chart,
                 table=_table(credentials, ["code", "title", "enrollments", "completed", "completion_rate"]),
                 notes=_notes(_about(pack, "enrollment", "credential", "completion"),
                              ["Enrollments", "Completions", "Completion rate"]))


def _time_to_complete(pack: ReviewPack) -> Slide:
    s = pack.summary
    chart = Chart("picture", picture="time_to_complete") if not pack.days_to_complete.empty else None
    median, p80 = METRICS["median_days_to_complete"], METRICS["p80_days_to_complete"]
    figures = ((median.label, fmt(s.median_days_to_complete, "days"), "days from enrolling to completing"),
               (p80.label, fmt(s.p80_days_to_complete, "days"), "80% of completions took at most this"),
               ("Completions", fmt(s.completed), f"in {pack.quarter.label}"))
    sentence = (f"Half of the {fmt(s.completed)} completions took {fmt(s.median_days_to_complete, 'days')} days "
                f"or fewer; 80% took {fmt(s.p80_days_to_complete, 'days')} days or fewer.")
    return Slide("time", SLIDE_TITLES[3], figures=figures, chart=chart,
                 notes=_notes([sentence] if s.completed else ["No completions in the quarter."],
                              [median.label, p80.label]))


def _skills(pack: ReviewPack) -> Slide:
    gained, closed = METRICS["skills_gained"], METRICS["gap_closed"]
    figures = ((gained.label, fmt(pack.skills_gained),
                _versus(pack.skills_gained - pack.skills_gained_previous, "count", pack.previous)),
               (closed.label, fmt(pack.gap_closed, "rate"), "of the starting gap, PDP skill goals"))
    gaps = pack.skill_gaps.sort_values("mean_gap", ascending=False)
    names = ["department", "skill", "people", "mean_gap"]
    if pack.audience == "All partners" or gaps["employer"].nunique() > 1:
        names.insert(0, "employer")
    lines = () if not gaps.empty else (
        f"No department–skill group with a PDP target has {MIN_GROUP} or more people "
        f"({SUPPRESSED} are not shown).",)
    chart = Chart("picture", picture="skill_gaps") if not gaps.empty else None
    return Slide("skills", SLIDE_TITLES[4], figures=figures, chart=chart, table=_table(gaps, names), lines=lines,
                 notes=_notes(_about(pack, "skill"), [gained.label, closed.label, METRICS["mean_gap"].label]))


def _pdp(pack: ReviewPack) -> Slide:
    states = pack.goal_states
    figures = tuple((label(state), fmt(count), f"PDP goals as of {fmt(pack.alerts.as_of, 'date')}")
                    for state, count in states.items() if state in ("achieved", "on_track", "at_risk", "overdue"))
    chart = None
    if sum(states.values()):
        chart = Chart("bar", tuple(label(state) for state in states),
                      (("PDP goals", tuple(float(v) for v in states.values())),),
                      x_title="Goal state", y_title="PDP goals", number_format=NUMBER_FORMATS["count"])
    total = sum(states.values())
    sentence = f"{fmt(total)} PDP goals in scope; {fmt(states.get('overdue'))} overdue."
    return Slide("pdp", SLIDE_TITLES[5], figures=figures, chart=chart,
                 notes=_notes([sentence], ["PDP goal states", METRICS["overdue"].label]))


def _outcomes(pack: ReviewPack) -> Slide:
    keys = ("performance_change", "satisfaction_change", "completer_rate", "other_rate")
    table = pack.outcomes_table()
    figures = []
    for key, row in zip(keys, table.itertuples(), strict=True):
        metric = METRICS[key]
        people = f"{fmt(row.n)} people" if row.n else "too few people to show"
        figures.append((metric.short_label or metric.label, fmt(row.value, row.kind), people))
    lines = () if pack.outcome.shown else (pack.outcome.note or f"Survey groups of {SUPPRESSED} are not shown.",)
    return Slide("outcomes", SLIDE_TITLES[6], figures=tuple(figures), lines=tuple(lines),
                 notes=_notes([DEFINITIONS["Suppression"]], [METRICS[key].label for key in keys]))


def _budget(pack: ReviewPack) -> Slide:
    money = pack.budget
    used = METRICS["used"]
    figures = (("Budget for the quarter", fmt(money.budget_for_period, "money"),
                f"annual {fmt(money.annual_budget, 'money')}, pro rata"),
               ("Spend", fmt(money.spend, "money"), f"on enrollments started in {pack.quarter.label}"),
               (used.label, fmt(money.used, "rate"), "of the quarter's budget"),
               (METRICS["cost_per_completion"].label, fmt(pack.summary.cost_per_completion, "money"),
                f"{fmt(pack.summary.completed)} completions"))
    chart = Chart("bar", ("Budget for the quarter", "Spend"),
                  (("Pounds", (float(money.budget_for_period), float(money.spend))),),
                  y_title="Pounds", number_format=NUMBER_FORMATS["money"])
    return Slide("budget", SLIDE_TITLES[7], figures=figures, chart=chart,
                 notes=_notes(_about(pack, "spend", "budget"),
                              [METRICS["spend"].label, used.label, METRICS["cost_per_completion"].label]))


def _co_design(pack: ReviewPack) -> Slide:
    """The credentials in co-design, and field by field what this quarter's saved versions changed."""
    df, changes = pack.co_design, pack.co_design_changes
    touched = changes["code"].nunique() if not changes.empty else 0
    credentials = f"{fmt(touched)} {'credential' if touched == 1 else 'credentials'}"
    figures = (("Credentials in co-design", fmt(len(df)), "draft, in review or approved"),
               ("Changes this quarter", fmt(len(changes)), f"to {credentials} in {pack.quarter.label}"))
    lines = () if not changes.empty else ("No credential in co-design changed this quarter.",)
    notes = (f"{fmt(len(changes))} field changes to {credentials} of the {fmt(len(df))} in co-design were saved in "
             f"{pack.quarter.label}.")
    return Slide("co_design", SLIDE_TITLES[8], figures=figures,
                 table=_table(changes, ["code", "field", "before", "after", "party"]), lines=lines,
                 notes=_notes([notes], []))


def _actions(pack: ReviewPack) -> Slide:
    previous, due = pack.actions_previous, pack.actions_due
    lines = []
    if not due.empty:
        lines.append(f"{fmt(len(due))} {'action is' if len(due) == 1 else 'actions are'} due before the next review.")
    if previous.empty:
        return Slide("actions", SLIDE_TITLES[9], lines=(NO_ACTIONS, *lines), notes="\n".join([NO_ACTIONS, *lines]))
    states = previous["status"].map(label).value_counts(sort=False)
    figures = tuple((state, fmt(count), f"of {fmt(len(previous))} actions") for state, count in states.items())
    sentence = f"{fmt(len(previous))} actions were agreed at the last review."
    return Slide("actions", SLIDE_TITLES[9], figures=figures[:4], lines=tuple(lines),
                 table=_table(previous, ["action", "owner", "due_on", "status"]),
                 notes="\n".join([sentence, *lines]))


def _risks(pack: ReviewPack) -> Slide:
    alerts = pack.alerts
    at_risk, overdue = METRICS["learners_at_risk"], METRICS["overdue"]
    figures = ((at_risk.label, fmt(alerts.learners_at_risk), f"as of {fmt(alerts.as_of, 'date')}"),
               (overdue.label, fmt(alerts.overdue_goals), f"as of {fmt(alerts.as_of, 'date')}"))
    return Slide("risks", SLIDE_TITLES[10], figures=figures, table=at_risk_by_credential(pack),
                 notes=_notes(_about(pack, "at risk") + [DEFINITIONS["Suppression"]], [at_risk.label, overdue.label]))


def at_risk_by_credential(pack: ReviewPack) -> pd.DataFrame | None:
    """Learners at risk counted by credential, as the pack counts them (metrics.at_risk_by_credential: small
    counts folded into "Other credentials"); never a name."""
    counted = pack.at_risk_by_credential
    if counted.empty:
        return None
    names = [code if not title else f"{code} · {title}" for code, title in zip(counted["code"], counted["title"],
                                                                             strict=True)]
    return pd.DataFrame({"Credential": names, "Learners at risk": [fmt(n) if n != SUPPRESSED else SUPPRESSED
                                                                   for n in counted["learners"]]}).head(MAX_TABLE_ROWS)


def slides(pack: ReviewPack) -> list[Slide]:
    """The review's slides, in the meeting's order (SLIDE_TITLES)."""
    makers = (_title, _headline, _enrollments, _time_to_complete, _skills, _pdp, _outcomes, _budget, _co_design,
              _actions, _risks)
    return [make(pack) for make in makers]
