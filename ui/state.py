"""Keeping the user's selection and place across reruns and actions.

Streamlit 1.67 stores a selectbox's value by its *label*: when the label of the
selected option changes (a credential moves from draft to in review), the stored
value matches no option and the widget falls back to its default, so the next
click acts on another item. ``choice`` keeps the selected *option* under a key of
its own and gives it back to the widget on every run, whatever its label now is.
Values of widgets on other pages are forgotten when a page runs, so the kept copy
also carries a selection across pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

KEEP = "_kept_"


def kept(key: str, default: Any = None) -> Any:
    """The option last chosen in the widget ``key`` (or ``default``)."""
    return st.session_state.get(KEEP + key, default)


def keep(key: str) -> None:
    """on_change callback: remember the widget's new value."""
    st.session_state[KEEP + key] = st.session_state[key]


def select(key: str, value: Any) -> None:
    """Choose ``value`` in the widget ``key`` from code (after creating an item, say)."""
    st.session_state[KEEP + key] = value
    if key in st.session_state:
        del st.session_state[key]


def restore(key: str, default: Any, allowed: Sequence | None = None) -> str:
    """Give the widget ``key`` its kept value before it is drawn; values no longer allowed are dropped."""
    value = kept(key, default)
    if allowed is not None:
        if isinstance(value, list):
            value = [v for v in value if v in allowed]
        elif value not in allowed:
            value = default
    st.session_state[key] = value
    return key


def choice(label: str, options: Sequence, *, key: str, format_func: Callable[[Any], str] = str,
           default: Any = None, container=None, in_form: bool = False, **kwargs) -> Any:
    """A selectbox that keeps its option across reruns even when labels change.

    ``default`` is chosen while nothing was kept (or the kept option is gone); with
    ``default=None`` and ``placeholder`` in kwargs the box starts empty. Inside a form
    (``in_form``) the value is kept when the form is submitted.
    """
    options = list(options)
    if default is not None and default not in options:
        default = None
    if default is None and "placeholder" not in kwargs and options:
        default = options[0]
    restore(key, default, options)
    box = container or st
    if in_form:
        value = box.selectbox(label, options, key=key, format_func=format_func, **kwargs)
    else:
        value = box.selectbox(label, options, key=key, format_func=format_func, on_change=keep, args=(key,),
                              **kwargs)
    st.session_state[KEEP + key] = value
    return value
