"""The bench's judgement (ratios, verdicts) and its plain-text report (what `manage.py bench` prints)."""

from __future__ import annotations

import json

from devtools.bench.comparison import NOT_MEASURED, REFERENCE_HEAD, reference_table, reference_verdict
from devtools.bench.reference import INSTALL_HINT
from devtools.bench.settings import LIMIT_MARK, ROLES, RUN_LIMIT_S, TARGETS, hit_limit

VERDICT_KEYS = ("cold", "warm", "cold_ratio", "errors", "import", "memory", "load_errors", "reference")
NOT_JUDGED = {"ok": None, "misses": []}


def ratios(pages: list[dict]) -> list[dict]:
    """Large/small cold and warm ratio of every page and role measured at both scales."""
    by_key = {(page["page"], page["role"], page["scale"]): page for page in pages}
    out = []
    for (name, role, scale), large in by_key.items():
        small = by_key.get((name, role, "small"))
        if scale != "large" or small is None:
            continue
        out.append({
            "page": name, "role": role,
            "cold_ratio": _divide(large["cold_s"], small["cold_s"]),
            "warm_ratio": _divide(large["warm_s"], small["warm_s"]),
            # over the run limit: the ratio is a lower bound
            "at_least": bool(large.get("over_limit")),
        })
    return out


def _divide(numerator, denominator):
    return None if numerator is None or not denominator else round(numerator / denominator, 2)


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
    return {"ok": speed >= target, "misses": [] if speed >= target else [f"{speed:,.0f} rows/s < {target:,}"]}


def _memory_verdict(peak: float | None) -> dict:
    target = TARGETS["peak_rss_mb"]
    return {"ok": peak is not None and peak < target,
            "misses": [] if peak is None or peak < target else
            [f"{peak:,.0f} MB >= {target:,} MB by {peak - target:,.0f}"]}


def _load_verdict(load: dict | None) -> dict:
    if not load or "errors" not in load:
        return NOT_JUDGED
    return {"ok": load["errors"] == 0, "misses": load.get("error_examples", [])}


def verdicts(report: dict) -> dict:
    """PASS/MISS per target, judged at the largest scale measured; misses say by how much."""
    pages = report["pages"]
    top = "large" if any(page["scale"] == "large" for page in pages) else "small"
    judged = [page for page in pages if page["scale"] == top]
    out: dict[str, dict] = {"scale": top}
    out["cold"] = _worst(judged, "cold_s", TARGETS["cold_s"])
    out["warm"] = _worst(judged, "warm_s", TARGETS["warm_s"])
    titled = [dict(row, title=next(page["title"] for page in pages if page["page"] == row["page"]))
              for row in report["ratios"]]
    out["cold_ratio"] = _worst(titled, "cold_ratio", TARGETS["cold_ratio"]) if titled else NOT_JUDGED
    failing = [page for page in pages if page["errors"] and not page.get("over_limit")]
    out["errors"] = {"ok": not failing, "misses": [f"{page['title']} ({page['role']}, {page['scale']}): "
                                                   f"{page['errors'][0]}" for page in failing]}
    out["import"] = _import_verdict(report.get("import"))
    out["memory"] = _memory_verdict(report.get("peak_rss_mb"))
    out["load_errors"] = _load_verdict(report.get("load"))
    # judged at the largest scale it measured, also when the pages were skipped
    reference = report.get("reference") or []
    out["reference"] = reference_verdict(reference, "large" if any(row["scale"] == "large" for row in reference)
                                         else top)
    return out


def mark(ok) -> str:
    return "—" if ok is None else "PASS" if ok else "MISS"


