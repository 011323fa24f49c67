"""ui/data.py serves pages only what its registry lists: small-group figures only suppressed."""

from datetime import date

import pytest

from services import metrics
from services.filters import Filters
from ui import data


@pytest.mark.parametrize("unsuppressed", [metrics.by_department, metrics.skill_gaps, metrics.assessment_levels,
                                         metrics.outcome_change, metrics.retention])
def test_pages_cannot_ask_for_unsuppressed_group_figures(unsuppressed):
    with pytest.raises(ValueError, match="not served"):
        data.get(unsuppressed, None, Filters(), date(2026, 12, 1))


def test_every_served_metric_is_the_function_of_its_name():
    for name, function in data.METRICS.items():
        assert getattr(metrics, name) is function
    assert {"departments_shown", "skill_gaps_shown", "assessment_levels_shown", "outcome_change_shown",
            "retention_shown"} <= set(data.METRICS)
