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


def cmd_summaries(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from db import summaries
    from db.engine import bump_data_version

    started = time.perf_counter()
    with Session(get_engine()) as session:
        summaries.refresh(session)
        bump_data_version(session)
        session.commit()
    print(f"Rebuilt the summary tables in {time.perf_counter() - started:.1f} s.")
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
    for table, count in counts.items():
        print(f"  {table:<20} {count:>10,}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from db.models import AppUser, Organization

    if args.release:
        from services.identity import release_identity

        with Session(get_engine()) as session:
            if not release_identity(session, email=args.release):
                print(f"No account {args.release}.", file=sys.stderr)
                return 1
        print(f"Released {args.release}: the next identity signing in with this verified email claims it.")
        return 0
    with Session(get_engine()) as session:
        rows = session.exec(
            select(AppUser, Organization)
            .join(Organization, Organization.id == AppUser.organization_id)
            .order_by(AppUser.role, AppUser.email)
        ).all()
    if args.json:
        print(json.dumps([
            {"email": user.email, "name": user.display_name, "role": user.role, "organization": organisation.name,
             "active": user.is_active}
            for user, organisation in rows
        ], indent=2))
        return 0
    print(f"{'email':<40} {'role':<20} organization")
    for user, organisation in rows:
        flag = "" if user.is_active else "  (deactivated)"
        print(f"{user.email:<40} {user.role:<20} {organisation.name}{flag}")
    return 0


def cmd_idp(args: argparse.Namespace) -> int:
    from devtools.idp import serve
    from seed.demo import DEMO_USERS

    identities = [(user["email"], user["display_name"]) for user in DEMO_USERS]
    return serve(host=args.host, port=args.port, identities=identities)


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
    from services.filters import Filters
    from services.identity import find_user
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


def _cmd_edc(args: argparse.Namespace) -> int:
    from services.edc import cli  # European Digital Credentials: export, verify, an organisation's legal identity

    return cli.run(args, _scope_and_filters)


def cmd_badges(args: argparse.Namespace) -> int:
    from services import badges

    if (args.action == "export" and args.format == "edc" and args.out) or (
            args.action == "verify" and (args.file or "").endswith(".jsonld")):
        return _cmd_edc(args)
    if args.action == "rotate-key":
        try:
            active, retired = badges.rotate_key(args.alg)
        except badges.BadgeError as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
        print(f"New active {badges.key_alg(active)} key {badges.key_id(active)} in {badges.key_store_path()}; "
              f"{len(retired)} retired (still in the JWKS). Export again and publish jwks.json at {badges.jwks_url()}")
        return 0
    if args.action == "verify":
        if not args.file:
            print("badges verify needs FILE (a .jwt or .json badge)", file=sys.stderr)
            return 2
        try:
            key = badges.load_public_keys(args.key) if args.key else None
            result = badges.verify_file(args.file, key=key)
        except badges.BadgeError as exc:
            print(f"FAILED {args.file}: {exc}", file=sys.stderr)
            return 1
        for check in result.checks:
            print(f"  ok: {check}")
        if not result.ok:
            for problem in result.problems:
                print(f"  FAILED: {problem}", file=sys.stderr)
            print(f"NOT VALID {args.file}", file=sys.stderr)
            return 1
        print(f"VALID {args.file}")
        return 0

    from sqlmodel import Session

    if not args.out:
        print("badges export needs --out DIR", file=sys.stderr)
        return 2
    from services import access_history, access_log
    from services.periods import today

    with Session(get_engine()) as session:
        scope, filters = _scope_and_filters(args, session)
        written = badges.export(session, scope, args.out, filters)
        # Badges name their holders: a file written here is an individual-level download like the page's zip.
        people = [e.employee_id for e in badges.completed_enrollments(session, scope, filters, today=today())]
        access_log.record(session, scope, view="badge export (command line)",
                          filters=access_history.describe_view(session, filters, today=today()), people=people)
        session.commit()
    print(f"Wrote {len(written)} Open Badges 3.0 credentials (.json + signed .jwt) to {args.out}; "
          f"public keys: {badges.JWKS_FILE} (serve it at {badges.jwks_url()}); key store: {badges.key_store_path()}")
    return 0


def _person_from_args(session, args, *, erase: bool = False):
    """The person --employer/--ref name (operator's scope: everyone); (employee, None) or (None, exit code)."""
    from db.scope import Scope
    from services import people

    try:
        return people.person_by_ref(session, Scope.system(), employer_code=args.employer, employee_ref=args.ref,
                                    erase=erase), None
    except people.PersonNotFound as exc:
        print(f"{exc} Nothing was exported or changed.", file=sys.stderr)
        return None, 2


def cmd_person(args: argparse.Namespace) -> int:
    """export: JSON at --out and the readable HTML beside it. erase: asks for the HRIS id again unless --yes."""
    from pathlib import Path

    from sqlmodel import Session

    from db.scope import Scope
    from services import people
    from services.formatting import label
    from services.periods import today

    if args.action == "export" and not args.out:
        print("person export needs --out FILE", file=sys.stderr)
        return 2
    with Session(get_engine(), expire_on_commit=False) as session:
        employee, failed = _person_from_args(session, args, erase=args.action == "erase")
        if employee is None:
            return failed
        if args.action == "export":
            data = people.person_data(session, Scope.system(), employee_id=employee.id)
            json_path = Path(args.out).with_suffix(".json")
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_bytes(people.as_json(data))
            json_path.with_suffix(".html").write_bytes(people.as_html(data))
            people.record_export(session, Scope.system(), employee_id=employee.id, what="JSON and HTML files")
            counts = ", ".join(f"{label(key)}: {n}" for key, n in data.counts().items())
            print(f"Wrote {json_path} and {json_path.with_suffix('.html')}. {counts}.")
            return 0
        typed = employee.employee_ref if args.yes else _ask(f"Erase {employee.full_name} for good? "
                                                            "Type their HRIS id to confirm: ")
        try:
            erased = people.erase(session, Scope.system(), employee_id=employee.id, confirm_ref=typed, today=today())
        except people.EraseRefused as exc:
            print(str(exc), file=sys.stderr)
            return 1
    print(f"Erased: now {erased.pseudonym} ({erased.pseudonym_ref}); rewritten: goal titles {erased.goals}, "
          f"audit entries {erased.audit_events}, access-log entries {erased.access_entries}. "
          "Their records stay, under the pseudonym, in past figures.")
    if erased.app_account_kept:
        print("An app user has this person's email: remove or rename that account on the Users page.")
    return 0


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:  # no terminal (cron, a pipe): no confirmation
        return ""


def cmd_retention(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from db.scope import Scope
    from services import people
    from services.formatting import fmt
    from services.periods import today

    try:
        with Session(get_engine()) as session:
            run = people.apply_retention(session, Scope.system(), today=today(), dry_run=args.dry_run)
    except people.RetentionSettingError as exc:
        print(f"{exc} Nothing was changed.", file=sys.stderr)
        return 2
    who = (f"{run.due} {'person' if run.due == 1 else 'people'} who left before {fmt(run.cutoff, 'date')} "
           f"({run.months} month{'' if run.months == 1 else 's'} ago)")
    print(f"Dry run, nothing changed: {who} would be pseudonymised." if run.dry_run else f"Pseudonymised {who}.")
    return 0


def _organisation_id(session, key: str, kind: str) -> int:
    from sqlalchemy import func, or_, select

    from db.models import Organization

    rows = session.execute(select(Organization.id).where(
        Organization.kind == kind,
        or_(func.lower(Organization.code) == key.strip().lower(), func.lower(Organization.name) == key.strip().lower()),
    )).scalars().all()
    if len(rows) != 1:
        raise SystemExit(f"No {kind} with code or name '{key}'.")
    return rows[0]


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0 and a summary when the file is valid (and written unless --dry-run); 1 and every problem otherwise."""
    from pathlib import Path

    from sqlmodel import Session

    from db.scope import AccessDenied, Scope, scope_for_user
    from services import imports
    from services.identity import find_user

    mapping: dict[str, str | None] = {}
    for item in args.map or []:
        source, sep, target = item.rpartition("=")
        if not sep or not source:
            print(f"--map takes SOURCE=TARGET (an empty TARGET ignores the column), not '{item}'.", file=sys.stderr)
            return 2
        mapping[source] = target or None
    path = Path(args.file)
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return 2
    with Session(get_engine(), expire_on_commit=False) as session:
        if args.as_user:
            user = find_user(session, args.as_user)
            if user is None:
                print(f"No active user {args.as_user}.", file=sys.stderr)
                return 2
            scope = scope_for_user(session, user)
        else:
            scope = Scope.system()
        employer_id = _organisation_id(session, args.employer, "employer") if args.employer else None
        university_id = _organisation_id(session, args.university, "university") if args.university else None
        try:
            plan = imports.import_file(session, scope, args.kind, path, employer_id=employer_id,
                                       university_id=university_id, mapping=mapping, dry_run=args.dry_run)
        except (imports.ImportFailed, AccessDenied) as exc:
            print(f"{path.name}: {exc} Nothing was written.", file=sys.stderr)
            return 1
    for warning in plan.warnings:
        print(f"warning: {warning}")
    if not plan.ok:
        print(f"{path.name}: {plan.summary()}")
        for error in plan.errors:
            print(f"  {error}")
        return 1
    rate = plan.rows / plan.seconds if plan.seconds else 0
    prefix = "Dry run, nothing written: " if args.dry_run else ""
    print(f"{prefix}{args.kind} from {path.name} into {plan.target_name}: {plan.summary()} "
          f"({plan.seconds:.1f} s, {rate:,.0f} rows/s)")
    return 0


def cmd_oulad(args: argparse.Namespace) -> int:
    from services import oulad

    paths = oulad.convert(args.source, args.out)
    print(f"Wrote {', '.join(str(p) for p in paths.values())}. Import them in this order:")
    for kind in oulad.ORDER:
        org = "--university CODE" if kind == "credentials" else "--employer CODE"
        print(f"  python manage.py import {kind} {paths[kind]} {org} {' '.join(oulad.map_options(kind))}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pathlib import Path

    from devtools import bench

    options = bench.Options(
        employees=args.employees, small_employees=args.small_employees, runs=args.runs, skip_large=args.skip_large,
        load_seconds=args.load_seconds, load_sessions=args.load_sessions, load_think_s=args.load_think,
        load_browsers=args.load_browsers, load_processes=args.load_processes, third_employees=args.third_employees,
        database_dir=Path(args.database_dir), skip_pages=args.skip_pages, skip_import=args.skip_import,
    )
    report = bench.run(options)
    print(bench.to_json(report) if args.json else bench.format_report(report))
    written = bench.write_report_file(report)
    bench.log(f"the full report is in {written.relative_to(bench.ROOT)}")
    return 0


def _data_commands(commands) -> None:
    """The database: migrations, summaries, seed; an organisation's legal identity."""
    command = commands.add_parser("db", help="database migrations (Alembic)")
    command.add_argument("action", choices=["upgrade", "downgrade", "current", "revision"])
    command.add_argument("--revision", help="target revision (default: head / -1)")
    command.add_argument("-m", "--message", help="message for a new autogenerated revision")
    command.set_defaults(func=cmd_db)

    command = commands.add_parser("summaries", help="rebuild the dashboards' summary tables from the raw rows")
    command.set_defaults(func=cmd_summaries)

    command = commands.add_parser("seed", help="write deterministic demo or benchmark data")
    command.add_argument("--employees", type=int, default=2000, help="number of employees (default 2000)")
    command.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    command.add_argument("--reset", action="store_true", help="delete existing data first")
    command.add_argument("--if-empty", action="store_true", help="seed only when the database is empty")
    command.set_defaults(func=cmd_seed)

    command = commands.add_parser("organizations", help="set an organisation's legal identifier and country (EDC)")
    command.add_argument("action", choices=["set"])
    command.add_argument("--code", required=True, help="the organisation's code")
    command.add_argument("--legal-identifier", required=True, help='e.g. "UKPRN 10001234" or a VAT number')
    command.add_argument("--country", required=True, help="ISO 3166 alpha-2 code, e.g. IE")
    command.add_argument("--as", dest="as_user", help="as this admin (email); default: the operator (system)")
    command.set_defaults(func=_cmd_edc)


def _figure_commands(commands) -> None:
    """Figures and files: metrics, the review pack, badges."""
    command = commands.add_parser("metrics", help="the dashboard's figures for a scope and period")
    command.add_argument("--employer", help="employer code or name (default: every employer)")
    command.add_argument("--quarter", help="a quarter like 2025Q3")
    command.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
    command.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
    command.add_argument("--as", dest="as_user", help="compute as this user's scope (email); default: everything")
    command.add_argument("--json", action="store_true", help="print JSON")
    command.set_defaults(func=cmd_metrics)

    command = commands.add_parser("report", help="write the quarterly review pack (PDF, Excel, PNG charts)")
    command.add_argument("--quarter", help="a quarter like 2025Q3 (default: the last complete quarter)")
    command.add_argument("--employer", help="employer code or name (default: all partners)")
    command.add_argument("--as", dest="as_user", help="build as this user's scope (email); default: everything")
    command.add_argument("--out", required=True, help="output directory")
    command.set_defaults(func=cmd_report, date_from=None, date_to=None)

    command = commands.add_parser("badges", help="Open Badges 3.0 (or European Digital Credentials): export signed "
                                  "credentials of completions, verify one, or rotate the signing key")
    command.add_argument("action", choices=["export", "verify", "rotate-key"])
    command.add_argument("file", nargs="?", help="verify: a badge's .jwt or .json file, or a sealed EDC .jsonld")
    command.add_argument("--format", choices=["ob", "edc"], default="ob", help="export: ob = Open Badges, edc = EDC")
    command.add_argument("--check", choices=["first", "all", "none"], default="first", help="edc: SHACL-check")
    command.add_argument("--employer", help="export: employer code or name (default: every employer in scope)")
    command.add_argument("--as", dest="as_user", help="export as this user's scope (email); default: everything")
    command.add_argument("--out", help="export: output directory")
    command.add_argument("--key", help="verify: a JWKS or public JWK file (default: the deployment's key store); "
                         "for a .jsonld, a trusted certificate (PEM) or x5t#S256 (default: the seal's)")
    command.add_argument("--alg", choices=["RS256", "ES256"], help="rotate-key: the new key's algorithm "
                         "(default: BADGE_SIGNING_ALG, or RS256)")
    command.set_defaults(func=cmd_badges, quarter=None, date_from=None, date_to=None)


def _people_commands(commands) -> None:
    """The rights of the people in the data: access, erasure, retention (services/people)."""
    command = commands.add_parser("person", help="one person's data: export it (JSON + HTML) or erase it")
    command.add_argument("action", choices=["export", "erase"])
    command.add_argument("--employer", required=True, help="employer code or name")
    command.add_argument("--ref", required=True, help="the person's HRIS id (employee_ref)")
    command.add_argument("--out", help="export: the JSON file to write (the HTML goes beside it)")
    command.add_argument("--yes", action="store_true", help="erase: do not ask for the HRIS id again")
    command.set_defaults(func=cmd_person)

    command = commands.add_parser("retention", help="pseudonymise people who left over RETENTION_MONTHS ago")
    command.add_argument("action", choices=["apply"])
    command.add_argument("--dry-run", action="store_true", help="count who is due; change nothing")
    command.set_defaults(func=cmd_retention)


def _import_commands(commands) -> None:
    """Data in: imports and the OULAD conversion."""
    command = commands.add_parser("import", help="import a CSV or Excel file (docs/imports.md); all rows or none")
    command.add_argument("kind",
                         choices=["credentials", "employees", "enrollments", "assessments", "pdp_goals", "surveys"])
    command.add_argument("file", help="a .csv (any common delimiter and encoding) or .xlsx file")
    command.add_argument("--employer", help="employer code or name to import into (HR managers: their own)")
    command.add_argument("--university", help="credentials: the awarding university's code or name")
    command.add_argument("--map", action="append", metavar="SOURCE=TARGET",
                   help="use the file's column SOURCE as TARGET (repeatable; SOURCE= ignores it)")
    command.add_argument("--dry-run", action="store_true", help="check and show the counts; write nothing")
    command.add_argument("--as", dest="as_user", help="import as this user (email), with their access; default: system")
    command.set_defaults(func=cmd_import)

    command = commands.add_parser("oulad", help="turn the OULAD CSVs into import files (docs/imports.md)")
    command.add_argument("source", help="directory with studentInfo.csv, studentRegistration.csv, courses.csv")
    command.add_argument("--out", required=True, help="output directory")
    command.set_defaults(func=cmd_oulad)


def _developer_commands(commands) -> None:
    """Development: the bench, the demo identities, the local provider and its secrets."""
    command = commands.add_parser("bench", help="benchmark pages, queries, import, memory, load at two or three scales")
    command.add_argument("--employees", type=int, default=250_000, help="large scale (default 250000, ~1M enrollments)")
    command.add_argument("--small-employees", type=int, default=2500,
                         help="small scale (default 2500, ~10k enrollments)")
    command.add_argument("--runs", type=int, default=5, help="measurements per figure, median reported (default 5)")
    command.add_argument("--skip-large", action="store_true", help="only the small scale (a quick run)")
    command.add_argument("--third-employees", type=int, default=0, metavar="N", help="also pages, queries, DuckDB at "
                         "N employees, not judged (e.g. 625000: 2.5 million enrollments, 250 employers; 0: none)")
    command.add_argument("--skip-pages", action="store_true", help="leave out the page runs (and the memory figure)")
    command.add_argument("--skip-import", action="store_true", help="leave out the import")
    command.add_argument("--load-seconds", type=float, default=120, help="load test duration (0: no load test)")
    command.add_argument("--load-sessions", type=int, default=20, help="concurrent browser sessions (0: no load test)")
    command.add_argument("--load-think", type=float, default=5.0,
                         help="seconds each session waits between pages (default 5)")
    command.add_argument("--load-browsers", type=int, default=2,
                         help="real Chromium tabs besides the sessions (default 2)")
    command.add_argument("--load-processes", type=int, default=0,
                   help="app processes for the load test (default: one per CPU)")
    command.add_argument("--database-dir", default="data/bench", help="where SQLite benchmark databases are kept")
    command.add_argument("--json", action="store_true", help="print the figures as JSON")
    command.set_defaults(func=cmd_bench)

    command = commands.add_parser("users", help="list the app users (the demo identities)")
    command.add_argument("--json", action="store_true")
    command.add_argument("--release", metavar="EMAIL",
                         help="unlink the account from the sign-in identity that claimed it (the person's changed)")
    command.set_defaults(func=cmd_users)

    command = commands.add_parser("idp", help="run the DEVELOPMENT OpenID Connect provider on loopback")
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=9400)
    command.set_defaults(func=cmd_idp)

    command = commands.add_parser("secrets", help="write .streamlit/secrets.toml for the local provider")
    command.add_argument("--app-url", default="http://localhost:8501")
    command.add_argument("--idp-url", default="http://127.0.0.1:9400")
    command.add_argument("--force", action="store_true", help="overwrite an existing file")
    command.set_defaults(func=cmd_secrets)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for add_commands in (_data_commands, _figure_commands, _import_commands, _people_commands, _developer_commands):
        add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
