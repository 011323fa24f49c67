"""Next/Previous over keyset pages (services/paging.py), keeping the user's place across reruns and pages.

The place is a stack of cursors in st.session_state (not a widget value, so it outlives a visit to another
page): the cursor each page shown so far started after, the current page's on top. Previous pops, Next
pushes the last row's cursor; a change of what is listed (filters, search, page size) starts again at 1."""

from __future__ import annotations

from typing import Any

import streamlit as st

from services.formatting import fmt
from services.paging import COUNT_BOUND

_PLACES = "_keyset_places"
LEARNER_PAGE_SIZES = [50, 100, 500]  # the learner drill-down's "Rows per page"
GOALS_PAGE = 500  # goals a page of the PDP goal list


def _place(key: str, listing: Any) -> dict:
    places = st.session_state.setdefault(_PLACES, {})
    place = places.get(key)
    if place is None or place["listing"] != listing:
        place = places[key] = {"listing": listing, "cursors": [None]}
    return place


def current(key: str, listing: Any) -> tuple[Any, int]:
    """(the cursor the current page starts after, its number from 1) for the list ``key`` showing ``listing``
    (anything comparable that names what is listed: a change starts again at page 1)."""
    cursors = _place(key, listing)["cursors"]
    return cursors[-1], len(cursors)


def _next(key: str, cursor: Any) -> None:
    st.session_state[_PLACES][key]["cursors"].append(cursor)


def _previous(key: str) -> None:
    cursors = st.session_state[_PLACES][key]["cursors"]
    if len(cursors) > 1:
        cursors.pop()


def buttons(key: str, *, page: int, next_cursor: Any) -> None:
    """Previous / Next buttons; Next is off on the last page (``next_cursor`` None)."""
    left, middle, right = st.columns([1, 2, 1])
    left.button("Previous", key=f"{key}_previous", on_click=_previous, args=(key,), disabled=page == 1)
    middle.caption(f"Page {fmt(page)}")
    right.button("Next", key=f"{key}_next", on_click=_next, args=(key, next_cursor), disabled=next_cursor is None)


def how_many(count: int, noun: str, bound: int = COUNT_BOUND) -> str:
    """“1,234 enrollments match”, or “More than 10,000 …” when counting stopped at the bound."""
    return f"More than {fmt(bound)} {noun} match" if count > bound else f"{fmt(count)} {noun} match"
