"""The product against the reference engine (DuckDB): comparable answers, ratios and verdicts.

No database and no DuckDB here, so the logic is tested with hand-made figures and a fake engine.
"""

from __future__ import annotations

import math

import pandas as pd

from devtools.bench.settings import TARGETS, median, rounded

REFERENCE_TARGET = TARGETS["reference_ratio"]  # the product's time at most this many times the reference engine's
NOT_MEASURED = "not measured"
# The answers compared: the same aggregate on both sides, reduced to plain Python values.
_COUNTS = {"by_credential": ("code", ["enrollments", "completed", "failed", "withdrawn"]),
           # department cells merge small departments ("Other departments"): compared per employer
           "by_department": ("employer", ["enrollments", "completed"])}


def comparable(name: str, answer) -> object:
    """The answer of ``name`` (product result or reference frame) as a plain value; rows of zeros dropped."""
    if name in _COUNTS:
        key, columns = _COUNTS[name]
        sums = answer.groupby(key)[columns].sum()
        return {str(index): tuple(int(value) for value in row)
                for index, row in sums.iterrows() if any(row)}
    if name == "skill_gaps":
        return {(str(row.employer), str(row.department), str(row.skill)):
                (int(row.people), round(float(row.gap_now), 6), round(float(row.gap_start), 6))
                for row in answer.itertuples()}
    if name == "goal_states":
        frame = isinstance(answer, pd.DataFrame)
        pairs = zip(answer["state"], answer["goals"], strict=True) if frame else answer.items()
        return {str(state): int(count) for state, count in pairs if count}
    if isinstance(answer, pd.DataFrame):  # one value: the median
        answer = answer.iloc[0, 0] if len(answer) else None
    if answer is None or (isinstance(answer, float) and math.isnan(answer)) or pd.isna(answer):
        return None
    return round(float(answer), 6)


def compare(metric: str, role: str, scale: str, product_times: list[float], reference_times: list[float] | None,
            product_answer=None, reference_answer=None, error: str | None = None) -> dict:
    """One row of the table: both medians, the ratio, the target and the verdict."""
    product_s = median(product_times)
    reference_s = median(reference_times or [])
    row = {"metric": metric, "role": role, "scale": scale, "product_s": rounded(product_s, 4),
           "reference_s": rounded(reference_s, 4), "ratio": None, "target": REFERENCE_TARGET,
           "answers_equal": None, "error": error}
    if error:
        return {**row, "verdict": f"ERROR {error[:60]}"}
    if reference_s is None:
        return {**row, "verdict": NOT_MEASURED}
    row["ratio"] = round(product_s / reference_s, 2) if reference_s > 0 and product_s is not None else None
    row["answers_equal"] = comparable(metric, product_answer) == comparable(metric, reference_answer)
    if not row["answers_equal"]:
        return {**row, "verdict": "MISS answers differ"}
    if row["ratio"] is not None and row["ratio"] > REFERENCE_TARGET:
        return {**row, "verdict": f"MISS {row['ratio']:.1f}× > {REFERENCE_TARGET:.0f}×"}
    return {**row, "verdict": "PASS"}


def reference_verdict(rows: list[dict], scale: str) -> dict:
    """PASS when every measured row at ``scale`` passes; not judged when none was measured."""
    judged = [row for row in rows if row["scale"] == scale and row["verdict"] != NOT_MEASURED]
    if not judged:
        return {"ok": None, "misses": []}
    misses = [f"{row['metric']} ({row['role']}): {row['verdict']}" for row in judged if row["verdict"] != "PASS"]
    return {"ok": not misses, "misses": misses}


REFERENCE_HEAD = ("metric", "role", "scale", "product s", "DuckDB s", "ratio", "target", "same answer", "verdict")


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def reference_table(rows: list[dict]) -> list[tuple[str, ...]]:
    """The cells of the side-by-side table, one tuple per row (columns: REFERENCE_HEAD)."""
    answers = {True: "yes", False: "NO", None: "—"}
    return [(row["metric"], row["role"], row["scale"], _seconds(row["product_s"]),
             NOT_MEASURED if row["reference_s"] is None and not row["error"] else _seconds(row["reference_s"]),
             "—" if row["ratio"] is None else f"{row['ratio']:.2f}", f"≤ {row['target']:.0f}×",
             answers[row["answers_equal"]], row["verdict"]) for row in rows]
