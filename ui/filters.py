"""The sidebar filter bar shared by the dashboard pages, remembered across pages.

Widgets of a page are forgotten when another page runs, so each value is also
kept under a second key and restored when the bar is drawn again.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from services.identity import SignedIn
from services.metrics import Filters
from services.periods import Period, last_complete_quarter, quarter_of, quarters_back
from ui import data

KEEP = "_kept_"
CUSTOM = "Custom range"


def _restore(key: str, default, allowed=None):
    """Set the widget's value from the kept one before drawing it (on every page)."""
    value = st.session_state.get(KEEP + key, default)
    if allowed is not None:
        value = [v for v in value if v in allowed] if isinstance(value, list) else (
            value if value in allowed else default)
    st.session_state[key] = value
    return key


def _keep(key: str):
    st.session_state[KEEP + key] = st.session_state[key]


def period_choices(today: date) -> dict[str, Period]:
    quarters = quarters_back(today, 8)[::-1]
    choices = {f"{q.label} (to date)" if q == quarter_of(today) else q.label: q for q in quarters}
    choices["Last 12 months"] = Period(date(today.year - 1, today.month, 1), today, "last 12 months")
    return choices


def filter_bar(who: SignedIn, today: date, *, credentials: bool = True, cohorts: bool = True) -> Filters:
    scope = who.scope
    choices = period_choices(today)
    default = last_complete_quarter(today).label
    with st.sidebar:
        st.subheader("Filters")
        labels = [*choices, CUSTOM]
        key = _restore("f_period", default, labels)
        st.selectbox("Period", labels, key=key, on_change=_keep, args=(key,))
        if st.session_state[key] == CUSTOM:
            rkey = _restore("f_range", (today.replace(day=1), today))
            st.date_input("From – to", key=rkey, on_change=_keep, args=(rkey,), max_value=today)
            rng = st.session_state[rkey]
            period = Period(rng[0], rng[-1], f"{rng[0]:%d %b %Y} – {rng[-1]:%d %b %Y}")
        else:
            period = choices[st.session_state[key]]

        employer_ids = None
        if not scope.is_employer_side:
            emps = dict(data.options("employers", scope))
            key = _restore("f_employers", [], emps)
            st.multiselect("Employers", list(emps), format_func=emps.get, key=key,
                           on_change=_keep, args=(key,), placeholder="All partners")
            employer_ids = frozenset(st.session_state[key]) or None
        depts = dict(data.options("departments", scope, employer_ids))
        key = _restore("f_departments", [], depts)
        st.multiselect("Departments", list(depts), format_func=depts.get, key=key,
                       on_change=_keep, args=(key,), placeholder="All departments")
        department_ids = frozenset(st.session_state[key]) or None
        credential_ids = cohort_ids = None
        if credentials:
            creds = dict(data.options("credentials", scope))
            key = _restore("f_credentials", [], creds)
            st.multiselect("Credentials", list(creds), format_func=creds.get, key=key,
                           on_change=_keep, args=(key,), placeholder="All credentials")
            credential_ids = frozenset(st.session_state[key]) or None
        if cohorts:
            cohs = dict(data.options("cohorts", scope, credential_ids, period))
            key = _restore("f_cohorts", [], cohs)
            st.multiselect("Cohorts", list(cohs), format_func=cohs.get, key=key, on_change=_keep, args=(key,),
                           placeholder="All cohorts", help="Cohorts running during the period.")
            cohort_ids = frozenset(st.session_state[key]) or None
    return Filters(period, employer_ids, department_ids, credential_ids, cohort_ids)
