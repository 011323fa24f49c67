"""How the product writes figures, dates and names for people: one formatter for every
page, download and the review pack.

- ``fmt(value, kind)`` writes one value as text (pages, PDF, sentences).
- ``label(value)`` turns a stored name (``on_track``, ``hr_manager``) into words.
- ``COLUMNS`` gives every table column the product shows its heading and kind, so a
  page, a CSV, an Excel sheet and the pack name and format a column the same way.
- ``export_frame`` is a table as a download holds it: the same headings, states in
  words, numbers rounded to the precision shown (rates as percentages).

Rates always have one decimal ("64.0%"), money whole pounds in totals ("£919,748")
and pence in single prices and costs ("£412.50").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from services.metrics.definitions import METRICS

RATE_DECIMALS = 1
NO_FIGURE = "–"

# kind: how a value is written.
#   text, state (a stored name: shown in words), count, rate (a fraction: 0.64 → 64.0%),
#   points (a change of a rate: 0.02 → +2.0 pts), growth (a relative change: -0.25 → -25.0%),
#   money (whole pounds), price (pence),
#   mean (two decimals), change (signed count), mean_change (signed, two decimals),
#   days (a whole number of days), credits (one decimal: ECTS), date, datetime, flag (yes / no).
KINDS = ("text", "state", "count", "rate", "points", "growth", "money", "price", "mean", "change", "mean_change",
         "days", "credits", "date", "datetime", "flag")

# Words kept in capitals, and stored names whose words are not the obvious ones.
ACRONYMS = {"pdp": "PDP", "pdps": "PDPs", "hr": "HR", "ects": "ECTS", "eqf": "EQF", "esco": "ESCO", "id": "id",
            "uri": "URI", "csv": "CSV", "oidc": "OIDC"}
WORDS = {"co_designing_employers": "Co-designing employers", "in_review": "In review", "on_track": "On track",
         "at_risk": "At risk", "e_learning": "E-learning", "hr_manager": "HR manager",
         "stand_alone": "Stand-alone", "continue_as_is": "Continue",
         "unsupervised_no_identity_check": "Unsupervised, no identity check",
         "supervised_no_identity_check": "Supervised, no identity check",
         "supervised_identity_check": "Supervised, with identity check"}


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, (str, bytes, date, datetime)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def label(value) -> str:
    """A stored name in words: ``on_track`` → "On track", ``pdp_goals`` → "PDP goals"."""
    if _is_missing(value):
        return NO_FIGURE
    text = str(getattr(value, "value", value))
    if text in WORDS:
        return WORDS[text]
    words = text.replace("-", " ").replace("_", " ").split()
    if not words:
        return text
    out = [ACRONYMS.get(w.lower(), w.lower() if w.islower() else w) for w in words]
    if out[0] == out[0].lower():
        out[0] = out[0][0].upper() + out[0][1:]
    return " ".join(out)


def _signed(text: str, value: float) -> str:
    # ASCII "-", not the typographic minus: st.metric reads the sign of a delta from it,
    # and spreadsheets opening a CSV read "-12" as a number.
    return ("+" if value > 0 else "-" if value < 0 else "±") + text.lstrip("-")


def _date(value) -> str:
    return f"{value:%-d %b %Y}" if isinstance(value, (date, datetime)) else str(value)


def _datetime(value) -> str:
    return f"{value:%-d %b %Y, %H:%M}" if isinstance(value, datetime) else _date(value)


# Kinds whose value is not a number.
_WRITE_TEXT = {
    "date": _date,
    "datetime": _datetime,
    "flag": lambda value: "yes" if value else "no",
}
# Kinds of numbers; any other kind (count, days) is a whole number with thousands separators.
_WRITE_NUMBER = {
    "rate": lambda value: f"{value * 100:.{RATE_DECIMALS}f}%",
    "points": lambda value: _signed(f"{abs(value) * 100:.{RATE_DECIMALS}f} pts", round(value * 100, RATE_DECIMALS)),
    "growth": lambda value: _signed(f"{abs(value) * 100:.{RATE_DECIMALS}f}%", round(value * 100, RATE_DECIMALS)),
    "money": lambda value: ("-" if round(value) < 0 else "") + f"£{abs(value):,.0f}",
    "price": lambda value: ("-" if value < 0 else "") + f"£{abs(value):,.2f}",
    "mean": lambda value: f"{value:,.2f}",
    "credits": lambda value: f"{value:,.1f}",
    "mean_change": lambda value: _signed(f"{abs(value):,.2f}", round(value, 2)),
    "change": lambda value: _signed(f"{abs(value):,.0f}", round(value)),
}


def fmt(value, kind: str = "count") -> str:
    """One value as text; "–" for no figure. Text (e.g. "fewer than 5") passes through."""
    if _is_missing(value):
        return NO_FIGURE
    if kind == "state":
        return label(value)
    if isinstance(value, str) or kind == "text":
        return str(value)
    if kind in _WRITE_TEXT:
        return _WRITE_TEXT[kind](value)
    value = float(value) if not isinstance(value, (int, float)) else value
    if isinstance(value, float) and math.isinf(value):
        return NO_FIGURE
    return _WRITE_NUMBER.get(kind, lambda number: f"{number:,.0f}")(value)


def counted(count: int, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 seat", "3 seats", "2 people already hold" (``many`` when not ``one`` + "s")."""
    return f"{fmt(count)} {one if count == 1 else (many or one + 's')}"


