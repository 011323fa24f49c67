"""How co-design values read to people: a field's value, a list of names, a count."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any


def show(name: str, value: Any) -> str:
    """One field's value (snapshot form) as text; "—" when empty."""
    if value is None or value == "":
        return "—"
    if name == "delivery_mode":
        return str(value).replace("_", " ")
    if name == "price":
        return f"£{Decimal(str(value)):,.2f}"
    return str(value)


def and_list(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return "" if not names else names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
