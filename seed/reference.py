"""The first steps: the organisations and partnerships, the catalogue (skills, credentials with their outcomes,
skills and partners, pathways) and the cohorts each credential ran per quarter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from db.models import (
    Cohort,
    Credential,
    CredentialPartner,
    CredentialSkill,
    CredentialStatus,
    LearningOutcome,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    Pathway,
    PathwayStep,
    Skill,
)
from seed.catalogue import CREDENTIALS, PATHWAYS, SECTOR_AFFINITY, SKILLS, esco_uri, european_elements
from seed.organisations import EMPLOYERS, UNIVERSITY
from seed.partners import plan_sizes, write_generated_employers
from seed.rows import Writer, allocate, money
from seed.run import ENROLLMENTS_PER_EMPLOYEE, QUARTERS, SeedRun
from services.codesign.rules import EUROPEAN_DEFAULTS


def write_organisations(run: SeedRun, writer: Writer) -> None:
    random, today, timestamp = run.random, run.today, run.timestamp
    organisations = writer.rows(Organization)
    run.university_id = 1
    organisations.append(dict(
        id=1, code=UNIVERSITY["code"], name=UNIVERSITY["name"], kind=OrgKind.university.value,
        sector=UNIVERSITY["sector"], country=UNIVERSITY["country"], legal_identifier=UNIVERSITY["legal_identifier"],
        created_at=timestamp(today - timedelta(days=2200))))
    run.org_id = {UNIVERSITY["code"]: 1}
    run.employers = []
    if run.long_tail:  # a hundred partners: the named eight take half the people (seed/partners.py)
        sizes, generated = plan_sizes(run.employee_count)
    else:
        sizes, generated = allocate(run.employee_count, [employer["weight"] for employer in EMPLOYERS]), []
    # Partnerships began two to four years ago, and before the first cohort in the data.
    latest_start = min(run.quarter_starts[0] - timedelta(days=30), today - timedelta(days=731))
    earliest_start = today - timedelta(days=4 * 365)
    partnerships = writer.rows(Partnership)
    for i, (spec, size) in enumerate(zip(EMPLOYERS, sizes, strict=True)):
        organisation_id = i + 2
        starts = earliest_start + timedelta(days=random.randint(0, (latest_start - earliest_start).days))
        organisations.append(dict(
            id=organisation_id, code=spec["code"], name=spec["name"], kind=OrgKind.employer.value,
            sector=spec["sector"], country="GB", legal_identifier=None,
            created_at=timestamp(starts - timedelta(days=random.randint(20, 90)))))
        run.org_id[spec["code"]] = organisation_id
        # Budget and seats in proportion to size: about two enrollments per person a year.
        seats = max(5, round(size * 2.0 * random.uniform(0.85, 1.1)))
        budget = max(5000, round(seats * 950 * random.uniform(0.95, 1.2), -3))
        partnerships.append(dict(
            id=i + 1, university_id=1, employer_id=organisation_id, starts_on=starts, ends_on=None,
            status=PartnershipStatus(spec["status"]).value, annual_budget=money(budget), seats_committed=seats))
        run.employers.append(dict(spec, id=organisation_id, n=size, partnership_start=starts))
    if generated:  # from a random stream of their own, after the named employers' draws
        write_generated_employers(run, writer, generated, latest_start)


def write_curriculum(run: SeedRun, writer: Writer) -> None:
    _write_skills(run, writer)
    run.credentials = []
    run.credential_by_code = {}
    outcome_ids = iter(range(1, 1_000_000))
    for credential_id, spec in enumerate(CREDENTIALS, start=1):
        credential = _write_credential(run, writer, credential_id, spec, outcome_ids)
        run.credentials.append(credential)
        run.credential_by_code[spec["code"]] = credential
    _write_pathways(run, writer)
    run.credentials_for_skill = {}
    for credential in run.credentials:
        if credential["status"] == CredentialStatus.published:
            for skill_id, _ in credential["skills"]:
                run.credentials_for_skill.setdefault(skill_id, []).append(credential["id"])


def _write_skills(run: SeedRun, writer: Writer) -> None:
    run.skill_id = {}
    run.skills_by_category = {}
    for skill_id, (name, category) in enumerate(SKILLS, start=1):
        writer.rows(Skill).append(dict(id=skill_id, name=name, category=category, esco_uri=esco_uri(name)))
        run.skill_id[name] = skill_id
        run.skills_by_category.setdefault(category, []).append(skill_id)


def _credential_days(run: SeedRun, spec: dict, status: CredentialStatus) -> tuple:
    """The days a credential was created and last updated (before its first cohort when it ran)."""
    random, today, quarters = run.random, run.today, run.quarter_starts
    if spec["first_q"] is not None:
        created = quarters[spec["first_q"]] - timedelta(days=random.randint(90, 200))
        updated = min(today, quarters[spec["first_q"]] - timedelta(days=random.randint(10, 40)))
        if status == CredentialStatus.retired:
            updated = min(today, quarters[spec["last_q"]] + timedelta(days=random.randint(100, 120)))
    else:
        created = today - timedelta(days=random.randint(40, 240))
        updated = min(today, created + timedelta(days=random.randint(5, 35)))
    return created, updated


def _write_credential(run: SeedRun, writer: Writer, credential_id: int, spec: dict, outcome_ids) -> dict:
    """Write one credential with its outcomes, skills and partners; return what later steps need of it."""
    status = CredentialStatus(spec["status"])
    created, updated = _credential_days(run, spec, status)
    ects = Decimal(spec["ects"])
    spec = {**spec, **european_elements(spec)}
    writer.rows(Credential).append(dict(
        id=credential_id, university_id=run.university_id, code=spec["code"], title=spec["title"],
        summary=spec["summary"], eqf_level=spec["eqf"], ects_credits=ects,
        learning_hours=int(ects * 25), delivery_mode=spec["mode"], price=money(spec["price"]),
        status=status.value, version=spec["version"], created_at=run.timestamp(created),
        updated_at=run.timestamp(updated), **{name: spec[name] for name in EUROPEAN_DEFAULTS},
    ))
    for position, outcome in enumerate(spec["outcomes"], start=1):
        writer.rows(LearningOutcome).append(dict(
            id=next(outcome_ids), credential_id=credential_id, position=position, text=outcome))
    skills = []
    for name, proficiency in spec["skills"]:
        skill_id = run.skill_id[name]
        writer.rows(CredentialSkill).append(dict(credential_id=credential_id, skill_id=skill_id,
                                                 proficiency=proficiency))
        skills.append((skill_id, proficiency))
    partner_ids = []
    for code in spec["partners"]:
        employer = next(employer for employer in run.employers if employer["code"] == code)
        joined = min(run.today, max(employer["partnership_start"], created)
                     + timedelta(days=run.random.randint(0, 30)))
        writer.rows(CredentialPartner).append(dict(credential_id=credential_id, employer_id=employer["id"],
                                                   joined_on=joined))
        partner_ids.append(employer["id"])
    price = money(spec["price"])
    weeks = min(16, max(6, round(float(ects) * 1.4) + 4))
    return dict(
        spec, id=credential_id, skills=skills, partner_ids=sorted(partner_ids), weeks=weeks, created_on=created,
        updated_on=updated,
        costs=(price, money(price * Decimal("0.85")), money(price * Decimal("0.90"))),
    )


def _write_pathways(run: SeedRun, writer: Writer) -> None:
    run.prerequisite = {}
    step_id = 0
    for pathway_id, spec in enumerate(PATHWAYS, start=1):
        writer.rows(Pathway).append(dict(id=pathway_id, university_id=run.university_id, code=spec["code"],
                                         title=spec["title"], summary=spec["summary"]))
        previous = None
        for position, code in enumerate(spec["steps"], start=1):
            step_id += 1
            credential_id = run.credential_by_code[code]["id"]
            writer.rows(PathwayStep).append(dict(id=step_id, pathway_id=pathway_id, credential_id=credential_id,
                                                 position=position))
            if previous is not None:
                run.prerequisite[credential_id] = previous
            previous = credential_id


def write_cohorts(run: SeedRun, writer: Writer) -> None:
    """Sections of each running credential per quarter, sized to the expected demand."""
    growth = [1.0 + 0.07 * i for i in range(QUARTERS)]
    running = [credential for credential in run.credentials if credential["first_q"] is not None]
    pull = _pull(run, running)
    total_pull = sum(pull[credential["id"]] * growth[quarter] for credential in running
                     for quarter in range(credential["first_q"], credential["last_q"] + 1))
    expected_total = ENROLLMENTS_PER_EMPLOYEE * run.employee_count
    run.sections = {}
    run.cohort_seats = [0]
    cohort_ids = iter(range(1, 1_000_000))
    for credential in running:
        for quarter in range(credential["first_q"], credential["last_q"] + 1):
            expected = expected_total * pull[credential["id"]] * growth[quarter] / total_pull
            open_sections = _write_quarter_cohorts(run, writer, credential, quarter, max(1, round(expected / 30)),
                                                   cohort_ids)
            if open_sections:
                run.sections[(credential["id"], quarter)] = open_sections
    run.cohort_enrollments = [0] * len(run.cohort_seats)


def _pull(run: SeedRun, running: list[dict]) -> dict[int, float]:
    """Each running credential's draw: its popularity weighted by how each employer's sector takes to it."""
    employers = run.employers if run.long_tail else EMPLOYERS  # the eight named ones: their weights, as before
    shares = [employer["n"] if run.long_tail else employer["weight"] for employer in employers]
    return {credential["id"]: credential["pop"] * sum(
        share * SECTOR_AFFINITY.get(employer["sector"], {}).get(credential["code"], 1.0)
        for share, employer in zip(shares, employers, strict=True)) for credential in running}


def _write_quarter_cohorts(run: SeedRun, writer: Writer, credential: dict, quarter: int, section_count: int,
                           cohort_ids) -> list[tuple]:
    """One quarter's cohorts of a credential; return those still open for enrollment by today."""
    random, today = run.random, run.today
    first_day = run.quarter_starts[quarter]
    label = f"{first_day.year}Q{(first_day.month - 1) // 3 + 1}"
    open_sections = []
    for k in range(section_count):
        start = first_day + timedelta(days=random.randint(3, 9) + 7 * (k % 8))
        start += timedelta(days=(7 - start.weekday()) % 7)  # cohorts start on a Monday
        weeks = min(16, max(6, credential["weeks"] + random.choice((-1, 0, 0, 1))))
        end = start + timedelta(days=7 * weeks - 3)  # ... and end on a Friday
        seats = random.choice((20, 24, 25, 30, 30, 35, 40))
        cohort_id = next(cohort_ids)
        writer.rows(Cohort).append(dict(id=cohort_id, credential_id=credential["id"], code=f"{label}-{k + 1:02d}",
                                        starts_on=start, ends_on=end, seats=seats))
        run.cohort_seats.append(seats)
        # Enrollment opens three weeks before the start; nothing is dated after today.
        lead_min = max(3, (start - today).days)
        if lead_min <= 21:
            middle = start + timedelta(days=(end - start).days // 2)
            open_sections.append((cohort_id, start, end, middle, lead_min))
    return open_sections
