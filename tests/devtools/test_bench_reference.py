"""devtools/bench side by side with DuckDB: the comparison, the verdicts and the table with hand-made
figures (no DuckDB needed), then the answers on the test world with real DuckDB (skipped when missing)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from devtools import bench
from devtools.bench import comparison, reference
from services.filters import Filters
from services.periods import Period
from tests.world import TODAY, build_world


def _credentials(*rows):
    return pd.DataFrame(rows, columns=["code", "enrollments", "completed", "failed", "withdrawn"])


def test_same_answer_and_fast_enough_passes_with_the_ratio():
    product = _credentials(("C1", 3, 1, 0, 0), ("C2", 0, 0, 0, 0))  # a row of zeros is no answer
    duck = _credentials(("C1", 3, 1, 0, 0))
    row = comparison.compare("by_credential", "officer", "small", [0.03, 0.02, 0.04], [0.01, 0.012, 0.011],
                             product, duck)
    assert row["product_s"] == 0.03 and row["reference_s"] == 0.011
    assert row["ratio"] == 2.73 and row["answers_equal"] is True
    assert row["verdict"] == "MISS 2.7× > 2×"
    fast = comparison.compare("by_credential", "officer", "small", [0.02], [0.01], product, duck)
    assert fast["ratio"] == 2.0 and fast["verdict"] == "PASS"


def test_a_different_answer_is_a_miss_whatever_the_time():
    row = comparison.compare("goal_states", "hr_manager", "large", [0.001], [0.01],
                             {"achieved": 2, "overdue": 1, "on_track": 0},
                             pd.DataFrame({"state": ["achieved", "overdue"], "goals": [2, 2]}))
    assert row["answers_equal"] is False and row["verdict"] == "MISS answers differ"
    same = comparison.compare("goal_states", "hr_manager", "large", [0.001], [0.01], {"achieved": 2, "overdue": 1},
                              pd.DataFrame({"state": ["overdue", "achieved"], "goals": [1, 2]}))
    assert same["verdict"] == "PASS" and same["ratio"] == 0.1


def test_departments_are_compared_per_employer_and_medians_as_numbers():
    product = pd.DataFrame({"employer": ["Acme", "Acme", "Beta"], "department": ["IT", "Other departments", "Sales"],
                            "enrollments": [2, 1, 4], "completed": [1, 0, 2], "headcount": [9, 9, 9]})
    duck = pd.DataFrame({"employer": ["Acme", "Acme", "Acme", "Beta"], "department": ["IT", "Ops", "Legal", "Sales"],
                         "enrollments": [2, 1, 0, 4], "completed": [1, 0, 0, 2]})
    assert comparison.comparable("by_department", product) == {"Acme": (3, 1), "Beta": (4, 2)}
    assert comparison.comparable("by_department", product) == comparison.comparable("by_department", duck)
    assert comparison.comparable("median_days_to_complete", pd.DataFrame({"m": [45.5]})) == 45.5
    assert comparison.comparable("median_days_to_complete", pd.DataFrame({"m": [float("nan")]})) is None
    assert comparison.comparable("median_days_to_complete", None) is None


def test_without_the_reference_engine_the_row_is_not_measured_and_not_judged():
    row = comparison.compare("by_credential", "officer", "large", [0.05], None)
    assert row["verdict"] == "not measured" and row["ratio"] is None
    assert comparison.reference_verdict([row], "large") == {"ok": None, "misses": []}
    assert "make bench" in bench.format_report(_report([row]))
    cells = comparison.reference_table([row])
    assert cells == [("by_credential", "officer", "large", "0.0500", "not measured", "—", "≤ 2×", "—",
                      "not measured")]


def _report(rows):
    report = {"machine": bench.machine(), "backend": "sqlite", "runs": 5, "databases": {}, "pages": [],
              "ratios": [], "metrics": [], "reference": rows, "import": None, "peak_rss_mb": 200.0, "load": None,
              "elapsed_s": 1.0}
    report["verdicts"] = bench.verdicts(report)
    return report


def test_the_verdict_and_both_reports_carry_the_table():
    rows = [comparison.compare("by_credential", "officer", "small", [0.05], [0.1], _credentials(), _credentials()),
            comparison.compare("goal_states", "hr_manager", "small", [0.15], [0.018], {}, {})]
    report = _report(rows)
    assert report["verdicts"]["reference"] == {"ok": False, "misses": ["goal_states (hr_manager): MISS 8.3× > 2×"]}
    text = bench.format_report(report)
    assert "beside DuckDB" in text and "reference MISS" in text
    assert "goal_states" in text and "0.1500" in text and "0.0180" in text and "8.33" in text
    markdown = bench.format_markdown(report)
    assert "| by_credential | officer | small | 0.0500 | 0.1000 | 0.50 | ≤ 2× | yes | PASS |" in markdown
    assert "| every metric query ≤ 2× DuckDB, same answers | MISS |" in markdown
    assert '"reference_s": 0.018' in bench.to_json(report)
    # with the pages skipped, the reference is still judged at the large scale when it was measured there
    large = comparison.compare("goal_states", "hr_manager", "large", [0.02], [0.018], {}, {})
    assert _report([*rows, large])["verdicts"]["reference"] == {"ok": True, "misses": []}


class _FakeEngine:
    """Answers each aggregate from a table of canned frames and counts what it was asked."""

    def __init__(self, answers):
        self.answers, self.registered, self.asked = answers, {}, []

    def register(self, name, frame):
        self.registered[name] = frame

    def execute(self, sql, parameters):
        self.asked.append(parameters)
        name = next(name for name, text in reference.REFERENCE_SQL.items() if text == sql)
        answer = self.answers[name]
        return type("Result", (), {"df": lambda self: answer})()


def test_time_reference_registers_the_frames_and_binds_only_the_parameters_used():
    engine = _FakeEngine({name: pd.DataFrame({"x": [1]}) for name in reference.REFERENCE_SQL})
    window = reference.Window(TODAY.replace(month=4, day=1), TODAY, TODAY)
    out = reference.time_reference(engine, {"enrollments": pd.DataFrame(), "goals": pd.DataFrame()}, window, 2)
    assert set(engine.registered) == {"enrollments", "goals"}
    assert set(out) == set(reference.REFERENCE_SQL) and all(len(times) == 2 for times, _ in out.values())
    asked = dict(zip(reference.REFERENCE_SQL, engine.asked[::2], strict=True))
    assert set(asked["by_credential"]) == {"start", "end"} and set(asked["goal_states"]) == {"today", "soon"}
    assert asked["goal_states"]["soon"] == TODAY.replace(month=7, day=30)
    assert asked["skill_gaps"] == {"as_of": TODAY}


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.mark.parametrize("user", ["officer@u", "hr@a"])
@pytest.mark.parametrize("period", [None, Period(TODAY.replace(month=4, day=1), TODAY, "Q2 2026")])
def test_duckdb_gives_the_products_answers_on_the_test_world(engine, session, world, user, period):
    pytest.importorskip("duckdb")
    connection = reference.reference_engine()
    scope = world.scope(session, user)
    rows = reference.compare_scope(lambda: Session(engine), connection, scope, Filters(period=period), TODAY, 1,
                                   user, "test")
    connection.close()
    assert [row["metric"] for row in rows] == list(reference.REFERENCE_SQL)
    assert all(row["error"] is None for row in rows), rows
    assert [row["metric"] for row in rows if not row["answers_equal"]] == []
    assert all(row["reference_s"] is not None for row in rows)


def test_the_world_gives_duckdb_something_to_count(engine, session, world):
    """The equality above is not vacuous: every aggregate has an answer on the world, all time."""
    pytest.importorskip("duckdb")
    connection = reference.reference_engine()
    frames = reference.load_scoped_rows(session, world.scope(session, "officer@u"))
    answers = reference.time_reference(connection, frames, reference.Window(date(2000, 1, 1), TODAY, TODAY), 1)
    connection.close()
    for name, (_times, answer) in answers.items():
        assert comparison.comparable(name, answer), name


def test_duckdb_is_a_bench_dependency_only():
    app = (bench.ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    bench_pins = (bench.ROOT / "requirements-bench.txt").read_text(encoding="utf-8").splitlines()
    assert "duckdb" not in app
    assert [line for line in bench_pins if line and not line.startswith("#")] == ["duckdb==1.4.4"]
    assert "requirements-bench.txt" in (bench.ROOT / "Makefile").read_text(encoding="utf-8")


def test_without_duckdb_the_product_is_still_timed_and_duckdb_not_measured(engine, session, world):
    rows = reference.compare_scope(lambda: Session(engine), None, world.scope(session, "hr@a"), Filters(), TODAY, 2,
                                   "hr_manager", "test")
    assert [row["verdict"] for row in rows] == ["not measured"] * len(reference.REFERENCE_SQL)
    assert all(row["product_s"] is not None and row["reference_s"] is None for row in rows)
