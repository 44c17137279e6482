"""The `salesbot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.config import MissingSettingError, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.services.importer import ImportReport

EXIT_USAGE = 2

log = logging.getLogger("salesbot")


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant, e.g. 2026-11-30T09:30:00+08:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per process type and chore."""
    parser = argparse.ArgumentParser(
        prog="salesbot",
        description="Salesbot: deals, targets, stand-ups and rewards for sales teams in Slack.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    serve = sub.add_parser("serve", help="run the HTTP server (gunicorn) for /slack/events")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    sub.add_parser("socket", help="run over Socket Mode (development without a public URL)")
    sub.add_parser("clock", help="run the scheduler: the only process doing scheduled work")
    run_due = sub.add_parser("run-due", help="run all scheduled work due at an instant, once")
    run_due.add_argument("--now", type=parse_instant, help="ISO-8601 instant (default: now)")
    export = sub.add_parser("export", help="export data to stdout")
    export.add_argument("what", choices=["deals", "events", "targets", "rewards"])
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    load = sub.add_parser("import", help="import deals from a CSV file, all or nothing")
    load.add_argument("what", choices=["deals"])
    load.add_argument(
        "file",
        help="a CSV file with the columns of `salesbot export deals`, or (with --from) a CRM's "
        "own deals export, CSV or XLSX",
    )
    load.add_argument(
        "--dry-run",
        action="store_true",
        help="report every row that would be refused; write nothing",
    )
    load.add_argument(
        "--from",
        dest="crm",
        choices=["hubspot", "pipedrive", "zoho", "salesforce", "fxiaoke"],
        help="the CRM whose deals export FILE is",
    )
    load.add_argument("--team", metavar="CHANNEL_ID", help="(with --from) the team's channel")
    load.add_argument(
        "--default-owner",
        metavar="USER_ID",
        help="(with --from) the member who gets the deals of owners nobody in Slack is",
    )
    load.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="'CRM STAGE=STAGE'",
        help="(with --from) map one of the export's stages, e.g. 'Appointment Scheduled=qualified'",
    )
    crm = sub.add_parser("crm", help="live CRM sync: connect a team, state, keys")
    crm_sub = crm.add_subparsers(dest="crm_command", required=True, metavar="ACTION")
    connect = crm_sub.add_parser("connect", help="connect a team to a CRM (asks for the token)")
    connect.add_argument("crm", choices=["hubspot", "pipedrive", "zoho"])
    connect.add_argument("--team", required=True, metavar="CHANNEL_ID", help="the team's channel")
    crm_sub.add_parser("status", help="every team's connection")
    disconnect = crm_sub.add_parser("disconnect", help="stop a team's sync (its deals stay)")
    disconnect.add_argument("--team", required=True, metavar="CHANNEL_ID")
    crm_sub.add_parser("new-key", help="print a new key for SALESBOT_SECRET_KEY")
    crm_sub.add_parser(
        "rotate-key", help="re-encrypt the credentials with the first key of SALESBOT_SECRET_KEY"
    )
    console = sub.add_parser("console", help="chat with the bot locally, no Slack needed")
    console.add_argument(
        "--verbose", action="store_true", help="log to the terminal, not salesbot-console.log"
    )
    demo = sub.add_parser("demo", help="play a fictional team's week; write the report to a folder")
    demo.add_argument("--out", default="demo-out", help="folder to write to (default: demo-out)")
    demo.add_argument(
        "--readme-images",
        metavar="FOLDER",
        help="also write the README's images (the played week's report charts) to FOLDER",
    )
    bench = sub.add_parser("bench", help="run the benchmarks (from a source checkout)")
    bench.add_argument("--quick", action="store_true", help="small sizes, under two minutes")
    return parser


