"""The quarters a picker offers: none before the first data, the default always, newest first."""

from __future__ import annotations

from datetime import date

from services.periods import Period, offered_quarters, parse_quarter

TODAY = date(2026, 7, 15)  # 2026Q3 is current; 2026Q2 the last complete quarter (the default)


def labels(first_day, most=8, today=TODAY) -> list[str]:
    return [q.label for q in offered_quarters(today, first_day, most)]


def test_from_the_quarter_of_the_first_data_to_the_current_one():
    assert labels(date(2025, 11, 20)) == ["2026Q3", "2026Q2", "2026Q1", "2025Q4"]
    assert labels(date(2025, 10, 1)) == ["2026Q3", "2026Q2", "2026Q1", "2025Q4"]
    assert labels(date(2025, 9, 30)) == ["2026Q3", "2026Q2", "2026Q1", "2025Q4", "2025Q3"]


def test_at_most_the_given_number():
    assert labels(date(2015, 1, 1), most=8) == ["2026Q3", "2026Q2", "2026Q1", "2025Q4", "2025Q3", "2025Q2",
                                                "2025Q1", "2024Q4"]
    assert len(labels(date(2015, 1, 1), most=12)) == 12


def test_the_default_quarter_is_offered_even_without_earlier_data():
    # No data yet, data only this quarter, or only dated in the future: the last complete quarter stays.
    assert labels(None) == ["2026Q3", "2026Q2"]
    assert labels(date(2026, 7, 1)) == ["2026Q3", "2026Q2"]
    assert labels(date(2027, 1, 1)) == ["2026Q3", "2026Q2"]


def test_periods_are_whole_quarters():
    q = offered_quarters(TODAY, date(2026, 2, 3), 8)
    assert [(p.start, p.end) for p in q] == [(date(2026, 7, 1), date(2026, 9, 30)),
                                             (date(2026, 4, 1), date(2026, 6, 30)),
                                             (date(2026, 1, 1), date(2026, 3, 31))]
    # On the first day of a quarter, that quarter is "current" and the previous one the default.
    assert labels(None, today=date(2026, 1, 1)) == ["2026Q1", "2025Q4"]


def test_month_starts_are_the_first_days_inside_the_period():
    assert parse_quarter("2025Q4").month_starts() == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]
    assert Period(date(2025, 11, 2), date(2026, 1, 1)).month_starts() == [date(2025, 12, 1), date(2026, 1, 1)]
    assert Period(date(2025, 11, 2), date(2025, 11, 30)).month_starts() == []
