"""Servers under test: `salesbot serve` and the bare bolt app, each a gunicorn subprocess."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bench.common import (
    BOT_TOKEN,
    REPO_ROOT,
    SIGNING_SECRET,
    WORKSPACE,
    ZONE,
    child_env,
    children_of,
    free_port,
    log,
    stop,
    wait_healthy,
)
from bot.dev.driver import SlackDriver, http_transport
from bot.dev.standin import DevSlack

CHANNEL = "C1"
ADMIN = "U0000"


@dataclass(frozen=True)
class Server:
    """A running gunicorn master and the port it serves on."""

    proc: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The worker pids: the gunicorn master's children."""
        return children_of(self.proc.pid)


def launch_salesbot(database_url: str, api_url: str, *, workers: int) -> Server:
    """Start `salesbot serve --port N` (python -m bot serve: the same entry point); not waited
    for: see :func:`serving`."""
    port = free_port()
    env = child_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY=str(workers),
    )
    return _launch([sys.executable, "-m", "bot", "serve", "--port", str(port)], env, port)


def launch_bare(api_url: str, *, workers: int, polled: bool = False) -> Server:
    """Start bench/bare_app.py under gunicorn with Salesbot's own gunicorn settings (polled:
    in bolt's default mode, which polls for the ack every 10 ms)."""
    port = free_port()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY=str(workers),
        BARE_POLLED="1" if polled else "0",
    )
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:bot.slack.gunicorn_config",
        "--bind",
        f"127.0.0.1:{port}",
        "bench.bare_app:application",
    ]
    return _launch(args, env, port)


def _launch(args: Sequence[str], env: dict[str, str], port: int) -> Server:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter
        list(args), env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return Server(proc, port)


@contextmanager
def serving(*servers: Server) -> Iterator[None]:
    """Wait until every launched server is healthy (they start in parallel); stop them all
    when the block ends."""
    try:
        for server in servers:
            wait_healthy(server.base_url, server.proc)
        yield
    finally:
        stop(*(server.proc for server in servers))


@contextmanager
def salesbot_serve(database_url: str, api_url: str, *, workers: int) -> Iterator[Server]:
    """`salesbot serve` as a subprocess, healthy, for the length of the block."""
    server = launch_salesbot(database_url, api_url, workers=workers)
    with serving(server):
        yield server


def reps(count: int) -> list[str]:
    """The Slack ids of the reps who send commands: U0001, U0002, …"""
    return [f"U{n:04d}" for n in range(1, count + 1)]


def directory(dev: DevSlack, users: Sequence[str]) -> None:
    """A Slack admin and the reps, all in #sales (C1), in the stand-in's directory."""
    dev.add_user(ADMIN, "manager", real_name="Mia Manager", tz=ZONE, is_admin=True)
    for user in users:
        dev.add_user(user, f"rep{user[1:]}", real_name=f"Rep {user[1:]}", tz=ZONE)
    dev.add_channel(CHANNEL, "sales", [ADMIN, *users])


def set_up_team(dev: DevSlack, server: Server) -> None:
    """`/salesbot setup CNY` by the admin in #sales, waited for until the team exists."""
    dev.clear()
    driver = SlackDriver(
        http_transport(f"{server.base_url}/slack/events"), SIGNING_SECRET, team_id=WORKSPACE
    )
    reply = driver.command(
        "/salesbot",
        "setup CNY",
        user=ADMIN,
        channel=CHANNEL,
        response_url=dev.response_url("/salesbot", user_id=ADMIN, channel_id=CHANNEL),
    )
    if reply.status != 200:
        raise RuntimeError(f"/salesbot setup answered {reply.status}: {reply.body[:300]}")
    dev.wait_for("response_url", lambda c: "is now a sales team" in str(c.params), timeout=60)


def settle(dev: DevSlack, *, quiet: float = 0.25, timeout: float = 120) -> None:
    """Wait until the server has stopped calling Slack (its outbox is drained)."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        count = len(dev.calls(include_faults=True))
        if count == seen:
            return
        seen = count
        time.sleep(quiet)
    log("settle: the server was still calling Slack when the wait ended")
