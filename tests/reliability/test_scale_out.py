"""Several `salesbot serve` instances and two `salesbot clock` processes on one PostgreSQL, under
a load of 20 members: nothing posted twice, nothing missed, no lost updates."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.dev.driver import SlackDriver, http_transport
from bot.dev.standin import DevSlack
from models import Deal, DealEvent, StandupPrompt
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

MEMBERS = [f"U{n:02d}" for n in range(1, 21)]
LOAD_SECONDS = float(os.environ.get("SALESBOT_LOAD_SECONDS", "60"))
# Each member pauses between commands, as a person does: about 30 commands a second in all,
# far beyond a real team. Without the pause 20 members saturate this 2-core machine, and the
# adds of one workspace queue on its deal-number counter row (held until each add commits, so
# numbers stay consecutive) until an ack misses Slack's 3 s and bolt answers 404.
THINK_SECONDS = (0.2, 0.8)
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cluster(database_url: str, slack: DevSlack, engine: object) -> Iterator[list[str]]:
    """Two web instances (two gunicorn workers each) and two clocks."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("scale-out runs on PostgreSQL (TEST_DATABASE_URL)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY="2",
    )
    ports = [free_port(), free_port()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    procs += [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_healthy(url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


def test_cluster_under_load(
    cluster: list[str], slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    for user in MEMBERS:
        slack.add_user(user, f"rep{user}", tz="Asia/Shanghai", is_admin=user == "U01")
    slack.add_channel("C1", "sales", MEMBERS)
    drivers = [
        SlackDriver(http_transport(f"{url}/slack/events"), SIGNING_SECRET) for url in cluster
    ]

    def say(n: int, command: str, text: str, user: str) -> str:
        reply = drivers[n % 2].command(
            command, text, user=user, response_url=slack.response_url(command)
        )
        assert reply.status == 200, reply.body
        return reply.body

    say(0, "/salesbot", "setup", "U01")
    slack.wait_for("response_url", lambda c: "sales team" in str(c.params), timeout=30)
    # The stand-up starts at the next whole minute in Shanghai: both clocks will see it.
    start = (datetime.now(UTC) + timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    say(1, "/standup", f"time {start:%H:%M}", "U01")
    say(0, "/standup", "days every day", "U01")

    added: Counter[str] = Counter()
    won: Counter[str] = Counter()
    failures: list[str] = []

    def member(index: int, user: str) -> None:
        rng = random.Random(index)
        mine: list[int] = []
        deadline = time.monotonic() + LOAD_SECONDS
        calls = 0
        while time.monotonic() < deadline:
            calls += 1
            time.sleep(rng.uniform(*THINK_SECONDS))
            try:
                roll = rng.random()
                if roll < 0.4 or not mine:
                    body = say(
                        calls, "/deal", f"add Cust{index}-{calls} {rng.randint(1, 90)}k", user
                    )
                    if "Added" in body:
                        added[user] += 1
                        mine.append(int(body.split("`#")[1].split("`")[0]))
                elif roll < 0.6:
                    if "Won" in say(calls, "/deal", f"won #{mine.pop(0)}", user):
                        won[user] += 1
                elif roll < 0.8:
                    say(calls, "/deal", f"#{rng.choice(mine)} stage proposal", user)
                else:
                    say(calls, "/deal", rng.choice(["list", "pipeline", "leaderboard"]), user)
            except Exception as error:
                failures.append(f"{user}: {error!r}")

    threads = [threading.Thread(target=member, args=(i, u)) for i, u in enumerate(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # Let the senders and clocks finish what is owed (the stand-up is at most a minute away).
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        with sessions() as session:
            prompts = session.scalar(select(func.count(StandupPrompt.id))) or 0
        announced = sum(":trophy:" in str(c.params) for c in slack.calls("chat.postMessage"))
        if prompts >= len(MEMBERS) and announced >= sum(won.values()):
            break
        time.sleep(1)
    time.sleep(3)
    with sessions() as session:
        deals = session.scalar(select(func.count(Deal.id)))
        won_rows = session.scalar(select(func.count(Deal.id)).where(Deal.stage == "won"))
        creates = session.scalar(
            select(func.count(DealEvent.id)).where(DealEvent.action == "create")
        )
    assert deals == creates == sum(added.values()), "every acknowledged add is stored once"
    assert won_rows == sum(won.values()), "no lost updates"
    announcements = [c for c in slack.calls("chat.postMessage") if ":trophy:" in str(c.params)]
    assert len(announcements) == sum(won.values()), "each win announced exactly once"
    dms = Counter(
        c.params["channel"]
        for c in slack.calls("chat.postMessage")
        if "Good morning" in str(c.params)
    )
    assert dms == {user: 1 for user in MEMBERS}, "each member prompted exactly once"
    days = [
        c
        for c in slack.calls("chat.postMessage")
        if c.params["channel"] == "C1" and str(c.params.get("text", "")).startswith("Stand-up ·")
    ]
    assert len(days) == 1