def fmt_change(value, kind: str) -> str:
    """The change of a value of ``kind`` (this minus previous): +3, +2.0 pts, +£1,200, +0.25."""
    if _is_missing(value) or isinstance(value, str):
        return fmt(value)
    if kind in ("money", "price"):
        return _signed(fmt(abs(value), "money"), round(value))
    return fmt(value, {"rate": "points", "mean": "mean_change", "mean_change": "mean_change"}.get(kind, "change"))


# --- Table columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    kind: str = "text"

    @property
    def export_heading(self) -> str:
        units = {"rate": " (%)", "points": " (pts)", "growth": " (%)", "money": " (£)", "price": " (£)"}
        unit = units.get(self.kind, "")
        return self.heading + unit


def _columns(*specs: tuple[str, str, str]) -> dict[str, Column]:
    return {name: Column(name, heading, kind) for name, heading, kind in specs}


# Every column a table of the product shows. A column holding a metric takes its heading and kind
# from the metric's definition (services/metrics/definitions.py), below.
COLUMNS: dict[str, Column] = _columns(
    ("employee_ref", "Employee id", "text"), ("employee", "Employee", "text"), ("employer", "Employer", "text"),
    ("department", "Department", "text"), ("manager", "Manager", "text"), ("job_title", "Job title", "text"),
    ("credential", "Credential", "text"), ("code", "Code", "text"), ("title", "Title", "text"),
    ("cohort", "Cohort", "text"), ("seat", "Seat", "text"), ("status", "Status", "state"),
    ("state", "State", "state"),
    ("enrolled_on", "Enrolled", "date"), ("completed_on", "Result on", "date"),
    ("withdrawn_on", "Withdrawn on", "date"),
    ("starts_on", "Starts", "date"), ("ends_on", "Ends", "date"), ("due_on", "Due", "date"),
    ("last_activity", "Last activity", "date"), ("last_change", "Last change", "date"),
    ("score", "Score", "count"), ("cost", "Cost", "price"), ("price", "Price", "price"),
    ("headcount", "Headcount", "count"), ("enrollments", "Enrollments", "count"), ("completed", "Completions", "count"),
    ("failed", "Failed", "count"), ("withdrawn", "Withdrawn", "count"), ("active", "Active learners", "count"),
    ("learners", "Learners", "count"), ("completions", "Completions", "count"),
    ("completion_rate", "Completion rate", "rate"), ("withdrawal_rate", "Withdrawal rate", "rate"),
    ("participation_rate", "Participation", "rate"), ("spend", "Spend", "money"),
    ("sector", "Sector", "text"), ("partnership", "Partnership", "text"),
    ("period", "Plan", "text"), ("goal", "Goal", "text"), ("skill", "Skill", "text"),
    ("target_level", "Target level", "count"), ("people", "People", "count"), ("mean_gap", "Mean gap (levels)", "mean"),
    ("gap_now", "Gap now (levels)", "mean"), ("gap_start", "Gap at start (levels)", "mean"),
    ("gap_closed", "Gap closed", "rate"), ("version", "Version", "count"),
    ("co_designing_employers", "Co-designing employers", "count"),
    ("changed_this_quarter", "Changed this quarter", "flag"),
    ("quarter", "Quarter", "text"), ("days", "Days", "days"), ("goals", "PDP goals", "count"),
    ("eqf_level", "EQF level", "count"), ("ects_credits", "ECTS credits", "credits"),
    ("learning_hours", "Learning hours", "count"), ("delivery_mode", "Delivery mode", "state"),
    ("skills_gained", "Skills gained", "count"), ("n", "Answers", "count"),
    # The co-design record.
    ("organization", "Organisation", "text"), ("party", "Party", "state"), ("approved_by", "Approved by", "text"),
    ("approved_at", "Approved", "datetime"), ("saved_by", "Saved by", "text"), ("saved_at", "Saved", "datetime"),
    ("change", "Change", "text"), ("at", "At", "datetime"), ("by", "By", "text"), ("event", "Event", "text"),
    ("field", "Field", "text"), ("before", "Before", "text"), ("after", "After", "text"),
    ("partners", "Co-designed with", "text"), ("skills", "Skills", "text"), ("seats", "Seats", "count"),
    ("pathway", "Pathway", "text"), ("step", "Step", "count"), ("steps", "Steps", "count"),
    ("category", "Category", "text"), ("proficiency", "Proficiency (1–5)", "count"), ("esco_uri", "ESCO URI", "text"),
    ("proposed_by", "Proposed by", "text"), ("proposer_email", "Proposer", "text"),
    ("decided_by", "Decided by", "text"), ("decided_at", "Decided", "datetime"),
    # The access log (services/access_history.py).
    ("occurred_at", "When (UTC)", "datetime"), ("actor_email", "Who", "text"), ("actor_role", "Role", "state"),
    ("view", "What", "text"), ("filters", "Selection", "text"), ("rows", "People", "count"),
    ("people_shown", "People shown", "text"),
    # A person's page (services/people/record.py).
    ("plan_status", "Plan status", "state"), ("level", "Level", "count"), ("assessed_on", "Assessed", "date"),
    ("source", "Source", "state"), ("what", "What", "text"), ("item", "Item", "text"), ("on", "Date", "date"),
    ("when", "When", "text"),
    # The review meeting's record (services/review_actions.py).
    ("action", "Action", "text"), ("owner", "Owner", "text"), ("owner_side", "Side", "state"),
    # The yearly quality review (services/codesign/quality_review.py).
    ("university", "University", "text"), ("last_reviewed_on", "Last reviewed", "date"),
    ("next_review_on", "Next review", "date"), ("reviewed_on", "Reviewed", "date"), ("outcome", "Outcome", "state"),
    ("reviewer_email", "Reviewer", "text"), ("notes", "Notes", "text"),
)
# A per-group mean gap says its unit; the KPI's label ("Skill gap") is about the whole selection.
_OWN_HEADINGS = {"mean_gap"}
COLUMNS |= {key: Column(key, metric.label, metric.kind) for key, metric in METRICS.items()
            if key in COLUMNS and key not in _OWN_HEADINGS}


