"""The people step: each employer's departments and employees, with a management line (the earliest hires
head the departments, team leads under them, staff under the leads), emails, locations and leavers."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import accumulate

from db.models import Department, Employee
from seed.organisations import DEPARTMENTS, FIRST_NAMES, LAST_NAMES
from seed.rows import CHUNK, Writer, slug
from seed.run import SeedRun

_SLUGS = {name: slug(name) for name in FIRST_NAMES + LAST_NAMES}


def write_people(run: SeedRun, writer: Writer) -> None:
    run.department_track = [""]  # by department id
    run.employee_employer = []
    run.employee_department = []
    run.employee_manager = []
    run.employee_is_manager = []
    run.employee_hired = []
    run.employee_left = []
    for employer_index, employer in enumerate(run.employers):
        _Staffing(run, writer, employer_index, employer).write()
    writer.flush()


class _Staffing:
    """One employer's departments and the people hired into them, in order of hiring."""

    def __init__(self, run: SeedRun, writer: Writer, employer_index: int, employer: dict):
        self.run, self.writer = run, writer
        self.employer_index, self.employer = employer_index, employer
        self.departments = employer.get("departments") or DEPARTMENTS[employer["sector"]]  # generated: by size
        self.department_ids = []
        for name, _weight, track, *_ in self.departments:
            department_id = len(run.department_track)
            writer.rows(Department).append(dict(id=department_id, employer_id=employer["id"], name=name))
            run.department_track.append(track)
            self.department_ids.append(department_id)
        self.department_weights = list(accumulate(department[1] for department in self.departments))
        self.location_weights = list(accumulate([3.0] + [1.0] * (len(employer["locations"]) - 1)))
        self.head: list[int | None] = [None] * len(self.departments)
        self.leads: list[list[int]] = [[] for _ in self.departments]
        self.staff = [0] * len(self.departments)
        self.span = [run.random.randint(6, 12) for _ in self.departments]  # staff per team lead
        self.emails: dict[str, int] = {}
        self.reference = run.random.randint(100, 900)

    def write(self) -> None:
        random, today = self.run.random, self.run.today
        size = self.employer["n"]
        hires = sorted(today - timedelta(days=random.randint(7, 3650)) for _ in range(size))
        for j, hired in enumerate(hires):
            employee_id = len(self.run.employee_employer) + 1
            # The earliest hires head the departments; then people join by department size.
            if j < len(self.departments) and size >= 2 * len(self.departments):
                department = j
            else:
                department = random.choices(range(len(self.departments)), cum_weights=self.department_weights)[0]
            manager, is_manager, title = self._place(department, employee_id)
            self._write_employee(employee_id, department, manager, is_manager, title, hired)
            if len(self.writer.rows(Employee)) >= CHUNK:
                self.writer.flush()

    def _place(self, department: int, employee_id: int) -> tuple[int | None, bool, str]:
        """The new hire's manager, whether they manage people, and their job title."""
        random = self.run.random
        _name, _weight, _track, head_title, lead_title, titles = self.departments[department]
        leads = self.leads[department]
        if self.head[department] is None:
            self.head[department] = employee_id
            return None, True, head_title
        if self.staff[department] >= (len(leads) + 1) * self.span[department]:
            pool = leads[: max(8, len(leads) // 8)]
            manager = self.head[department] if len(leads) < 8 else random.choice(pool)
            leads.append(employee_id)
            return manager, True, lead_title
        manager = random.choice(leads) if leads else self.head[department]
        self.staff[department] += 1
        return manager, False, random.choice(titles)

    def _write_employee(self, employee_id: int, department: int, manager: int | None, is_manager: bool, title: str,
                        hired: date) -> None:
        random, run, employer = self.run.random, self.run, self.employer
        left = _leaving_day(run, hired, is_manager)
        first = random.choice(FIRST_NAMES)
        last = random.choice(LAST_NAMES)
        base = f"{_SLUGS[first]}.{_SLUGS[last]}"
        same_name = self.emails.get(base, 0) + 1
        self.emails[base] = same_name
        email = f"{base}{same_name if same_name > 1 else ''}@{employer['domain']}"
        self.reference += random.randint(1, 3)
        locations = employer["locations"]
        location = locations[random.choices(range(len(locations)), cum_weights=self.location_weights)[0]]
        self.writer.rows(Employee).append(dict(
            id=employee_id, employer_id=employer["id"], employee_ref=f"E{self.reference:06d}",
            full_name=f"{first} {last}", email=email, department_id=self.department_ids[department],
            job_title=title, location=location, manager_id=manager, hired_on=hired, left_on=left,
        ))
        run.employee_employer.append(self.employer_index)
        run.employee_department.append(self.department_ids[department])
        run.employee_manager.append(manager)
        run.employee_is_manager.append(is_manager)
        run.employee_hired.append(hired)
        run.employee_left.append(left)


def _leaving_day(run: SeedRun, hired: date, is_manager: bool) -> date | None:
    """About one in seven staff (never managers, nor the newest) have left, skewed towards recent leavers."""
    tenure = (run.today - hired).days
    if not is_manager and tenure > 120 and run.random.random() < 0.135:
        return run.today - timedelta(days=1 + int((tenure - 90) * run.random.random() ** 1.6))  # never today
    return None
