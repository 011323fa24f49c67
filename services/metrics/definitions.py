"""Every metric's label, unit and short definition: the one source of the KPI help texts on
the pages, the review pack's headline table and its appendix. The full rules (edge cases)
are in docs/metrics.md; keep both in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import EnrollmentStatus
from services.population import MIN_GROUP

ACTIVE_STATUSES = (EnrollmentStatus.enrolled.value, EnrollmentStatus.in_progress.value)


SUPPRESSED = f"fewer than {MIN_GROUP}"
AT_RISK_DAYS = 30  # PDP goal due within this many days and not started
STALLED_DAYS = 30  # learner with no recorded activity for this long, past the cohort mid-point


@dataclass(frozen=True)
class Metric:
    label: str
    definition: str
    kind: str = "count"  # a services/formatting kind: how the figure is written
    # For costs and times, a rise is bad news (the KPI cards colour it so).
    lower_is_better: bool = False
    short_label: str = ""  # for a KPI card, where the label says less because the page around it says more

    @property
    def card_label(self) -> str:
        return self.short_label or self.label


# Keyed by the attribute that holds the figure (Summary, Retention, Budget, goal states...).
METRICS: dict[str, Metric] = {
    "headcount": Metric("Headcount", "Employees on the payroll on at least one day of the period."),
    "enrollments": Metric("Enrollments", "Enrollments started in the period (enrollment date in the period)."),
    "completed": Metric("Completions", "Enrollments completed in the period (status completed, completion date in "
                                       "the period)."),
    "failed": Metric("Failed", "Enrollments failed in the period (status failed, result date in the period)."),
    "withdrawn": Metric("Withdrawn", "Withdrawals in the period (withdrawal date in the period), including before the "
                                     "cohort started."),
    "active": Metric("Active learners", "Enrollments still enrolled or in progress on the period's last day."),
    "completion_rate": Metric("Completion rate", "Completed ÷ (completed + failed + withdrawn), outcomes dated in "
                                                 "the period.", "rate"),
    "withdrawal_rate": Metric("Withdrawal rate", "Withdrawn ÷ (completed + failed + withdrawn), outcomes dated in "
                                                 "the period.", "rate"),
    "participation_rate": Metric("Participation", "People who started an enrollment in the period ÷ headcount.",
                                 "rate"),
    "median_days_to_complete": Metric("Median days to complete", "Median of completion date − enrollment date over "
                                                                 "completions in the period.", "days", True),
    "p80_days_to_complete": Metric("80th percentile days", "80% of completions in the period took at most this "
                                                           "many days.", "days", True),
    "spend": Metric("Spend", "Sum of the cost of enrollments started in the period.", "money", True),
    "cost_per_completion": Metric("Cost per completion", "Spend ÷ completions in the period.", "money", True),
    "skills_gained": Metric("Skills gained", "Distinct employee–skill pairs gained in the period, through a "
                                             "completed credential's skills or an assessment higher than the "
                                             "person's previous one."),
    "mean_gap": Metric("Skill gap", "PDP target level minus the latest assessed level (0 if never assessed), never "
                                    "below 0; read today, or at a past period's last quarter end.", "mean", True),
    "gap_closed": Metric("Skill gap closed", "(Starting gap − gap now) ÷ starting gap, over employee–skill pairs "
                                             f"with a PDP target, in department–skill groups of {MIN_GROUP} or more.",
                         "rate"),
    "performance_change": Metric("Job performance change (after − before)", "Mean after − before rating (1–5) of "
                                 "job performance among completers surveyed, over whole quarters, in department "
                                 f"groups of {MIN_GROUP} or more.",
                                 "mean_change", short_label="Job performance"),
    "satisfaction_change": Metric("Job satisfaction change (after − before)", "Mean after − before rating (1–5) of "
                                  "job satisfaction among completers surveyed, over whole quarters, in department "
                                  f"groups of {MIN_GROUP} or more.",
                                  "mean_change", short_label="Job satisfaction"),
    "completer_rate": Metric("12-month retention of completers", "Of people employed a year before the end of the "
                             "period's last whole quarter who had completed a credential by then, the share still "
                             f"employed at that quarter's end; over department groups of {MIN_GROUP} or more.",
                             "rate", short_label="Completers"),
    "other_rate": Metric("12-month retention of non-completers", "Of people employed a year before the end of the "
                         "period's last whole quarter with no completed credential by then, the share still employed "
                         f"at that quarter's end; over department groups of {MIN_GROUP} or more.", "rate",
                         short_label="Non-completers"),
    "used": Metric("Budget used", "Spend ÷ the partnerships' annual budgets pro rata for the period's days.", "rate"),
    "achieved": Metric("Achieved", "PDP goals marked achieved."),
    "on_track": Metric("On track", "Open PDP goals neither overdue nor at risk."),
    "at_risk": Metric("At risk", f"PDP goals not started and due within {AT_RISK_DAYS} days."),
    "overdue": Metric("Overdue PDP goals", "Goals planned or in progress whose due date has passed; counted as of "
                                           "today.", short_label="Overdue"),
    "dropped": Metric("Dropped", "PDP goals dropped from the plan."),
    "learners_at_risk": Metric("Learners at risk", f"Enrolled or in progress, past the cohort's mid-point, no "
                                                   f"recorded activity for {STALLED_DAYS} days or more; counted as "
                                                   "of today."),
}

SUPPRESSION = (f"Groups of fewer than {MIN_GROUP} people show “{SUPPRESSED}” instead of figures. Departments of "
               f"fewer than {MIN_GROUP} people on record are counted together as “Other departments” (with the "
               f"smallest larger department when still fewer); employers of fewer than {MIN_GROUP} people count in "
               "no figure.")
# Under a department table: its rows are the department cells (services/population.py).
DEPARTMENT_CELLS = (f"Departments of {SUPPRESSED} people on record are shown together as “Other departments”, "
                    "joined by the smallest larger department when they are still fewer, so no figure, total or "
                    "difference identifies anyone.")


# Term → definition, the appendix of the review pack (and the glossary of the exports).
DEFINITIONS: dict[str, str] = {item.label: item.definition for item in METRICS.values()} | {
    "PDP goal states": "Achieved; overdue (open, past due); at risk (not started, due within "
                       f"{AT_RISK_DAYS} days); on track (other open goals); dropped.",
    "Suppression": SUPPRESSION,
}


# The ranking of credentials that close a gap (services/planning/ranking.py; docs/metrics.md, "Credentials that
# close a gap"), keyed by the ranking's column. The Plan page explains the ranking from these.
RANKING: dict[str, Metric] = {
    "coverage": Metric("Gap closed", "Levels closed ÷ levels of gap, over the chosen people and gap skills. Levels "
                                     "closed per person and skill: min(target, the level the credential teaches) − "
                                     "current level, never below 0; a pathway teaches the highest level of its "
                                     "steps.", "rate"),
    "levels_closed": Metric("Levels closed", "Levels of gap the credential closes, summed over the chosen people "
                                             "and skills. Someone who completed it or is enrolled in it gains "
                                             "nothing from it."),
    "people_helped": Metric("People helped", "Chosen people for whom the credential closes at least one level."),
    "mean_levels_closed": Metric("Levels per person helped", "Levels closed ÷ people helped.", "mean"),
    "price": Metric("Price", "The credential's price; a pathway's is the sum of its steps' prices.", "price", True),
    "cost": Metric("Cost for the people helped", "Price × people helped.", "money", True),
    "budget_left": Metric("Budget left this year", "The annual budget of the employer's partnership with the "
                                                   "university, less the cost of the employer's enrollments in its "
                                                   "credentials started this calendar year.", "money"),
    "median_days": Metric("Median days to complete", "Median of the days from enrolling to completing, over the "
                                                     "completions in scope to date; a pathway: the sum of its "
                                                     f"steps' medians. Shown from {MIN_GROUP} completions.", "days",
                          True),
    "completions": Metric("Completions", f"Completions the median rests on (a pathway: its step with the fewest); "
                                         f"“{SUPPRESSED}” below {MIN_GROUP}."),
    "completion_rate": Metric("Completion rate", "Completed ÷ (completed + failed + withdrawn) in scope to date; a "
                                                 "pathway: the product of its steps' rates. Shown from "
                                                 f"{MIN_GROUP} outcomes.", "rate"),
}
RANKING_ORDER = ("Ordered by gap closed (highest first), then people helped (most first), completion rate (highest "
                 f"first; “{SUPPRESSED}” and none last), median days to complete (fewest first), price (lowest "
                 "first) and code.")
RANKING_CANDIDATES = ("Candidates: the published credentials of the employer's partner universities that close at "
                      "least one level of the gaps, and their pathways whose steps together close more than their "
                      "best single step.")
