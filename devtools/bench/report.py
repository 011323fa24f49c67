"""The bench's plain-text report (what `manage.py bench` prints), and the tables both reports share.

The judgement (ratios, verdicts) is in ``judgement``; it is re-exported here for the callers of old.
"""

from __future__ import annotations

import json

from devtools.bench.comparison import NOT_MEASURED, REFERENCE_HEAD, REFERENCE_TARGET, reference_table
from devtools.bench.judgement import VERDICT_KEYS, monthly_import_judged, page_verdict, ratios, verdicts
from devtools.bench.reference import INSTALL_HINT
from devtools.bench.settings import LIMIT_MARK, MONTHLY_JUDGED_FROM_ROWS, ROLES, RUN_LIMIT_S, TARGETS, THIRD

__all__ = ["VERDICT_KEYS", "format_report", "metric_table", "page_rows", "page_verdict", "ratios", "to_json",
           "verdicts"]
GROWTH = f"{THIRD}/large"  # the column of how cost grows from the large scale to the third


def mark(ok) -> str:
    return "—" if ok is None else "PASS" if ok else "MISS"


def number(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def cold_seconds(row: dict | None) -> str:
    if row and row.get("over_limit"):
        return f">{RUN_LIMIT_S:.0f}"
    return number(row and row["cold_s"])


def has_third(report: dict) -> bool:
    return THIRD in report.get("databases", {})


def page_rows(report: dict) -> list[tuple[str, str, dict | None, dict | None, dict | None, dict]]:
    """(page, role, small row, large row, third row, ratio row) for every page and role, in the order measured."""
    by_key = {(page["page"], page["role"], page["scale"]): page for page in report["pages"]}
    ratio_rows = {(row["page"], row["role"]): row for row in report["ratios"]}
    seen = list(dict.fromkeys((page["page"], page["role"]) for page in report["pages"]))
    return [(name, role, by_key.get((name, role, "small")), by_key.get((name, role, "large")),
             by_key.get((name, role, THIRD)), ratio_rows.get((name, role), {})) for name, role in seen]


def growth(ratio_row: dict, kind: str = "cold", at_least: str = ">") -> str:
    """The third/large ratio of a page, ``at_least`` first when the third scale hit the run limit (a lower bound)."""
    return ((at_least if ratio_row.get("third_at_least") else "")
            + number(ratio_row.get(f"third_{kind}_ratio"), 1))


def metric_cell(row: dict | None) -> str:
    if row and row["error"] and LIMIT_MARK in row["error"]:
        return f">{RUN_LIMIT_S:.0f}"
    return "error" if row and row["error"] else number(row and row["median_s"], 3)


def _metric_growth(third: dict | None, large: dict | None) -> str:
    """third/large of one metric's median; ">" when the third scale hit the run limit."""
    if not third or not large or third["median_s"] is None or not large["median_s"] or large["error"]:
        return "—"
    at_least = ">" if third["error"] and LIMIT_MARK in third["error"] else ""
    return at_least + number(third["median_s"] / large["median_s"], 1)


def metric_table(report: dict) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
    """The columns (role, scale, or role and GROWTH when the third scale was measured) and the rows
    (metric, cells) of the metric queries."""
    columns = [(role, scale) for scale in report["databases"] for role in ROLES]
    if has_third(report):
        columns += [(role, GROWTH) for role in ROLES]
    by_key = {(row["metric"], row["role"], row["scale"]): row for row in report["metrics"]}
    names = dict.fromkeys(row["metric"] for row in report["metrics"])

    def cell(name: str, role: str, scale: str) -> str:
        if scale == GROWTH:
            return _metric_growth(by_key.get((name, role, THIRD)), by_key.get((name, role, "large")))
        return metric_cell(by_key.get((name, role, scale)))

    return columns, [(name, [cell(name, role, scale) for role, scale in columns]) for name in names]


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


def _page_head(third: bool) -> str:
    head = f"{'page':<28} {'role':<10} {'small cold':>10} {'warm':>7} {'large cold':>11} {'warm':>7} {'ratio':>6}"
    if third:
        head += f" {THIRD + ' cold':>11} {'warm':>7} {GROWTH:>11}"
    return head + "  verdict"


def _page_lines(report: dict) -> list[str]:
    if not report["pages"]:
        return []
    third = has_third(report) and any(page["scale"] == THIRD for page in report["pages"])
    lines = ["", f"Pages: full server-side run (AppTest), median of {report['runs']}; cold = caches cleared. "
                 f"Targets at the large scale: cold <= {TARGETS['cold_s']} s, warm <= {TARGETS['warm_s']} s, "
                 f"large/small cold <= {TARGETS['cold_ratio']}"
                 + (f"; the {THIRD} scale is not judged, {GROWTH} (cold) shows how cost grows." if third else ".")]
    head = _page_head(third)
    lines += [head, "-" * len(head)]
    for _name, role, small, large, third_row, ratio_row in page_rows(report):
        ratio = ratio_row.get("cold_ratio")
        verdict = page_verdict(small, large, ratio_row, report["runs"], third_row)
        line = (f"{(large or small or third_row)['title'][:28]:<28} {role:<10} {cold_seconds(small):>10} "
                f"{number(small and small['warm_s']):>7} {cold_seconds(large):>11} "
                f"{number(large and large['warm_s']):>7} "
                f"{('>' if ratio_row.get('at_least') else '') + number(ratio, 1):>6}")
        if third:
            line += (f" {cold_seconds(third_row):>11} {number(third_row and third_row['warm_s']):>7} "
                     f"{growth(ratio_row):>11}")
        lines.append(f"{line}  {verdict}")
    return lines


def _metric_lines(report: dict) -> list[str]:
    if not report["metrics"]:
        return []
    lines = ["", f"Metric queries (services/metrics/, uncached), median of {report['runs']}, seconds:"]
    columns, rows = metric_table(report)
    labels = [role[:7] + " " + scale for role, scale in columns]
    widths = [max(16, len(label)) for label in labels]
    head = f"{'metric':<26}" + "".join(f" {label:>{width}}" for label, width in zip(labels, widths, strict=True))
    lines += [head, "-" * len(head)]
    lines += [f"{name:<26}" + "".join(f" {cell:>{width}}" for cell, width in zip(cells, widths, strict=True))
              for name, cells in rows]
    for row in [row for row in report["metrics"] if row["error"]][:5]:
        lines.append(f"  error {row['metric']} ({row['role']}, {row['scale']}): {row['error']}")
    return lines


def _reference_lines(report: dict) -> list[str]:
    rows = report.get("reference") or []
    if not rows:
        return []
    widths = (24, 10, 5, 10, 12, 6, 6, 11)
    lines = ["", f"Metric queries beside DuckDB in memory on the same rows, median of {report['runs']} "
                 f"(target at the large scale: <= {REFERENCE_TARGET:g}x DuckDB's time, same answer):"]
    head = " ".join(f"{name:<{width}}" for name, width in zip(REFERENCE_HEAD, widths, strict=False)) + " verdict"
    lines += [head, "-" * len(head)]
    lines += [" ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=False)) + " " + cells[-1]
              for cells in reference_table(rows)]
    if any(row["verdict"] == NOT_MEASURED for row in rows):
        lines.append(f"  {INSTALL_HINT}")
    return lines


def _import_figure(imported: dict) -> str:
    return (f"{imported.get('rows') or 0:,} rows in {number(imported.get('seconds'))} s = "
            f"{imported.get('rows_per_s') or 0:,.0f} rows/s")


def import_text(report: dict) -> str:
    imported = report.get("import")
    if imported is None:
        return "Import: not available"
    return (f"Import: {_import_figure(imported)} (enrollments; target >= {TARGETS['import_rows_per_s']:,}) "
            f"{mark(report['verdicts']['import']['ok'])}" + (f"; {imported['note']}" if imported.get("note") else ""))


def monthly_import_title(imported: dict) -> str:
    return f"import, one month of one employer's activity ({imported.get('rows') or 0:,} rows)"


def monthly_import_target(imported: dict) -> str:
    """The target a monthly file is held to, or why it is not judged (too few rows)."""
    if monthly_import_judged(imported):
        return f">= {TARGETS['import_rows_per_s']:,} rows/s"
    return f"judged only from {MONTHLY_JUDGED_FROM_ROWS:,} rows"


def monthly_import_text(report: dict) -> list[str]:
    """The monthly file's import (report["monthly_import"], when a run measured one)."""
    imported = report.get("monthly_import")
    if not imported:
        return []
    verdict = (report.get("verdicts", {}).get("monthly_import") or {}).get("ok")
    return [f"{monthly_import_title(imported).capitalize()}: {_import_figure(imported)} "
            f"({monthly_import_target(imported)}) {mark(verdict)}"
            + (f"; {imported['note']}" if imported.get("note") else "")]


def memory_text(report: dict) -> str:
    third = report.get("peak_rss_mb_third")
    return (f"Peak memory (this process, after every page as both roles): {report['peak_rss_mb']:,.0f} MB "
            f"(target < {TARGETS['peak_rss_mb']:,} MB) {mark(report['verdicts']['memory']['ok'])}"
            + ("" if third is None else f"; {third:,.0f} MB after the {THIRD} scale's pages (not judged)"))


def load_target() -> str:
    return f"sessions' p95 <= {TARGETS['load_p95_s']} s and no errors"


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
        f"p95 {number(load['p95_s'])} s, max {number(load['max_s'])} s "
        f"(target: {load_target()}) {mark(report['verdicts']['load']['ok'])}"]
    if load["browsers"]:
        lines.append(f"  Chromium tabs (click to page drawn, not judged): {browser['page_loads']} page loads, p50 "
                     f"{number(browser['p50_s'])} s, p95 {number(browser['p95_s'])} s, "
                     f"max {number(browser['max_s'])} s")
    lines += [f"  {example}" for example in load.get("error_examples", [])]
    return lines


def _verdict_lines(report: dict) -> list[str]:
    judged = report["verdicts"]
    lines = ["", f"Verdict at the {judged['scale']} scale: "
             + "; ".join(f"{key} {mark(judged[key]['ok'])}" for key in VERDICT_KEYS)]
    for key in VERDICT_KEYS:
        lines += [f"  {key}: {miss}" for miss in judged[key]["misses"][:3]]
    return lines


def format_report(report: dict) -> str:
    """The report as `manage.py bench` prints it."""
    lines = _machine_lines(report) + _page_lines(report) + _metric_lines(report) + _reference_lines(report) + [""]
    lines += [import_text(report), *monthly_import_text(report), memory_text(report), *_load_lines(report),
              *_verdict_lines(report)]
    lines.append(f"({report['elapsed_s']:.0f} s in all)")
    return "\n".join(lines)


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)
