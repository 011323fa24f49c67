"""docs/imports.md's column tables say what services/imports/kinds.py (KINDS) checks: the same columns,
the same required ones and the same aliases (the page shows KINDS itself; the docs are for
people reading the repository, and must not contradict it)."""

from __future__ import annotations

import re

from services import imports
from tests.conftest import ROOT


def doc_tables() -> dict[str, dict[str, tuple[bool, set[str]]]]:
    """{kind: {column: (required, aliases)}} from the first table of each "### kind" section."""
    doc = (ROOT / "docs" / "imports.md").read_text()
    out = {}
    for section in re.split(r"^### ", doc, flags=re.M)[1:]:
        kind = section.split()[0]
        section = section.split("\n## ")[0]  # up to the next chapter (Messages, OULAD)
        rows = {}
        for line in section.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not line.startswith("| `") or len(cells) < 2:
                continue
            names, _, also = cells[0].partition("(also")
            aliases = set(re.findall(r"`([^`]+)`", also))
            for name in re.findall(r"`([^`]+)`", names):
                rows[name] = (cells[1] == "yes", aliases)
        out[kind] = rows
    return out


def test_docs_tables_match_the_specification():
    tables = doc_tables()
    assert set(tables) == set(imports.KINDS)
    for kind, spec in imports.KINDS.items():
        documented = tables[kind]
        assert set(documented) == {column.name for column in spec.columns}, kind
        for column in spec.columns:
            required, aliases = documented[column.name]
            assert required == column.required, (kind, column.name, "required")
            assert aliases == set(column.aliases), (kind, column.name, "aliases")
