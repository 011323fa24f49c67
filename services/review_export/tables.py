"""The pack's tables as the PDF and the workbook show them: one list, built in one place, so a new
table is one line in ``pack_tables``. Every table is aggregate: the pack names no one (learners at risk
are counted by credential, groups below the small-group threshold suppressed in services/metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.formatting import column, fmt, fmt_change, label
from services.review import ReviewPack

# Headings of the pack's own columns (the others are services/formatting COLUMNS).
HEADINGS = {"metric": "Metric", "measure": "Measure", "value": "Value", "n": "People",
            "this_quarter": "This quarter", "previous_quarter": "Previous quarter",
            "change_vs_previous": "Change", "same_quarter_last_year": "Same quarter last year",
            "change_vs_last_year": "Change vs last year"}
CHANGES = {"change_vs_previous", "change_vs_last_year"}
# The kind a change of a figure is written in (services/formatting.fmt_change).
CHANGE_KIND = {"rate": "points", "mean": "mean_change", "money": "money_change", "price": "money_change"}


@dataclass(frozen=True)
class PackTable:
    title: str  # the sheet name and the PDF section's table title
    frame: pd.DataFrame  # raw figures (numbers stay numbers)
    names: tuple[str, ...]  # the columns shown, in order
    # A column whose value says each row's kind (the headline and measure tables mix kinds by row).
    kind_column: str | None = None
    pdf_rows: int = 25  # the PDF shows the first rows; the workbook holds them all

    def heading(self, name: str) -> str:
        return HEADINGS.get(name) or column(name).heading

    def kind(self, name: str, row) -> str:
        """The kind of one cell: the row's kind for the figures of a mixed table, else the column's."""
        if self.kind_column and name not in ("metric", "measure", "n"):
            kind = row[self.kind_column]
            return CHANGE_KIND.get(kind, "change") if name in CHANGES else kind
        return "count" if name == "n" else column(name).kind

    def text(self, name: str, row) -> str:
        """One cell as text, through services/formatting."""
        kind, value = self.kind(name, row), row[name]
        if kind == "money_change":
            return fmt_change(value, "money")
        if name in CHANGES:
            return fmt_change(value, row[self.kind_column])
        return fmt(value, kind)

    def shown(self) -> pd.DataFrame:
        """The table as text with human headings (the PDF's table)."""
        rows = [{self.heading(n): self.text(n, row) for n in self.names} for _, row in self.frame.iterrows()]
        return pd.DataFrame(rows, columns=[self.heading(n) for n in self.names])


def kpi_display(kpis: pd.DataFrame) -> pd.DataFrame:
    """The headline figures as people read them: this quarter, the previous one, a year ago and the changes."""
    return headline_table(kpis).shown()


def measures_display(df: pd.DataFrame) -> pd.DataFrame:
    """A (measure, value, kind[, n]) table with each value written in its own kind."""
    names = ("measure", "value", "n") if "n" in df else ("measure", "value")
    return PackTable("", df, names, kind_column="kind").shown()


def headline_table(kpis: pd.DataFrame) -> PackTable:
    return PackTable("Headline KPIs", kpis, ("metric", "this_quarter", "previous_quarter", "change_vs_previous",
                                                "same_quarter_last_year", "change_vs_last_year"), kind_column="kind")


def _goals(pack: ReviewPack) -> pd.DataFrame:
    return pd.DataFrame({"state": [label(s) for s in pack.goal_states], "goals": list(pack.goal_states.values())})


def top_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """The largest gaps first (people × mean gap: the levels still to close)."""
    if gaps.empty:
        return gaps
    return gaps.assign(weight=gaps["people"] * gaps["mean_gap"]).sort_values(
        ["weight", "employer", "department", "skill"], ascending=[False, True, True, True]).drop(columns="weight")


ACTION_COLUMNS = ("action", "owner", "owner_side", "due_on", "status")


def pack_tables(pack: ReviewPack) -> list[PackTable]:
    """Every table of the pack, in the order of the PDF's sections; a new table is one line here."""
    measures = ("measure", "value", "n")
    return [
        headline_table(pack.kpis),
        PackTable("By credential", pack.by_credential, ("code", "title", "enrollments", "completed", "failed",
                                                        "withdrawn", "active", "completion_rate")),
        PackTable("By quarter", pack.by_quarter, ("quarter", "enrollments", "completed", "failed", "withdrawn",
                                                  "completion_rate")),
        PackTable("Time to complete", pack.days_to_complete, ("days", "completions")),
        PackTable("Skill gaps", top_gaps(pack.skill_gaps),
                  ("employer", "department", "skill", "people", "mean_gap", "gap_closed"), pdf_rows=15),
        PackTable("PDP goals", _goals(pack), ("state", "goals")),
        PackTable("Outcomes", pack.outcomes_table(), measures, kind_column="kind"),
        PackTable("Spend and budget", pack.budget_table(), measures[:2], kind_column="kind"),
        PackTable("Co-design", pack.co_design, ("code", "title", "status", "version", "co_designing_employers",
                                                "changed_this_quarter", "last_change")),
        PackTable("Co-design changes", pack.co_design_changes, ("code", "field", "before", "after", "saved_at",
                                                                "party")),
        PackTable("Actions last quarter", pack.actions_previous, ACTION_COLUMNS),
        PackTable("Actions due", pack.actions_due, ACTION_COLUMNS),
        PackTable("Learners at risk by credential", pack.at_risk_by_credential, ("code", "title", "learners")),
    ]


def table(tables: list[PackTable], title: str) -> PackTable:
    return next(t for t in tables if t.title == title)
