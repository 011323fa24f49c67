"""One person's data as files: JSON (every value as stored, dates ISO 8601, states in words) and a readable
HTML page (the product's formatter for dates, figures and states; every value escaped)."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from decimal import Decimal

from services.formatting import fmt, label
from services.people.export import PersonData, Section

INTRO = ("Everything this service holds about one person: their profile, enrollments, skill assessments, "
         "development plans, outcome surveys, the badges issued to them, who saw their records and the "
         "changes made to them.")


def _json_value(value, kind: str):
    if value is None:
        return None
    if kind == "state":
        return label(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _json_rows(section: Section) -> list[dict]:
    return [{key: _json_value(row[key], kind) for key, _, kind in section.columns} for row in section.rows]


def as_json(data: PersonData) -> bytes:
    document = {"exported_at": data.exported_at.isoformat(), "exported_by": data.exported_by,
                "profile": _json_rows(data.profile)[0],
                **{section.key: _json_rows(section) for section in data.sections}}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _cell(value, kind: str) -> str:
    return html.escape(fmt(value, kind))


def _table(section: Section) -> str:
    if not section.rows:
        return f"<h2>{html.escape(section.title)}</h2>\n<p>None.</p>"
    head = "".join(f"<th>{html.escape(heading)}</th>" for _, heading, _ in section.columns)
    body = "\n".join("<tr>" + "".join(f"<td>{_cell(row[key], kind)}</td>" for key, _, kind in section.columns)
                     + "</tr>" for row in section.rows)
    return (f"<h2>{html.escape(section.title)} ({len(section.rows)})</h2>\n"
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>")


def _profile(section: Section) -> str:
    row = section.rows[0]
    items = "\n".join(f"<tr><th>{html.escape(heading)}</th><td>{_cell(row[key], kind)}</td></tr>"
                      for key, heading, kind in section.columns)
    return f"<h2>{html.escape(section.title)}</h2>\n<table class=\"profile\">\n{items}\n</table>"


STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem;color:#1a1a1a}"
         "table{border-collapse:collapse;margin-bottom:1.5rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;"
         "text-align:left;vertical-align:top}thead th,.profile th{background:#f2f2f2}")


def as_html(data: PersonData) -> bytes:
    name = data.profile.rows[0]["full_name"]
    parts = [f"<h1>Personal data: {html.escape(name)}</h1>",
             f"<p>{html.escape(INTRO)}</p>",
             f"<p>Exported on {html.escape(fmt(data.exported_at, 'datetime'))} UTC by "
             f"{html.escape(data.exported_by)}.</p>",
             _profile(data.profile), *(_table(section) for section in data.sections)]
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Personal data: {html.escape(name)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
    return page.encode("utf-8")


def file_stem(data: PersonData) -> str:
    """A safe file name for the downloads: personal-data-<employer>-<HRIS id>."""
    row = data.profile.rows[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"personal-data-{row['employer']}-{row['employee_ref']}")
