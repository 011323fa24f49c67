"""Validation against the official Open Badges 3.0 AchievementCredential schema (services/schemas/openbadges-3.0)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft201909Validator, FormatChecker

from services.badges.settings import SCHEMA_FILE, BadgeError, schema_dir

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker() -> FormatChecker:
    """Format checks on, including date-time (jsonschema skips it without an optional package)."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:  # noqa: ANN001
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.match(value):
            return False
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T").replace("Z", "+00:00"))
        return True

    return checker


@lru_cache(maxsize=4)
def _openbadges_validator(directory: str) -> Draft201909Validator:
    path = Path(directory) / SCHEMA_FILE
    if not path.is_file():
        raise BadgeError(f"The Open Badges 3.0 schema is missing: {path} (set OB_SCHEMA_DIR).")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_format_checker())


def schema_errors(credential: dict) -> list[str]:
    """Why ``credential`` is not a valid OpenBadgeCredential (empty when it is)."""
    errors = sorted(_openbadges_validator(str(schema_dir())).iter_errors(credential),
                    key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors]
