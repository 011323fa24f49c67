"""The metrics layer: every figure the product shows, computed by SQL aggregation through
the access scope and the filters (services/filters.py). Labels, units and short
definitions are in ``definitions``; the full rules in docs/metrics.md: keep both in step.

Each function takes a Session, a Scope and Filters and returns plain numbers or small
DataFrames (one row per group shown, never one per enrollment). Figures about small
groups leave this layer only through ``suppression``.
"""

from services.filters import Filters, people_conditions, resolve_period, scoped_enrollments
from services.metrics.breakdowns import by_cohort, by_credential, by_department, by_employer, by_quarter
from services.metrics.cells import (
    OutcomeShown,
    assessment_levels_note,
    assessment_levels_shown,
    outcome_change_shown,
    whole_quarters,
)
from services.metrics.counts import (
    COUNT_COLUMNS,
    days_to_complete,
    employed_during,
    employed_on,
    grouped_counts,
    percentile_from_counts,
    rate,
)
from services.metrics.definitions import (
    ACTIVE_STATUSES,
    AT_RISK_DAYS,
    DEFINITIONS,
    DEPARTMENT_CELLS,
    METRICS,
    MIN_GROUP,
    RANKING,
    RANKING_CANDIDATES,
    RANKING_ORDER,
    STALLED_DAYS,
    SUPPRESSED,
    SUPPRESSION,
    Metric,
)
from services.metrics.document import figures
from services.metrics.goals import (
    GOAL_STATES,
    Alerts,
    alerts,
    at_risk_by_credential,
    at_risk_learners,
    goal_state,
    goal_states,
)
from services.metrics.headcounts import headcount, headcount_by_employer
from services.metrics.outcomes import Budget, OutcomeChange, Retention, budget, outcome_change, retention
from services.metrics.paths import raw_only, uses_summaries
from services.metrics.retained import RetentionShown, retention_shown
from services.metrics.reuse import reusing
from services.metrics.summary import Summary, summary
from services.metrics.suppression import (
    SkillGaps,
    departments_shown,
    or_suppressed,
    skill_gaps_shown,
    suppress_small_groups,
)
from services.metrics.upskilling import (
    GAP_COLUMNS,
    assessment_levels,
    gap_closed_overall,
    skill_gaps,
    skills_gained,
    skills_gained_by_quarter,
)

__all__ = [
    "ACTIVE_STATUSES", "AT_RISK_DAYS", "Alerts", "Budget", "COUNT_COLUMNS", "DEFINITIONS", "DEPARTMENT_CELLS",
    "Filters", "GAP_COLUMNS", "GOAL_STATES", "METRICS", "MIN_GROUP", "Metric", "OutcomeChange", "OutcomeShown",
    "RANKING", "RANKING_CANDIDATES", "RANKING_ORDER",
    "Retention", "RetentionShown", "STALLED_DAYS", "SUPPRESSED", "SUPPRESSION", "SkillGaps", "Summary", "alerts",
    "assessment_levels", "assessment_levels_note", "assessment_levels_shown", "at_risk_by_credential",
    "at_risk_learners", "budget",
    "by_cohort", "by_credential", "by_department", "by_employer", "by_quarter", "days_to_complete",
    "departments_shown", "employed_during", "employed_on", "figures", "gap_closed_overall", "goal_state",
    "goal_states", "grouped_counts", "headcount", "headcount_by_employer", "or_suppressed", "outcome_change",
    "outcome_change_shown",
    "people_conditions", "percentile_from_counts", "rate", "raw_only", "resolve_period", "retention",
    "retention_shown", "reusing", "scoped_enrollments", "skill_gaps", "skill_gaps_shown", "skills_gained",
    "skills_gained_by_quarter", "summary", "suppress_small_groups", "uses_summaries", "whole_quarters",
]
