"""The sidebar filter bar shared by the dashboard pages, remembered across pages.

Widgets of a page are forgotten when another page runs, so each value is also
kept under a second key and restored when the bar is drawn again (ui/state.py).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from db.scope import Scope
from services import options
from services.filters import Filters
from services.identity import SignedIn
from services.metrics import SUPPRESSED
from services.periods import Period, last_complete_quarter, offered_quarters, quarter_of
from ui import data
from ui.state import keep, restore

CUSTOM = "Custom range"


def quarter_choices(scope: Scope, today: date, most: int = 8) -> dict[str, Period]:
    """The quarters a picker may offer, by label, newest first: none before the first
    enrollment in scope, and always the default, the last complete quarter. The sidebar's
    period and the quarterly review's quarter both come from here."""
    quarters = offered_quarters(today, data.options(options.first_enrollment, scope), most)
    return {f"{q.label} (to date)" if q == quarter_of(today) else q.label: q for q in quarters}


def period_choices(scope: Scope, today: date) -> dict[str, Period]:
    choices = quarter_choices(scope, today)
    choices["Last 12 months"] = Period(date(today.year - 1, today.month, 1), today, "last 12 months")
    return choices


def filter_bar(who: SignedIn, today: date, *, credentials: bool = True, cohorts: bool = True) -> Filters:
    scope = who.scope
    choices = period_choices(scope, today)
    default = last_complete_quarter(today).label
    with st.sidebar:
        st.subheader("Filters")
        labels = [*choices, CUSTOM]
        key = restore("f_period", default, labels)
        st.selectbox("Period", labels, key=key, on_change=keep, args=(key,))
        if st.session_state[key] == CUSTOM:
            range_key = restore("f_range", (today.replace(day=1), today))
            st.date_input("From – to", key=range_key, on_change=keep, args=(range_key,), max_value=today)
            first_day, last_day = st.session_state[range_key][0], st.session_state[range_key][-1]
            period = Period(first_day, last_day, f"{first_day:%d %b %Y} – {last_day:%d %b %Y}")
        else:
            period = choices[st.session_state[key]]

        employer_ids = None
        if not scope.is_employer_side:
            employers = dict(data.options(options.employers, scope))
            key = restore("f_employers", [], employers)
            st.multiselect("Employers", list(employers), format_func=employers.get, key=key,
                           on_change=keep, args=(key,), placeholder="All partners")
            employer_ids = frozenset(st.session_state[key]) or None
        departments = dict(data.options(options.departments, scope, employer_ids))
        key = restore("f_departments", [], departments)
        st.multiselect("Departments", list(departments), format_func=departments.get, key=key,
                       on_change=keep, args=(key,), placeholder="All departments",
                       help=f"Departments of {SUPPRESSED} people are chosen together, as “Other departments”: "
                            "a figure about fewer people would identify them.")
        department_ids = frozenset(st.session_state[key]) or None
        credential_ids = cohort_ids = None
        if credentials:
            credentials_offered = dict(data.options(options.credentials, scope))
            key = restore("f_credentials", [], credentials_offered)
            st.multiselect("Credentials", list(credentials_offered), format_func=credentials_offered.get, key=key,
                           on_change=keep, args=(key,), placeholder="All credentials")
            credential_ids = frozenset(st.session_state[key]) or None
        if cohorts:
            cohorts_offered = dict(data.options(options.cohorts, scope, credential_ids, period))
            key = restore("f_cohorts", [], cohorts_offered)
            st.multiselect("Cohorts", list(cohorts_offered), format_func=cohorts_offered.get, key=key, on_change=keep,
                           args=(key,), placeholder="All cohorts", help="Cohorts running during the period.")
            cohort_ids = frozenset(st.session_state[key]) or None
        small_group_note(scope)
    return Filters(period, employer_ids, department_ids, credential_ids, cohort_ids)


def small_group_note(scope: Scope) -> None:
    """Say which employers count in no figure (services/population.py), and why."""
    uncounted = [name for _, name in data.options(options.uncounted_employers, scope)]
    if not uncounted:
        return
    if scope.is_employer_side:
        st.caption(f"{uncounted[0]} has {SUPPRESSED} people on record, so it counts in no figure: a figure "
                   "about so few people would identify them. Named lists still show its people.")
    else:
        st.caption(f"Not counted in any figure, having {SUPPRESSED} people on record: {', '.join(uncounted)}.")
