"""The metrics layer on real records no one here wrote: the Open University's OULAD.

Mapping (a plain-data stand-in until the import path exists):
- the university is "Open University", every student an employee of one employer,
  "OU Learners"; region → department; module → credential; presentation → cohort
  (2013J starts 1 October 2013, 2014B 1 February 2014; it lasts
  module_presentation_length days);
- enrolled_on = start + date_registration (if missing: start, or the
  unregistration day when that is earlier);
- Pass or Distinction → completed, Fail → failed, both dated at the presentation's
  end; Withdrawn → withdrawn on start + date_unregistration (if missing: the end).

The expected figures are computed from the raw CSVs with pandas, independently of
services/metrics/.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from db import summaries
from db.engine import make_engine
from db.models import (
    Cohort,
    Credential,
    Department,
    Employee,
    Enrollment,
    Organization,
    Partnership,
)
from db.scope import Scope
from services import metrics
from services.metrics import Filters
from services.periods import Period, parse_quarter
from tests.conftest import clear_all

OULAD = Path(__file__).resolve().parents[1] / "data" / "oulad"  # CC BY 4.0, see tests/data/README.md
TODAY = date(2026, 1, 1)


def raw() -> pd.DataFrame:
    """One row per registration, with the mapped dates and status (pandas only)."""
    info = pd.read_csv(OULAD / "studentInfo.csv")
    reg = pd.read_csv(OULAD / "studentRegistration.csv", na_values="?")
    courses = pd.read_csv(OULAD / "courses.csv")
    df = info.merge(reg, on=["code_module", "code_presentation", "id_student"]).merge(
        courses, on=["code_module", "code_presentation"])
    year = df["code_presentation"].str[:4].astype(int)
    month = np.where(df["code_presentation"].str[4] == "B", 2, 10)
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    end = start + pd.to_timedelta(df["module_presentation_length"], unit="D")
    unreg = start + pd.to_timedelta(df["date_unregistration"], unit="D")
    enrolled = start + pd.to_timedelta(df["date_registration"], unit="D")
    enrolled = enrolled.fillna(pd.concat([start, unreg], axis=1).min(axis=1))
    status = df["final_result"].map({"Pass": "completed", "Distinction": "completed", "Fail": "failed",
                                     "Withdrawn": "withdrawn"})
    out = pd.DataFrame({
        "student": df["id_student"].astype(str), "region": df["region"], "module": df["code_module"],
        "cohort": df["code_module"] + "-" + df["code_presentation"], "start": start.dt.date, "end": end.dt.date,
        "enrolled_on": enrolled.dt.date, "status": status,
    })
    out["completed_on"] = np.where(status.isin(["completed", "failed"]), out["end"], None)
    out["withdrawn_on"] = np.where(status == "withdrawn", unreg.fillna(end).dt.date, None)
    return out


def load(engine, df: pd.DataFrame) -> None:
    with engine.begin() as conn:
        ins = lambda model, rows: conn.execute(model.__table__.insert(), rows) if rows else None  # noqa: E731
        ins(Organization, [{"id": 1, "code": "OU", "name": "Open University", "kind": "university",
                            "created_at": pd.Timestamp.now(tz="UTC").to_pydatetime()},
                           {"id": 2, "code": "OUL", "name": "OU Learners", "kind": "employer",
                            "created_at": pd.Timestamp.now(tz="UTC").to_pydatetime()}])
        ins(Partnership, [{"id": 1, "university_id": 1, "employer_id": 2, "starts_on": date(2013, 1, 1),
                           "status": "active", "annual_budget": Decimal(0), "seats_committed": 0}])
        regions = {r: i + 1 for i, r in enumerate(sorted(df["region"].unique()))}
        ins(Department, [{"id": i, "employer_id": 2, "name": r} for r, i in regions.items()])
        students = df.drop_duplicates("student")
        emp_ids = {s: i + 1 for i, s in enumerate(students["student"])}
        # A student's region is the same in every registration of theirs in OULAD.
        ins(Employee, [{"id": emp_ids[s], "employer_id": 2, "employee_ref": s, "full_name": f"Student {s}",
                        "department_id": regions[r], "hired_on": date(2000, 1, 1)}
                       for s, r in zip(students["student"], students["region"], strict=True)])
        modules = {m: i + 1 for i, m in enumerate(sorted(df["module"].unique()))}
        now = pd.Timestamp.now(tz="UTC").to_pydatetime()
        ins(Credential, [{"id": i, "university_id": 1, "code": m, "title": f"Module {m}", "summary": "",
                          "eqf_level": 5, "ects_credits": Decimal(0), "learning_hours": 0, "delivery_mode": "online",
                          "price": Decimal(0), "status": "published", "version": 1, "created_at": now,
                          "updated_at": now} for m, i in modules.items()])
        cohorts = df.drop_duplicates("cohort")
        cohort_ids = {c: i + 1 for i, c in enumerate(cohorts["cohort"])}
        ins(Cohort, [{"id": cohort_ids[c], "credential_id": modules[m], "code": c, "starts_on": s, "ends_on": e,
                      "seats": 0} for c, m, s, e in zip(cohorts["cohort"], cohorts["module"], cohorts["start"],
                                                        cohorts["end"], strict=True)])
        rows = [{"id": i + 1, "employee_id": emp_ids[r.student], "credential_id": modules[r.module],
                 "cohort_id": cohort_ids[r.cohort], "enrolled_on": r.enrolled_on, "status": r.status,
                 "completed_on": r.completed_on, "withdrawn_on": r.withdrawn_on, "cost": Decimal(0),
                 "sponsor": "employer", "updated_at": now} for i, r in enumerate(df.itertuples())]
        for i in range(0, len(rows), 5000):
            ins(Enrollment, rows[i:i + 5000])
    from sqlmodel import Session

    with Session(engine) as session:
        summaries.refresh(session)
        session.commit()
    if engine.dialect.name == "postgresql":
        # Fresh statistics for the rows just loaded, as autovacuum gives a live database: without them the
        # planner may still believe the tables empty (from an earlier test) and one query took 330 s, not 2 s.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


@pytest.fixture(scope="module")
def oulad(db_url):
    engine = make_engine(db_url)
    clear_all(engine)
    df = raw()
    load(engine, df)
    from sqlmodel import Session

    with Session(engine) as session:
        yield session, df
    clear_all(engine)
    engine.dispose()


def expected(df: pd.DataFrame, p: Period) -> pd.DataFrame:
    """Per-row flags for period p, computed with pandas."""
    inside = lambda col: df[col].notna() & (df[col].map(lambda d: d is not None and p.start <= d <= p.end))  # noqa: E731
    ended_by = lambda col: df[col].map(lambda d: d is not None and d <= p.end)  # noqa: E731
    out = pd.DataFrame({
        "module": df["module"], "region": df["region"], "student": df["student"],
        "enrollments": df["enrolled_on"].map(lambda d: p.start <= d <= p.end),
        "completed": (df["status"] == "completed") & inside("completed_on"),
        "failed": (df["status"] == "failed") & inside("completed_on"),
        "withdrawn": (df["status"] == "withdrawn") & inside("withdrawn_on"),
    })
    out["active"] = df["enrolled_on"].map(lambda d: d <= p.end) & ~(ended_by("completed_on") | ended_by("withdrawn_on"))
    return out


PERIODS = [Period(date(1900, 1, 1), TODAY, "to date"), parse_quarter("2013Q4"), parse_quarter("2014Q2"),
           parse_quarter("2014Q3"), Period(date(2014, 1, 1), date(2014, 12, 31), "2014")]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_summary_equals_pandas(oulad, period):
    session, df = oulad
    flags = expected(df, period)
    # Whole quarters come from the summary tables, other periods from the raw rows: both are checked.
    assert metrics.uses_summaries(Filters(period), period) == (period.label[4:5] == "Q")
    s = metrics.summary(session, Scope.system(), Filters(period), today=TODAY)
    want = {k: int(flags[k].sum()) for k in ("enrollments", "completed", "failed", "withdrawn", "active")}
    assert {k: getattr(s, k) for k in want} == want
    outcomes = want["completed"] + want["failed"] + want["withdrawn"]
    assert s.completion_rate == (pytest.approx(want["completed"] / outcomes) if outcomes else None)
    assert s.learners == flags.loc[flags["enrollments"], "student"].nunique()
    assert s.headcount == df["student"].nunique()
    days = [(c - e).days
            for c, e, ok in zip(df["completed_on"], df["enrolled_on"], flags["completed"], strict=True) if ok]
    if days:
        assert s.median_days_to_complete == pytest.approx(float(np.median(days)))
        assert s.p80_days_to_complete == pytest.approx(float(np.percentile(days, 80)))
    else:
        assert s.median_days_to_complete is None


@pytest.mark.parametrize("period", PERIODS[:3], ids=lambda p: p.label)
def test_breakdowns_equal_pandas(oulad, period):
    session, df = oulad
    flags = expected(df, period)
    cols = ["enrollments", "completed", "failed", "withdrawn", "active"]
    want = flags.groupby("module")[cols].sum().astype(int)
    got = metrics.by_credential(session, Scope.system(), Filters(period), today=TODAY).set_index("code")[cols]
    got = got[(got.T != 0).any()]  # modules with nothing in the period are absent from pandas' groupby sums of 0
    assert got.sort_index().equals(want[(want.T != 0).any()].sort_index())

    want_dept = flags.groupby("region")[cols].sum().astype(int)
    got_dept = metrics.by_department(session, Scope.system(), Filters(period),
                                     today=TODAY).set_index("department")[cols]
    assert got_dept.sort_index().equals(want_dept.sort_index())


def test_cli_json_matches(oulad, db_url, monkeypatch, capsys):
    import json

    import manage

    session, df = oulad
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("AS_OF_DATE", TODAY.isoformat())
    assert manage.main(["metrics", "--quarter", "2014Q2", "--employer", "oul", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    flags = expected(df, parse_quarter("2014Q2"))
    assert doc["completed"] == int(flags["completed"].sum()) and doc["withdrawn"] == int(flags["withdrawn"].sum())
    by_code = {r["code"]: r for r in doc["by_credential"]}
    per_module = flags.groupby("module")["enrollments"].sum()
    assert {k: v["enrollments"] for k, v in by_code.items() if v["enrollments"]} == {
        k: int(v) for k, v in per_module.items() if v}
    assert 0 <= doc["completion_rate"] <= 1
    assert {"employer", "department", "completed", "completion_rate"} <= set(doc["by_department"][0])
