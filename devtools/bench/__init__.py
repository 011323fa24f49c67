"""The benchmark behind `python manage.py bench` (GitHub issues 7 and 18).

In one run, at two scales (small: about 10,000 enrollments; large: by default
250,000 employees, about a million enrollments), and optionally a third
(``--third-employees``, pages, metric queries and DuckDB only, never judged:
how cost grows beyond the large scale), for a partnership officer (all
partners) and the HR manager of the largest employer:

* every page's full server-side run in Streamlit's AppTest (sign-in gate +
  page, default filters), cold (``st.cache_data`` and ``st.cache_resource``
  cleared first) and warm (the same page again in the same session), each
  measurement in a fresh AppTest, median of ``runs`` (``page_runs``);
* the metrics layer's main queries, called directly (no cache), median of ``runs`` (``queries``);
* five of those aggregates beside DuckDB in memory on the same scoped rows, answers checked equal
  (``reference``, ``comparison``; DuckDB from requirements-bench.txt, else "not measured");
* importing 100,000 enrollment rows into a copy of the large database (rows/s) (``import_speed``), and
  one month of the largest employer's activity: new enrollments and updates (``monthly_file``);
* the peak memory of this process (``ru_maxrss``) after visiting every page as both roles;
* a bounded load test on loopback: ``streamlit run`` with the development
  identity provider, N headless Chromium sessions clicking through the pages
  for S seconds; page times p50/p95 and errors (``load_test``).

Databases are built once with ``manage.py db upgrade`` + ``manage.py seed`` (in
child processes, so seeding does not count in this process's memory) and
reused while their key holds (``databases``). The bench writes to them only sign-in
times (``appuser.last_login_at``); the import runs on a throw-away copy. ``runner``
runs it all; ``judgement`` judges it against ``settings.TARGETS`` (issue 18) at the large scale;
``report`` prints it; ``report_file`` writes its backend's section of docs/performance.md.

This is developer tooling: it imports Streamlit's testing API and Playwright
lazily, inside the functions that need them, never at import time.
"""

from devtools.bench.databases import (
    BenchDatabase,
    BenchUsers,
    app_environment,
    bench_database,
    bench_users,
    database_copy,
    db_key,
    schema_head,
    seed_code_hash,
)
from devtools.bench.import_speed import import_function, measure_import, write_enrollments_csv
from devtools.bench.judgement import ratios, verdicts
from devtools.bench.load_test import run_load
from devtools.bench.monthly_file import measure_monthly_import, write_monthly_csv
from devtools.bench.page_runs import app_pages, clear_caches, measure_pages
from devtools.bench.queries import measure_metrics
from devtools.bench.report import format_report, to_json
from devtools.bench.report_file import format_markdown, read_sections, write_report_file
from devtools.bench.runner import Options, machine, run
from devtools.bench.settings import (
    DEFAULT_DATABASE_DIR,
    REPORT_FILE,
    ROLES,
    ROOT,
    SEED,
    TARGETS,
    THIRD,
    log,
    median,
    percentile,
    run_limit,
)

__all__ = [
    "DEFAULT_DATABASE_DIR", "REPORT_FILE", "ROLES", "ROOT", "SEED", "TARGETS", "THIRD",
    "BenchDatabase", "BenchUsers", "Options",
    "app_environment", "app_pages", "bench_database", "bench_users", "clear_caches", "database_copy", "db_key",
    "format_markdown", "format_report", "import_function", "log", "machine", "measure_import", "measure_metrics",
    "measure_monthly_import", "measure_pages", "median", "percentile", "ratios", "read_sections", "run", "run_limit",
    "run_load", "schema_head", "seed_code_hash", "to_json", "verdicts", "write_enrollments_csv", "write_monthly_csv",
    "write_report_file",
]
