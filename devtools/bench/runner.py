"""One whole benchmark run (`manage.py bench`): the databases, then every measurement, then the verdicts."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text

from devtools.bench.databases import BenchDatabase, BenchUsers, bench_database, bench_users
from devtools.bench.import_speed import import_function
from devtools.bench.load_test import run_load
from devtools.bench.monthly_file import measure_monthly_import
from devtools.bench.page_runs import measure_pages
from devtools.bench.queries import measure_metrics
from devtools.bench.reference import measure_reference
from devtools.bench.report import ratios, verdicts
from devtools.bench.settings import DEFAULT_DATABASE_DIR, IMPORT_ROWS, ROOT, SEED, TARGETS, THIRD, log


def _first_line_value(path: str, prefix: str) -> str | None:
    """The text after the first ``prefix`` line of a /proc file (None when there is none)."""
    return next((line[len(prefix):] for line in Path(path).read_text().splitlines() if line.startswith(prefix)),
                None)


def machine() -> dict:
    cpu = ""
    try:
        cpu = (_first_line_value("/proc/cpuinfo", "model name") or ":").split(":", 1)[1].strip()
    except OSError:
        pass
    memory_gib = None
    try:
        memory_kib = _first_line_value("/proc/meminfo", "MemTotal:")
        if memory_kib is not None:
            memory_gib = round(int(memory_kib.split()[0]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu or platform.processor(), "memory_gib": memory_gib,
        "python": platform.python_version(), "platform": platform.platform(), "sqlite": sqlite3.sqlite_version,
    }


@dataclass
class Options:
    employees: int = 250_000
    small_employees: int = 2_500
    runs: int = 5
    skip_large: bool = False
    load_seconds: float = 120
    load_sessions: int = 20
    load_think_s: float = 5.0
    load_browsers: int = 2
    load_processes: int = 0  # 0: one per CPU
    database_dir: Path = DEFAULT_DATABASE_DIR
    seed: int = SEED
    skip_pages: bool = False
    skip_import: bool = False
    third_employees: int = 0  # 0: no third scale; e.g. 625,000 (2.5 million enrollments, 250 employers)


def _postgresql_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


def _measure_import(options: Options, database: BenchDatabase, users: BenchUsers) -> dict | None:
    importer = import_function()
    if importer is None or options.skip_import:
        log("import: not available" if importer is None else "import: skipped")
        return None
    log(f"import of {IMPORT_ROWS:,} enrollment rows into a copy of the {database.scale} database")
    return importer(database, users)


def _measure_monthly_import(options: Options, database: BenchDatabase, users: BenchUsers) -> dict | None:
    if import_function() is None or options.skip_import:
        return None  # _measure_import has said why
    log(f"import of one month of {users.hr_employer}'s enrollments into a copy of the {database.scale} database")
    return measure_monthly_import(database, users)


def _measure_load(options: Options, database: BenchDatabase, users: BenchUsers) -> dict | None:
    if options.load_seconds <= 0 or options.load_sessions <= 0:
        return None
    log(f"load test: {options.load_sessions} sessions for {options.load_seconds:.0f} s on the {database.scale} "
        "database")
    return run_load(database, users, sessions=options.load_sessions, seconds=options.load_seconds,
                    think_s=options.load_think_s, browsers=options.load_browsers,
                    processes=options.load_processes or machine()["cpus"] or 1)


def scales(options: Options) -> list[tuple[str, int]]:
    """(scale, employees) to build and measure: small, large unless skipped, the third when asked (it
    only means something beside the large one, so --skip-large leaves it out too)."""
    out = [("small", options.small_employees)]
    if not options.skip_large:
        out.append(("large", options.employees))
        if options.third_employees > 0:
            out.append((THIRD, options.third_employees))
    elif options.third_employees > 0:
        log(f"the {THIRD} scale is left out with --skip-large: its figures are read beside the large ones")
    return out


def _measure_all_pages(options: Options, databases: list[BenchDatabase], users: BenchUsers, report: dict) -> None:
    """The pages at every scale; peak memory is taken before the third scale's pages, which are not judged."""
    pages: list[dict] = []
    for database in databases:
        if database.scale == THIRD:
            report["peak_rss_mb"] = _peak_rss_mb()
        if not options.skip_pages:
            log(f"pages at the {database.scale} scale ({database.enrollments:,} enrollments), "
                f"{options.runs} runs each")
            pages += measure_pages(database, users, options.runs)
    if "peak_rss_mb" not in report:
        report["peak_rss_mb"] = _peak_rss_mb()
    if not options.skip_pages and any(database.scale == THIRD for database in databases):
        report["peak_rss_mb_third"] = _peak_rss_mb()
    report["pages"] = pages
    report["ratios"] = ratios(pages)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(options: Options) -> dict:
    started = time.perf_counter()
    directory = Path(options.database_dir)
    directory = directory if directory.is_absolute() else ROOT / directory
    databases = [bench_database(scale, employees, seed=options.seed, directory=directory)
                 for scale, employees in scales(options)]
    # the import and the load test run at the large scale (the small one with --skip-large), never the third
    main = next(database for database in reversed(databases) if database.scale != THIRD)
    users = bench_users(main.url)
    log(f"users: officer {users.officer}; HR manager {users.hr_manager} ({users.hr_employer}, the largest employer)")
    report: dict = {
        "machine": machine(), "backend": databases[0].backend, "runs": options.runs, "targets": TARGETS,
        "databases": {database.scale: database.summary() for database in databases},
        "users": asdict(users),
    }
    if databases[0].backend == "postgresql":
        report["machine"]["postgresql"] = _postgresql_version(databases[0].url)

    _measure_all_pages(options, databases, users, report)
    metrics: list[dict] = []
    for database in databases:
        log(f"metric queries at the {database.scale} scale")
        metrics += measure_metrics(database, users, options.runs)
    report["metrics"] = metrics
    reference: list[dict] = []
    for database in databases:
        log(f"DuckDB side by side at the {database.scale} scale")
        reference += measure_reference(database, users, options.runs)
    report["reference"] = reference
    report["import"] = _measure_import(options, main, users)
    report["monthly_import"] = _measure_monthly_import(options, main, users)
    report["load"] = _measure_load(options, main, users)
    report["verdicts"] = verdicts(report)
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    return report
