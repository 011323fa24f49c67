"""A small hand-built world whose every row has a label, so access and metric
tests can state their expectations by hand, independently of the code under test.

The world is built once per database (per test session) and its rows are kept; a later
``build_world`` on an empty database writes the same rows back in one insert per table
(with the same ids, and timestamps moved to now), which is what building it again gives
at a fraction of the time (hundreds of tests start from this world, on each backend).

    Uni One (U) ── partners ── Acme (A), Beta (B)
    Uni Two (U2) ─ partners ── Gamma (C)

Skills: s1, s2 in the shared vocabulary; s3 proposed by Acme (awaiting), s4 proposed by Beta (rejected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, literal, select, text, union_all
from sqlmodel import Session

from db import summaries
from db.models import (
    Approval,
    AppUser,
    AuditEvent,
    ChangeProposal,
    Cohort,
    Credential,
    CredentialPartner,
    CredentialRevision,
    CredentialSkill,
    Department,
    Employee,
    Enrollment,
    LearningOutcome,
    Organization,
    OutcomeSurvey,
    Partnership,
    Pathway,
    PathwayStep,
    Pdp,
    PdpGoal,
    ProposalComment,
    Skill,
    SkillAssessment,
    metadata,
    utcnow,
)
from db.scope import scope_for_user

TODAY = date(2026, 6, 30)


@dataclass
class World:
    ids: dict[str, tuple[type, object]] = field(default_factory=dict)

    def add(self, session: Session, label: str, row):
        session.add(row)
        session.flush()
        key = row.id if hasattr(row, "id") else None
        if key is None:  # composite primary keys
            key = tuple(getattr(row, c.name) for c in type(row).__table__.primary_key.columns)
        self.ids[label] = (type(row), key)
        return row

    def id(self, label: str):
        return self.ids[label][1]

    def labels(self, model: type) -> set[str]:
        return {lbl for lbl, (m, _) in self.ids.items() if m is model}

    def label_of(self, model: type, key) -> str:
        for lbl, (m, k) in self.ids.items():
            if m is model and k == key:
                return lbl
        raise KeyError((model, key))

    def scope(self, session: Session, user_label: str):
        return scope_for_user(session, session.get(AppUser, self.id(user_label)))


@dataclass
class _Snapshot:
    world: World
    rows: dict[str, list[dict]]
    taken_at: datetime


# Per database URL: the rows the first build wrote.
_SNAPSHOTS: dict[str, _Snapshot] = {}


def build_world(session: Session) -> World:
    """The world in ``session``'s database (committed). On an empty database whose world was built before
    in this test session, the rows are written back instead of built again; otherwise it is built."""
    key = session.get_bind().engine.url.render_as_string(hide_password=False)
    empty = _is_empty(session)
    snapshot = _SNAPSHOTS.get(key) if empty else None
    if snapshot is not None:
        return _restore(session, snapshot)
    started = utcnow()
    world = _build(session)
    if empty:
        _SNAPSHOTS[key] = _Snapshot(World(dict(world.ids)), _read_rows(session), started)
    return world


def _is_empty(session: Session) -> bool:
    counts = union_all(*(select(func.count().label("rows"), literal(t.name).label("name")).select_from(t)
                         for t in metadata.sorted_tables))
    return all(count == 0 for count, _ in session.execute(counts))


def _read_rows(session: Session) -> dict[str, list[dict]]:
    return {table.name: [dict(row._mapping) for row in session.execute(select(table))]
            for table in metadata.sorted_tables}


def _restore(session: Session, snapshot: _Snapshot) -> World:
    """Write the snapshot's rows back, every timestamp moved by the time since the first build (so rows look
    made now, as a fresh build's would), and move PostgreSQL's id sequences past the written ids."""
    shift = utcnow() - snapshot.taken_at
    for table in metadata.sorted_tables:
        rows = [{name: value + shift if isinstance(value, datetime) else value for name, value in row.items()}
                for row in snapshot.rows[table.name]]
        if rows:
            session.execute(insert(table), rows)
    if session.get_bind().dialect.name == "postgresql":
        _move_sequences(session)
    session.commit()
    return World(dict(snapshot.world.ids))


def _move_sequences(session: Session) -> None:
    for table in metadata.sorted_tables:
        primary_key = list(table.primary_key.columns)
        if len(primary_key) != 1 or primary_key[0].name != "id":
            continue
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE((SELECT max(id) FROM \"{table.name}\"), 1), "
            f"(SELECT max(id) FROM \"{table.name}\") IS NOT NULL)"
        ), {"t": table.name})


def _build(session: Session) -> World:
    w = World()
    add = lambda label, row: w.add(session, label, row)  # noqa: E731

    U = add("U", Organization(code="U1", name="Uni One", kind="university"))
    U2 = add("U2", Organization(code="U2", name="Uni Two", kind="university"))
    A = add("A", Organization(code="ACME", name="Acme", kind="employer", sector="Banking"))
    B = add("B", Organization(code="BETA", name="Beta", kind="employer", sector="Health"))
    C = add("C", Organization(code="GAMMA", name="Gamma", kind="employer", sector="Retail"))

    add("U-A", Partnership(university_id=U.id, employer_id=A.id, starts_on=date(2024, 1, 1),
                           annual_budget=Decimal("50000"), seats_committed=40))
    add("U-B", Partnership(university_id=U.id, employer_id=B.id, starts_on=date(2024, 1, 1),
                           annual_budget=Decimal("20000"), seats_committed=10))
    add("U2-C", Partnership(university_id=U2.id, employer_id=C.id, starts_on=date(2025, 1, 1)))

    for label, email, role, org in [
        ("admin@u", "admin@uni-one.test", "admin", U),
        ("officer@u", "officer@uni-one.test", "partnership_officer", U),
        ("officer@u2", "officer@uni-two.test", "partnership_officer", U2),
        ("hr@a", "hr@acme.test", "hr_manager", A),
        ("hr@b", "hr@beta.test", "hr_manager", B),
        ("viewer@a", "viewer@acme.test", "viewer", A),
        ("viewer@u", "viewer@uni-one.test", "viewer", U),
    ]:
        add(label, AppUser(email=email, display_name=label, role=role, organization_id=org.id))
    add("gone@a", AppUser(email="gone@acme.test", display_name="Gone", role="hr_manager",
                          organization_id=A.id, is_active=False))

    ops = add("A-Ops", Department(employer_id=A.id, name="Operations"))
    it = add("A-IT", Department(employer_id=A.id, name="IT"))
    sales = add("B-Sales", Department(employer_id=B.id, name="Sales"))
    lab = add("C-Lab", Department(employer_id=C.id, name="Lab"))

    a1 = add("a1", Employee(employer_id=A.id, employee_ref="1", full_name="Ann One", department_id=ops.id,
                            hired_on=date(2020, 1, 1)))
    a2 = add("a2", Employee(employer_id=A.id, employee_ref="2", full_name="Al Two", department_id=it.id,
                            hired_on=date(2021, 1, 1), manager_id=a1.id))
    a3 = add("a3", Employee(employer_id=A.id, employee_ref="3", full_name="Ada Three", department_id=ops.id,
                            hired_on=date(2019, 1, 1), left_on=date(2025, 6, 30)))
    b1 = add("b1", Employee(employer_id=B.id, employee_ref="1", full_name="Bea One", department_id=sales.id,
                            hired_on=date(2022, 3, 1)))
    b2 = add("b2", Employee(employer_id=B.id, employee_ref="2", full_name="Bo Two", department_id=sales.id,
                            hired_on=date(2026, 7, 1)))  # starts tomorrow: not in today's headcount
    c1 = add("c1", Employee(employer_id=C.id, employee_ref="1", full_name="Cy One", department_id=lab.id,
                            hired_on=date(2023, 1, 1)))
    # Former staff, who left long before any period the tests read: every department has 5 people on
    # record (MIN_GROUP), so each is a department cell of its own and every employer counts in figures
    # (services/population.py); small departments are tested in tests/ui/test_counts_differencing.py.
    # They left so long ago that the retention rule has pseudonymised them (services/people/retention.py).
    for department, existing in ((ops, 2), (it, 1), (sales, 2), (lab, 1)):
        for n in range(5 - existing):
            add(f"former-{department.name}-{n}", Employee(
                employer_id=department.employer_id, employee_ref=f"F-{department.name}-{n}",
                full_name=f"Erased person F-{department.name}-{n}", department_id=department.id,
                hired_on=date(2000, 1, 1), left_on=date(2000, 12, 31), pseudonymised_on=date(2003, 1, 1)))

    s1 = add("s1", Skill(name="analyse big data", category="digital"))
    s2 = add("s2", Skill(name="lead a team", category="management"))
    # Skills employers proposed: Acme's awaits the university's decision, Beta's was not accepted.
    add("s3", Skill(name="model credit risk", category="finance", status="proposed", proposed_by_id=A.id,
                    proposer_email="hr@acme.test"))
    add("s4", Skill(name="write cover letters", status="rejected", proposed_by_id=B.id, proposer_email="hr@beta.test",
                    decided_by="officer@uni-one.test"))

    def cred(label, univ, code, status):
        return add(label, Credential(university_id=univ.id, code=code, title=f"Credential {code}",
                                     eqf_level=5, ects_credits=Decimal("5"), learning_hours=125,
                                     price=Decimal("1000"), status=status))

    k1 = cred("K1", U, "K1", "published")
    k2 = cred("K2", U, "K2", "draft")
    k3 = cred("K3", U, "K3", "draft")
    k4 = cred("K4", U, "K4", "retired")
    cred("K5", U, "K5", "in_review")
    k6 = cred("K6", U2, "K6", "published")

    for label, k in [("LO-K1", k1), ("LO-K2", k2), ("LO-K3", k3), ("LO-K6", k6)]:
        add(label, LearningOutcome(credential_id=k.id, position=1, text=f"Outcome of {k.code}"))
    add("CS-K1", CredentialSkill(credential_id=k1.id, skill_id=s1.id, proficiency=3))
    add("CS-K3", CredentialSkill(credential_id=k3.id, skill_id=s2.id, proficiency=2))
    add("CS-K6", CredentialSkill(credential_id=k6.id, skill_id=s2.id, proficiency=4))
    add("CP-K1-A", CredentialPartner(credential_id=k1.id, employer_id=A.id))
    add("CP-K2-A", CredentialPartner(credential_id=k2.id, employer_id=A.id))
    add("CP-K3-B", CredentialPartner(credential_id=k3.id, employer_id=B.id))
    add("CP-K6-C", CredentialPartner(credential_id=k6.id, employer_id=C.id))

    p1 = add("P1", Pathway(university_id=U.id, code="P1", title="Data path"))
    p2 = add("P2", Pathway(university_id=U2.id, code="P2", title="Lead path"))
    add("P1-1", PathwayStep(pathway_id=p1.id, credential_id=k1.id, position=1))
    add("P1-2", PathwayStep(pathway_id=p1.id, credential_id=k4.id, position=2))
    add("P2-1", PathwayStep(pathway_id=p2.id, credential_id=k6.id, position=1))

    c_k1 = add("C-K1", Cohort(credential_id=k1.id, code="K1-26Q1", starts_on=date(2026, 1, 10),
                              ends_on=date(2026, 4, 30), seats=20))
    c_k4 = add("C-K4", Cohort(credential_id=k4.id, code="K4-25Q1", starts_on=date(2025, 1, 10),
                              ends_on=date(2025, 4, 30), seats=20))
    c_k6 = add("C-K6", Cohort(credential_id=k6.id, code="K6-26Q1", starts_on=date(2026, 1, 10),
                              ends_on=date(2026, 4, 30), seats=20))

    def enr(label, emp, k, cohort, status, enrolled_on, completed_on=None, withdrawn_on=None, cost="1000"):
        return add(label, Enrollment(employee_id=emp.id, credential_id=k.id, cohort_id=cohort.id,
                                     enrolled_on=enrolled_on, status=status, completed_on=completed_on,
                                     withdrawn_on=withdrawn_on, cost=Decimal(cost)))

    e_a1 = enr("E-a1-K1", a1, k1, c_k1, "completed", date(2026, 1, 2), completed_on=date(2026, 4, 20))
    enr("E-a2-K1", a2, k1, c_k1, "in_progress", date(2026, 1, 3))
    enr("E-a3-K4", a3, k4, c_k4, "withdrawn", date(2025, 1, 2), withdrawn_on=date(2025, 2, 1))
    e_b1 = enr("E-b1-K1", b1, k1, c_k1, "completed", date(2026, 1, 4), completed_on=date(2026, 4, 25))
    enr("E-b2-K1", b2, k1, c_k1, "enrolled", date(2026, 1, 5))
    e_c1 = enr("E-c1-K6", c1, k6, c_k6, "completed", date(2026, 1, 6), completed_on=date(2026, 4, 28))

    for label, emp, skill in [("SA-a1", a1, s1), ("SA-b1", b1, s1), ("SA-c1", c1, s2)]:
        add(label, SkillAssessment(employee_id=emp.id, skill_id=skill.id, level=2, assessed_on=date(2026, 1, 1)))

    for label, emp in [("PDP-a1", a1), ("PDP-b1", b1), ("PDP-c1", c1)]:
        pdp = add(label, Pdp(employee_id=emp.id, period="2026"))
        add(f"G-{label}", PdpGoal(pdp_id=pdp.id, title="Grow", skill_id=s1.id, target_level=4,
                                  due_on=date(2026, 12, 31)))

    for label, emp, e in [("OS-a1", a1, e_a1), ("OS-b1", b1, e_b1), ("OS-c1", c1, e_c1)]:
        add(label, OutcomeSurvey(employee_id=emp.id, enrollment_id=e.id, surveyed_on=date(2026, 6, 1),
                                 performance_before=3, performance_after=4,
                                 satisfaction_before=3, satisfaction_after=3))

    # Co-design record: Acme proposes a change to draft K2 and the university comments;
    # published K1 was signed off by both sides and has a saved revision.
    prop = add("PR-K2", ChangeProposal(credential_id=k2.id, proposer_email="hr@acme.test", organization_id=A.id,
                                       field="title", new_value='"Credential K2 for banks"',
                                       rationale="Name the sector", base_version=1))
    add("PC-K2", ProposalComment(proposal_id=prop.id, author_email="officer@uni-one.test", organization_id=U.id,
                                 text="Fine by us"))
    add("AP-K1-U", Approval(credential_id=k1.id, version=1, organization_id=U.id,
                            approver_email="officer@uni-one.test"))
    add("AP-K1-A", Approval(credential_id=k1.id, version=1, organization_id=A.id, approver_email="hr@acme.test"))
    add("RV-K1", CredentialRevision(credential_id=k1.id, version=1, saved_by="officer@uni-one.test",
                                    snapshot='{"code": "K1", "title": "Credential K1"}', summary="first version"))

    for label, org in [("AE-U", U), ("AE-A", A), ("AE-B", B), ("AE-C", C)]:
        add(label, AuditEvent(actor_email="seed", action="test", entity="Organization",
                              entity_id=str(org.id), organization_id=org.id))
    summaries.refresh(session)
    session.commit()
    return w
