"""Access: everything held about one person, as sections of rows that ``document`` writes as JSON and HTML.

Held about a person: their profile (the Employee row), enrollments, skill assessments, PDPs and goals, seats
reserved for them in cohorts, outcome surveys, the badges the product issues them, the access-log entries about
them (who saw their records) and the audit trail of changes to their records (and to their seat reservations).
Nothing about anyone else: the manager link names another person, so the export says only whether one is
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, or_, select
from sqlmodel import Session

from db.models import (
    AuditEvent,
    Cohort,
    Credential,
    Department,
    Employee,
    Enrollment,
    EnrollmentStatus,
    FirstCompletion,
    Organization,
    OutcomeSurvey,
    Pdp,
    PdpGoal,
    SeatReservation,
    Skill,
    SkillAssessment,
    utcnow,
)
from db.scope import Scope, visible
from services import access_log
from services.badges import credential_uri
from services.people.finding import person


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: str  # the HTML heading
    columns: tuple[tuple[str, str, str], ...]  # (key, heading, services/formatting kind)
    rows: list[dict]


@dataclass(frozen=True)
class PersonData:
    employee_id: int
    exported_at: datetime
    exported_by: str
    profile: Section  # one row
    sections: list[Section] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {section.key: len(section.rows) for section in self.sections}


PROFILE = (("employee_ref", "HRIS id", "text"), ("full_name", "Name", "text"), ("email", "Email", "text"),
           ("employer", "Employer", "text"), ("department", "Department", "text"), ("job_title", "Job title", "text"),
           ("location", "Location", "text"), ("manager_recorded", "Manager recorded", "flag"),
           ("hired_on", "Hired on", "date"), ("left_on", "Left on", "date"),
           ("first_completed_on", "First credential completed on", "date"),
           ("pseudonymised_on", "Pseudonymised on", "date"))


def _profile(session: Session, employee: Employee) -> Section:
    employer = session.get(Organization, employee.employer_id)
    department = session.get(Department, employee.department_id) if employee.department_id else None
    first = session.get(FirstCompletion, employee.id)
    row = {"employee_ref": employee.employee_ref, "full_name": employee.full_name, "email": employee.email,
           "employer": employer.name, "department": department.name if department else None,
           "job_title": employee.job_title, "location": employee.location,
           "manager_recorded": employee.manager_id is not None, "hired_on": employee.hired_on,
           "left_on": employee.left_on, "first_completed_on": first.completed_on if first else None,
           "pseudonymised_on": employee.pseudonymised_on}
    return Section("profile", "Profile", PROFILE, [row])


def _credential(code: str | None, title: str | None) -> str | None:
    return None if code is None else f"{code} {title}"


def _enrollments(session: Session, scope: Scope, employee_id: int) -> Section:
    rows = session.execute(
        select(Enrollment, Credential.code, Credential.title, Cohort.code)
        .join(Credential, Credential.id == Enrollment.credential_id).join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.employee_id == employee_id, visible(scope, Enrollment))
        .order_by(Enrollment.enrolled_on, Enrollment.id)).all()
    columns = (("credential", "Credential", "text"), ("cohort", "Cohort", "text"), ("status", "Status", "state"),
               ("enrolled_on", "Enrolled", "date"), ("last_activity_on", "Last activity", "date"),
               ("completed_on", "Result on", "date"), ("withdrawn_on", "Withdrawn on", "date"),
               ("score", "Score", "mean"), ("cost", "Cost", "price"), ("sponsor", "Paid by", "state"))
    return Section("enrollments", "Enrollments", columns, [
        {"credential": _credential(code, title), "cohort": cohort, "status": e.status, "enrolled_on": e.enrolled_on,
         "last_activity_on": e.last_activity_on, "completed_on": e.completed_on, "withdrawn_on": e.withdrawn_on,
         "score": e.score, "cost": e.cost, "sponsor": e.sponsor}
        for e, code, title, cohort in rows])


def _assessments(session: Session, scope: Scope, employee_id: int) -> Section:
    rows = session.execute(
        select(SkillAssessment, Skill.name).join(Skill, Skill.id == SkillAssessment.skill_id)
        .where(SkillAssessment.employee_id == employee_id, visible(scope, SkillAssessment))
        .order_by(SkillAssessment.assessed_on, SkillAssessment.id)).all()
    columns = (("skill", "Skill", "text"), ("level", "Level (0-5)", "count"), ("assessed_on", "Assessed on", "date"),
               ("source", "Assessed by", "state"))
    return Section("assessments", "Skill assessments", columns, [
        {"skill": skill, "level": a.level, "assessed_on": a.assessed_on, "source": a.source} for a, skill in rows])


def _goals(session: Session, scope: Scope, employee_id: int) -> Section:
    rows = session.execute(
        select(Pdp.period, Pdp.status, PdpGoal, Skill.name, Credential.code, Credential.title)
        .select_from(Pdp).outerjoin(PdpGoal, PdpGoal.pdp_id == Pdp.id)
        .outerjoin(Skill, Skill.id == PdpGoal.skill_id).outerjoin(Credential, Credential.id == PdpGoal.credential_id)
        .where(Pdp.employee_id == employee_id, visible(scope, Pdp))
        .order_by(Pdp.period, PdpGoal.due_on, PdpGoal.id)).all()
    columns = (("period", "Plan", "text"), ("plan_status", "Plan status", "state"), ("title", "Goal", "text"),
               ("skill", "Skill", "text"), ("credential", "Credential", "text"),
               ("target_level", "Target level", "count"), ("due_on", "Due", "date"), ("status", "Status", "state"),
               ("updated_at", "Last changed", "datetime"))
    return Section("pdp_goals", "Development plans and goals", columns, [
        {"period": period, "plan_status": plan_status, "title": goal.title if goal else None, "skill": skill,
         "credential": _credential(code, title), "target_level": goal.target_level if goal else None,
         "due_on": goal.due_on if goal else None, "status": goal.status if goal else None,
         "updated_at": goal.updated_at if goal else None}
        for period, plan_status, goal, skill, code, title in rows])


def _reservations(session: Session, scope: Scope, employee_id: int) -> Section:
    rows = session.execute(
        select(SeatReservation, Cohort.code, Cohort.starts_on, Cohort.ends_on, Credential.code, Credential.title,
               PdpGoal.title)
        .join(Cohort, Cohort.id == SeatReservation.cohort_id).join(Credential, Credential.id == Cohort.credential_id)
        .outerjoin(PdpGoal, PdpGoal.id == SeatReservation.pdp_goal_id)
        .where(SeatReservation.employee_id == employee_id, visible(scope, SeatReservation))
        .order_by(Cohort.starts_on, SeatReservation.id)).all()
    columns = (("credential", "Credential", "text"), ("cohort", "Cohort", "text"), ("starts_on", "Starts", "date"),
               ("ends_on", "Ends", "date"), ("goal", "For the goal", "text"), ("reserved_by", "Reserved by", "text"),
               ("reserved_at", "Reserved at (UTC)", "datetime"))
    return Section("seat_reservations", "Seats reserved in cohorts", columns, [
        {"credential": _credential(code, title), "cohort": cohort, "starts_on": starts_on, "ends_on": ends_on,
         "goal": goal, "reserved_by": r.reserved_by, "reserved_at": r.reserved_at}
        for r, cohort, starts_on, ends_on, code, title, goal in rows])


def _surveys(session: Session, scope: Scope, employee_id: int) -> Section:
    rows = session.execute(
        select(OutcomeSurvey, Credential.code, Credential.title)
        .join(Enrollment, Enrollment.id == OutcomeSurvey.enrollment_id)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .where(OutcomeSurvey.employee_id == employee_id, visible(scope, OutcomeSurvey))
        .order_by(OutcomeSurvey.surveyed_on, OutcomeSurvey.id)).all()
    ratings = [(f"{measure}_{side}", f"{measure.title()} {side}", "count")
               for measure in ("performance", "satisfaction") for side in ("before", "after")]
    return Section("surveys", "Outcome surveys (ratings 1-5)",
                   (("credential", "Credential", "text"), ("surveyed_on", "Surveyed on", "date"), *ratings), [
        {"credential": _credential(code, title), "surveyed_on": s.surveyed_on,
         **{key: getattr(s, key) for key, _, _ in ratings}} for s, code, title in rows])


def _badges(session: Session, scope: Scope, employee: Employee) -> Section:
    """The Open Badges the product issues this person: one per completed enrollment, none once pseudonymised
    (services/people/__init__.py, "Badges")."""
    rows = [] if employee.pseudonymised_on else session.execute(
        select(Enrollment.id, Enrollment.completed_on, Credential.code, Credential.title)
        .join(Credential, Credential.id == Enrollment.credential_id)
        .where(Enrollment.employee_id == employee.id, Enrollment.status == EnrollmentStatus.completed,
               Enrollment.completed_on.is_not(None), visible(scope, Enrollment))
        .order_by(Enrollment.completed_on, Enrollment.id)).all()
    columns = (("badge_id", "Badge id", "text"), ("credential", "Credential", "text"),
               ("awarded_on", "Awarded on", "date"))
    return Section("badges", "Open Badges", columns, [
        {"badge_id": credential_uri(enrollment_id), "credential": _credential(code, title), "awarded_on": day}
        for enrollment_id, day, code, title in rows])


def _access(session: Session, scope: Scope, employee_id: int) -> Section:
    columns = (("occurred_at", "When (UTC)", "datetime"), ("actor_email", "Seen by", "text"),
               ("actor_role", "Role", "state"), ("view", "What", "text"), ("filters", "Selection", "text"),
               ("rows", "People shown", "count"))
    return Section("access_log", "Who saw these records", columns, [
        {"occurred_at": e.occurred_at, "actor_email": e.actor_email, "actor_role": e.actor_role, "view": e.view,
         "filters": e.filters, "rows": e.rows}
        for e in access_log.entries_about(session, scope, employee_id=employee_id)])


def about_person(employee_id: int, goal_ids):
    """The audit events about one person: changes to the Employee row and to their PDP goals."""
    return or_((AuditEvent.entity == "Employee") & (AuditEvent.entity_id == str(employee_id)),
               (AuditEvent.entity == "PdpGoal") & AuditEvent.entity_id.in_(goal_ids))


def goal_ids(employee_id: int):
    return select(cast(PdpGoal.id, String)).join(Pdp, Pdp.id == PdpGoal.pdp_id).where(Pdp.employee_id == employee_id)


def _changes(session: Session, scope: Scope, employee_id: int) -> Section:
    reservations = select(cast(SeatReservation.id, String)).where(SeatReservation.employee_id == employee_id)
    seats = (AuditEvent.entity == "SeatReservation") & AuditEvent.entity_id.in_(reservations)
    events = session.scalars(select(AuditEvent).where(or_(about_person(employee_id, goal_ids(employee_id)), seats),
                                                      visible(scope, AuditEvent))
                             .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    columns = (("occurred_at", "When (UTC)", "datetime"), ("actor_email", "By", "text"),
               ("action", "Change", "text"), ("before", "Before", "text"), ("after", "After", "text"))
    return Section("changes", "Changes to these records", columns, [
        {"occurred_at": e.occurred_at, "actor_email": e.actor_email, "action": e.action, "before": e.before,
         "after": e.after} for e in events])


def person_data(session: Session, scope: Scope, *, employee_id: int) -> PersonData:
    """Everything held about ``employee_id`` (AccessDenied unless ``scope`` answers their requests).
    Reading only: the caller records the download in the access log (``record_export``)."""
    employee = person(session, scope, employee_id=employee_id)
    return PersonData(employee_id=employee.id, exported_at=utcnow(), exported_by=scope.email,
                      profile=_profile(session, employee), sections=[
                          _enrollments(session, scope, employee.id), _assessments(session, scope, employee.id),
                          _goals(session, scope, employee.id), _reservations(session, scope, employee.id),
                          _surveys(session, scope, employee.id),
                          _badges(session, scope, employee), _access(session, scope, employee.id),
                          _changes(session, scope, employee.id)])


def record_export(session: Session, scope: Scope, *, employee_id: int, what: str) -> None:
    """Log the download of one person's data (``what``: "JSON file", "HTML file") and commit."""
    person(session, scope, employee_id=employee_id)
    access_log.record(session, scope, view="person export", filters=what, people=[employee_id])
    session.commit()
