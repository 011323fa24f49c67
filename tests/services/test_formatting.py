"""The one formatter: every kind written as people read it, and downloads rounded as shown."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from services.formatting import COLUMNS, KINDS, column, export_frame, fmt, fmt_change, label, shown_frame


@pytest.mark.parametrize("value, kind, text", [
    (1234, "count", "1,234"),
    (np.int64(1234567), "count", "1,234,567"),
    (0.4666666666666667, "rate", "46.7%"),
    (0.6401, "rate", "64.0%"),
    (1.0, "rate", "100.0%"),
    (0.02, "points", "+2.0 pts"),
    (-0.0349, "points", "-3.5 pts"),
    (0.0, "points", "±0.0 pts"),
    (-1.0, "growth", "-100.0%"),
    (0.25, "growth", "+25.0%"),
    (919747.9452, "money", "£919,748"),
    (-12.4, "money", "-£12"),
    (412.5, "price", "£412.50"),
    (3.456, "mean", "3.46"),
    (0.25, "mean_change", "+0.25"),
    (-0.5, "mean_change", "-0.50"),
    (3, "change", "+3"),
    (-1200, "change", "-1,200"),
    (41.6, "days", "42"),
    (date(2026, 12, 1), "date", "1 Dec 2026"),
    (datetime(2026, 3, 9, 14, 5, 33), "datetime", "9 Mar 2026, 14:05"),
    (date(2026, 3, 9), "datetime", "9 Mar 2026"),
    (True, "flag", "yes"),
    ("on_track", "state", "On track"),
])
def test_each_kind(value, kind, text):
    assert kind in KINDS
    assert fmt(value, kind) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, np.nan, float("inf")])
def test_no_figure_is_a_dash(missing):
    assert fmt(missing, "rate") == "–"
    assert fmt(missing, "money") == "–"


def test_text_passes_through_figures():
    assert fmt("fewer than 5", "rate") == "fewer than 5"


@pytest.mark.parametrize("stored, words", [
    ("on_track", "On track"), ("in_progress", "In progress"), ("in_review", "In review"),
    ("hr_manager", "HR manager"), ("partnership_officer", "Partnership officer"), ("pdp_goals", "PDP goals"),
    ("co_designing_employers", "Co-designing employers"), ("e_learning", "E-learning"),
    ("completed", "Completed"), ("enrollments_by_credential", "Enrollments by credential"),
    ("ects_credits", "ECTS credits"),
])
def test_stored_names_in_words(stored, words):
    assert label(stored) == words


def test_changes_follow_the_kind_of_the_figure():
    assert fmt_change(0.031, "rate") == "+3.1 pts"
    assert fmt_change(-1250.4, "money") == "-£1,250"
    assert fmt_change(12, "count") == "+12"
    assert fmt_change(None, "count") == "–"


def test_every_column_has_a_heading_in_words_and_a_known_kind():
    for name, col in COLUMNS.items():
        assert col.kind in KINDS, name
        assert "_" not in col.heading and col.heading[0].isupper(), name
    assert column("unlisted_thing").heading == "Unlisted thing"


def test_shown_and_exported_tables_agree_on_headings_and_rounding():
    df = pd.DataFrame({"state": ["on_track", "overdue"], "completion_rate": [0.6401, None],
                       "spend": [919747.9452, 10.0], "due_on": [date(2026, 12, 1), date(2027, 1, 2)]})
    shown = shown_frame(df)
    assert list(shown.columns) == ["State", "Completion rate", "Spend", "Due"]
    assert shown.iloc[0].tolist() == ["On track", "64.0%", "£919,748", "1 Dec 2026"]
    assert shown.iloc[1].tolist() == ["Overdue", "–", "£10", "2 Jan 2027"]
    out = export_frame(df)
    assert list(out.columns) == ["State", "Completion rate (%)", "Spend (£)", "Due"]
    assert out.iloc[0].tolist() == ["On track", 64.0, 919748, date(2026, 12, 1)]
    assert out.iloc[1]["Completion rate (%)"] is None
