"""Access scoping: the one place that decides which rows a signed-in user may see.

Every query for partner data adds ``visible(scope, Model)`` (or uses ``scoped``).
Pages never filter by organisation themselves. A model that holds partner data
and is missing from ``_RULES`` raises, so a new table cannot slip through unscoped.

Rules (see README, "Who sees what"):
- admin: everything.
- partnership_officer: their university, every employer partnered with it, and
  those employers' people and records.
- hr_manager: their own employer's people and records; the partner
  universities' published (and retired) credentials plus any credential their
  employer co-designs.
- viewer: read-only, scoped like the kind of organisation they belong to.
- HR records by name (PDP goals, assessments, survey answers): the employer's own HR managers;
  a university's officers only for the employers whose partnership with it shares them
  (``Partnership.shares_individual_records``); everyone else sees them in aggregate only.
- access log: admins all of it; an HR manager the entries about their own employer's people.
- a person's access and erasure requests (export, erase): admins, and the person's employer's HR managers.
- skills: the accepted vocabulary for everyone; a proposed (or rejected) skill for the proposing
  employer and the universities partnered with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, or_, select, true
from sqlmodel import Session

from db.models import (
    AccessLogEntry,
    AccessLogSubject,
    Approval,
    AppUser,
    AssessmentLevelSummary,
    AuditEvent,
    ChangeProposal,
    Cohort,
    CompletionDaysSummary,
    Credential,
    CredentialPartner,
    CredentialReview,
    CredentialRevision,
    CredentialSkill,
    CredentialStatus,
    Department,
    Employee,
    EmployeeMonthSummary,
    Enrollment,
    EnrollmentMonthSummary,
    FirstCompletion,
    LearnerQuarterSummary,
    LearningOutcome,
    Organization,
    OrgKind,
    OutcomeMonthSummary,
    OutcomeSurvey,
    Partnership,
    Pathway,
    PathwayStep,
    Pdp,
    PdpGoal,
    PdpGoalMonthSummary,
    ProposalComment,
    ProposalDecision,
    ReviewAction,
    Role,
    SeatReservation,
    Skill,
    SkillAssessment,
    SkillGainQuarterSummary,
    SkillGapChangeSummary,
    SkillStatus,
    SkillTargetSummary,
    SurveyedQuarterSummary,
)


class AccessDenied(PermissionError):
    """Raised when a user asks for something outside their scope."""


@dataclass(frozen=True)
class Scope:
    """What one signed-in user may see. Hashable, so it can key caches."""

    user_id: int | None
    email: str
    role: Role
    organization_id: int
    org_kind: OrgKind
    # None means "every one" (admin only).
    employer_ids: frozenset[int] | None
    university_ids: frozenset[int] | None
    # The employers whose people's HR records (PDP goals, assessments, survey answers) this user may
    # see person by person; the others' only in aggregate. None: every one (admin only).
    record_employer_ids: frozenset[int] | None = frozenset()

    @classmethod
    def system(cls) -> Scope:
        """Everything: for headless jobs run by an operator (manage.py), never for a signed-in user."""
        return cls(user_id=None, email="system", role=Role.admin, organization_id=0,
                   org_kind=OrgKind.university, employer_ids=None, university_ids=None, record_employer_ids=None)

    def sees_records_of(self, employer_id: int) -> bool:
        """Whether this user may see the HR records of ``employer_id``'s people by name."""
        return self.record_employer_ids is None or employer_id in self.record_employer_ids

    @property
    def sees_all(self) -> bool:
        return self.role == Role.admin

    @property
    def is_employer_side(self) -> bool:
        return self.org_kind == OrgKind.employer and not self.sees_all

    @property
    def read_only(self) -> bool:
        return self.role == Role.viewer

    def employers(self, requested: Iterable[int] | None = None) -> frozenset[int] | None:
        """Intersect an employer filter with the scope: a filter can narrow, never widen."""
        if requested is None:
            return self.employer_ids
        wanted = frozenset(requested)
        return wanted if self.employer_ids is None else wanted & self.employer_ids

    def require_employer(self, employer_id: int, *, write: bool = False) -> None:
        if write and self.read_only:
            raise AccessDenied("Viewers have read-only access.")
        if self.employer_ids is not None and employer_id not in self.employer_ids:
            raise AccessDenied("That organisation is outside your access.")


def scope_for_user(session: Session, user: AppUser) -> Scope:
    org = session.get(Organization, user.organization_id)
    if org is None:
        raise AccessDenied("Your account has no organisation.")
    role = Role(user.role)
    kind = OrgKind(org.kind)
    if role == Role.admin:
        employers = universities = records = None
    elif kind == OrgKind.university:
        universities = frozenset({org.id})
        employers = frozenset(
            session.scalars(select(Partnership.employer_id).where(Partnership.university_id == org.id)).all()
        )
        records = frozenset(session.scalars(select(Partnership.employer_id).where(
            Partnership.university_id == org.id, Partnership.shares_individual_records)).all())
    else:
        employers = records = frozenset({org.id})
        universities = frozenset(
            session.scalars(select(Partnership.university_id).where(Partnership.employer_id == org.id)).all()
        )
    return Scope(
        user_id=user.id,
        email=user.email,
        role=role,
        organization_id=org.id,
        org_kind=kind,
        employer_ids=employers,
        university_ids=universities,
        record_employer_ids=records,
    )


