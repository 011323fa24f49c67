"""AppTest: the sidebar offers department cells, never a part of one, and names the employers
too small to count in any figure (services/population.py)."""

from __future__ import annotations

from datetime import date

from db import summaries
from db.engine import bump_data_version
from db.models import Department, Employee, Organization, Partnership
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import app_as, table_with
from ui import data

app_db = page_tests.app_db  # the page tests' shared fixture, bound here so pytest finds it


def _sidebar_multi(at, label):
    return next(w for w in at.sidebar.multiselect if w.label == label)


def _small_groups(session, world) -> None:
    """Acme gets a one-person Legal department; Uni One gets a partner of two people."""
    legal = Department(employer_id=world.id("A"), name="Legal")
    delta = Organization(code="DELTA", name="Delta", kind="employer")
    session.add_all([legal, delta])
    session.flush()
    session.add_all([Partnership(university_id=world.id("U"), employer_id=delta.id, starts_on=date(2024, 1, 1)),
                     Employee(employer_id=world.id("A"), employee_ref="L1", full_name="Lee Legal",
                              department_id=legal.id, hired_on=date(2020, 1, 1)),
                     *(Employee(employer_id=delta.id, employee_ref=str(n), full_name=f"Dee {n}",
                                hired_on=date(2020, 1, 1)) for n in range(2))])
    session.flush()
    # Like every employee write (an import), in the same transaction: headcounts come from the summaries.
    summaries.refresh(session, [world.id("A"), delta.id])
    bump_data_version(session)
    session.commit()
    # Figures and choices are cached per data version in this process; earlier tests' worlds had the same one.
    data.clear()


def test_the_department_filter_offers_cells_and_small_employers_are_named(app_db, session):
    _small_groups(session, app_db)
    at = app_as("hr@acme.test").run()
    departments = _sidebar_multi(at, "Departments")
    # Legal (1 person) is too small alone, so the smaller large department (Operations, 5 on record) joins it.
    assert departments.options == ["IT", "Other departments"]  # the labels offered
    table = table_with(at, "headcount")
    assert list(table["department"]) == ["IT", "Other departments"]
    # "Other departments" stands for Operations and Legal together: their people employed in 2026Q2, a1 and Lee.
    departments.select(app_db.id("A-Ops")).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Headcount"] == "2"
    assert list(table_with(at, "headcount")["department"]) == ["Other departments"]
    officer = app_as("officer@uni-one.test").run()
    assert any("Not counted in any figure" in c.value and "Delta" in c.value for c in officer.sidebar.caption)
    assert "Delta" not in set(table_with(officer, "sector")["employer"])
