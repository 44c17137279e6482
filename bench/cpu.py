"""6. CPU per command: what one command costs this process, beside a bare bolt ack.

Salesbot is built in this process as `salesbot serve` builds it (`create_app`, the WSGI app
gunicorn is given: the guard, then bolt), and so is the bare bolt app of bench/bare_app.py. Each
request is what Slack sends, signed, handed to the WSGI app as an environ (no sockets); bolt
runs the listener on the request thread, and what it owes after the ack in the listener pool, as
under gunicorn. The benchmark waits until that pool is idle, reads this process's CPU time
(`time.process_time`, every thread), runs one pass of the outbox sender (`deliver_due`: what the
command owes Slack, App Home drawn and published), and reads it again. So each command has two
costs: the request (guard, bolt, the listener's whole unit of work) and the sender's pass for
what it owed; the figure is their sum, which is what a worker spends per command. The Slack
stand-in runs in a process of its own (bench/slack_process.py), so answering the sender's calls
is not counted.

The workspace: teams of 10 reps, each team a channel set up with `/salesbot setup`, a reward
rule of its own (100 %, with a bonus), a revenue target of ¥10k this month for every rep and two
open deals each. Commands, each sent once by every rep of a group, in this order:

* `/deal add Cust<i> 12k proposal` (a third open deal);
* `/deal list` (their three open deals);
* `/deal won #<that deal>`: ¥12k of a ¥10k target, so every won crosses the 100 % tier (a
  grant, a win post with the tier in the channel);
* `/target` (their progress);
* `/deal leaderboard` (the team's board this month);
* a stand-up check-in submitted (view_submission of the form `/standup` opened for them);
* App Home: `app_home_opened`, the event recorded, the home owed, drawn and published by the
  sender.

Three groups of reps: a warm-up group (not counted), the timed group, and a profiled group
whose requests run under the sampling profiler (bench/profiling.py), so profiling costs
nothing in the timed figures. Statements are counted with SQLAlchemy's before_cursor_execute
(BEGIN left out), on the request and in the sender's pass apart.
"""

from __future__ import annotations

import math
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bench.bare_app import create_bare_app
from bench.bare_app import wsgi as bare_wsgi
from bench.common import (
    INFO,
    SIGNING_SECRET,
    SKIPPED,
    WORKSPACE,
    ZONE,
    Backend,
    Options,
    Row,
    create_database,
    drop_database,
    log,
    postgres_url,
    salesbot_migrate,
    verdict,
)
from bench.inprocess import InProcess, Statements, TrackedPool, counting, wsgi_transport
from bench.inprocess import salesbot_in_process as build_salesbot
from bench.profiling import Profile, Profiler, summary
from bench.slack_process import Standin, slack_process
from bot.db import reading
from bot.dev.driver import Reply, Transport
from bot.dev.standin import event_body, interaction_body, sign_request, slash_command_body
from models import Deal, Member, RewardGrant, StandupPrompt, StandupResponse

TEAM_SIZE = 10
ADMIN = "U0000"
TARGET = "10k"
WON_AMOUNT = "12k"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Goals (issue 20), on PostgreSQL: CPU per command at most the bare ack's plus this many ms.
ALLOWANCE_MS = {"/deal add": 3.0, "/deal list": 1.0}
DEFAULT_ALLOWANCE_MS = 5.0


@dataclass(frozen=True)
class Rep:
    """One rep: Slack id, their team's channel, and their number (customers are named by it)."""

    user_id: str
    channel_id: str
    index: int


@dataclass
class Cost:
    """What one command cost, request by request."""

    request: list[float] = field(default_factory=list)  # CPU seconds
    sender: list[float] = field(default_factory=list)
    statements: list[tuple[int, int]] = field(default_factory=list)  # (request, sender)
    transactions: list[tuple[int, int]] = field(default_factory=list)
    answered: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> list[float]:
        return [a + b for a, b in zip(self.request, self.sender, strict=True)]


@dataclass
class Measurement:
    """One database's figures: per command, the bare ack, the profiles and what was done."""

    backend: str
    costs: dict[str, Cost] = field(default_factory=dict)
    bare: Cost = field(default_factory=Cost)
    profiles: dict[str, Profile] = field(default_factory=dict)
    # The profiled group's answers (its CPU is not counted: the profiler was running).
    profiled: dict[str, Cost] = field(default_factory=dict)
    # What the timed group's commands did (from the database and the stand-in), and what
    # they should have done.
    effects: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- the commands


@dataclass
class Context:
    """What the requests need to know: deal numbers, check-in forms, the stand-in."""

    slack: Standin
    numbers: dict[int, int] = field(default_factory=dict)  # rep index -> deal number
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> view


