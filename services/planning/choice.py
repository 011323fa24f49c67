"""What the Plan page hands from a recommendation to the actions on it (PDP goals, seats)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanChoice:
    """A chosen credential for chosen people of one employer, against their gaps in some skills.

    ``targets`` holds (employee_id, skill_id, target_level) for each person and gap skill the credential
    raises: the level the goal aims at (their gap's target, capped at the level the credential teaches).
    """

    employer_id: int
    credential_id: int
    targets: tuple[tuple[int, int, int], ...]

    @property
    def employee_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(employee_id for employee_id, _, _ in self.targets))
