"""devtools/bench: the parts that need no benchmark database (page list, keys, statistics, verdicts)."""

from __future__ import annotations

from devtools import bench


def test_pages_per_role_are_read_from_the_page_registry():
    pages, role_pages = bench.app_pages()
    assert pages["overview"].path == "pages/overview.py"
    assert pages["overview"].title == "Overview"
    assert "users" in role_pages["admin"]
    assert "users" not in role_pages["partnership_officer"] and "users" not in role_pages["hr_manager"]
    for names in role_pages.values():
        assert all(n in pages for n in names)
        assert all((bench.ROOT / pages[n].path).is_file() for n in names)


def test_database_key_follows_scale_seed_schema_and_seed_code():
    key = bench.db_key(2500, 7)
    assert key == bench.db_key(2500, 7)
    assert key != bench.db_key(2501, 7) and key != bench.db_key(2500, 8)
    assert bench.schema_head() in key and bench.seed_code_hash() in key


def test_percentiles_and_medians():
    xs = [float(i) for i in range(1, 101)]
    assert bench.percentile(xs, 50) == 50.0
    assert bench.percentile(xs, 95) == 95.0
    assert bench.percentile([], 95) is None
    assert bench.median([3.0, 1.0, 2.0]) == 2.0


def _page(title, role, scale, cold, warm, **extra):
    return {"page": title.lower(), "title": title, "role": role, "scale": scale, "cold_s": cold, "warm_s": warm,
            "cold_runs": [cold] * 5, "warm_runs": [warm] * 5, "errors": [], **extra}


def test_verdicts_judge_the_large_scale_and_say_by_how_much():
    pages = [
        _page("Overview", "officer", "small", 0.2, 0.05), _page("Overview", "officer", "large", 1.9, 0.1),
        _page("PDPs", "officer", "small", 0.3, 0.1), _page("PDPs", "officer", "large", 0.6, 0.2),
    ]
    report = {"pages": pages, "ratios": bench.ratios(pages), "import": {"rows_per_s": 6000},
              "peak_rss_mb": 1500.0, "load": {"errors": 0}}
    v = bench.verdicts(report)
    assert v["scale"] == "large"
    assert v["cold"]["ok"] is False and "Overview (officer) 1.90 > 1.5 by 0.40" in v["cold"]["misses"]
    assert v["warm"]["ok"] is True
    assert v["cold_ratio"]["ok"] is False  # Overview: 1.9 / 0.2 = 9.5
    assert {r["page"]: r["cold_ratio"] for r in report["ratios"]} == {"overview": 9.5, "pdps": 2.0}
    assert v["import"]["ok"] is True and v["memory"]["ok"] is False and v["load_errors"]["ok"] is True
    assert v["errors"]["ok"] is True


def test_report_formats_missing_slots():
    pages = [_page("Overview", "officer", "small", 0.2, 0.05)]
    report = {"machine": bench.machine(), "backend": "sqlite", "runs": 5, "databases": {}, "pages": pages,
              "ratios": [], "metrics": [], "import": None, "peak_rss_mb": 200.0, "load": None, "elapsed_s": 1.0}
    report["verdicts"] = bench.verdicts(report)
    text = bench.format_report(report)
    assert "Import: not available" in text and "Load test: not run" in text
    assert "Overview" in text and "(small only) PASS" in text
