"""DuckDB side by side (issue 18): the same aggregates on the same rows, in an in-memory reference engine.

The rows are read once per role with the product's own scope rules (``scoped_enrollments`` and
``people_conditions`` with no filter), so DuckDB sees exactly the rows the metric may read; they are
registered as pandas frames (no DuckDB extension is needed, so it works offline). Then each aggregate
is timed in DuckDB SQL and its answer compared with the product's call (``comparison``).

DuckDB is a development dependency of the bench only (requirements-bench.txt): when it is missing,
``reference_engine`` returns None and the table says "not measured".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

INSTALL_HINT = "DuckDB not installed: `make bench`, or `.venv/bin/python -m pip install -r requirements-bench.txt`"
_PERIOD = "BETWEEN $start AND $end"

# name -> the aggregate in DuckDB SQL over the registered frames ($start, $end, $today, $soon are bound).
REFERENCE_SQL = {
    "by_credential": f"""
        SELECT code,
               count(*) FILTER (WHERE enrolled_on {_PERIOD}) AS enrollments,
               count(*) FILTER (WHERE status = 'completed' AND completed_on {_PERIOD}) AS completed,
               count(*) FILTER (WHERE status = 'failed' AND completed_on {_PERIOD}) AS failed,
               count(*) FILTER (WHERE status = 'withdrawn' AND withdrawn_on {_PERIOD}) AS withdrawn
        FROM enrollments GROUP BY code""",
    "by_department": f"""
        SELECT employer, department,
               count(*) FILTER (WHERE enrolled_on {_PERIOD}) AS enrollments,
               count(*) FILTER (WHERE status = 'completed' AND completed_on {_PERIOD}) AS completed
        FROM enrollments GROUP BY employer, department""",
    "median_days_to_complete": f"""
        SELECT quantile_cont(date_diff('day', enrolled_on, completed_on), 0.5) AS median_days
        FROM enrollments WHERE status = 'completed' AND completed_on {_PERIOD}""",
    "goal_states": """
        SELECT CASE
                 WHEN status = 'achieved' THEN 'achieved'
                 WHEN status = 'dropped' THEN 'dropped'
                 WHEN status IN ('planned', 'in_progress') AND due_on < $today THEN 'overdue'
                 WHEN status = 'planned' AND due_on <= $soon THEN 'at_risk'
                 ELSE 'on_track' END AS state,
               count(*) AS goals
        FROM goals GROUP BY state""",
    # services/metrics/upskilling.skill_gaps: the highest target per (person, skill) of goals not dropped,
    # against the latest level by $as_of and the first level ever assessed (0 when none).
    "skill_gaps": """
        WITH targets AS (
            SELECT employee_id, skill_id, employer, department, skill, max(target_level) AS target
            FROM goals WHERE skill_id IS NOT NULL AND target_level IS NOT NULL AND status <> 'dropped'
            GROUP BY employee_id, skill_id, employer, department, skill),
        latest AS (
            SELECT employee_id, skill_id, first(level ORDER BY assessed_on DESC, id DESC) AS level
            FROM assessments WHERE assessed_on <= $as_of GROUP BY employee_id, skill_id),
        earliest AS (
            SELECT employee_id, skill_id, first(level ORDER BY assessed_on, id) AS level
            FROM assessments GROUP BY employee_id, skill_id)
        SELECT employer, department, skill, count(*) AS people,
               sum(greatest(target - coalesce(latest.level, 0), 0)) AS gap_now,
               sum(greatest(target - coalesce(earliest.level, 0), 0)) AS gap_start
        FROM targets LEFT JOIN latest USING (employee_id, skill_id) LEFT JOIN earliest USING (employee_id, skill_id)
        GROUP BY employer, department, skill""",
}


def reference_engine():
    """An in-memory DuckDB connection, or None when DuckDB is not installed. It only reads the frames
    registered with it: no extension is installed or loaded behind our back (that would download)."""
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                              "autoload_known_extensions": False})


def _plain(values: pd.Series) -> pd.Series:
    """Enum members as their stored text (DuckDB compares strings)."""
    return values.map(lambda value: getattr(value, "value", value))


def load_scoped_rows(session, scope) -> dict[str, pd.DataFrame]:
    """The enrollments and PDP goals ``scope`` may see, with what the aggregates group by."""
    from sqlalchemy import func, select

    from db.models import (
        Credential,
        Department,
        Employee,
        Enrollment,
        Organization,
        Pdp,
        PdpGoal,
        Skill,
        SkillAssessment,
    )
    from services.filters import Filters, people_conditions, scoped_enrollments

    everything = Filters()
    employer = Organization.name.label("employer")
    department = func.coalesce(Department.name, "(no department)").label("department")
    enrollments = (
        scoped_enrollments(scope, everything, Enrollment.id, Credential.code.label("code"), Enrollment.status,
                           Enrollment.enrolled_on, Enrollment.completed_on, Enrollment.withdrawn_on,
                           employer, department)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .join(Organization, Organization.id == Employee.employer_id)
        .outerjoin(Department, Department.id == Employee.department_id))
    goals = (select(PdpGoal.id, PdpGoal.status, PdpGoal.due_on, Pdp.employee_id, PdpGoal.skill_id,
                    PdpGoal.target_level, Skill.name.label("skill"), employer, department).select_from(PdpGoal)
             .join(Pdp, Pdp.id == PdpGoal.pdp_id).join(Employee, Employee.id == Pdp.employee_id)
             .join(Organization, Organization.id == Employee.employer_id)
             .outerjoin(Department, Department.id == Employee.department_id)
             .outerjoin(Skill, Skill.id == PdpGoal.skill_id)
             .where(*people_conditions(scope, everything)))
    assessments = (select(SkillAssessment.id, SkillAssessment.employee_id, SkillAssessment.skill_id,
                          SkillAssessment.level, SkillAssessment.assessed_on)
                   .join(Employee, Employee.id == SkillAssessment.employee_id)
                   .where(*people_conditions(scope, everything)))
    frames = {}
    for name, stmt in (("enrollments", enrollments), ("goals", goals), ("assessments", assessments)):
        frame = pd.DataFrame(session.execute(stmt).mappings().all())
        if "status" in frame:
            frame["status"] = _plain(frame["status"])
        for column in ("enrolled_on", "completed_on", "withdrawn_on", "due_on", "assessed_on"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
        frames[name] = frame
    return frames


@dataclass(frozen=True)
class Window:
    """The period and day every aggregate is asked for."""

    start: date
    end: date
    today: date

    def parameters(self, sql: str) -> dict:
        from services.metrics.definitions import AT_RISK_DAYS

        values = {"start": self.start, "end": self.end, "today": self.today,
                  "soon": self.today + timedelta(days=AT_RISK_DAYS), "as_of": min(self.end, self.today)}
        return {key: value for key, value in values.items() if f"${key}" in sql}


def time_reference(connection, frames: dict[str, pd.DataFrame], window: Window, runs: int,
                   ) -> dict[str, tuple[list[float], pd.DataFrame]]:
    """Each aggregate of REFERENCE_SQL in the reference engine: name -> (timings, last answer)."""
    for name, frame in frames.items():
        connection.register(name, frame)
    out = {}
    for name, sql in REFERENCE_SQL.items():
        times, answer = [], None
        for _ in range(runs):
            started = time.perf_counter()
            answer = connection.execute(sql, window.parameters(sql)).df()
            times.append(time.perf_counter() - started)
        out[name] = (times, answer)
    return out


# The product's side: name -> (metric call, its answer in the comparable form of ``comparison``).
def product_calls() -> dict[str, Callable]:
    from services.metrics import by_credential, by_department, days_to_complete, goal_states, skill_gaps
    from services.metrics.counts import percentile_from_counts

    def median_days(session, scope, filters, today):
        return percentile_from_counts(days_to_complete(session, scope, filters, today=today), 0.5)

    return {
        "by_credential": lambda s, scope, f, today: by_credential(s, scope, f, today=today),
        "by_department": lambda s, scope, f, today: by_department(s, scope, f, today=today),
        "median_days_to_complete": median_days,
        "goal_states": lambda s, scope, f, today: goal_states(s, scope, f, today=today),
        "skill_gaps": lambda s, scope, f, today: skill_gaps(s, scope, f, today=today),
    }


def _time_product(call: Callable, open_session: Callable, scope, filters, today, runs: int,
                  ) -> tuple[list[float], object]:
    """``runs`` timings of the product's call, each in a fresh session, and its (last) answer."""
    from devtools.bench.settings import run_limit

    times, answer = [], None
    for _ in range(runs):
        with run_limit(), open_session() as session:
            started = time.perf_counter()
            answer = call(session, scope, filters, today)
            times.append(time.perf_counter() - started)
    return times, answer


