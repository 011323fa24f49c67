"""Small-group suppression: no figure of a group of fewer than MIN_GROUP people leaves this
layer, so no individual can be recognised. Pages, exports and the review pack take the
``*_shown`` figures below and in ``cells`` (survey ratings, assessed levels, retention), which
resist differencing; every aggregate takes people in whole department cells only
(services/population.py). The unsuppressed functions are for other metrics and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session

from db.scope import Scope
from services.filters import Filters, resolve_period
from services.metrics.breakdowns import by_department
from services.metrics.definitions import MIN_GROUP, SUPPRESSED
from services.metrics.upskilling import gap_closed_overall, skill_gaps
from services.periods import Period, quarter_of


def suppress_small_groups(df: pd.DataFrame, *, n_col: str, columns: list[str]) -> pd.DataFrame:
    """Blank the figures of groups with fewer than MIN_GROUP people; flag them.

    Pages show SUPPRESSED for such rows; exports write an empty cell and the flag.
    """
    out = df.copy()
    small = out[n_col] < MIN_GROUP
    out["suppressed"] = small
    for col in columns:
        out[col] = out[col].astype("object").where(~small, None)
    return out


def or_suppressed(value, people: int):
    """A figure about ``people`` people: itself, SUPPRESSED for a small group, None for nobody."""
    if people < MIN_GROUP:
        return SUPPRESSED if people else None
    return value


def departments_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> pd.DataFrame:
    """``by_department``: one row per department cell (services/population.py), every cell of
    MIN_GROUP people or more on record, so no row needs blanking and no total minus the rows
    shown gives a small department."""
    return by_department(session, scope, filters, today=today)


@dataclass(frozen=True)
class SkillGaps:
    shown: pd.DataFrame  # department–skill groups of MIN_GROUP people or more
    hidden: int  # groups left out for being smaller
    gap_closed: float | None  # over the groups shown only: with hidden ones in, a filter could single one out
    as_of: date | None = None  # the day the gaps are read: today, or a quarter's end

    @property
    def any_targets(self) -> bool:
        return self.hidden > 0 or not self.shown.empty


def gap_day(filters: Filters, today: date) -> date:
    """The day skill gaps are read for a period: today when the period reaches it, else the last
    quarter's end on or before the period's end. A stock read at any day would let two custom
    ranges ending a day apart tell the few people assessed in between."""
    end = resolve_period(filters, today).end
    if end >= today:
        return today
    quarter = quarter_of(end)
    return end if end == quarter.end else quarter.start - timedelta(days=1)


def skill_gaps_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> SkillGaps:
    as_of = gap_day(filters, today)
    gaps = skill_gaps(session, scope, filters.with_period(Period(as_of, as_of, "")), today=today)
    large = gaps["people"] >= MIN_GROUP
    shown = gaps[large].reset_index(drop=True)
    return SkillGaps(shown=shown, hidden=int((~large).sum()),
                     gap_closed=gap_closed_overall(shown) if not shown.empty else None, as_of=as_of)
