"""Opening a person's page (pages/person.py) from a list that names people.

    open_person_control(people, key="learners", origin="pages/enrollments.py")

under a list draws a compact "Open a person's page" box of ``people`` (employee id -> the name shown, in the
list's order) and an Open button. The click keeps the person (``PERSON_KEY``) and the page to come back to
(``ORIGIN_KEY``) in the session and switches to the Person page, which also puts the id in its URL. The list's
own widgets keep their values by their stable keys (ui/state.py), so coming back shows the list as it was.
Drawn only for the roles that have the Person page (ui/navigation.ROLE_PAGES).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from db.scope import Scope
from ui import state
from ui.navigation import ROLE_PAGES

PERSON_PAGE = "pages/person.py"
PERSON_KEY = "person_id"
ORIGIN_KEY = "person_origin"


def may_open(scope: Scope) -> bool:
    """Whether the user's role has the Person page."""
    return "person" in ROLE_PAGES.get(scope.role, [])


def people_of(ids: Iterable, names: Iterable, refs: Iterable | None = None) -> dict[int, str]:
    """{employee id: "Name (HRIS id)"} of a list's rows, first appearance first (a person listed twice once)."""
    refs = list(refs) if refs is not None else None
    out: dict[int, str] = {}
    for position, (employee_id, name) in enumerate(zip(ids, names, strict=True)):
        out.setdefault(int(employee_id), name if refs is None else f"{name} ({refs[position]})")
    return out


def open_person(employee_id: int, *, origin: str | None) -> None:
    """Go to ``employee_id``'s page now, remembering ``origin`` (pages/x.py) for its Back link."""
    st.session_state[PERSON_KEY] = int(employee_id)
    st.session_state[ORIGIN_KEY] = origin
    st.switch_page(PERSON_PAGE, query_params={"id": str(int(employee_id))})


def open_person_control(people: Mapping[int, str], *, key: str, origin: str, scope: Scope | None = None) -> None:
    """A selectbox of ``people`` (employee id -> label) and an "Open" button that opens the chosen person's page.
    ``key``: unique on the page (the widgets' keys derive from it); ``origin``: this page's script, pages/x.py.
    Nothing is drawn for an empty list, or for a ``scope`` whose role has no Person page."""
    if not people or (scope is not None and not may_open(scope)):
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = state.choice("Open a person's page", list(people), key=f"{key}_person", format_func=people.get,
                          default=None, placeholder="Choose a person in the list", container=left)
    if right.button("Open their page", key=f"{key}_open", icon=":material/badge:", disabled=chosen is None):
        open_person(chosen, origin=origin)
