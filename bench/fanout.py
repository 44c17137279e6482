"""2. Stand-up fan-out: every member's morning prompt, through `run_scheduled` and the outbox.

2,000 members in 200 teams (all at 09:30 Asia/Shanghai, the worst case: every prompt due in
the same minute), each with deals, a target and four weeks of stand-up history. The clock is a
FrozenClock set to the stand-up instant; while the outbox is being delivered it is moved along
with the real time, so retry back-offs expire as they would. The time measured runs from the
start of `run_scheduled` until the stand-in has accepted the last prompt DM.

Run twice on fresh databases: with no limit, and with Slack's published limits emulated by the
stand-in: chat.postMessage about 1 per second per channel with a small burst, and Tier 3
(50 per minute) for conversations.open. The second run is compared with the least time it
could have taken: the longer of what the limits allow for the calls it made, and its own time
less the time it lost waiting after 429 answers.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import (
    BOT_TOKEN,
    NOW,
    SIGNING_SECRET,
    SKIPPED,
    Backend,
    Options,
    Row,
    clone_database,
    create_database,
    drop_database,
    log,
    postgres_url,
    ratio,
    times,
    verdict,
)
from bench.seed import Org, seed_deals, seed_org
from bot.clock import FrozenClock
from bot.config import load_settings
from bot.db import make_engine
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.migrate import upgrade
from bot.slack.app import create_app
from bot.slack.sender import OutboxSender
from models import OutboxMessage

PER_TEAM = 10
DEALS_PER_MEMBER = 10
# Slack: chat.postMessage "generally allows posting one message per second per channel" with
# short bursts; conversations.open is Tier 3, "50+ per minute".
POST_PER_SECOND, POST_BURST = 1.0, 3
OPEN_PER_SECOND, OPEN_BURST = 50 / 60, 5
LIMITS = {
    "chat.postMessage": (POST_PER_SECOND, POST_BURST, "channel"),
    "conversations.open": (OPEN_PER_SECOND, OPEN_BURST, None),
}
GOAL = 1.10
TIMEOUT = 900.0


@dataclass(frozen=True)
class Outcome:
    """What one fan-out did."""

    users: list[str]
    teams: int
    seconds: float  # run_scheduled start until the last prompt DM was accepted
    job_seconds: float  # run_scheduled alone
    prompts: Counter[str]  # DM channel (user id) -> prompts accepted
    day_messages: int
    rejected: int  # calls answered 429 by the emulated limits
    conversations_open: int
    failed: int  # outbox rows given up on
    pending: int  # outbox rows never delivered
    floor: float  # least time the emulated limits allow for the calls made
    lost: float  # time the serial sender spent after 429s (Retry-After sleeps, back-offs)

    @property
    def members(self) -> int:
        return len(self.users)

    @property
    def missing(self) -> int:
        """Members who got no prompt."""
        return sum(1 for u in self.users if self.prompts.get(u, 0) == 0)

    @property
    def extra(self) -> int:
        """Prompts beyond one per member (doubles, or to someone not in a team)."""
        return sum(self.prompts.values()) - (self.members - self.missing)

    def problems(self) -> str:
        """What went wrong with exactly-once delivery, or ""."""
        if not (self.missing or self.extra or self.failed or self.pending):
            return ""
        return (
            f"{self.missing} missing, {self.extra} extra, {self.failed} failed, "
            f"{self.pending} pending"
        )


def run_benchmark(options: Options) -> list[Row]:
    """Unlimited and rate-limited fan-outs on SQLite and on PostgreSQL."""
    teams = options.size(200, 10)
    rows: list[Row] = []
    for name in ("sqlite", "postgresql"):
        if name == "postgresql" and not options.postgres:
            rows += [
                Row("stand-up fan-out", f"{name} {case}", SKIPPED, verdict=SKIPPED)
                for case in ("no limit", "Slack's limits", "exactly once")
            ]
            continue

        def url(label: str, name: str = name) -> str:
            if name == "sqlite":
                return f"sqlite:///{options.workdir / (label + '.db')}"
            return postgres_url(options, label)

        seeded = url("fanout_seed")
        outcomes = []
        try:
            org = _seed(seeded, teams=teams, options=options)
            # Each run gets its own copy: prompts are once per member and day.
            for limited in (False, True):
                copy = url("fanout_limited" if limited else "fanout")
                clone_database(seeded, copy)
                try:
                    outcomes.append(fan_out(Backend(name, copy), org, limited=limited))
                finally:
                    drop_database(copy)
        finally:
            drop_database(seeded)
        rows += _rows(name, outcomes[0], outcomes[1])
    return rows


def _seed(url: str, *, teams: int, options: Options) -> Org:
    create_database(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        org = seed_org(engine, teams=teams, per_team=PER_TEAM, prompt_days=options.size(28, 5))
        seed_deals(engine, org, len(org.member_ids) * DEALS_PER_MEMBER, history_days=180)
    finally:
        engine.dispose()
    return org


def fan_out(backend: Backend, org: Org, *, limited: bool) -> Outcome:
    """Run the stand-up minute on a seeded database and deliver everything it owes Slack."""
    members = len(org.member_ids)
    with DevSlack() as dev:
        if limited:
            for method, (per_second, burst, per_key) in LIMITS.items():
                dev.rate_limit(method, per_second, burst, per_key)
        clock = FrozenClock(NOW)
        settings = load_settings(
            {},
            database_url=backend.url,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=dev.api_url,
            log_level="WARNING",
        )
        runtime = create_app(settings, clock=clock, start_sender=False).runtime
        try:
            wall_start = time.time()
            started = time.perf_counter()
            run_scheduled(runtime, now=NOW)
            job_seconds = time.perf_counter() - started
            pending = _deliver(runtime.sessions, runtime.sender, clock, started)
            with runtime.sessions() as session:
                failed = session.scalar(
                    select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")
                )
        finally:
            runtime.engine.dispose()
        posts = dev.calls("chat.postMessage")
        dms = [c for c in posts if str(c.params.get("channel", "")).startswith("U")]
        finished = max((c.at for c in dms), default=time.time())
        outcome = Outcome(
            users=org.user_ids,
            teams=len(org.team_ids),
            seconds=finished - wall_start,
            job_seconds=job_seconds,
            prompts=Counter(str(c.params["channel"]) for c in dms),
            day_messages=sum(1 for c in posts if str(c.params.get("channel", "")).startswith("C")),
            rejected=sum(1 for c in dev.calls(include_faults=True) if c.faulted),
            conversations_open=len(dev.calls("conversations.open", include_faults=True)),
            failed=int(failed or 0),
            pending=pending,
            floor=_floor(dev),
            lost=_lost(dev),
        )
    kind = "Slack's limits" if limited else "no limit"
    log(
        f"fanout[{backend.name}, {kind}]: {members} prompts in {outcome.seconds:.1f} s "
        f"(run_scheduled {job_seconds:.1f} s), {outcome.rejected} answered 429"
    )
    return outcome


def _deliver(
    factory: sessionmaker[Session], sender: OutboxSender, clock: FrozenClock, started: float
) -> int:
    """deliver_due() until nothing is pending (the clock follows the real time meanwhile)."""
    while True:
        elapsed = time.perf_counter() - started
        clock.set(NOW + timedelta(seconds=elapsed))
        report = sender.deliver_due()
        with factory() as session:
            pending = int(
                session.scalar(
                    select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
                )
                or 0
            )
        if pending == 0 or elapsed > TIMEOUT:
            return pending
        if report.sent == 0:
            time.sleep(0.05)


def _floor(dev: DevSlack) -> float:
    """The least time in which the emulated limits let the accepted calls through."""
    floor = 0.0
    for method, (per_second, burst, per_key) in LIMITS.items():
        calls = dev.calls(method)
        per_bucket = Counter(str(c.params.get(per_key, "")) if per_key else "" for c in calls)
        for count in per_bucket.values():
            floor = max(floor, (count - burst) / per_second)
    return max(floor, 0.0)


def _lost(dev: DevSlack) -> float:
    """Seconds lost to the limits: after each call answered 429, the time until the sender's
    next call (it delivers one message at a time, so nothing else happened meanwhile)."""
    calls = sorted(dev.calls(include_faults=True), key=lambda call: call.at)
    return sum(after.at - call.at for call, after in pairwise(calls) if call.faulted)


def _rows(name: str, free: Outcome, limited: Outcome) -> list[Row]:
    rate = free.members / free.seconds if free.seconds > 0 else math.nan
    # The least time: what the limits alone allow, or what this very run needed for its own
    # work (its time less what it lost to 429s), whichever is longer. Comparing with this
    # run's own work, not with the no-limit run, keeps machine noise out of the ratio.
    own_work = limited.seconds - limited.lost
    least = max(limited.floor, own_work)
    factor = ratio(limited.seconds, least)
    problems = [
        f"{label}: {outcome.problems()}"
        for label, outcome in (("no limit", free), ("limited", limited))
        if outcome.problems()
    ]
    scale = f"{free.members} members, {free.teams} teams"
    return [
        Row(
            "stand-up fan-out",
            f"{name} no limit ({scale})",
            f"{rate:.0f} prompts/s · {free.seconds:.1f} s "
            f"(run_scheduled {free.job_seconds:.1f} s, then delivery)",
        ),
        Row(
            "stand-up fan-out",
            f"{name} Slack's limits emulated",
            f"{limited.seconds:.1f} s · {limited.rejected} × 429 · "
            f"conversations.open {limited.conversations_open} calls",
            f"{least:.1f} s (limits alone allow {limited.floor:.1f} s; this run less "
            f"{limited.lost:.1f} s lost to 429s: {own_work:.1f} s; "
            f"no-limit run {free.seconds:.1f} s)",
            times(factor),
            f"≤ {GOAL:.2f}× the least time",
            verdict(factor <= GOAL, f"{factor / GOAL:.2f}× over"),
        ),
        Row(
            "stand-up fan-out",
            f"{name} every member prompted exactly once",
            f"{free.members - free.missing}/{free.members} and "
            f"{limited.members - limited.missing}/{limited.members} prompted, "
            f"{free.extra + limited.extra} extra; {free.day_messages}+{limited.day_messages} "
            "day messages",
            goal="none lost or doubled",
            verdict=verdict(not problems, "; ".join(problems)),
        ),
    ]
