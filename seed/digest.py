"""A fingerprint of a database's data, for checking that two seeds wrote the same rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import DateTime, Engine, select

from db.models import DataVersion, metadata

# The data version counts writes for cache invalidation and keeps increasing
# across resets, so it is not part of the data's fingerprint.
_DIGEST_SKIP_TABLES = frozenset({DataVersion.__table__.name})


def _is_wall_clock(column) -> bool:
    """Timestamp columns (created_at, updated_at, occurred_at, last_login_at, ...)."""
    column_type = column.type
    return isinstance(column_type, DateTime) or isinstance(getattr(column_type, "impl", None), DateTime)


def _canonical(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def digest(engine: Engine, *, on_row: Callable[[str, str], None] | None = None) -> str:
    """sha256 over a canonical dump of every table, for comparing two seeds.

    Rows are ordered by primary key; timestamps (wall-clock) and the data
    version are left out; Decimals have two places, dates are ISO. The same
    data gives the same digest on SQLite and PostgreSQL.
    """
    fingerprint = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(metadata.tables.values(), key=lambda table: table.name):
            if table.name in _DIGEST_SKIP_TABLES:
                continue
            columns = [column for column in table.columns if not _is_wall_clock(column)]
            fingerprint.update(f"# {table.name} {','.join(column.name for column in columns)}\n".encode())
            statement = select(*columns).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=10_000).execute(statement):
                line = "|".join(_canonical(value) for value in row)
                if on_row is not None:
                    on_row(table.name, line)
                fingerprint.update(line.encode())
                fingerprint.update(b"\n")
    return fingerprint.hexdigest()