def compare_scope(open_session: Callable, connection, scope, filters, today: date, runs: int, role: str,
                  scale: str) -> list[dict]:
    """Every aggregate of REFERENCE_SQL for one scope: product and reference engine (None: not measured)."""
    from devtools.bench.comparison import compare
    from services.filters import resolve_period

    period = resolve_period(filters, today)
    reference = {}
    if connection is not None:
        with open_session() as session:
            frames = load_scoped_rows(session, scope)
        reference = time_reference(connection, frames, Window(period.start, period.end, today), runs)
    rows = []
    for name, call in product_calls().items():
        try:
            times, answer = _time_product(call, open_session, scope, filters, today, runs)
        except Exception as failure:  # noqa: BLE001
            rows.append(compare(name, role, scale, [], None, error=f"{type(failure).__name__}: {failure}"))
            continue
        reference_times, reference_answer = reference.get(name, (None, None))
        rows.append(compare(name, role, scale, times, reference_times, answer, reference_answer))
    return rows


def measure_reference(database, users, runs: int) -> list[dict]:
    """Each aggregate of REFERENCE_SQL, product and DuckDB, both roles: rows of ``comparison.compare``."""
    from sqlmodel import Session

    from db.engine import get_engine
    from db.scope import scope_for_user
    from devtools.bench.databases import app_environment
    from devtools.bench.settings import ROLES, install_run_limit, log
    from services.filters import Filters
    from services.identity import find_user
    from services.periods import last_complete_quarter
    from services.periods import today as current_day

    connection = reference_engine()
    if connection is None:
        log(INSTALL_HINT)
    rows = []
    install_run_limit(database.url)
    with app_environment(database):
        today = current_day()
        filters = Filters(period=last_complete_quarter(today))
        for role in ROLES:
            with Session(get_engine()) as session:
                scope = scope_for_user(session, find_user(session, users.email(role)))
            rows += compare_scope(lambda: Session(get_engine()), connection, scope, filters, today, runs, role,
                                  database.scale)
    if connection is not None:
        connection.close()
    return rows
