"""Reporting periods: quarters and date ranges, in the users' words ("2025Q3")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from db.sqlfuncs import quarter_bounds

QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of days, start and end included."""

    start: date
    end: date
    label: str = ""

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def month_starts(self) -> list[date]:
        """The first days of months that fall in the period (how the summary tables name months)."""
        first = date(self.start.year, self.start.month, 1)
        first = first if first >= self.start else _next_month(first)
        out = []
        while first <= self.end:
            out.append(first)
            first = _next_month(first)
        return out

    def previous(self) -> Period:
        """The period just before: the previous quarter for a quarter, else the same length."""
        if is_quarter(self):
            return quarter_of(self.start - timedelta(days=1))
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period(end - length, end)

    def same_last_year(self) -> Period:
        if is_quarter(self):
            return parse_quarter(f"{self.start.year - 1}Q{(self.start.month - 1) // 3 + 1}")
        return Period(_minus_year(self.start), _minus_year(self.end))


def _next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def quarter_of(day: date) -> Period:
    start, end = quarter_bounds(day)
    return Period(start, end, f"{day.year}Q{(day.month - 1) // 3 + 1}")


def parse_quarter(text: str) -> Period:
    m = QUARTER_RE.match(text or "")
    if not m:
        raise ValueError(f"'{text}' is not a quarter; write it like 2025Q3.")
    year, q = int(m.group(1)), int(m.group(2))
    return quarter_of(date(year, 3 * q - 2, 1))


def is_quarter(p: Period) -> bool:
    return quarter_of(p.start) == Period(p.start, p.end, quarter_of(p.start).label)


def last_complete_quarter(today: date) -> Period:
    return quarter_of(quarter_of(today).start - timedelta(days=1))


def quarters_back(today: date, n: int) -> list[Period]:
    """The last ``n`` quarters up to and including the current one, oldest first."""
    out = [quarter_of(today)]
    while len(out) < n:
        out.append(out[-1].previous())
    return out[::-1]


def offered_quarters(today: date, first_day: date | None, most: int) -> list[Period]:
    """The quarters a quarter picker offers, newest first: the current one back to the
    quarter of ``first_day`` (the first data in scope), at most ``most`` (≥ 2). The last
    complete quarter, the pickers' default, is always offered, even before any data."""
    oldest = last_complete_quarter(today)
    if first_day is not None and first_day < oldest.start:
        oldest = quarter_of(first_day)
    out = [quarter_of(today)]
    while len(out) < most and out[-1].start > oldest.start:
        out.append(out[-1].previous())
    return out


def today() -> date:
    """The dashboard's "today": AS_OF_DATE (YYYY-MM-DD) pins it for demos, tests and
    reproducible reports; otherwise the real date."""
    import os

    pinned = os.environ.get("AS_OF_DATE")
    return date.fromisoformat(pinned) if pinned else date.today()
