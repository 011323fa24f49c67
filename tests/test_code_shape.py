"""The rules of the code's shape, checked on every run: ruff's rules (ruff.toml: pyflakes,
pycodestyle errors, import sorting, bugbear, complexity at most 20), modules a person can read,
and imports that only point down the layers (README, "Architecture")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 600
# What each part of the tree may import (of the project's own packages).
MAY_IMPORT = {
    "db": {"db"},
    "services": {"db", "services"},
    "ui": {"db", "services", "ui"},
    "pages": {"db", "services", "ui"},
    "seed": {"db", "services", "seed"},
    "devtools": {"db", "services", "ui", "seed", "devtools"},
}
OWN_PACKAGES = {"db", "services", "ui", "pages", "seed", "devtools", "dashboard", "manage"}


def product_modules() -> list[Path]:
    files = [path for part in MAY_IMPORT for path in (ROOT / part).rglob("*.py")]
    files += [ROOT / name for name in ("dashboard.py", "manage.py") if (ROOT / name).exists()]
    return sorted(path for path in files if "migrations/versions" not in path.as_posix())


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & OWN_PACKAGES


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", product_modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_module_is_readable(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines: split it along its sections"


@pytest.mark.parametrize("path", [path for path in product_modules() if path.parent != ROOT],
                         ids=lambda path: path.relative_to(ROOT).as_posix())
def test_imports_point_down(path):
    layer = path.relative_to(ROOT).parts[0]
    upward = imported_packages(path) - MAY_IMPORT[layer]
    assert not upward, f"{layer}/ may not import {sorted(upward)}"
