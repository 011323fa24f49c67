"""The bench's judgement: ratios between scales, the verdict per target and per page (GitHub issue 18).

Verdicts are judged at the large scale (the small one when only it was measured); the optional third
scale only shows how cost grows beyond the large one and is never judged.
"""

from __future__ import annotations

from devtools.bench.comparison import reference_verdict
from devtools.bench.settings import LIMIT_MARK, MONTHLY_JUDGED_FROM_ROWS, RUN_LIMIT_S, TARGETS, THIRD, hit_limit

VERDICT_KEYS = ("cold", "warm", "cold_ratio", "errors", "import", "monthly_import", "memory", "load", "reference")
NOT_JUDGED = {"ok": None, "misses": []}


def _divide(numerator, denominator):
    return None if numerator is None or not denominator else round(numerator / denominator, 2)


def ratios(pages: list[dict]) -> list[dict]:
    """Large/small cold and warm ratio of every page and role measured at both scales, and third/large
    (``third_*``) where the third scale was measured too."""
    by_key = {(page["page"], page["role"], page["scale"]): page for page in pages}
    out = []
    for (name, role, scale), large in by_key.items():
        small = by_key.get((name, role, "small"))
        if scale != "large" or small is None:
            continue
        row = {
            "page": name, "role": role,
            "cold_ratio": _divide(large["cold_s"], small["cold_s"]),
            "warm_ratio": _divide(large["warm_s"], small["warm_s"]),
            # over the run limit: the ratio is a lower bound
            "at_least": bool(large.get("over_limit")),
        }
        third = by_key.get((name, role, THIRD))
        if third is not None:
            row.update(third_cold_ratio=_divide(third["cold_s"], large["cold_s"]),
                       third_warm_ratio=_divide(third["warm_s"], large["warm_s"]),
                       third_at_least=bool(third.get("over_limit")))
        out.append(row)
    return out


def _worst(rows: list[dict], key: str, limit: float) -> dict:
    """PASS when no row is over ``limit``; the misses, worst first, say by how much."""
    misses = [(row[key] - limit, row) for row in rows if row[key] is not None and row[key] > limit]

    def message(excess: float, row: dict) -> str:
        if row.get("over_limit") and key == "cold_s":
            return f"{row['title']} ({row['role']}) over the {RUN_LIMIT_S:.0f} s run limit"
        return f"{row['title']} ({row['role']}) {row[key]:.2f} > {limit} by {excess:.2f}"

    return {"ok": not misses and bool(rows),
            "misses": [message(excess, row) for excess, row in sorted(misses, key=lambda miss: -miss[0])]}


def _import_verdict(imported: dict | None) -> dict:
    if not imported or imported.get("rows_per_s") is None:
        return NOT_JUDGED
    speed, target = imported["rows_per_s"], TARGETS["import_rows_per_s"]
    return {"ok": speed >= target,
            "misses": [] if speed >= target else [f"{speed:,.0f} rows/s < {target:,} by {target - speed:,.0f}"]}


def monthly_import_judged(imported: dict | None) -> bool:
    """A monthly file is judged by the import target only when it is big enough for its speed to mean
    something (fixed costs dominate a small file)."""
    return bool(imported) and (imported.get("rows") or 0) >= MONTHLY_JUDGED_FROM_ROWS


def _memory_verdict(peak: float | None) -> dict:
    target = TARGETS["peak_rss_mb"]
    return {"ok": peak is not None and peak < target,
            "misses": [] if peak is None or peak < target else
            [f"{peak:,.0f} MB >= {target:,} MB by {peak - target:,.0f}"]}


def _load_verdict(load: dict | None) -> dict:
    """The websocket sessions' p95 (server time) within the target and no errors; the Chromium tabs,
    which measure mostly Chromium on the same cores, are not judged."""
    if not load or "errors" not in load:
        return NOT_JUDGED
    target, p95 = TARGETS["load_p95_s"], load.get("p95_s")
    misses = []
    if p95 is None:
        misses.append("no session page run was timed, so there is no p95")
    elif p95 > target:
        misses.append(f"sessions' p95 {p95:.2f} s > {target} s by {p95 - target:.2f}")
    if load["errors"]:
        misses += [f"{load['errors']} errors", *load.get("error_examples", [])]
    return {"ok": not misses, "misses": misses}


