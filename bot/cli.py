"""The `salesbot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.config import MissingSettingError, Settings, SettingsError, load_settings

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
    export.add_argument("what", choices=["deals", "rewards"])
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    sub.add_parser("console", help="chat with the bot locally, no Slack needed")
    demo = sub.add_parser("demo", help="play a fictional team's week; write the report to a folder")
    demo.add_argument("--out", default="demo-out", help="folder to write to (default: demo-out)")
    return parser


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
    """gunicorn with threads, serving bot.wsgi."""
    from gunicorn.app.wsgiapp import run

    settings.require("slack_signing_secret", "slack_bot_token")
    port = args.port or settings.port
    sys.argv = [
        "gunicorn",
        "--config",
        "python:bot.gunicorn_config",
        "--bind",
        f"0.0.0.0:{port}",
        "bot.wsgi:application",
    ]
    run()
    return 0


def cmd_socket(settings: Settings, _args: argparse.Namespace) -> int:
    """The same app over Socket Mode."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings.require("slack_app_token", "slack_bot_token")
    app = create_app(settings)
    SocketModeHandler(app.bolt, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
    return 0


def cmd_clock(settings: Settings, _args: argparse.Namespace) -> int:
    """The scheduler process."""
    from bot.scheduler import run_clock

    settings.require("slack_bot_token")
    run_clock(settings)
    return 0


def cmd_run_due(settings: Settings, args: argparse.Namespace) -> int:
    """Run what is due at one instant, then deliver what it owes Slack."""
    from bot.app import create_app
    from bot.clock import FrozenClock, SystemClock
    from bot.jobs import run_scheduled

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
    from bot.services.export import EXPORTS

    columns, read_rows = EXPORTS[args.what]
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        rows = list(read_rows(session))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def cmd_console(settings: Settings, _args: argparse.Namespace) -> int:
    """The local chat REPL."""
    from bot.console import run_console

    return run_console(settings)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Seed, play a week and write the report's images and the transcript."""
    from pathlib import Path

    from bot.demo import run_demo

    out = Path(args.out).resolve()
    print(f"salesbot demo: playing twelve weeks of a fictional team into {out} …")
    for path in run_demo(settings, out):
        print(f"  wrote {path}")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "migrate": cmd_migrate,
    "serve": cmd_serve,
    "socket": cmd_socket,
    "clock": cmd_clock,
    "run-due": cmd_run_due,
    "export": cmd_export,
    "console": cmd_console,
    "demo": cmd_demo,
}