# --- Row rules ---------------------------------------------------------------


def _in(column, ids: frozenset[int] | None) -> ColumnElement[bool]:
    if ids is None:
        return true()
    if not ids:
        return false()
    return column.in_(sorted(ids))


def _employees(scope: Scope):
    return select(Employee.id).where(_in(Employee.employer_id, scope.employer_ids))


def _credential_rule(scope: Scope) -> ColumnElement[bool]:
    rule = _in(Credential.university_id, scope.university_ids)
    if scope.is_employer_side:
        co_designed = select(CredentialPartner.credential_id).where(
            _in(CredentialPartner.employer_id, scope.employer_ids)
        )
        catalogue = Credential.status.in_([CredentialStatus.published, CredentialStatus.retired])
        rule = rule & or_(catalogue, Credential.id.in_(co_designed))
    return rule


def _credentials(scope: Scope):
    return select(Credential.id).where(_credential_rule(scope))


def _design_credentials(s: Scope):
    """Credentials whose design record (proposals, comments, approvals, revisions) ``s`` may read.

    The university side: every visible credential. The employer side: only the
    credentials its employer co-designs, since the record names the other
    co-designers and holds their discussion (a published credential is in
    every partner's catalogue, its design record is not).
    """
    stmt = _credentials(s)
    if s.is_employer_side:
        stmt = stmt.where(Credential.id.in_(
            select(CredentialPartner.credential_id).where(_in(CredentialPartner.employer_id, s.employer_ids))
        ))
    return stmt


def _revision_rule(s: Scope) -> ColumnElement[bool]:
    """The design record's revisions; and, for whoever sees the credential in the catalogue, the versions
    that were published (a credential's public change list: quality assurance asks that changes be
    published)."""
    return or_(CredentialRevision.credential_id.in_(_design_credentials(s)),
               CredentialRevision.published_at.is_not(None) & CredentialRevision.credential_id.in_(_credentials(s)))


def review_concerns(s: Scope) -> ColumnElement[bool]:
    """The credentials whose yearly quality review ``s`` follows (a rule on ``Credential``): the university
    side every visible credential; an employer the visible credentials it co-designs or its people enrolled
    in (it uses them). The reviews' own rule and the due list (services/codesign/quality_review.py) both
    use it, so the two never disagree."""
    if s.sees_all:
        return true()
    rule = _credential_rule(s)
    if not s.is_employer_side:
        return rule
    used = select(Enrollment.credential_id).where(Enrollment.employee_id.in_(_employees(s)))
    return rule & (Credential.id.in_(_design_credentials(s)) | Credential.id.in_(used))


def _quality_review_rule(s: Scope) -> ColumnElement[bool]:
    """Reviews of the credentials ``s`` follows (``review_concerns``)."""
    return CredentialReview.credential_id.in_(select(Credential.id).where(review_concerns(s)))


def _audit_rule(s: Scope) -> ColumnElement[bool]:
    if s.is_employer_side:
        # Its own organisation's events, and the history (status changes, approvals) of the
        # credentials it co-designs: part of their design record, recorded under the university.
        design = select(cast(Credential.id, String)).where(Credential.id.in_(_design_credentials(s)))
        return or_(AuditEvent.organization_id == s.organization_id,
                   and_(AuditEvent.entity == "Credential", AuditEvent.entity_id.in_(design)))
    orgs = (s.employer_ids or frozenset()) | (s.university_ids or frozenset()) | {s.organization_id}
    return _in(AuditEvent.organization_id, orgs)


def _skill_rule(s: Scope) -> ColumnElement[bool]:
    """The shared vocabulary (accepted skills) for everyone; a skill an employer proposed (or the university
    did not accept) only for that employer and the universities partnered with it."""
    proposers = (s.employer_ids or frozenset()) | {s.organization_id}
    return or_(Skill.status == SkillStatus.accepted, _in(Skill.proposed_by_id, proposers))


def _partnership_rule(s: Scope) -> ColumnElement[bool]:
    return _in(Partnership.employer_id, s.employer_ids) & _in(Partnership.university_id, s.university_ids)


def _is_hr(s: Scope) -> bool:
    return s.role == Role.hr_manager and s.org_kind == OrgKind.employer


def require_person_rights(scope: Scope, employer_id: int, *, erase: bool = False) -> None:
    """Answering one person's access or erasure request (services/people): the person's own employer's HR
    managers and admins (and the operator's ``Scope.system()``). Officers never: the HR records are the
    employer's. Viewers never: an export holds the access log, which viewers do not read, and erasing writes."""
    if scope.sees_all:
        return
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access: they cannot erase anyone."
                           if erase else "Viewers cannot export a person's data; their HR manager can.")
    if not _is_hr(scope):
        raise AccessDenied("Only the employer's HR managers and administrators answer a person's requests.")
    if employer_id != scope.organization_id:
        raise AccessDenied("That person is outside your access.")


