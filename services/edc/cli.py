"""What ``manage.py badges export --format edc``, ``badges verify FILE.jsonld`` and ``organizations set`` do:
print, log the access, and return the exit code (manage.py only parses the arguments)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied, Scope, scope_for_user
from services import access_history, access_log
from services.badges import completed_enrollments
from services.edc.awarding_body import set_legal_identity
from services.edc.exporting import CERTIFICATE_FILE, export
from services.edc.settings import EdcError
from services.edc.verifying import verify_file
from services.filters import Filters
from services.identity import find_user
from services.periods import today


def verify(path: str, *, trusted: str | None) -> int:
    result = verify_file(path, trusted=trusted)
    for check in result.checks:
        print(f"  ok: {check}")
    for problem in result.problems:
        print(f"  FAILED: {problem}", file=sys.stderr)
    print(f"{'VALID' if result.ok else 'NOT VALID'} {path}", file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def export_files(session: Session, scope: Scope, filters: Filters, *, out: str | Path, check: str) -> int:
    try:
        written = export(session, scope, out, filters, check=check)
    except (EdcError, AccessDenied) as exc:
        print(f"Nothing exported: {exc}", file=sys.stderr)
        return 1
    # The credentials name their holders: an individual-level download, logged like the badges.
    people = [e.employee_id for e in completed_enrollments(session, scope, filters, today=today())]
    access_log.record(session, scope, view="EDC export (command line)",
                      filters=access_history.describe_view(session, filters, today=today()), people=people)
    session.commit()
    print(f"Wrote {len(written)} sealed European Digital Credentials (.jsonld) to {out} (conformance checked: "
          f"{check}); the seal's certificate: {CERTIFICATE_FILE}")
    return 0


def set_organization(session: Session, *, as_user: str | None, code: str, legal_identifier: str,
                     country: str) -> int:
    scope = Scope.system()
    if as_user:
        user = find_user(session, as_user)
        if user is None:
            print(f"No active user {as_user}.", file=sys.stderr)
            return 2
        scope = scope_for_user(session, user)
    try:
        organization = set_legal_identity(session, scope, code=code, legal_identifier=legal_identifier,
                                          country=country)
    except (EdcError, AccessDenied) as exc:
        print(f"Nothing changed: {exc}", file=sys.stderr)
        return 1
    print(f"{organization.name} ({organization.code}): legal identifier {organization.legal_identifier}, "
          f"country {organization.country}.")
    return 0


def export_command(args, scope_and_filters) -> int:
    """``manage.py badges export --format edc``; ``scope_and_filters(args, session)`` reads --as and the filters."""
    with Session(get_engine()) as session:
        scope, filters = scope_and_filters(args, session)
        return export_files(session, scope, filters, out=args.out, check=args.check)


def organizations_command(args) -> int:
    """``manage.py organizations set``."""
    with Session(get_engine(), expire_on_commit=False) as session:
        return set_organization(session, as_user=args.as_user, code=args.code,
                                legal_identifier=args.legal_identifier, country=args.country)


def run(args, scope_and_filters) -> int:
    """manage.py's entry: ``organizations set``, ``badges verify FILE.jsonld``, ``badges export --format edc``."""
    if args.command == "organizations":
        return organizations_command(args)
    if args.action == "verify":
        return verify(args.file, trusted=args.key)
    return export_command(args, scope_and_filters)
