"""The European elements of a micro-credential in the studio (Council Recommendation of 16 June 2022, Annex I):
their inputs in the details form, and the checklist of every element with what it reads.

The rule (which elements are mandatory, when one is missing) is services/codesign/completeness.py; submitting
and publishing apply it (services/codesign/workflow.py). The checklist says the same thing before the click,
and a refused click says it again where the user pressed (Studio.act).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from db.models import AssessmentSupervision, Credential, QualificationCycle, Stackability
from services import codesign
from services.codesign.text import country_name
from services.formatting import label
from ui.safe import md

SECTION = "European standard (Council Recommendation, Annex I)"
COUNTRY_HELP = ("The ISO 3166 code of the issuer's country, or of its region where that is what issues it: "
                "IE for Ireland, FR for France, ES-CT for Catalonia, DE-BY for Bavaria.")
# An optional choice: None is "not set", said as it means for each element.
_UNSET = {"qualification_cycle": "Not applicable", "assessment_supervision": "Not stated",
          "stackability": "Not stated"}
_KINDS = {"qualification_cycle": QualificationCycle, "assessment_supervision": AssessmentSupervision,
          "stackability": Stackability}
CHOICE_FIELDS = tuple(_KINDS)


def choices(name: str) -> list[str | None]:
    """The options of an optional choice (``None`` first: not set)."""
    return [None, *(kind.value for kind in _KINDS[name])]


def choice_text(name: str):
    return lambda value: _UNSET[name] if value is None else label(value)


def _select(column, name: str, value: str | None, editable: bool, **kwargs) -> str | None:
    options = choices(name)
    return column.selectbox(codesign.FIELDS[name], options, index=options.index(value) if value in options else 0,
                            format_func=choice_text(name), disabled=not editable, **kwargs)


def _text(name: str, value: str | None, editable: bool, *, mandatory: bool = False, **kwargs) -> str:
    return st.text_area(codesign.FIELDS[name] + (" *" if mandatory else ""), value=value or "",
                        max_chars=codesign.MAX_ELEMENT_TEXT, disabled=not editable, height=80, **kwargs)


def inputs(cred: Credential, editable: bool) -> dict[str, Any]:
    """The details form's second section: every element the first section does not hold. Returns the values."""
    st.markdown(f"**{SECTION}**")
    st.caption("What every micro-credential states, so that learners and employers anywhere in Europe can read it. "
               "Starred elements are mandatory: it cannot be submitted for review or published without them.")
    country_column, cycle_column = st.columns(2)
    country = country_column.text_input(codesign.FIELDS["issuer_country"] + " *", value=cred.issuer_country or "",
                                        max_chars=6, placeholder="IE", help=COUNTRY_HELP, disabled=not editable)
    if cred.issuer_country:
        country_column.caption(md(country_name(cred.issuer_country)))
    values = {"issuer_country": country,
              "qualification_cycle": _select(cycle_column, "qualification_cycle", cred.qualification_cycle, editable,
                                             help="QF-EHEA: the cycle of higher education it belongs to, if any.")}
    values["assessment_type"] = _text("assessment_type", cred.assessment_type, editable, mandatory=True,
                                      placeholder="A written exam and a workplace project",
                                      help="How learners are assessed.")
    values["quality_assurance"] = _text("quality_assurance", cred.quality_assurance, editable, mandatory=True,
                                        help="The quality assurance of the credential's design and "
                                             "delivery: internal, external, by which body.")
    values["prerequisites"] = _text("prerequisites", cred.prerequisites, editable)
    supervision_column, stack_column = st.columns(2)
    values["assessment_supervision"] = _select(supervision_column, "assessment_supervision",
                                               cred.assessment_supervision, editable)
    values["stackability"] = _select(stack_column, "stackability", cred.stackability, editable)
    values["stacks_towards"] = st.text_input(codesign.FIELDS["stacks_towards"], value=cred.stacks_towards or "",
                                             max_chars=codesign.MAX_ELEMENT_TEXT, disabled=not editable,
                                             help="For a stackable credential: the larger credential it counts "
                                                  "towards.")
    values["further_information"] = _text("further_information", cred.further_information, editable)
    return values


def readiness(content: dict, status: str) -> tuple[bool, str]:
    """(ready, the line that says it) for the credential's next step."""
    if status == "draft":
        needed = codesign.still_needed(content)
        return (True, "Ready for review.") if not needed else (False, f"Missing: {', '.join(needed)}.")
    lacking = codesign.missing(content)
    if lacking:
        publishing = " It cannot be published until they are set." if status in ("in_review", "approved") else ""
        return False, f"Missing: {', '.join(lacking)}.{publishing}"
    return True, "Every mandatory element is set."


def readiness_line(content: dict, status: str) -> None:
    """The line, in words with an icon (not an alert box: those say what an action did). Emoji, not Material
    icons: inline in Markdown those are drawn from their names, which a screen reader reads out."""
    ready, line = readiness(content, status)
    st.markdown(("✅ " if ready else "⚠️ ") + f"**{md(line)}**")


def _element_line(element: codesign.Element) -> str:
    if element.met:
        state = "✅ **Set**"
    else:
        state = "❌ **Missing**" if element.mandatory else "➖ Not given"
    kind = "mandatory" if element.mandatory else "optional"
    return f"- {state} · {md(element.name)} ({kind}): {md(element.shown)}"


def checklist(content: dict, status: str, awarding_body: str) -> None:
    """Every Annex I element, mandatory first: set or missing (icon and word), and what it reads."""
    st.markdown(f"**{SECTION}**")
    readiness_line(content, status)
    elements = codesign.checklist(content, awarding_body=awarding_body)
    st.markdown("\n".join(_element_line(element) for element in elements))