Request = tuple[str, str]  # body, content type


def _slash(context: Context, command: str, text: str, rep: Rep) -> Request:
    body = slash_command_body(
        command,
        text,
        user_id=rep.user_id,
        team_id=WORKSPACE,
        channel_id=rep.channel_id,
        response_url=context.slack.response_url(command, rep.user_id, rep.channel_id),
        trigger_id=f"{time.time_ns()}.{uuid.uuid4().hex[:8]}",
    )
    return body, FORM


def _check_in(context: Context, rep: Rep) -> Request:
    values = {
        "q0": {"value": {"type": "plain_text_input", "value": "Called Acme"}},
        "q1": {"value": {"type": "plain_text_input", "value": "Send the quote"}},
        "q2": {"value": {"type": "plain_text_input", "value": "none"}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": WORKSPACE},
        "user": {"id": rep.user_id},
        "trigger_id": f"{time.time_ns()}.{uuid.uuid4().hex[:8]}",
        "view": {**context.forms[rep.user_id], "id": f"V{rep.index}", "state": {"values": values}},
    }
    return interaction_body(payload), FORM


def _home(_context: Context, rep: Rep) -> Request:
    event = {"type": "app_home_opened", "user": rep.user_id, "channel": f"D{rep.user_id}"}
    body = event_body({**event, "tab": "home"}, team_id=WORKSPACE, event_id=_event_id())
    return body, JSON


def _event_id() -> str:
    return f"Ev{uuid.uuid4().hex[:12].upper()}"


@dataclass(frozen=True)
class Command:
    """A command as the table names it, how to build its request, and what its ack says."""

    name: str
    build: Callable[[Context, Rep], Request]
    expect: str  # in the ack's body; "" for an empty ack (a form saved, an event)


COMMANDS = (
    Command(
        "/deal add",
        lambda c, r: _slash(c, "/deal", f"add Cust{r.index} {WON_AMOUNT} proposal", r),
        "Added",
    ),
    Command("/deal list", lambda c, r: _slash(c, "/deal", "list", r), "open deals"),
    Command("/deal won", lambda c, r: _slash(c, "/deal", f"won #{c.numbers[r.index]}", r), "Won"),
    Command("/target", lambda c, r: _slash(c, "/target", "", r), TARGET.removesuffix("k")),
    Command("/deal leaderboard", lambda c, r: _slash(c, "/deal", "leaderboard", r), "Team total"),
    Command("check-in submit", _check_in, ""),
    Command("App Home", _home, ""),
    # The same add by a rep who has just opened their App Home: it is redrawn after the change
    # (bot.services.home.in_view), as it is not for the reps above, who have not looked at it.
    Command(
        "/deal add, App Home open",
        lambda c, r: _slash(c, "/deal", f"add Seen{r.index} {WON_AMOUNT} proposal", r),
        "Added",
    ),
)
BARE = "bare bolt ack"


# --------------------------------------------------------------------------- running them


def signed(body: str, content_type: str) -> dict[str, str]:
    """The headers Slack sends with the body."""
    return {"Content-Type": content_type, **sign_request(SIGNING_SECRET, body, int(time.time()))}


class Runner:
    """Sends requests to one app and measures each: CPU and statements, request and sender."""

    def __init__(self, bot: InProcess, statements: Statements) -> None:
        self.bot = bot
        self.statements = statements
        # Under `salesbot serve` the sender's thread makes a pass when a commit that owes
        # Slack something kicks it; here the kick is noted and the pass made by `one`.
        self.kicked = False
        sender = bot.salesbot.runtime.sender

        def kick() -> None:
            self.kicked = True

        sender.kick = kick  # type: ignore[method-assign]

    def one(self, request: Request, cost: Cost | None, expect: str) -> Reply:
        """Send one request; wait for its listener; one sender pass. Recorded into `cost`."""
        body, content_type = request
        headers = signed(body, content_type)
        self.statements.take()
        self.statements.phase = "request"
        started = time.process_time()
        reply = self.bot.send(body, headers)
        self.bot.listeners.wait_idle()
        answered = time.process_time()
        self.statements.phase = "sender"
        while self.kicked:
            self.kicked = False
            self.bot.salesbot.runtime.sender.deliver_due()
        sent = time.process_time()
        self.statements.phase = "outside"
        counts, transactions = self.statements.take()
        if cost is not None:
            cost.request.append(answered - started)
            cost.sender.append(sent - answered)
            cost.statements.append((counts.get("request", 0), counts.get("sender", 0)))
            cost.transactions.append(
                (transactions.get("request", 0), transactions.get("sender", 0))
            )
            if _answered(reply, expect):
                cost.answered += 1
            else:
                cost.errors.append(f"HTTP {reply.status}: {reply.body[:120]}")
        return reply


def _answered(reply: Reply, expect: str) -> bool:
    if reply.status != 200:
        return False
    return expect in reply.text if expect else not reply.body.strip()


def _must(reply: Reply, expect: str, what: str) -> None:
    if not _answered(reply, expect):
        raise RuntimeError(f"{what}: HTTP {reply.status} {reply.body[:300]}")


def cast(reps_count: int) -> list[Rep]:
    """The reps, in teams of TEAM_SIZE (channels C001, C002, …)."""
    return [
        Rep(f"U{n:04d}", f"C{(n - 1) // TEAM_SIZE + 1:03d}", n) for n in range(1, reps_count + 1)
    ]


def directory(slack: Standin, reps: list[Rep]) -> None:
    """The admin and the reps in the stand-in's directory; each team's channel with its reps
    and the admin."""
    slack.add_user(ADMIN, "manager", real_name="Mia Manager", tz=ZONE, is_admin=True)
    channels: dict[str, list[str]] = {}
    for rep in reps:
        slack.add_user(rep.user_id, f"rep{rep.index}", real_name=f"Rep {rep.index}", tz=ZONE)
        channels.setdefault(rep.channel_id, [ADMIN]).append(rep.user_id)
    for channel, members in channels.items():
        slack.add_channel(channel, f"sales-{channel[1:]}", members)


def set_up(runner: Runner, context: Context, reps: list[Rep]) -> None:
    """Teams, reward rules, targets and two open deals each, all through signed requests."""
    admin_in: dict[str, Rep] = {}
    for rep in reps:
        admin_in.setdefault(rep.channel_id, Rep(ADMIN, rep.channel_id, 0))
    for admin in admin_in.values():
        reply = runner.one(_slash(context, "/salesbot", "setup CNY", admin), None, "")
        _must(reply, "Setting up", "setup")
    context.slack.wait_for("response_url", "is now a sales team", count=len(admin_in))
    for admin in admin_in.values():
        rule = "reward add 100% Target hit bonus 1k"
        reply = runner.one(_slash(context, "/target", rule, admin), None, "")
        if reply.status != 200 or "100" not in reply.text:
            raise RuntimeError(f"reward rule: {reply.body[:300]}")
    for rep in reps:
        admin = admin_in[rep.channel_id]
        text = f"set <@{rep.user_id}> {TARGET}"
        reply = runner.one(_slash(context, "/target", text, admin), None, "")
        if reply.status != 200 or TARGET.removesuffix("k") not in reply.text:
            raise RuntimeError(f"target: {reply.body[:300]}")
    for rep in reps:
        for letter in "ab":
            text = f"add Warm{rep.index}{letter} 5k lead"
            _must(runner.one(_slash(context, "/deal", text, rep), None, "Added"), "Added", "add")


def open_forms(runner: Runner, context: Context, reps: list[Rep]) -> None:
    """`/standup` for each rep: the check-in form Salesbot opened for them (views.open)."""
    for rep in reps:
        opened = context.slack.count("views.open")
        runner.one(_slash(context, "/standup", "", rep), None, "")
        context.slack.wait_for("views.open", count=opened + 1)
        context.forms[rep.user_id] = context.slack.params("views.open")["view"]


def deal_numbers(bot: InProcess, reps: list[Rep]) -> dict[int, int]:
    """The number of each rep's `Cust<i>` deal (the one `/deal won` wins)."""
    names = {f"Cust{rep.index}": rep.index for rep in reps}
    with reading(bot.salesbot.runtime.sessions) as session:
        rows = session.execute(
            select(Deal.customer, Deal.number).where(Deal.customer.in_(list(names)))
        )
        return {names[customer]: number for customer, number in rows}


# What a command owes Slack, counted at the stand-in while the group sends it.
OWED = {
    "/deal won": ("chat.postMessage", "Target hit"),
    "App Home": ("views.publish", ""),
    "/deal add, App Home open": ("views.publish", ""),
}


def run_group(
    runner: Runner,
    context: Context,
    reps: list[Rep],
    costs: dict[str, Cost],
    *,
    profiler: Profiler | None = None,
    profiles: dict[str, Profile] | None = None,
    sent: dict[str, int] | None = None,
) -> None:
    """Every command, sent once by each rep of the group (the forms opened first)."""
    for command in COMMANDS:
        if command.name == "/deal won":
            context.numbers.update(deal_numbers(runner.bot, reps))
        if command.name == "check-in submit":
            open_forms(runner, context, reps)
        cost = costs.setdefault(command.name, Cost())
        owed = OWED.get(command.name)
        before = context.slack.count(*owed) if owed else 0
        # Built first (Slack's side, and a round trip to the stand-in for each response_url),
        # so neither the timings nor the profile see it; signed as each is sent.
        requests = [command.build(context, rep) for rep in reps]
        if profiler is not None and profiles is not None:
            with profiler.profiling(command.name) as profile:
                for request in requests:
                    runner.one(request, cost, command.expect)
            profiles[command.name] = profile
        else:
            for request in requests:
                runner.one(request, cost, command.expect)
        if owed and sent is not None:
            sent[_OWED_NAMES[command.name]] = context.slack.count(*owed) - before


_OWED_NAMES = {
    "/deal won": "tier posts in the channel",
    "App Home": "App Homes published",
    "/deal add, App Home open": "App Homes redrawn after an add",
}


def run_bare(send: Transport, pool: TrackedPool, count: int, warm: int) -> Cost:
    """The bare app acking `/deal list` `count` times (after `warm` uncounted)."""
    cost = Cost()
    for n in range(warm + count):
        body = slash_command_body(
            "/deal", "list", user_id="U0001", team_id=WORKSPACE, response_url=""
        )
        headers = signed(body, FORM)
        started = time.process_time()
        reply = send(body, headers)
        pool.wait_idle()
        took = time.process_time() - started
        if n < warm:
            continue
        cost.request.append(took)
        cost.sender.append(0.0)
        cost.statements.append((0, 0))
        cost.transactions.append((0, 0))
        if reply.status == 200:
            cost.answered += 1
        else:
            cost.errors.append(f"HTTP {reply.status}: {reply.body[:120]}")
    return cost


def effects(bot: InProcess, reps: list[Rep]) -> dict[str, int]:
    """What the group's commands left in the database: deals added and won, tiers granted,
    check-ins recorded."""
    users = [rep.user_id for rep in reps]
    customers = [f"Cust{rep.index}" for rep in reps]
    with reading(bot.salesbot.runtime.sessions) as session:
        members = select(Member.id).where(Member.slack_user_id.in_(users))
        added = session.scalar(select(func.count()).where(Deal.customer.in_(customers)))
        won = session.scalar(
            select(func.count()).where(Deal.customer.in_(customers), Deal.stage == "won")
        )
        grants = select(func.count()).select_from(RewardGrant)
        tiers = session.scalar(
            grants.where(RewardGrant.member_id.in_(members), RewardGrant.rule_id.is_not(None))
        )
        first_wins = session.scalar(
            grants.where(RewardGrant.member_id.in_(members), RewardGrant.scope == "first-win")
        )
        check_ins = session.scalar(
            select(func.count())
            .select_from(StandupResponse)
            .join(StandupPrompt, StandupPrompt.id == StandupResponse.prompt_id)
            .where(StandupPrompt.member_id.in_(members))
        )
    return {
        "deals added": int(added or 0),
        "deals won": int(won or 0),
        "100 % tiers granted": int(tiers or 0),
        "first wins granted": int(first_wins or 0),
        "check-ins recorded": int(check_ins or 0),
    }


def measure(
    url: str,
    name: str,
    options: Options,
    *,
    timed: int | None = None,
    profiled: int | None = None,
    warm: int = TEAM_SIZE,
) -> Measurement:
    """Everything on one database: set up, warm up, time, profile, check. `timed` and
    `profiled` reps (200 and 100; quick: 10 and 10) each send every command once."""
    timed = options.size(200, 10) if timed is None else timed
    profiled = options.size(100, 10) if profiled is None else profiled
    reps = cast(warm + timed + profiled)
    warm_group, timed_group = reps[:warm], reps[warm : warm + timed]
    profiled_group = reps[warm + timed :]
    result = Measurement(name)
    create_database(url)
    try:
        salesbot_migrate(url)
        with slack_process() as slack:
            directory(slack, reps)
            bot = build_salesbot(url, slack.api_url())
            bare_pool = TrackedPool(max_workers=5, thread_name_prefix="bare")
            bare_send = wsgi_transport(bare_wsgi(create_bare_app(SIGNING_SECRET, bare_pool)))
            try:
                with counting(bot.engine) as statements:
                    runner = Runner(bot, statements)
                    context = Context(slack)
                    teams = math.ceil(len(reps) / TEAM_SIZE)
                    log(f"cpu[{name}]: setting up {len(reps)} reps in {teams} teams")
                    set_up(runner, context, reps)
                    run_group(runner, context, warm_group, {})
                    log(f"cpu[{name}]: timing {timed} of each command and of the bare ack")
                    result.bare = run_bare(bare_send, bare_pool, timed, warm=20)
                    sent: dict[str, int] = {}
                    run_group(runner, context, timed_group, result.costs, sent=sent)
                    result.effects = effects(bot, timed_group) | sent
                    result.expected = dict.fromkeys(result.effects, len(timed_group))
                    if profiled_group:
                        log(f"cpu[{name}]: profiling {profiled} of each command")
                        profiler = Profiler(options.workdir, _wrapper(bot.listeners))
                        run_group(
                            runner,
                            context,
                            profiled_group,
                            result.profiled,
                            profiler=profiler,
                            profiles=result.profiles,
                        )
            finally:
                bare_pool.shutdown(wait=True)
                bot.close()
    finally:
        drop_database(url)
    return result


def _wrapper(pool: TrackedPool) -> Callable[[Any], None]:
    def set_wrap(wrap: Any) -> None:
        pool.wrap = wrap

    return set_wrap


# --------------------------------------------------------------------------- the table


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def _spread(pairs: list[int]) -> str:
    low, high = min(pairs), max(pairs)
    return str(low) if low == high else f"{low}–{high}"


def _figure(cost: Cost) -> str:
    total = cost.total
    text = (
        f"{_ms(_mean(total))} CPU (request {_ms(_mean(cost.request))} + sender "
        f"{_ms(_mean(cost.sender))}; p50 {_ms(statistics.median(total))}) · statements "
        f"{_spread([a for a, _ in cost.statements])} + {_spread([b for _, b in cost.statements])}"
        f" in {_spread([a for a, _ in cost.transactions])} + "
        f"{_spread([b for _, b in cost.transactions])} transactions"
    )
    if cost.errors:
        text += f" · {len(cost.errors)} not answered as expected ({cost.errors[0][:80]})"
    return text


def rows_for(measured: Measurement) -> list[Row]:
    """The backend's rows: the bare ack, each command beside it, what was done, the profiles."""
    name = measured.backend
    bare = _mean(measured.bare.request)
    rows = [
        Row(
            "cpu per command",
            f"{name} {BARE} (/deal, {len(measured.bare.request)} requests)",
            f"{_ms(bare)} CPU (p50 {_ms(statistics.median(measured.bare.request))})"
            + (f" · {len(measured.bare.errors)} errors" if measured.bare.errors else ""),
        )
    ]
    for command in COMMANDS:
        cost = measured.costs[command.name]
        total = _mean(cost.total)
        extra = (total - bare) * 1000
        allowance = ALLOWANCE_MS.get(command.name, DEFAULT_ALLOWANCE_MS)
        if name == "postgresql":
            goal = f"≤ bare + {allowance:g} ms"
            outcome = verdict(
                extra <= allowance and not cost.errors,
                f"{len(cost.errors)} not answered"
                if cost.errors
                else f"bare + {extra:.1f} ms, {extra - allowance:.1f} ms over",
            )
        else:
            goal, outcome = INFO, verdict(False, "errors") if cost.errors else INFO
        rows.append(
            Row(
                "cpu per command",
                f"{name} {command.name} ({len(cost.total)} requests)",
                _figure(cost),
                _ms(bare),
                f"bare + {extra:.1f} ms ({total / bare:.1f}×)",
                goal,
                outcome,
            )
        )
    done = " · ".join(
        f"{measured.effects[k]}/{measured.expected[k]} {k}" for k in sorted(measured.effects)
    )
    rows.append(
        Row(
            "cpu per command",
            f"{name} what the timed commands did",
            done,
            goal="all of them",
            verdict=verdict(measured.effects == measured.expected, "some missing"),
        )
    )
    for command in COMMANDS:
        profile = measured.profiles.get(command.name)
        if profile is None:
            continue
        answered = measured.profiled.get(command.name, Cost())
        bad = f" · {len(answered.errors)} not answered" if answered.errors else ""
        rows.append(Row("cpu profile", f"{name} {command.name}", summary(profile) + bad))
    return rows


def run_benchmark(options: Options) -> list[Row]:
    """SQLite and PostgreSQL, one after the other."""
    rows: list[Row] = []
    backends = [Backend("sqlite", f"sqlite:///{options.workdir / 'cpu.db'}")]
    if options.postgres:
        backends.append(Backend("postgresql", postgres_url(options, "cpu")))
    for backend in backends:
        rows += rows_for(measure(backend.url, backend.name, options))
    if not options.postgres:
        rows.append(Row("cpu per command", "postgresql", SKIPPED, verdict=SKIPPED))
    return rows