def top_scale(rows: list[dict]) -> str:
    """The scale verdicts are judged at: large when it was measured, else small (never the third)."""
    return "large" if any(row["scale"] == "large" for row in rows) else "small"


def verdicts(report: dict) -> dict:
    """PASS/MISS per target, judged at the large scale; misses say by how much."""
    pages = report["pages"]
    top = top_scale(pages)
    judged = [page for page in pages if page["scale"] == top]
    out: dict[str, dict] = {"scale": top}
    out["cold"] = _worst(judged, "cold_s", TARGETS["cold_s"])
    out["warm"] = _worst(judged, "warm_s", TARGETS["warm_s"])
    titled = [dict(row, title=next(page["title"] for page in pages if page["page"] == row["page"]))
              for row in report["ratios"]]
    out["cold_ratio"] = _worst(titled, "cold_ratio", TARGETS["cold_ratio"]) if titled else NOT_JUDGED
    failing = [page for page in pages if page["errors"] and not page.get("over_limit") and page["scale"] != THIRD]
    out["errors"] = {"ok": not failing, "misses": [f"{page['title']} ({page['role']}, {page['scale']}): "
                                                   f"{page['errors'][0]}" for page in failing]}
    out["import"] = _import_verdict(report.get("import"))
    monthly = report.get("monthly_import")
    out["monthly_import"] = _import_verdict(monthly) if monthly_import_judged(monthly) else NOT_JUDGED
    out["memory"] = _memory_verdict(report.get("peak_rss_mb"))
    out["load"] = _load_verdict(report.get("load"))
    # judged at the largest scale it measured, also when the pages were skipped
    reference = report.get("reference") or []
    out["reference"] = reference_verdict(reference, "large" if any(row["scale"] == "large" for row in reference)
                                         else top)
    return out


def _target_misses(judged: dict, ratio: float | None, at_least: bool | None) -> list[str]:
    reasons = []
    if judged["cold_s"] is not None and judged["cold_s"] > TARGETS["cold_s"] and not judged.get("over_limit"):
        reasons.append(f"cold +{judged['cold_s'] - TARGETS['cold_s']:.2f}s")
    if judged["warm_s"] is not None and judged["warm_s"] > TARGETS["warm_s"]:
        reasons.append(f"warm +{judged['warm_s'] - TARGETS['warm_s']:.2f}s")
    if ratio is not None and ratio > TARGETS["cold_ratio"]:
        reasons.append(f"ratio {'>' if at_least else ''}{ratio:.1f}")
    return reasons


def _not_from_the_limit(errors: list[str]) -> list[str]:
    """The errors a run stopped at the run limit did not cause (the interrupted query and its after-effects)."""
    return [error for error in errors if error != LIMIT_MARK and not hit_limit(error)
            and "went wrong" not in error and "not shown" not in error]


def page_verdict(small: dict | None, large: dict | None, ratio_row: dict, runs: int,
                 third: dict | None = None) -> str:
    """PASS, or MISS and why, for one page and role (judged at the large scale when measured there; an
    error at the third scale is told, not judged)."""
    judged = large or small or third
    reasons = _target_misses(judged, ratio_row.get("cold_ratio"), ratio_row.get("at_least"))
    errors = (small or {}).get("errors", []) + (large or {}).get("errors", [])
    if judged.get("over_limit") or (small or {}).get("over_limit"):
        reasons.insert(0, f"cold over the {RUN_LIMIT_S:.0f} s run limit")
        errors = _not_from_the_limit(errors)
    if errors:
        reasons.append("ERROR " + errors[0][:60])
    verdict = ("MISS " + ", ".join(reasons)) if reasons else "PASS"
    short = [row for row in (small, large) if row and 0 < len(row["cold_runs"]) < runs]
    if short:
        verdict += f" ({'/'.join(str(len(row['cold_runs'])) for row in short)} runs: over the time budget)"
    if large is None:
        verdict = "(small only) " + verdict
    third_errors = _not_from_the_limit((third or {}).get("errors", []))
    if third_errors:
        verdict += f"; {THIRD} scale ERROR {third_errors[0][:60]}"
    return verdict
