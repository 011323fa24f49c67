"""Next/Previous over keyset pages (services/paging.py), keeping the user's place across reruns and pages.

The place is a stack of cursors in st.session_state (not a widget value, so it outlives a visit to another
page): the cursor each page shown so far started after, the current page's on top. Previous pops, Next
pushes the last row's cursor; a change of what is listed (filters, search, page size) starts again at 1.

Counting every match is a scan of all of them, the cost keyset pages avoid: the count comes free when the
list fits on its first page or the last page is reached, and is computed only when the user asks before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from services.formatting import fmt

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


def _count_asked(key: str) -> None:
    st.session_state[_PLACES][key]["count"] = True


def how_many(key: str, noun: str, *, page: int, size: int, rows: int, more: bool, exact: Callable[[], int]) -> str:
    """“1,234 enrollments match”: known without a count when there is no next page (the rows so far are all
    of them), computed by ``exact`` once the user asks (a “Count all” button, kept for this listing);
    otherwise “More than 1,000 …”, the rows up to this page's end."""
    place = st.session_state[_PLACES][key]
    if not more:
        return f"{fmt((page - 1) * size + rows)} {noun} match"
    if place.get("count"):
        return f"{fmt(exact())} {noun} match"
    st.button("Count all", key=f"{key}_count", on_click=_count_asked, args=(key,),
              help="Counting every match reads all of them: it can take a moment on a large list.")
    return f"More than {fmt(page * size)} {noun} match"
