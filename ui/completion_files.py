"""The learner drill-down's signed files of the completions in the current filters: Open Badges and European
Digital Credentials, each behind its toggle, prepared (cached), downloaded as a zip and access-logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

from db.scope import Scope
from services.filters import Filters
from services.formatting import counted, fmt
from ui import access, data
from ui.safe import md
from ui.widgets import empty_state, flash, show_flash


@dataclass(frozen=True)
class CompletionFiles:
    """One kind of signed file: its toggle, its words, how it is prepared and logged."""

    toggle: str
    help: str
    key: str
    one: str  # "badge"
    many: str  # "badges"
    icon: str
    file_prefix: str
    prepare: Callable[[Scope, Filters, date], tuple[int, bytes]]
    on_download: Callable[..., dict]
    error: type[Exception]
    limit: int
    command: str
    none: str


def open_badges() -> CompletionFiles:
    from services import badges  # imported when shown: signing needs the key

    return CompletionFiles(
        "Prepare Open Badges",
        "One Open Badges 3.0 credential per enrollment completed in the period and filters above: a .json file "
        "and the same credential signed as a VC-JWT (.jwt), with the issuer's public keys (jwks.json) that "
        "verify them.",
        "learner_badges", "badge", "badges", ":material/workspace_premium:", "badges", data.badge_zip,
        access.on_badge_download, badges.BadgeError, badges.MAX_PAGE_BADGES, "`manage.py badges export`",
        "No completed enrollments in these filters, so no badges.")


def european_digital_credentials() -> CompletionFiles:
    from services import edc

    return CompletionFiles(
        "Prepare European Digital Credentials",
        "One European Digital Credential (Europass, ELM v3) per enrollment completed in the period and filters "
        "above: a sealed .jsonld file the learner can keep in a Europass wallet.",
        "learner_edc", "European Digital Credential", "European Digital Credentials", ":material/verified:", "edc",
        data.edc_zip, access.on_edc_download, edc.EdcError, edc.MAX_PAGE_CREDENTIALS,
        "`manage.py badges export --format edc`", "No completed enrollments in these filters, so no credentials.")


def completion_files(kind: CompletionFiles, scope: Scope, filters: Filters, today: date,
                     period_label: str | None) -> None:
    """The toggle; once on, the zip's download button (or why there is none)."""
    if not st.toggle(kind.toggle, key=kind.key, help=kind.help):
        return
    try:
        count, archive = kind.prepare(scope, filters, today)
    except kind.error as exc:
        st.error(md(f"{kind.many[0].upper()}{kind.many[1:]} cannot be prepared: {exc}"))
        return
    if not count:
        empty_state(kind.none)
        return
    show_flash(kind.key)
    logging = kind.on_download(scope, filters, today, access.describe(filters, today))
    what = counted(count, kind.one, kind.many)
    st.download_button(f"Download {what} (zip)", archive,
                       f"{kind.file_prefix}-{period_label or 'period'}.zip".replace(" ", "_"), "application/zip",
                       key=f"{kind.key}_zip", icon=kind.icon, on_click=_downloaded,
                       args=(kind.key, what, logging["on_click"], logging["args"]))
    if count >= kind.limit:
        st.caption(f"The first {fmt(kind.limit)}; {kind.command} writes all of them.")


def _downloaded(place: str, what: str, record: Callable, args: tuple) -> None:
    """Log the download, and say so where the user clicked."""
    record(*args)
    flash(place, f"Downloaded {what}; the download is recorded in the access log.")