def bot_token_unless_oauth(settings: Settings) -> tuple[str, ...]:
    """SLACK_BOT_TOKEN is needed in single-workspace mode; with OAuth each install has one."""
    from bot.slack.oauth import oauth_enabled

    return () if oauth_enabled(settings) else ("slack_bot_token",)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `salesbot` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
        )
        command: Callable[[Settings, argparse.Namespace], int] = COMMANDS[args.command]
        return command(settings, args)
    except (MissingSettingError, SettingsError) as error:
        print(f"salesbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    """Alembic upgrade to head."""
    from bot.migrate import upgrade

    upgrade(settings.database_url)
    print("salesbot: database is at the latest schema")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """gunicorn with threads, serving bot.slack.wsgi."""
    from gunicorn.app.wsgiapp import run

    settings.require("slack_signing_secret", *bot_token_unless_oauth(settings))
    port = args.port or settings.port
    sys.argv = [
        "gunicorn",
        "--config",
        "python:bot.slack.gunicorn_config",
        "--bind",
        f"0.0.0.0:{port}",
        "bot.slack.wsgi:application",
    ]
    run()
    return 0


def cmd_socket(settings: Settings, _args: argparse.Namespace) -> int:
    """The same app over Socket Mode."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.heap import freeze_startup_objects
    from bot.slack.app import create_app

    settings.require("slack_app_token", "slack_bot_token")
    app = create_app(settings)
    freeze_startup_objects()
    SocketModeHandler(app.bolt, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
    return 0


def cmd_clock(settings: Settings, _args: argparse.Namespace) -> int:
    """The scheduler process."""
    from bot.jobs.scheduler import run_clock

    settings.require(*bot_token_unless_oauth(settings))
    run_clock(settings)
    return 0


def cmd_run_due(settings: Settings, args: argparse.Namespace) -> int:
    """Run what is due at one instant, then deliver what it owes Slack."""
    from bot.clock import FrozenClock, SystemClock
    from bot.jobs.due import run_scheduled
    from bot.slack.app import create_app

    # With --now, everything in this run (deliveries included) happens at that instant.
    clock = FrozenClock(args.now) if args.now else SystemClock()
    runtime = create_app(settings, clock=clock, start_sender=False).runtime
    now = clock.now()
    report = run_scheduled(runtime, now=now)
    delivery = runtime.sender.deliver_due()
    state = "ran" if report.claimed else "already ran (nothing done)"
    done = ", ".join(f"{name}: {count}" for name, count in report.done.items()) or "nothing due"
    print(f"run-due {now.isoformat()}: {state}; {done}; sent {delivery.sent}")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write the chosen rows to stdout."""
    from bot.db import make_engine, make_session_factory
    from bot.services.export import EXPORTS, export_columns, write_csv

    _columns, read_rows = EXPORTS[args.what]
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = list(read_rows(session))
            columns = export_columns(session, args.what)
    finally:
        engine.dispose()
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        write_csv(sys.stdout, columns, rows)
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import deals in one transaction: every row, or with any row refused, none."""
    from pathlib import Path

    if args.crm is not None:
        return cmd_import_crm(settings, args)
    if args.team or args.default_owner or args.stage:
        print("salesbot: --team, --default-owner and --stage go with --from", file=sys.stderr)
        return EXIT_USAGE

    from bot.db import make_engine, make_session_factory
    from bot.services import importer

    try:
        # utf-8-sig: Excel starts the CSV files it saves with a byte order mark.
        with Path(args.file).open(encoding="utf-8-sig", newline="") as stream:
            table = importer.read_table(stream)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"salesbot: cannot read {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            report = importer.load_deals(session, table, now=datetime.now(UTC))
            if report.problems or args.dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        engine.dispose()
    return _import_outcome(report, dry_run=args.dry_run)


def cmd_import_crm(settings: Settings, args: argparse.Namespace) -> int:
    """A CRM's own export: its owners asked of Slack first, then every row or none."""
    from pathlib import Path

    from bot.slack.app import create_app
    from bot.sync import exports
    from bot.views.crm_import import report_lines

    if not args.team:
        print("salesbot: --from needs --team CHANNEL_ID (the team's channel)", file=sys.stderr)
        return EXIT_USAGE
    settings.require(*bot_token_unless_oauth(settings))
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        print(f"salesbot: cannot read {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    runtime = create_app(settings, start_sender=False).runtime
    try:
        prepared = exports.prepare(runtime, data, crm=args.crm, channel_id=args.team)
        owners = exports.look_up_owners(runtime, prepared)
        report = exports.run_import(
            runtime,
            prepared,
            owners,
            default_owner=args.default_owner,
            stage_overrides=args.stage,
            dry_run=args.dry_run,
        )
    except exports.ImportFailed as error:
        print(f"salesbot: cannot import {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        runtime.engine.dispose()
    out = sys.stderr if report.problems else sys.stdout
    for line in report_lines(report):
        print(line, file=out)
    return 1 if report.problems else 0


def _import_outcome(report: ImportReport, *, dry_run: bool) -> int:
    """Print each refused row and a one-line summary; the exit code says whether all went in."""
    deals = "deal" if report.imported == 1 else "deals"
    if not report.problems:
        if dry_run:
            print(f"dry run: would import {report.imported} {deals}; nothing was written")
        else:
            print(f"imported {report.imported} {deals}")
        return 0
    for problem in report.problems:
        print(problem, file=sys.stderr)
    refused = f"{report.refused_rows} of {report.rows} rows refused"
    verdict = "dry run: nothing was written" if dry_run else "nothing was imported"
    print(f"{refused}; {verdict}", file=sys.stderr)
    return 1


def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    """The local chat REPL; its log goes to a file, so the terminal shows the conversation."""
    if not args.verbose:
        log_to_file(CONSOLE_LOG)
        print(f"(the log goes to {CONSOLE_LOG}; --verbose shows it here)")
    # Imported after: importing Alembic already logs.
    from bot.dev.console import run_console

    return run_console(settings)


def cmd_crm(settings: Settings, args: argparse.Namespace) -> int:
    """`salesbot crm connect|status|disconnect|new-key|rotate-key`."""
    from bot.crm.secrets import new_key

    if args.crm_command == "new-key":
        print(new_key())
        return 0
    from bot.slack.app import create_app
    from bot.sync import cli

    runtime = create_app(settings, start_sender=False).runtime
    try:
        if args.crm_command == "connect":
            print(cli.connect(runtime, args.crm, args.team, read_credentials(args.crm)))
        elif args.crm_command == "status":
            for line in cli.status(runtime) or ["no team is connected to a CRM"]:
                print(line)
        elif args.crm_command == "disconnect":
            print(cli.disconnect(runtime, args.team))
        else:
            print(cli.rotate_key(runtime))
    except cli.CliError as error:
        print(f"salesbot: {error}", file=sys.stderr)
        return 1
    return 0


def read_credentials(crm: str) -> dict[str, str]:
    """The CRM's credentials, asked without echo on a terminal, else read one a line from
    standard input (never from the command line, where `ps` and the history would keep them)."""
    from getpass import getpass

    from bot.crm.registry import KINDS

    prompts = {
        "token": "private app access token",
        "client_secret": "client secret",
        "api_token": "API token",
        "company_domain": "company domain (acme for acme.pipedrive.com)",
        "client_id": "self client's client id",
        "refresh_token": "refresh token",
        "data_centre": "data centre (com, eu, in, com.au, com.cn, jp, ca)",
    }
    values = {}
    for field in KINDS[crm].fields:
        prompt = f"{KINDS[crm].name} {prompts.get(field, field)}: "
        values[field] = (getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()).strip()
    return values


CONSOLE_LOG = "salesbot-console.log"


def log_to_file(path: str) -> None:
    """Send every log line to `path` instead of the terminal."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Seed, play a week and write the report's images and the transcript."""
    from pathlib import Path

    from bot.dev.demo import run_demo

    out = Path(args.out).resolve()
    images = Path(args.readme_images).resolve() if args.readme_images else None
    log_to_file(DEMO_LOG)
    print(f"salesbot demo: a fictional team's twelve weeks into {out} (log: {DEMO_LOG})")
    written = run_demo(
        settings, out, readme_images=images, progress=lambda step: print(f"  · {step}")
    )
    for path in written:
        print(f"  wrote {path}")
    return 0


DEMO_LOG = "salesbot-demo.log"


def cmd_bench(_settings: Settings, args: argparse.Namespace) -> int:
    """The benchmarks in bench/, beside bot/ in a source checkout (they are not installed)."""
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import bench

    return bench.main(["--quick"] if args.quick else [])


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "migrate": cmd_migrate,
    "serve": cmd_serve,
    "socket": cmd_socket,
    "clock": cmd_clock,
    "run-due": cmd_run_due,
    "export": cmd_export,
    "import": cmd_import,
    "crm": cmd_crm,
    "console": cmd_console,
    "demo": cmd_demo,
    "bench": cmd_bench,
}
