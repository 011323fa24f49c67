"""How co-design values read to people: a field's value, a list of names, a count."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pycountry

from services.formatting import label


def country_name(code: str) -> str:
    """"IE" → "Ireland (IE)", "ES-CT" → "Catalunya, Spain (ES-CT)"; an unknown code as it is."""
    code = str(code).upper()
    if len(code) == 2 and (country := pycountry.countries.get(alpha_2=code)):
        return f"{getattr(country, 'common_name', country.name)} ({code})"
    region = pycountry.subdivisions.get(code=code)
    if region is not None:
        country = pycountry.countries.get(alpha_2=region.country_code)
        return f"{region.name}, {getattr(country, 'common_name', country.name)} ({code})"
    return code


def show(name: str, value: Any) -> str:
    """One field's value (snapshot form) as text; "—" when empty."""
    if value is None or value == "":
        return "—"
    if name == "delivery_mode":
        return str(value).replace("_", " ")
    if name in ("qualification_cycle", "assessment_supervision", "stackability"):
        return label(value)
    if name == "issuer_country":
        return country_name(value)
    if name == "price":
        return f"£{Decimal(str(value)):,.2f}"
    return str(value)


def and_list(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return "" if not names else names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