def number(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def cold_seconds(row: dict | None) -> str:
    if row and row.get("over_limit"):
        return f">{RUN_LIMIT_S:.0f}"
    return number(row and row["cold_s"])


def page_rows(report: dict) -> list[tuple[str, str, dict | None, dict | None, dict]]:
    """(page, role, small row, large row, ratio row) for every page and role, in the order measured."""
    by_key = {(page["page"], page["role"], page["scale"]): page for page in report["pages"]}
    ratio_rows = {(row["page"], row["role"]): row for row in report["ratios"]}
    seen = list(dict.fromkeys((page["page"], page["role"]) for page in report["pages"]))
    return [(name, role, by_key.get((name, role, "small")), by_key.get((name, role, "large")),
             ratio_rows.get((name, role), {})) for name, role in seen]


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


def page_verdict(small: dict | None, large: dict | None, ratio_row: dict, runs: int) -> str:
    """PASS, or MISS and why, for one page and role (judged at the large scale when measured there)."""
    judged = large or small
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
    return verdict


def metric_cell(row: dict | None) -> str:
    if row and row["error"] and LIMIT_MARK in row["error"]:
        return f">{RUN_LIMIT_S:.0f}"
    return "error" if row and row["error"] else number(row and row["median_s"], 3)


def metric_table(report: dict) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
    """The columns (role, scale) and the rows (metric, cells) of the metric queries."""
    columns = [(role, scale) for scale in report["databases"] for role in ROLES]
    by_key = {(row["metric"], row["role"], row["scale"]): row for row in report["metrics"]}
    names = dict.fromkeys(row["metric"] for row in report["metrics"])
    return columns, [(name, [metric_cell(by_key.get((name, role, scale))) for role, scale in columns])
                     for name in names]


def _machine_lines(report: dict) -> list[str]:
    machine = report["machine"]
    database_version = (f" {machine.get('postgresql')}" if machine.get("postgresql")
                        else f" (SQLite {machine['sqlite']})")
    lines = [f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB RAM; "
             f"Python {machine['python']}; {report['backend']}{database_version}; {machine['date']}"]
    for scale, database in report["databases"].items():
        built = f"built in {database['build_seconds']:.0f} s" if database["built"] else "reused"
        lines.append(f"  {scale:5} {database['employees']:>9,} employees {database['enrollments']:>11,} enrollments "
                     f"(seeded {database['seeded_on']}, {built}) {database['url']}")
    return lines


def _page_lines(report: dict) -> list[str]:
    if not report["pages"]:
        return []
    lines = ["", f"Pages: full server-side run (AppTest), median of {report['runs']}; cold = caches cleared. "
                 f"Targets at the large scale: cold <= {TARGETS['cold_s']} s, warm <= {TARGETS['warm_s']} s, "
                 f"large/small cold <= {TARGETS['cold_ratio']}."]
    head = (f"{'page':<28} {'role':<10} {'small cold':>10} {'warm':>7} {'large cold':>11} {'warm':>7} "
            f"{'ratio':>6}  verdict")
    lines += [head, "-" * len(head)]
    for _name, role, small, large, ratio_row in page_rows(report):
        ratio = ratio_row.get("cold_ratio")
        verdict = page_verdict(small, large, ratio_row, report["runs"])
        lines.append(
            f"{(large or small)['title'][:28]:<28} {role:<10} {cold_seconds(small):>10} "
            f"{number(small and small['warm_s']):>7} {cold_seconds(large):>11} {number(large and large['warm_s']):>7} "
            f"{('>' if ratio_row.get('at_least') else '') + number(ratio, 1):>6}  {verdict}")
    return lines


def _metric_lines(report: dict) -> list[str]:
    if not report["metrics"]:
        return []
    lines = ["", f"Metric queries (services/metrics/, uncached), median of {report['runs']}, seconds:"]
    columns, rows = metric_table(report)
    head = f"{'metric':<26}" + "".join(f" {role[:7] + ' ' + scale:>16}" for role, scale in columns)
    lines += [head, "-" * len(head)]
    lines += [f"{name:<26}" + "".join(f" {cell:>16}" for cell in cells) for name, cells in rows]
    for row in [row for row in report["metrics"] if row["error"]][:5]:
        lines.append(f"  error {row['metric']} ({row['role']}, {row['scale']}): {row['error']}")
    return lines


def _reference_lines(report: dict) -> list[str]:
    rows = report.get("reference") or []
    if not rows:
        return []
    widths = (24, 10, 5, 10, 12, 6, 6, 11)
    lines = ["", f"Metric queries beside DuckDB in memory on the same rows, median of {report['runs']}:"]
    head = " ".join(f"{name:<{width}}" for name, width in zip(REFERENCE_HEAD, widths, strict=False)) + " verdict"
    lines += [head, "-" * len(head)]
    lines += [" ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=False)) + " " + cells[-1]
              for cells in reference_table(rows)]
    if any(row["verdict"] == NOT_MEASURED for row in rows):
        lines.append(f"  {INSTALL_HINT}")
    return lines


def import_text(report: dict) -> str:
    imported = report.get("import")
    if imported is None:
        return "Import: not available"
    return (f"Import: {imported.get('rows', 0):,} enrollment rows in {number(imported.get('seconds'))} s = "
            f"{imported.get('rows_per_s') or 0:,.0f} rows/s (target >= {TARGETS['import_rows_per_s']:,}) "
            f"{mark(report['verdicts']['import']['ok'])}" + (f"; {imported['note']}" if imported.get("note") else ""))


def memory_text(report: dict) -> str:
    return (f"Peak memory (this process, after every page as both roles): {report['peak_rss_mb']:,.0f} MB "
            f"(target < {TARGETS['peak_rss_mb']:,} MB) {mark(report['verdicts']['memory']['ok'])}")


def _load_lines(report: dict) -> list[str]:
    load = report.get("load")
    if not load:
        return ["Load test: not run"]
    if "skipped" in load:
        return [f"Load test: skipped ({load['skipped']})"]
    browser = load["browser"]
    lines = [
        f"Load test ({load['database']} database, {load['processes']} `streamlit run` process(es)): "
        f"{load['connected']}/{load['sessions']} "
        f"websocket sessions + {load['browsers_signed_in']}/{load['browsers']} Chromium tabs for "
        f"{load['seconds']:.0f} s, {load['think_s']:.1f} s between pages; server peak RSS "
        f"{number(load.get('server_peak_rss_mb'), 0)} MB; errors {load['errors']}",
        f"  sessions (server time): {load['page_loads']} page runs, p50 {number(load['p50_s'])} s, "
        f"p95 {number(load['p95_s'])} s, max {number(load['max_s'])} s"]
    if load["browsers"]:
        lines.append(f"  Chromium tabs (click to page drawn): {browser['page_loads']} page loads, p50 "
                     f"{number(browser['p50_s'])} s, p95 {number(browser['p95_s'])} s, "
                     f"max {number(browser['max_s'])} s")
    lines += [f"  {example}" for example in load.get("error_examples", [])]
    return lines


def _verdict_lines(report: dict) -> list[str]:
    judged = report["verdicts"]
    lines = ["", f"Verdict at the {judged['scale']} scale: "
             + "; ".join(f"{key} {mark(judged[key]['ok'])}" for key in VERDICT_KEYS)]
    for key in ("cold", "warm", "cold_ratio", "errors", "reference"):
        lines += [f"  {key}: {miss}" for miss in judged[key]["misses"][:3]]
    return lines


def format_report(report: dict) -> str:
    """The report as `manage.py bench` prints it."""
    lines = _machine_lines(report) + _page_lines(report) + _metric_lines(report) + _reference_lines(report) + [""]
    lines += [import_text(report), memory_text(report), *_load_lines(report), *_verdict_lines(report)]
    lines.append(f"({report['elapsed_s']:.0f} s in all)")
    return "\n".join(lines)


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)
