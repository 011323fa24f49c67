"""Column mapping: which header of a file feeds which column of its kind."""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.imports.common import RowError
from services.imports.kinds import KINDS, Kind


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


def _explicit_targets(spec: Kind, headers: list[str], mapping: dict[str, str | None],
                      errors: list[RowError]) -> dict[str, str | None]:
    """{file header: canonical column or None to ignore} from the caller's ``mapping``; a source the file
    does not have, or a target that is no column of the kind, is reported instead."""
    names = {column.name for column in spec.columns}
    by_norm = {_norm(header): header for header in headers}
    explicit: dict[str, str | None] = {}
    for source, wanted in mapping.items():
        header = source if source in headers else by_norm.get(_norm(source))
        if header is None:
            errors.append(RowError(1, source, f"the file has no column '{source}' to map"))
            continue
        wanted = (wanted or "").strip() or None
        if wanted is not None and wanted not in names:
            errors.append(RowError(1, source, f"'{wanted}' is not a column of {spec.name} "
                                              f"({', '.join(column.name for column in spec.columns)})"))
            continue
        explicit[header] = wanted
    return explicit


def _header_errors(spec: Kind, result: dict[str, str]) -> list[RowError]:
    """Two headers mapped to one column, and required columns no header is mapped to."""
    errors = []
    targets: dict[str, str] = {}
    for header, wanted in result.items():
        if wanted in targets:
            errors.append(RowError(1, wanted, f"both '{targets[wanted]}' and '{header}' are mapped to {wanted}"))
        targets.setdefault(wanted, header)
    for name in spec.required:
        if name not in targets:
            errors.append(RowError(1, name, "required column is missing (map a column of the file to it)"))
    return errors


def resolve_columns(
    kind: str, headers: Iterable[str], mapping: dict[str, str | None] | None = None
) -> tuple[dict[str, str], list[RowError], list[str]]:
    """({file header: canonical column}, header errors, headers that will be ignored).

    ``mapping`` (source header → canonical name, or None/"" to ignore) comes first; other
    headers match a canonical name or alias ignoring case, spaces and punctuation.
    """
    spec = KINDS[kind]
    headers = list(headers)
    by_alias = {_norm(alias): column.name for column in spec.columns for alias in (column.name, *column.aliases)}
    errors: list[RowError] = []
    explicit = _explicit_targets(spec, headers, dict(mapping or {}), errors)
    result: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        wanted = explicit[header] if header in explicit else by_alias.get(_norm(header))
        if wanted is None:
            ignored.append(header)
        else:
            result[header] = wanted
    return result, errors + _header_errors(spec, result), ignored
