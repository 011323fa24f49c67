"""The large seed's long tail of partners: above LONG_TAIL_ABOVE employees a large university works with about
a hundred employers, not eight. The eight named employers (seed/organisations.py) stay, with their codes,
names and demo users, and take half the people; the rest go to generated employers of long-tailed sizes
(a log-normal spread: a few of thousands, many of a few hundred, some under fifty, three under the
small-group rule), each with its partnership, departments and HR manager.

Everything here is drawn from a random stream of its own (seeded from the run's seed), so the main stream's
draws are the same as without it, and at or under the threshold nothing here runs: the demo scale's rows
are exactly those of the eight-employer seed.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from statistics import NormalDist

from db.models import AppUser, Organization, OrgKind, Partnership, Role
from seed.organisations import DEPARTMENTS, EMPLOYERS, FIRST_NAMES, LAST_NAMES
from seed.partner_names import NAME_ENDINGS, SECTOR_WEIGHTS, TOWNS, extra_departments
from seed.rows import Writer, allocate, money, slug

LONG_TAIL_ABOVE = 20_000  # employees: above this the seed spreads people over about a hundred employers
NAMED_SHARE = 0.5  # of the people, at the eight named employers
EMPLOYEES_PER_PARTNER = 2_500  # 100 employers at 250,000 employees, 250 at 625,000; never fewer than 100
MIN_PARTNERS = 100
MICRO_SIZES = (2, 3, 4)  # employers under the small-group rule (services/population.py): they count in no figure
FLOOR = 5  # every other generated employer has at least this many people
SPREAD = 1.5  # sigma of the log-normal sizes: the largest generated employer is about 40x the median
STATUSES = {"ended": 3, "paused": 8}  # generated partnerships not active; the rest are
LARGE_NAME_WORDS = ("Trust", "Council", "Authority", "Service", "Networks", "Port")  # names of large bodies
LARGE_NAMES_FROM = 150  # people: smaller employers are not named like them


def partner_count(employees: int) -> int:
    return max(MIN_PARTNERS, round(employees / EMPLOYEES_PER_PARTNER))


def plan_sizes(employees: int) -> tuple[list[int], list[int]]:
    """The people at each named employer (in EMPLOYERS' order) and at each generated one (largest first)."""
    named = allocate(round(employees * NAMED_SHARE), [employer["weight"] for employer in EMPLOYERS])
    tail = partner_count(employees) - len(EMPLOYERS) - len(MICRO_SIZES)
    pool = employees - sum(named) - sum(MICRO_SIZES) - FLOOR * tail
    normal = NormalDist()
    weights = [math.exp(SPREAD * normal.inv_cdf(1 - (k + 0.5) / tail)) for k in range(tail)]
    return named, [FLOOR + size for size in allocate(pool, weights)] + list(MICRO_SIZES)


def write_generated_employers(run, writer: Writer, sizes: list[int], latest_start: date) -> None:
    """The generated employers after the named ones: organisations, partnerships, and their specs in
    ``run.employers`` (with the departments their size warrants) for the people step."""
    draw = random.Random(f"{run.seed}:partners")
    today = run.today
    sizes = list(sizes)
    draw.shuffle(sizes)  # ids do not follow size
    statuses = [status for status, count in STATUSES.items() for _ in range(count)]
    statuses += ["active"] * (len(sizes) - len(statuses))
    draw.shuffle(statuses)
    earliest_start = today - timedelta(days=8 * 365)
    names, codes, domains = {employer["name"] for employer in EMPLOYERS}, {"NBU"} | {
        employer["code"] for employer in EMPLOYERS}, {employer["domain"] for employer in EMPLOYERS}
    sectors = list(SECTOR_WEIGHTS)
    for index, (size, status) in enumerate(zip(sizes, statuses, strict=True)):
        organisation_id = len(EMPLOYERS) + 2 + index
        sector, endings = _sector(draw, sectors, size)
        town, name = _name(draw, endings, names)
        code = _code(name, codes)
        domain = _domain(name, sector, domains)
        starts = earliest_start + timedelta(days=draw.randint(0, (latest_start - earliest_start).days))
        ends = run.quarter_starts[-2 - draw.randint(0, 2)] - timedelta(days=1) if status == "ended" else None
        writer.rows(Organization).append(dict(
            id=organisation_id, code=code, name=name, kind=OrgKind.employer.value, sector=sector, country="GB",
            legal_identifier=None, created_at=run.timestamp(starts - timedelta(days=draw.randint(20, 90)))))
        run.org_id[code] = organisation_id
        seats = max(5, round(size * 2.0 * draw.uniform(0.85, 1.1)))
        budget = max(5000, round(seats * 950 * draw.uniform(0.95, 1.2), -3))
        writer.rows(Partnership).append(dict(
            id=len(EMPLOYERS) + 1 + index, university_id=run.university_id, employer_id=organisation_id,
            starts_on=starts, ends_on=ends, status=status, annual_budget=money(budget), seats_committed=seats))
        run.employers.append(dict(
            code=code, name=name, sector=sector, domain=domain, status=status, ends_on=ends,
            assess=round(draw.uniform(0.25, 0.7), 2), locations=_locations(draw, town, size),
            departments=_departments(sector, size), id=organisation_id, n=size, partnership_start=starts,
            hr_name=f"{draw.choice(FIRST_NAMES)} {draw.choice(LAST_NAMES)}"))


def write_generated_users(run, writer: Writer, first_id: int) -> None:
    """One HR manager per generated employer (hr@ their domain), after the demo users."""
    for offset, employer in enumerate((employer for employer in run.employers if "hr_name" in employer)):
        writer.rows(AppUser).append(dict(
            id=first_id + offset, email=f"hr@{employer['domain']}", display_name=employer["hr_name"],
            role=Role.hr_manager.value, organization_id=employer["id"], is_active=True,
            created_at=run.timestamp(max(employer["partnership_start"], run.today - timedelta(days=700))),
            last_login_at=None))


def _sector(draw: random.Random, sectors: list[str], size: int) -> tuple[str, list[str]]:
    """A sector by its frequency, and the names that fit the size (no twelve-person council or trust)."""
    while True:
        sector = draw.choices(sectors, weights=list(SECTOR_WEIGHTS.values()))[0]
        endings = [ending for ending in NAME_ENDINGS[sector]
                   if size >= LARGE_NAMES_FROM or not any(word in ending for word in LARGE_NAME_WORDS)]
        if endings:
            return sector, endings


def _name(draw: random.Random, endings: list[str], taken: set[str]) -> tuple[str, str]:
    while True:
        town = draw.choice(TOWNS)
        name = f"{town} {draw.choice(endings)}"
        if name not in taken:
            taken.add(name)
            return town, name


def _code(name: str, taken: set[str]) -> str:
    """Three letters from the name's words (as the named employers' codes), a digit when those are taken."""
    letters = "".join(character for character in name.upper() if character.isalpha())
    words = [word for word in name.upper().replace("&", " ").split() if word[0].isalpha()]
    candidates = ["".join(word[0] for word in words)[:3].ljust(3, letters[-1])]
    candidates += [words[0][:2] + words[-1][0], words[0][0] + words[-1][:2], words[0][:3]]
    candidates += [f"{words[0][:2]}{digit}" for digit in range(2, 10)]
    candidates += [f"{words[0][0]}{number:02d}" for number in range(10, 100)]
    code = next(candidate for candidate in candidates if candidate not in taken)
    taken.add(code)
    return code


def _domain(name: str, sector: str, taken: set[str]) -> str:
    ending = {"Public administration": "gov.uk", "Healthcare": "nhs.uk", "Education": "ac.uk",
              "Charity and housing": "org.uk"}.get(sector, "co.uk")
    base = slug(name.replace(" & ", "-").replace(" ", "-")).strip("-")
    domain, number = f"{base}.{ending}", 1
    while domain in taken:
        number += 1
        domain = f"{base}{number}.{ending}"
    taken.add(domain)
    return domain


def _locations(draw: random.Random, town: str, size: int) -> list[str]:
    """Head office in the employer's town; larger employers have more sites in nearby towns."""
    others = draw.sample([other for other in TOWNS if other != town], 3)
    return [f"{town} Head Office"] + others[: min(3, size // 400)]


def _departments(sector: str, size: int) -> list[tuple]:
    """The sector's largest departments, as many as the size warrants (one for a handful of people)."""
    template = DEPARTMENTS.get(sector) or extra_departments(sector)
    count = min(len(template), max(1, math.ceil(math.sqrt(size) / 2.2)))
    keep = sorted(sorted(range(len(template)), key=lambda i: (-template[i][1], i))[:count])
    return [template[i] for i in keep]
