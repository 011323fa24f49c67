"""Small-group suppression: no figure of a group of fewer than MIN_GROUP people leaves this
layer, so no individual can be recognised. Pages, exports and the review pack take the
``*_shown`` figures below (survey ratings and assessed levels: ``cells``, which also resists
differencing); the unsuppressed functions are for other metrics and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from db.scope import Scope
from services.filters import Filters
from services.metrics.breakdowns import by_department
from services.metrics.definitions import MIN_GROUP, SUPPRESSED
from services.metrics.upskilling import gap_closed_overall, skill_gaps

# A department row keeps who it is and its headcount; every other figure is blanked when small.
DEPARTMENT_KEYS = ("employer", "department", "headcount")


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
    """``by_department`` with the figures of departments of fewer than MIN_GROUP people blanked."""
    departments = by_department(session, scope, filters, today=today)
    figures = [column for column in departments.columns if column not in DEPARTMENT_KEYS]
    return suppress_small_groups(departments, n_col="headcount", columns=figures)


@dataclass(frozen=True)
class SkillGaps:
    shown: pd.DataFrame  # department–skill groups of MIN_GROUP people or more
    hidden: int  # groups left out for being smaller
    gap_closed: float | None  # over the groups shown only: with hidden ones in, a filter could single one out

    @property
    def any_targets(self) -> bool:
        return self.hidden > 0 or not self.shown.empty


def skill_gaps_shown(session: Session, scope: Scope, filters: Filters, *, today: date) -> SkillGaps:
    gaps = skill_gaps(session, scope, filters, today=today)
    large = gaps["people"] >= MIN_GROUP
    shown = gaps[large].reset_index(drop=True)
    return SkillGaps(shown=shown, hidden=int((~large).sum()),
                     gap_closed=gap_closed_overall(shown) if not shown.empty else None)

