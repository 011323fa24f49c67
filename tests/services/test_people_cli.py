"""manage.py person export / erase and retention apply: files, confirmations, clear errors and exit codes."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

import manage
from db.models import AccessLogEntry, Employee
from tests.services.people_helpers import ANN, dump, found, make_ann_identifiable
from tests.world import build_world


@pytest.fixture
def ann(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("AS_OF_DATE", "2026-06-30")
    world = build_world(session)
    return world, make_ann_identifiable(session, world)


def test_person_export_writes_json_and_html_and_is_logged(session, ann, tmp_path, capsys):
    _, ann_id = ann
    out = tmp_path / "requests" / "ann.json"
    assert manage.main(["person", "export", "--employer", "acme", "--ref", ANN["employee_ref"], "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.strip() == (f"Wrote {out} and {out.with_suffix('.html')}. Enrollments: 1, Assessments: 1, "
                               "PDP goals: 2, Seat reservations: 0, Surveys: 1, Badges: 1, Access log: 1, Changes: 1.")
    document = json.loads(out.read_text())
    assert document["profile"]["full_name"] == ANN["full_name"]
    assert ANN["full_name"] in out.with_suffix(".html").read_text()
    entry = session.scalars(select(AccessLogEntry).where(AccessLogEntry.view == "person export")).one()
    assert (entry.actor_email, entry.filters, entry.rows) == ("system", "JSON and HTML files", 1)


@pytest.mark.parametrize(("employer", "ref", "message"), [
    ("NOPE", "1", "No employer with code or name 'NOPE'. Nothing was exported or changed."),
    ("ACME", "HR-NOBODY", "Acme has nobody with HRIS id 'HR-NOBODY'. Nothing was exported or changed."),
])
@pytest.mark.parametrize("action", ["export", "erase"])
def test_a_bad_employer_or_ref_is_a_clear_error(session, ann, tmp_path, capsys, employer, ref, message, action):
    before = dump(session)
    argv = ["person", action, "--employer", employer, "--ref", ref, "--yes", "--out", str(tmp_path / "x.json")]
    assert manage.main(argv) == 2
    assert capsys.readouterr().err.strip() == message
    assert dump(session) == before and not list(tmp_path.iterdir())


def test_person_erase_asks_and_a_refused_confirmation_changes_nothing(session, ann, monkeypatch, capsys):
    before = dump(session)
    for answer in ("no", "HR-ANN-77", ""):
        monkeypatch.setattr("sys.stdin", io.StringIO(answer + "\n"))
        assert manage.main(["person", "erase", "--employer", "ACME", "--ref", ANN["employee_ref"]]) == 1
        captured = capsys.readouterr()
        assert "Type their HRIS id to confirm" in captured.out
        assert "Type the person's HRIS id exactly to confirm. Nothing was changed." in captured.err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: no confirmation
    assert manage.main(["person", "erase", "--employer", "ACME", "--ref", ANN["employee_ref"]]) == 1
    assert dump(session) == before

    monkeypatch.setattr("sys.stdin", io.StringIO(ANN["employee_ref"] + "\n"))
    assert manage.main(["person", "erase", "--employer", "ACME", "--ref", ANN["employee_ref"]]) == 0
    assert "Erased: now Erased person " in capsys.readouterr().out
    assert found(dump(session)) == []


def test_person_erase_with_yes_does_not_ask(session, ann, monkeypatch, capsys):
    _, ann_id = ann
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked for a confirmation"))
    assert manage.main(["person", "erase", "--employer", "Acme", "--ref", ANN["employee_ref"], "--yes"]) == 0
    printed = capsys.readouterr().out
    assert "rewritten: goal titles 2, audit entries 1, access-log entries 1." in printed
    session.expire_all()
    assert session.get(Employee, ann_id).pseudonymised_on is not None
    assert found(dump(session)) == []
    # Once erased, the old HRIS id names nobody.
    assert manage.main(["person", "export", "--employer", "ACME", "--ref", ANN["employee_ref"], "--out", "x"]) == 2


def test_retention_apply_dry_run_changes_nothing_then_apply(session, ann, monkeypatch, capsys):
    world, _ = ann
    monkeypatch.setenv("RETENTION_MONTHS", "11")
    before = dump(session)
    assert manage.main(["retention", "apply", "--dry-run"]) == 0
    assert capsys.readouterr().out.strip() == ("Dry run, nothing changed: 1 person who left before 30 Jul 2025 "
                                               "(11 months ago) would be pseudonymised.")
    assert dump(session) == before
    assert manage.main(["retention", "apply"]) == 0
    assert capsys.readouterr().out.strip() == "Pseudonymised 1 person who left before 30 Jul 2025 (11 months ago)."
    session.expire_all()
    assert session.get(Employee, world.id("a3")).pseudonymised_on is not None
    assert manage.main(["retention", "apply"]) == 0
    assert capsys.readouterr().out.startswith("Pseudonymised 0 people")


def test_retention_with_a_bad_setting_is_refused(session, ann, monkeypatch, capsys):
    monkeypatch.setenv("RETENTION_MONTHS", "two years")
    before = dump(session)
    assert manage.main(["retention", "apply"]) == 2
    assert capsys.readouterr().err.strip() == ("RETENTION_MONTHS must be a whole number of months, at least 1 "
                                               "(it is 'two years'). Nothing was changed.")
    assert dump(session) == before
