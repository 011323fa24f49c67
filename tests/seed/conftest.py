"""Fixtures for the seed tests: migrated, empty SQLite files, copied from one
migrated template so that Alembic runs once per session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import migrate  # noqa: E402
from db.engine import make_engine  # noqa: E402


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed-template") / "blank.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _factory(template: Path, directory: Path) -> tuple[Callable[[str], Engine], list[Engine]]:
    engines: list[Engine] = []

    def make(name: str = "seed") -> Engine:
        target = directory / f"{name}.db"
        shutil.copyfile(template, target)
        engine = make_engine(f"sqlite:///{target}")
        engines.append(engine)
        return engine

    return make, engines


@pytest.fixture
def blank_engine(migrated_template, tmp_path) -> Iterator[Callable[[str], Engine]]:
    """Factory: a fresh, migrated, empty SQLite database per call (disposed after the test)."""
    make, engines = _factory(migrated_template, tmp_path)
    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def blank_engine_module(migrated_template, tmp_path_factory) -> Iterator[Callable[[str], Engine]]:
    """The same factory, for module-scoped fixtures (disposed after the module)."""
    make, engines = _factory(migrated_template, tmp_path_factory.mktemp("seed-module"))
    yield make
    for engine in engines:
        engine.dispose()