def answers_person_requests(scope: Scope) -> bool:
    """Whether ``scope`` may export or erase anyone at all (what the People page offers)."""
    return scope.sees_all or _is_hr(scope)


def records_visible(scope: Scope, employer_column) -> ColumnElement[bool]:
    """The WHERE clause limiting person-by-person HR records (PDP goals, assessments, survey answers) to the
    employers whose records ``scope`` may see by name; aggregates use ``visible`` and the suppression rules."""
    return _in(employer_column, scope.record_employer_ids)


# Rules for everyone but admins (who see every row; see ``visible``).
_RULES: dict[type, Callable[[Scope], ColumnElement[bool]]] = {
    Organization: lambda s: _in(
        Organization.id, (s.employer_ids or frozenset()) | (s.university_ids or frozenset())
    ),
    Partnership: _partnership_rule,
    AppUser: lambda s: AppUser.organization_id == s.organization_id,
    AuditEvent: _audit_rule,
    Department: lambda s: _in(Department.employer_id, s.employer_ids),
    Employee: lambda s: _in(Employee.employer_id, s.employer_ids),
    Enrollment: lambda s: Enrollment.employee_id.in_(_employees(s)),
    SkillAssessment: lambda s: SkillAssessment.employee_id.in_(_employees(s)),
    SeatReservation: lambda s: SeatReservation.employee_id.in_(_employees(s)),
    Pdp: lambda s: Pdp.employee_id.in_(_employees(s)),
    PdpGoal: lambda s: PdpGoal.pdp_id.in_(select(Pdp.id).where(Pdp.employee_id.in_(_employees(s)))),
    OutcomeSurvey: lambda s: OutcomeSurvey.employee_id.in_(_employees(s)),
    Credential: _credential_rule,
    LearningOutcome: lambda s: LearningOutcome.credential_id.in_(_credentials(s)),
    CredentialSkill: lambda s: CredentialSkill.credential_id.in_(_credentials(s)),
    CredentialPartner: lambda s: CredentialPartner.credential_id.in_(_credentials(s)),
    Cohort: lambda s: Cohort.credential_id.in_(_credentials(s)),
    Pathway: lambda s: _in(Pathway.university_id, s.university_ids),
    PathwayStep: lambda s: PathwayStep.credential_id.in_(_credentials(s)),
    ChangeProposal: lambda s: ChangeProposal.credential_id.in_(_design_credentials(s)),
    ProposalComment: lambda s: ProposalComment.proposal_id.in_(
        select(ChangeProposal.id).where(ChangeProposal.credential_id.in_(_design_credentials(s)))
    ),
    ProposalDecision: lambda s: ProposalDecision.proposal_id.in_(
        select(ChangeProposal.id).where(ChangeProposal.credential_id.in_(_design_credentials(s)))
    ),
    Approval: lambda s: Approval.credential_id.in_(_design_credentials(s)),
    CredentialRevision: _revision_rule,
    CredentialReview: _quality_review_rule,
    # Summary tables: one employer's rows each.
    **{table: (lambda s, t=table: _in(t.employer_id, s.employer_ids)) for table in (
        EnrollmentMonthSummary, CompletionDaysSummary, LearnerQuarterSummary, SkillTargetSummary,
        SkillGapChangeSummary, SkillGainQuarterSummary, AssessmentLevelSummary, PdpGoalMonthSummary,
        OutcomeMonthSummary, SurveyedQuarterSummary, EmployeeMonthSummary, FirstCompletion)},
    Skill: _skill_rule,
    # A review meeting's actions: whoever sees the partnership (both sides of it; admins all).
    ReviewAction: lambda s: ReviewAction.partnership_id.in_(select(Partnership.id).where(_partnership_rule(s))),
    # Admins read the whole log; an HR manager the entries about their own employer's people.
    AccessLogEntry: lambda s: (AccessLogEntry.employer_id == s.organization_id) if _is_hr(s) else false(),
    AccessLogSubject: lambda s: AccessLogSubject.entry_id.in_(
        select(AccessLogEntry.id).where(AccessLogEntry.employer_id == s.organization_id)) if _is_hr(s) else false(),
}


def visible(scope: Scope, model: type) -> ColumnElement[bool]:
    """The WHERE clause limiting ``model`` to the rows ``scope`` may see."""
    try:
        rule = _RULES[model]
    except KeyError:
        raise AccessDenied(f"No access rule for {model.__name__}; add one to db/scope.py.") from None
    return true() if scope.sees_all else rule(scope)


def scoped(stmt: Select, scope: Scope, *models: type) -> Select:
    """Add the visibility rule of each model the statement reads from."""
    for model in models:
        stmt = stmt.where(visible(scope, model))
    return stmt