def column(name: str) -> Column:
    """The column's heading and kind; a column not listed is text with its name in words."""
    return COLUMNS.get(name) or Column(name, label(name), "text")


def columns(names: Iterable[str]) -> list[Column]:
    return [column(n) for n in names]


def shown_frame(df: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The table as text, exactly as a page or the PDF writes it: headings and values formatted."""
    cols = columns(names if names is not None else df.columns)
    return pd.DataFrame({c.heading: [fmt(v, c.kind) for v in df[c.name]] for c in cols}, index=df.index)


def _export_value(value, kind: str):
    if _is_missing(value):
        return None
    if isinstance(value, str) and kind not in ("text", "state"):
        return value  # e.g. "fewer than 5"
    if kind == "state":
        return label(value)
    if kind in ("rate", "points", "growth"):
        return round(float(value) * 100, RATE_DECIMALS)
    if kind == "money":
        return round(float(value))
    if kind in ("price", "mean", "mean_change"):
        return round(float(value), 2)
    if kind == "credits":
        return round(float(value), 1)
    if kind in ("count", "days", "change"):
        return int(round(float(value)))
    if kind == "flag":
        return "yes" if value else "no"
    if kind == "datetime" and isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None)
    return value


def export_frame(df: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The table as a CSV or Excel download holds it: headings (with units), states in words,
    numbers rounded as shown (a rate of 0.6401 is 64.0 under "Completion rate (%)")."""
    cols = columns(names if names is not None else df.columns)
    out = pd.DataFrame({c.export_heading: [_export_value(v, c.kind) for v in df[c.name]] for c in cols})
    return out.astype(object).where(out.notna(), None)
