"""What every studio tab shares: the studio's state for one credential, running an action, showing a change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied, Scope
from services import codesign
from ui import data, widgets
from ui.safe import md
from ui.tables import table
from ui.widgets import flash

FLASH = "codesign"  # where ui.widgets.flash keeps the studio's last message


def show_changes(changes: list[codesign.Change], caption: str, **headings: str) -> None:
    if changes:
        st.caption(caption)
        table(codesign.diff_frame(changes), ["field", "before", "after"], headings=headings)


@dataclass
class Studio:
    """The studio's view of one credential: who looks, the version they work from, the status they were
    last shown, what they may do."""

    scope: Scope
    credential_id: int
    base: int
    loaded: dict[int, int]
    detail: codesign.Detail
    status: str

    @property
    def target(self) -> dict[str, int]:
        """The credential and the version an action applies to (the service's keyword arguments)."""
        return {"credential_id": self.credential_id, "expected_version": self.base}

    @property
    def step(self) -> dict[str, int | str]:
        """A sign-off step's target: status changes keep the version, so the step names the status too."""
        return {**self.target, "expected_status": self.status}

    def may(self, action: str) -> bool:
        return action in self.detail.actions

    def act(self, call: Callable[[Session], Any], done: str | Callable[[Session, Any], str], *,
            clear: Sequence[str] = ()) -> None:
        """Run one service call. On success: the page moves to the saved version, the message is kept for the
        next run, the inputs named in ``clear`` (``fresh`` keys) start empty and the page reruns (the same
        credential and tab stay open). On refusal: say why, here, and keep what the user typed."""
        try:
            with Session(get_engine()) as session:
                result = call(session)
                self.loaded[self.credential_id] = codesign.current_version(session, self.scope, self.credential_id)
                message = done(session, result) if callable(done) else done
        except codesign.EditConflict as exc:
            st.error(md(exc), icon=":material/sync_problem:")
            show_changes(exc.theirs, "What they changed:")
            return
        except (codesign.CodesignError, AccessDenied) as exc:
            st.error(md(exc))
            return
        data.clear()
        for key in clear:
            renew(key)
        flash(FLASH, message)
        st.rerun()


def fresh(name: str) -> str:
    """A widget key that ``renew`` replaces: the browser keeps a widget's text while its key lives, so an
    input is emptied (after its text was sent) by giving it a new key."""
    return f"{name}_{st.session_state.get('_gen_' + name, 0)}"


def renew(name: str) -> None:
    st.session_state["_gen_" + name] = st.session_state.get("_gen_" + name, 0) + 1


def show_flash() -> None:
    widgets.show_flash(FLASH)
