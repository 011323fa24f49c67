"""Cached access to the metrics layer for pages.

st.cache_data is shared by every user of the process, so each function takes
the Scope and the filters as arguments (never st.user), plus the database's
data version: any write bumps it, and every process then misses its cache.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from db.engine import data_version, get_engine
from db.scope import Scope
from services import metrics
from services.metrics import Filters

CACHE_TTL_SECONDS = 600


def current_data_version() -> int:
    with Session(get_engine()) as session:
        return data_version(session)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def headline(scope: Scope, filters: Filters, today: date, version: int) -> metrics.Headline:
    with Session(get_engine()) as session:
        return metrics.headline(session, scope, today=today, filters=filters)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def by_employer(scope: Scope, filters: Filters, today: date, version: int) -> pd.DataFrame:
    with Session(get_engine()) as session:
        return metrics.by_employer(session, scope, today=today, filters=filters)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def by_department(scope: Scope, filters: Filters, today: date, version: int) -> pd.DataFrame:
    with Session(get_engine()) as session:
        return metrics.by_department(session, scope, today=today, filters=filters)
