#!/usr/bin/env python
"""The one command line for headless work: `python manage.py --help`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date

from db.engine import database_url, get_engine


def cmd_db(args: argparse.Namespace) -> int:
    from db import migrate

    if args.action == "upgrade":
        migrate.upgrade(revision=args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(revision=args.revision or "-1")
    elif args.action == "current":
        migrate.current()
    elif args.action == "revision":
        if not args.message:
            print("db revision needs -m MESSAGE", file=sys.stderr)
            return 2
        migrate.revision(args.message)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from seed.demo import is_empty, seed_database

    engine = get_engine()
    if args.if_empty and not is_empty(engine):
        print("Database already has data; not seeding (use --reset to replace it).")
        return 0
    if not args.reset and not is_empty(engine):
        print("Database already has data. Use --reset to replace it, or --if-empty.", file=sys.stderr)
        return 1
    started = time.perf_counter()
    counts = seed_database(engine, employees=args.employees, seed=args.seed, reset=args.reset)
    seconds = time.perf_counter() - started
    print(f"Seeded {database_url()} in {seconds:.1f} s (seed {args.seed}):")
    for table, n in counts.items():
        print(f"  {table:<20} {n:>10,}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from db.models import AppUser, Organization

    with Session(get_engine()) as session:
        rows = session.exec(
            select(AppUser, Organization)
            .join(Organization, Organization.id == AppUser.organization_id)
            .order_by(AppUser.role, AppUser.email)
        ).all()
    if args.json:
        print(json.dumps([
            {"email": u.email, "name": u.display_name, "role": u.role, "organization": o.name,
             "active": u.is_active}
            for u, o in rows
        ], indent=2))
        return 0
    print(f"{'email':<40} {'role':<20} organization")
    for u, o in rows:
        flag = "" if u.is_active else "  (deactivated)"
        print(f"{u.email:<40} {u.role:<20} {o.name}{flag}")
    return 0


def cmd_idp(args: argparse.Namespace) -> int:
    from devtools.idp import serve

    return serve(host=args.host, port=args.port)


def cmd_secrets(args: argparse.Namespace) -> int:
    from devtools.idp import write_local_secrets

    path, written = write_local_secrets(
        app_url=args.app_url, idp_url=args.idp_url, force=args.force
    )
    print(f"{'Wrote' if written else 'Kept existing'} {path}")
    return 0


def _scope_and_filters(args: argparse.Namespace, session):
    """The scope (everything, or --as a user's) and the filters given on the command line."""
    from sqlalchemy import func, or_, select

    from db.models import Organization
    from db.scope import Scope
    from services.identity import find_user
    from services.metrics import Filters
    from services.periods import Period, parse_quarter

    if getattr(args, "as_user", None):
        from db.scope import scope_for_user

        user = find_user(session, args.as_user)
        if user is None:
            raise SystemExit(f"No active user {args.as_user}.")
        scope = scope_for_user(session, user)
    else:
        scope = Scope.system()
    if args.quarter and (args.date_from or args.date_to):
        raise SystemExit("Give either --quarter or --from/--to, not both.")
    if args.quarter:
        period = parse_quarter(args.quarter)
    elif args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise SystemExit("--from and --to go together.")
        period = Period(date.fromisoformat(args.date_from), date.fromisoformat(args.date_to),
                        f"{args.date_from} to {args.date_to}")
    else:
        period = None
    employer_ids = None
    if args.employer:
        key = args.employer.strip().lower()
        rows = session.execute(select(Organization.id).where(
            Organization.kind == "employer",
            or_(func.lower(Organization.code) == key, func.lower(Organization.name) == key),
        )).scalars().all()
        if not rows:
            raise SystemExit(f"No employer with code or name '{args.employer}'.")
        employer_ids = frozenset(rows)
    return scope, Filters(period=period, employer_ids=employer_ids)


def cmd_metrics(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from services.metrics import figures
    from services.periods import today

    with Session(get_engine()) as session:
        scope, filters = _scope_and_filters(args, session)
        doc = figures(session, scope, filters, today=today())
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
        return 0
    print(f"Period: {doc['period']['label'] or 'to date'} ({doc['period']['start']} to {doc['period']['end']})")
    for key in ("headcount", "enrollments", "completed", "failed", "withdrawn", "active", "learners"):
        print(f"  {key:<26} {doc[key]:>12,}")
    for key in ("completion_rate", "withdrawal_rate", "participation_rate"):
        print(f"  {key:<26} {'' if doc[key] is None else f'{doc[key]:.1%}':>12}")
    for key in ("median_days_to_complete", "p80_days_to_complete", "cost_per_completion", "spend"):
        print(f"  {key:<26} {'' if doc[key] is None else f'{doc[key]:,.1f}':>12}")
    print(f"  by_credential: {len(doc['by_credential'])} rows, by_department: {len(doc['by_department'])} rows "
          "(use --json for all)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlmodel import Session

    from services.periods import last_complete_quarter, today
    from services.review import build_pack
    from services.review_export import write_pack

    if args.date_from or args.date_to:
        raise SystemExit("The review pack covers a quarter: use --quarter.")
    day = today()
    with Session(get_engine()) as session:
        if not args.quarter:
            args.quarter = last_complete_quarter(day).label
        scope, filters = _scope_and_filters(args, session)
        pack = build_pack(session, scope, quarter=filters.period, employer_ids=filters.employer_ids, today=day)
    for path in write_pack(pack, Path(args.out)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("db", help="database migrations (Alembic)")
    p.add_argument("action", choices=["upgrade", "downgrade", "current", "revision"])
    p.add_argument("--revision", help="target revision (default: head / -1)")
    p.add_argument("-m", "--message", help="message for a new autogenerated revision")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("seed", help="write deterministic demo or benchmark data")
    p.add_argument("--employees", type=int, default=2000, help="number of employees (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--reset", action="store_true", help="delete existing data first")
    p.add_argument("--if-empty", action="store_true", help="seed only when the database is empty")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("metrics", help="the dashboard's figures for a scope and period")
    p.add_argument("--employer", help="employer code or name (default: every employer)")
    p.add_argument("--quarter", help="a quarter like 2025Q3")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
    p.add_argument("--as", dest="as_user", help="compute as this user's scope (email); default: everything")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("report", help="write the quarterly review pack (PDF, Excel, PNG charts)")
    p.add_argument("--quarter", help="a quarter like 2025Q3 (default: the last complete quarter)")
    p.add_argument("--employer", help="employer code or name (default: all partners)")
    p.add_argument("--as", dest="as_user", help="build as this user's scope (email); default: everything")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_report, date_from=None, date_to=None)

    p = sub.add_parser("users", help="list the app users (the demo identities)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("idp", help="run the DEVELOPMENT OpenID Connect provider on loopback")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9400)
    p.set_defaults(func=cmd_idp)

    p = sub.add_parser("secrets", help="write .streamlit/secrets.toml for the local provider")
    p.add_argument("--app-url", default="http://localhost:8501")
    p.add_argument("--idp-url", default="http://127.0.0.1:9400")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_secrets)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
