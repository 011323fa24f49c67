"""The Open University's OULAD records as import files (docs/imports.md, "Real records: OULAD").

OULAD counts days from each presentation's start and writes ``?`` for a missing
day, and its results are Pass/Distinction/Fail/Withdrawn, so one small conversion
turns the three CSVs into files the import understands; everything else (column
names) is left to ``--map``. Rules, as in tests/services/test_oulad_metrics.py:

- module → credential (EQF level 5, online); presentation → cohort of that module
  (2013J starts 1 October 2013, 2014B 1 February 2014; it lasts
  module_presentation_length days); student → employee, region → department,
  hired_on = the student's first enrolled_on (OULAD has no such date);
- enrolled_on = start + date_registration (if missing: start, or the
  unregistration day when that is earlier);
- Pass or Distinction → completed, Fail → failed, both dated at the presentation's
  end; Withdrawn → withdrawn on start + date_unregistration (if missing: the end).
  Missing dates are written ``?`` (a null spelling of the import).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

STATUS = {"Pass": "completed", "Distinction": "completed", "Fail": "failed", "Withdrawn": "withdrawn"}

# The --map options of each file (source column=canonical column).
MAPS: dict[str, dict[str, str]] = {
    "credentials": {"code_module": "code"},
    "employees": {"id_student": "employee_ref", "region": "department"},
    "enrollments": {"id_student": "employee_ref", "code_module": "credential_code", "code_presentation": "cohort",
                    "presentation_start": "cohort_start", "presentation_end": "cohort_end",
                    "registered_on": "enrolled_on", "unregistered_on": "withdrawn_on"},
}
ORDER = ("credentials", "employees", "enrollments")


def _iso(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").fillna("?")


def convert(src: Path | str, out: Path | str) -> dict[str, Path]:
    """Write credentials.csv, employees.csv and enrollments.csv under ``out``; their paths by kind."""
    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    info = pd.read_csv(src / "studentInfo.csv", dtype={"id_student": str})
    reg = pd.read_csv(src / "studentRegistration.csv", na_values="?", dtype={"id_student": str})
    courses = pd.read_csv(src / "courses.csv")
    df = info.merge(reg, on=["code_module", "code_presentation", "id_student"], how="left", validate="1:1") \
        .merge(courses, on=["code_module", "code_presentation"], how="left", validate="m:1")
    year = df["code_presentation"].str[:4].astype(int)
    month = np.where(df["code_presentation"].str[4] == "B", 2, 10)
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    end = start + pd.to_timedelta(df["module_presentation_length"], unit="D")
    unreg = start + pd.to_timedelta(df["date_unregistration"], unit="D")
    enrolled = (start + pd.to_timedelta(df["date_registration"], unit="D")).fillna(
        pd.concat([start, unreg], axis=1).min(axis=1))
    status = df["final_result"].map(STATUS)
    if status.isna().any():
        raise ValueError(f"Unknown final_result values: {sorted(set(df.loc[status.isna(), 'final_result']))}")
    outcome = status.isin(["completed", "failed"])
    paths = {}

    modules = sorted(df["code_module"].unique())
    paths["credentials"] = out / "credentials.csv"
    pd.DataFrame({"code_module": modules, "title": [f"Open University module {m}" for m in modules],
                  "level": 5, "delivery_mode": "online"}).to_csv(paths["credentials"], index=False)

    first = pd.DataFrame({"id_student": df["id_student"], "region": df["region"], "enrolled": enrolled}) \
        .groupby("id_student", sort=True).agg(region=("region", "first"), hired_on=("enrolled", "min")).reset_index()
    paths["employees"] = out / "employees.csv"
    employees = pd.DataFrame({"id_student": first["id_student"], "name": "Student " + first["id_student"],
                              "region": first["region"], "hired_on": _iso(first["hired_on"])})
    employees.to_csv(paths["employees"], index=False)

    paths["enrollments"] = out / "enrollments.csv"
    pd.DataFrame({
        "id_student": df["id_student"], "code_module": df["code_module"], "code_presentation": df["code_presentation"],
        "presentation_start": _iso(start), "presentation_end": _iso(end), "registered_on": _iso(enrolled),
        "status": status, "completed_on": _iso(end.where(outcome)),
        "unregistered_on": _iso(unreg.fillna(end).where(status == "withdrawn")),
        "final_result": df["final_result"],
    }).to_csv(paths["enrollments"], index=False)
    return paths


def map_options(kind: str) -> list[str]:
    """``--map`` arguments for ``manage.py import`` of one converted file."""
    return [f"--map={a}={b}" for a, b in MAPS[kind].items()]
