"""Retention: people who left more than RETENTION_MONTHS ago (default 24) are pseudonymised as on an erasure
request (``erase.pseudonymise``), so their records keep counting in past figures without naming them.

Run daily or monthly from cron: ``manage.py retention apply`` (``--dry-run`` counts and changes nothing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from db.engine import bump_data_version
from db.models import Employee
from db.scope import Scope, require_person_rights, visible
from services.people.erase import pseudonymise

DEFAULT_MONTHS = 24
ENV_MONTHS = "RETENTION_MONTHS"


class RetentionSettingError(ValueError):
    """RETENTION_MONTHS is not a whole number of months of at least 1."""


def retention_months() -> int:
    """RETENTION_MONTHS from the environment, or 24."""
    raw = os.environ.get(ENV_MONTHS, "").strip()
    if not raw:
        return DEFAULT_MONTHS
    try:
        months = int(raw)
    except ValueError:
        months = 0
    if months < 1:
        raise RetentionSettingError(f"{ENV_MONTHS} must be a whole number of months, at least 1 (it is '{raw}').")
    return months


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when that month is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class RetentionRun:
    cutoff: date  # people who left before this day
    months: int
    due: int  # people found
    pseudonymised: int  # 0 in a dry run
    dry_run: bool


def _due(scope: Scope, cutoff: date):
    return (Employee.left_on.is_not(None), Employee.left_on < cutoff, Employee.pseudonymised_on.is_(None),
            visible(scope, Employee))


def apply(session: Session, scope: Scope, *, today: date, months: int | None = None,
          dry_run: bool = False) -> RetentionRun:
    """Pseudonymise everyone in ``scope`` who left before ``today`` minus ``months``; commit (not in a dry run)."""
    months = retention_months() if months is None else months
    if months < 1:
        raise RetentionSettingError("The retention period is at least 1 month.")
    cutoff = months_before(today, months)
    if dry_run:
        due = session.scalar(select(func.count()).select_from(Employee).where(*_due(scope, cutoff)))
        return RetentionRun(cutoff, months, due, 0, True)
    people = session.scalars(select(Employee).where(*_due(scope, cutoff)).order_by(Employee.id)).all()
    for employee in people:
        require_person_rights(scope, employee.employer_id, erase=True)
        pseudonymise(session, employee, actor=scope.email, reason=f"retention: left over {months} months ago",
                     today=today)
    if people:
        bump_data_version(session)
    session.commit()
    return RetentionRun(cutoff, months, len(people), len(people), False)
