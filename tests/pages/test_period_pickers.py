"""AppTest: the sidebar's period and the review's quarter offer no quarter before the data in scope.

The world (tests/world.py): Acme's first enrollment is on 2 Jan 2025, Beta's on 4 Jan 2026;
AS_OF_DATE is 2026-07-15, so 2026Q3 is current and 2026Q2 the default.
"""

from __future__ import annotations

import pytest

from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it

BETA = ["2026Q3 (to date)", "2026Q2", "2026Q1"]
ACME = ["2026Q3 (to date)", "2026Q2", "2026Q1", "2025Q4", "2025Q3", "2025Q2", "2025Q1"]


def sidebar_periods(at) -> list[str]:
    return next(s for s in at.sidebar.selectbox if s.label == "Period").options


@pytest.mark.parametrize("email, quarters", [("hr@beta.test", BETA), ("hr@acme.test", ACME),
                                             ("officer@uni-one.test", ACME)])
def test_pickers_offer_the_quarters_with_data_in_scope(app_db, email, quarters):
    at = app_as(email).run()
    assert not at.exception, at.exception
    assert sidebar_periods(at) == [*quarters, "Last 12 months", "Custom range"]
    assert next(s for s in at.sidebar.selectbox if s.label == "Period").value == "2026Q2"

    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    review = at.selectbox(key="review_quarter")
    assert review.options == quarters
    assert review.value == "2026Q2"
    assert at.title[0].value == "Quarterly review 2026Q2"
