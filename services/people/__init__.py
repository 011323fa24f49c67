"""The people in the data: their rights, access (``export``), erasure (``erase``) and retention (``retention``);
their record as the Person page shows it (``record``) and managers' teams (``teams``).

Who: admins and the operator's command line (``Scope.system()``) for anyone; an HR manager for their own
employer's people; nobody else (db/scope.py, ``require_person_rights``). Every download of a person's data is
recorded in the access log (view "person export").

Decisions
- Pseudonymise, not delete: a person's enrollments, assessments, goals and surveys stay under a pseudonym so
  the figures of past periods do not change; their name, email, HRIS id, job title, location and free text
  (goal titles, and wherever the audit trail or the access log quoted them) go (``erase``).
- Badges: a badge already issued stays verifiable: it carries only a salted hash of the email (or of
  employer:HRIS id), and verifying reads the badge and the deployment's public key, never the database.
  A pseudonymised person is issued no more badges (services/badges leaves them out of every export): a
  re-export could only hash the pseudonym, a different claim under the same badge id that would prove
  nothing to anyone. Their completions still count in every figure.
- An app account with the person's email (someone who is both an employee and a user) is not touched:
  erasure says so, and an administrator removes or renames it on the Users page.
- The export names nobody else: the manager link is shown only as recorded or not; who saw the records
  (the access log) and who changed them (the audit trail) name the staff who acted.
"""

from services.people.document import as_html, as_json, file_stem
from services.people.erase import Erased, EraseRefused, erase, pseudonymise
from services.people.export import PersonData, Section, person_data, record_export
from services.people.finding import (
    AccessDenied,
    PersonNotFound,
    employer_by_code,
    person,
    person_by_ref,
    search,
    search_visible,
)
from services.people.record import PersonRecord, person_record
from services.people.retention import (
    DEFAULT_MONTHS,
    ENV_MONTHS,
    RetentionRun,
    RetentionSettingError,
    months_before,
    retention_months,
)
from services.people.retention import apply as apply_retention
from services.people.teams import managers, team_condition

__all__ = [
    "DEFAULT_MONTHS", "ENV_MONTHS", "AccessDenied", "EraseRefused", "Erased", "PersonData", "PersonNotFound",
    "PersonRecord", "RetentionRun", "RetentionSettingError", "Section", "apply_retention", "as_html", "as_json",
    "employer_by_code", "erase", "file_stem", "managers", "months_before", "person", "person_by_ref", "person_data",
    "person_record", "pseudonymise", "record_export", "retention_months", "search", "search_visible",
    "team_condition",
]
