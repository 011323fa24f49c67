"""The purpose limits and the access log as the pages use them, so a page stays a few lines.

- ``shown``: log that a page showed these people (once per session for the same view, selection and people,
  so reruns caused by clicks elsewhere on the page add nothing).
- ``on_download`` / ``on_badge_download``: the ``on_click`` of a download button, so a file is logged when the
  person actually clicks it (Streamlit 1.67 runs a download button's callable ``on_click`` on that click).
- ``records_note``: what a page says where it may not show an employer's people's HR records by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import Scope
from services import access_history, access_log, sharing
from services.filters import Filters
from ui import data

LOGGED_KEY = "_access_logged"


def record(scope: Scope, view: str, description: str, people: Iterable[int]) -> None:
    """Write the entries now (its own transaction: a view is logged even if nothing else is written)."""
    with Session(get_engine()) as session:
        access_log.record(session, scope, view=view, filters=description, people=people)
        session.commit()


def _ids(people: Iterable) -> tuple[int, ...]:
    return tuple(sorted({int(person) for person in people}))


def shown(scope: Scope, *, view: str, description: str, people: Iterable) -> None:
    """Log that the page showed ``people`` (employee ids) in ``view``, described by ``description``."""
    ids = _ids(people)
    if not ids:
        return
    key = (view, description, ids)
    logged: set = st.session_state.setdefault(LOGGED_KEY, set())
    if key in logged:
        return
    record(scope, view, description, ids)
    logged.add(key)


def on_download(scope: Scope, *, view: str, description: str, people: Iterable) -> dict:
    """``on_click`` and ``args`` for st.download_button (or ui/tables.downloads): logged when clicked."""
    return {"on_click": record, "args": (scope, view, description, _ids(people))}


def _record_badges(scope: Scope, filters: Filters, today: date, description: str,
                   view: str = "badge download") -> None:
    from services import badges

    with Session(get_engine()) as session:
        people = [enrollment.employee_id for enrollment in badges.completed_enrollments(
            session, scope, filters, today=today, limit=badges.MAX_PAGE_BADGES)]
    record(scope, view, description, people)


def on_badge_download(scope: Scope, filters: Filters, today: date, description: str) -> dict:
    """``on_click`` and ``args`` for the badge zip's download button: the people whose badges the zip holds."""
    return {"on_click": _record_badges, "args": (scope, filters, today, description)}


def on_edc_download(scope: Scope, filters: Filters, today: date, description: str) -> dict:
    """The same for the European Digital Credentials' zip: the same completions, so the same people."""
    return {"on_click": _record_badges, "args": (scope, filters, today, description, "EDC download")}


@st.cache_data(ttl=data.CACHE_TTL_SECONDS, show_spinner=False, max_entries=500)
def _description(filters: Filters, today: date, statuses: tuple, states: tuple, search: str, page: int | None,
                 as_of: bool, version: int) -> str:
    with Session(get_engine()) as session:
        return access_history.describe_view(session, filters, today=today, statuses=statuses, states=states,
                                            search=search, page=page, as_of=as_of)


def describe(filters: Filters, today: date, *, statuses: Iterable[str] | None = None,
             states: Iterable[str] | None = None, search: str = "", page: int | None = None,
             as_of: bool = False) -> str:
    """The selection in words, for the log (services/access_history.describe_view)."""
    return _description(filters, today, tuple(sorted(statuses or ())), tuple(sorted(states or ())), search, page,
                        as_of, data.current_data_version())


@st.cache_data(ttl=data.CACHE_TTL_SECONDS, show_spinner=False, max_entries=500)
def _note(scope: Scope, filters: Filters, records: str, version: int) -> str | None:
    with Session(get_engine()) as session:
        return sharing.withheld_note(session, scope, filters, records=records)


def records_note(scope: Scope, filters: Filters, *, records: str = "PDP goals") -> str | None:
    """Which employers keep their people's ``records`` from this user, in a sentence (None: none does).
    Keyed by the Scope, which holds the employers that share: a change shows at the next run."""
    return _note(scope, filters, records, data.current_data_version())
