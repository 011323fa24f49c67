"""The figures as one JSON-ready document (manage.py metrics, exports).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from db.scope import Scope
from services.filters import Filters
from services.metrics.breakdowns import by_credential
from services.metrics.summary import summary
from services.metrics.suppression import departments_shown

BREAKDOWN_FIELDS = ["enrollments", "completed", "failed", "withdrawn", "active", "completion_rate", "withdrawal_rate"]


def _records(df: pd.DataFrame, keys: list[str], fields: list[str]) -> list[dict]:
    """Plain JSON records (NaN and NA become null, numpy numbers plain numbers)."""
    import json

    cols = keys + fields + (["suppressed"] if "suppressed" in df else [])
    return json.loads(df[cols].to_json(orient="records", date_format="iso"))


def figures(session: Session, scope: Scope, filters: Filters, *, today: date) -> dict:
    """Every headline figure plus per-credential and per-department breakdowns.

    Department rows are the department cells (services/population.py), as on the pages:
    each of MIN_GROUP people or more on record, so none is blanked.
    """
    doc = summary(session, scope, filters, today=today).as_dict()
    by_cred = by_credential(session, scope, filters, today=today)
    doc["by_credential"] = _records(by_cred, ["code", "title"], BREAKDOWN_FIELDS)
    dept_fields = ["headcount", "learners", *BREAKDOWN_FIELDS, "participation_rate"]
    by_dept = departments_shown(session, scope, filters, today=today)
    doc["by_department"] = _records(by_dept, ["employer", "department"], dept_fields)
    return doc


