"""Workspace isolation: a second Slack workspace names the first one's targets, rewards, settings,
stages, rates, holidays, members and channel by id, through every command and interactive action
that takes one. It is refused or sees its own data; the first workspace's rows stay as they were,
no row links the two, and nothing is said in the first workspace's channel or to its people.

Workspace A (T1) is conftest's team in #sales (C1): alice U1 (Slack admin), bob U2, 李雷 U3.
Workspace B (T2) has its own admin U21, rep U22 and channel C2, set up with `/salesbot setup`.
Deals by id through /deal are covered in test_deal_views; here they appear only where a
stand-up or App Home action carries a deal id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dev.driver import Reply, SlackDriver, http_transport
from bot.dev.standin import Call, DevSlack, blocks_to_text
from bot.slack.app import Salesbot, create_app
from models import (
    FxRate,
    Holiday,
    Member,
    OutboxMessage,
    RewardGrant,
    RewardRule,
    SalesTeam,
    StageDef,
    StandupPrompt,
    StandupResponse,
    StandupSettings,
    Target,
    Workspace,
)
from tests.conftest import SIGNING_SECRET
from tests.e2e.conftest import Say

A, B = "T1", "T2"
A_CHANNEL, B_CHANNEL = "C1", "C2"
A_USERS = frozenset({"U1", "U2", "U3"})
B_ADMIN, B_REP = "U21", "U22"
# What only workspace A's data contains: none of it may reach anything workspace B sees.
A_SECRETS = (
    "AlphaCorp",
    "AlphaOpen",
    "Alpha Rocket",
    "Alpha Xmas",
    "Alpha blocker",
    "Alpha plan",
    "Alpha Discovery",
    "= 7.8",
    "900k",
    "¥",
)
T = TypeVar("T")
# Slack methods that read the directory; the rest post, publish or upload.
READS = frozenset({"users.info", "users.list", "conversations.info", "conversations.members"})


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[Salesbot]:
    """The app without its sender thread, answering only when its listener is done: each step
    is finished (outbox rows written) when its HTTP answer arrives, and is delivered by hand."""
    salesbot = create_app(
        settings, clock=clock, engine=engine, start_sender=False, wait_for_listeners=True
    )
    yield salesbot
    salesbot.listeners.shutdown(wait=True)


@dataclass
class Ids:
    """Workspace A's (or B's) rows that the requests name."""

    team: int
    members: dict[str, int]
    team_target: int
    member_target: int | None
    rule: int
    won_deal: int | None = None
    open_deal: int | None = None
    prompt: int | None = None
    holiday: date | None = None


def ids_of(sessions: sessionmaker[Session], workspace: str) -> Ids:
    with sessions() as session:
        team = session.scalars(select(SalesTeam).where(SalesTeam.workspace_id == workspace)).one()
        members = {
            m.slack_user_id: m.id
            for m in session.scalars(select(Member).where(Member.workspace_id == workspace))
        }
        targets = list(
            session.scalars(
                select(Target).where(Target.workspace_id == workspace).order_by(Target.id)
            )
        )
        rule = session.scalars(
            select(RewardRule.id).where(RewardRule.workspace_id == workspace)
        ).first()
        deals = list(
            session.scalars(
                select(models.Deal)
                .where(models.Deal.workspace_id == workspace)
                .order_by(models.Deal.id)
            )
        )
        prompt = session.scalars(
            select(StandupPrompt.id).where(StandupPrompt.workspace_id == workspace)
        ).first()
        holiday = session.scalars(
            select(Holiday.day).where(Holiday.workspace_id == workspace)
        ).first()
    assert rule is not None
    return Ids(
        team=team.id,
        members=members,
        team_target=next(t.id for t in targets if t.member_id is None),
        member_target=next((t.id for t in targets if t.member_id is not None), None),
        rule=rule,
        won_deal=next((d.id for d in deals if d.closed_at is not None), None),
        open_deal=next((d.id for d in deals if d.closed_at is None), None),
        prompt=prompt,
        holiday=holiday,
    )


def text_input(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def picked(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def check_in_values(answers: list[str], **moves: str) -> dict[str, Any]:
    values = {f"q{n}": text_input(a) for n, a in enumerate(answers)}
    values.update({block: picked(value) for block, value in moves.items()})
    return values


def fill_a(say: Say, driver: SlackDriver, slack: DevSlack, app: Salesbot) -> None:
    """Workspace A, filled in through its own commands: settings, stages, a rate, targets, a
    reward rule and its grant, a holiday, custom questions, a won and an open deal, and bob's
    check-in with a blocker."""
    for text in (
        "managers add <@U3|lilei>",
        "fx EUR 7.8",
        "stale 21",
        "stages rename qualified Alpha Discovery",
        "stages set proposal 60%",
    ):
        assert not say("/salesbot", text, user="U1").text.startswith(":warning:"), text
    for text in (
        "set team 300k",
        "set team 900k quarter",
        "set <@U2|bob> 100k",
        "reward add 120% Alpha Rocket bonus 2k",
    ):
        assert not say("/target", text, user="U1").text.startswith(":warning:"), text
    for text in (
        "time 08:45",
        "holiday 2026-12-25 Alpha Xmas",
        "questions What moved forward?|Alpha plan today?|Anything blocking you?",
    ):
        assert not say("/standup", text, user="U1").text.startswith(":warning:"), text
    assert "Added" in say("/deal", "add AlphaCorp 130k won").text
    assert "Added" in say("/deal", "add AlphaOpen 20k proposal").text
    say("/standup", "", user="U2")
    view = slack.last("views.open").params["view"]
    submitted = driver.interaction(
        {
            "type": "view_submission",
            "team": {"id": A},
            "user": {"id": "U2"},
            "view": {
                **view,
                "id": "VA1",
                "state": {"values": check_in_values(["Called", "Close", "Alpha blocker"])},
            },
        }
    )
    assert submitted.status == 200 and not submitted.body, submitted.body
    app.runtime.sender.deliver_due()


def check_a(sessions: sessionmaker[Session], ids: Ids) -> None:
    """What the cases lean on is really there in workspace A."""
    with sessions() as session:
        grants = select(func.count(RewardGrant.id)).where(RewardGrant.rule_id == ids.rule)
        assert session.scalar(grants) == 1
        assert session.scalars(select(StandupResponse.blocker)).one() == "Alpha blocker"
    assert ids.won_deal and ids.open_deal and ids.prompt and ids.holiday and ids.member_target


@dataclass
class World:
    """Workspace B's side of the conversation, and what the checks need."""

    a: Ids
    b: Ids
    slack: DevSlack
    driver: SlackDriver
    sessions: sessionmaker[Session]
    app: Salesbot
    replies: list[str] = field(default_factory=list)
    _events: int = 0

    def command(
        self, command: str, text: str, *, user: str = B_ADMIN, channel: str = B_CHANNEL
    ) -> Reply:
        """A slash command typed in workspace B."""
        reply = self.driver.command(
            command,
            text,
            user=user,
            channel=channel,
            response_url=self.slack.response_url(command, user_id=user, channel_id=channel),
            trigger_id="trigger-b",
        )
        assert reply.status == 200, reply
        self.replies.append(reply.body)
        return reply

    def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = B_ADMIN,
        channel: str | None = B_CHANNEL,
        view: dict[str, Any] | None = None,
    ) -> Reply:
        """A button pressed in workspace B (in a message, or on the App Home when `view`)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": B},
            "user": {"id": user},
            "trigger_id": "trigger-b",
            "response_url": self.slack.response_url(action_id, user_id=user, channel_id=channel),
            "container": {"type": "message", "message_ts": "1700000000.000100"},
            "actions": [{"action_id": action_id, "value": value, "action_ts": "1700000001.1"}],
        }
        if channel is not None:
            payload["channel"] = {"id": channel}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "VH")}
        reply = self.driver.interaction(payload)
        assert reply.status == 200, reply
        self.replies.append(reply.body)
        return reply

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = B_ADMIN) -> Reply:
        """A modal submitted in workspace B."""
        payload = {
            "type": "view_submission",
            "team": {"id": B},
            "user": {"id": user},
            "view": {"id": "VB1", "type": "modal", **view, "state": {"values": values}},
        }
        reply = self.driver.interaction(payload)
        assert reply.status == 200, reply
        self.replies.append(reply.body)
        return reply

    def event(self, event: dict[str, Any]) -> Reply:
        self._events += 1
        reply = self.driver.event(event, event_id=f"EvB{self._events}")
        assert reply.status == 200, reply
        return reply

    def mark(self) -> int:
        """How many Slack calls were made so far."""
        return len(self.slack.calls(include_faults=True))

    def made(self, since: int, method: str) -> list[Call]:
        """The `method` calls made since `mark()` gave `since`."""
        return [c for c in self.slack.calls(include_faults=True)[since:] if c.method == method]

    def responded(self, since: int) -> list[str]:
        """What was posted to response URLs since call number `since`."""
        return [
            blocks_to_text(c.params.get("blocks") or []) or str(c.params.get("text", ""))
            for c in self.slack.calls(include_faults=True)[since:]
            if c.method == "response_url"
        ]


def fill_b(w: World) -> None:
    """Workspace B set up through its own commands: a team in C2, a team target, a reward."""
    since = w.mark()
    w.command("/salesbot", "setup USD")
    assert "#bravo is now a sales team" in " ".join(w.responded(since))
    ok(w.command("/target", "set team 50k"))
    ok(w.command("/target", "reward add 150% Bravo Medal"))
    w.app.runtime.sender.deliver_due()


Rows = dict[str, list[dict[str, Any]]]
# Both workspaces as the commands left them, per database: the first test fills them in through
# the commands (a second or so), the others get a copy of the rows (milliseconds).
FILLED: dict[str, Rows] = {}


def dump(engine: Engine) -> Rows:
    with engine.connect() as connection:
        return {
            table.name: [dict(r._mapping) for r in connection.execute(select(table))]
            for table in models.Base.metadata.sorted_tables
        }


def restore(engine: Engine, rows: Rows) -> None:
    """Put the rows back (into emptied tables), and PostgreSQL's id sequences after them."""
    with engine.begin() as connection:
        for table in models.Base.metadata.sorted_tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
            serial = table.autoincrement_column
            if connection.dialect.name == "postgresql" and serial is not None and rows[table.name]:
                top = max(r[serial.name] for r in rows[table.name])
                connection.execute(
                    sql("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                    {"t": table.name, "c": serial.name, "v": top},
                )


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    engine: Engine,
    server_url: str,
    slack: DevSlack,
    app: Salesbot,
    sessions: sessionmaker[Session],
) -> World:
    """Workspace A (conftest's team, filled in) and workspace B (its own team in C2)."""
    slack.add_user(
        B_ADMIN, "carol", real_name="Carol Admin", tz="Asia/Shanghai", is_admin=True, team_id=B
    )
    slack.add_user(B_REP, "dave", real_name="Dave Rep", tz="Asia/Shanghai", team_id=B)
    slack.add_user("UBOT2", "salesbot", is_bot=True, team_id=B)
    slack.add_channel(B_CHANNEL, "bravo", [B_ADMIN, B_REP, "UBOT2"])
    other = SlackDriver(http_transport(f"{server_url}/slack/events"), SIGNING_SECRET, team_id=B)
    key = str(engine.url)
    if key in FILLED:
        restore(engine, FILLED[key])
        w = World(ids_of(sessions, A), ids_of(sessions, A), slack, other, sessions, app)
    else:
        request.getfixturevalue("team")
        fill_a(request.getfixturevalue("say"), request.getfixturevalue("driver"), slack, app)
        w = World(ids_of(sessions, A), ids_of(sessions, A), slack, other, sessions, app)
        fill_b(w)
        FILLED[key] = dump(engine)
    w.b = ids_of(sessions, B)
    check_a(sessions, w.a)
    w.replies.clear()
    return w


# --------------------------------------------------------------------------- checks


def snapshot(engine: Engine, workspace: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the workspace, table by table, in primary-key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            if table.name == "workspace":
                where = table.c.id == workspace
            elif "workspace_id" in table.c:
                where = table.c.workspace_id == workspace
            else:
                continue
            query = select(table).where(where).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def cross_links(engine: Engine) -> list[str]:
    """Rows of one workspace that point at a row of another (team, member, target, rule...)."""
    found = []
    with engine.connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            if "workspace_id" not in table.c:
                continue
            for fk in table.foreign_keys:
                ref = fk.column.table
                if "workspace_id" not in ref.c:
                    continue
                query = (
                    select(func.count())
                    .select_from(table.join(ref, fk.parent == fk.column))
                    .where(table.c.workspace_id != ref.c.workspace_id)
                )
                if connection.scalar(query):
                    found.append(f"{table.name}.{fk.parent.name} -> {ref.name}")
    return found


def targets_of(params: dict[str, Any]) -> set[str]:
    """The channels and users a Slack call (or an owed one) is addressed to; a DM counts as
    its user."""
    found: set[str] = set()
    for key in ("channel", "channel_id", "channels", "user", "user_id", "users"):
        value = params.get(key)
        if not value:
            continue
        parts = value if isinstance(value, list) else str(value).split(",")
        for part in (str(p).strip() for p in parts):
            found.add(part)
            if part.startswith("D"):
                found.add(part[1:])
    return found


def a_targets(params: dict[str, Any]) -> set[str]:
    return targets_of(params) & (A_USERS | {A_CHANNEL})


def max_outbox_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.max(OutboxMessage.id))) or 0


def new_outbox(sessions: sessionmaker[Session], after: int) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id > after)))


def row(sessions: sessionmaker[Session], model: type[T], key: object) -> T:
    """A row by primary key, detached (its columns loaded)."""
    with sessions() as session:
        found = session.get(model, key)
        assert found is not None
        session.expunge(found)
        return found


def b_team(w: World) -> SalesTeam:
    return row(w.sessions, SalesTeam, w.b.team)


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """One request (or two) from workspace B; `reads`: A's ids the directory may be read for,
    because the command was typed in A's channel id or by a user with one of A's user ids."""

    id: str
    act: Callable[[World], None]
    reads: frozenset[str] = frozenset()


CASES: list[Case] = []


def case(name: str, *, reads: tuple[str, ...] = ()) -> Callable[[Callable[[World], None]], Any]:
    def register(act: Callable[[World], None]) -> Callable[[World], None]:
        CASES.append(Case(name, act, frozenset(reads)))
        return act

    return register


def refused(reply: Reply | str, words: str) -> None:
    """A refusal (it starts with a warning) that says `words`."""
    text = reply if isinstance(reply, str) else reply.text
    assert text.lstrip().startswith(":warning:"), text
    assert words.casefold() in text.casefold(), text


def ok(reply: Reply) -> str:
    """Not a refusal (nor an apology): the reply's text."""
    assert not reply.text.lstrip().startswith(":warning:"), reply.text
    return reply.text


# /target -------------------------------------------------------------------------------


@case("target-progress")
def _(w: World) -> None:
    ok(w.command("/target", "", user=B_REP))


@case("target-team-typed-in-a-channel")
def _(w: World) -> None:
    text = ok(w.command("/target", "team", channel=A_CHANNEL))
    assert "$50k" in text and "<@U22>" in text and "<@U2>" not in text, text


@case("target-set-for-a-member", reads=("U2",))
def _(w: World) -> None:
    # Slack says U2 is of workspace A: B may not give them a target.
    refused(w.command("/target", "set <@U2|bob> 50k", channel=A_CHANNEL), "another Slack workspace")


@case("target-set-team-typed-in-a-channel")
def _(w: World) -> None:
    ok(w.command("/target", "set team 70k", channel=A_CHANNEL))
    assert row(w.sessions, Target, w.b.team_target).amount == Decimal("70000")


@case("target-set-for-a-user-id-added-in-b", reads=("U2",))
def _(w: World) -> None:
    # A's user, named in B: refused by the roster check, so B holds no member or target of them.
    refused(w.command("/salesbot", "team add <@U2|bob>"), "another Slack workspace")
    refused(w.command("/target", "set <@U2|bob> 20k"), "another Slack workspace")
    with w.sessions() as session:
        query = select(Target.member_id, Target.amount).where(
            Target.workspace_id == B, Target.member_id.is_not(None)
        )
        made = session.execute(query).all()
        b_bob = session.scalars(
            select(Member.id).where(Member.workspace_id == B, Member.slack_user_id == "U2")
        ).all()
    assert made == [] and b_bob == []


@case("target-history-of-a-member")
def _(w: World) -> None:
    refused(w.command("/target", "history <@U2|bob>", channel=A_CHANNEL), "don't know")


@case("target-split-typed-in-a-channel")
def _(w: World) -> None:
    reply = w.command("/target", "split team", channel=A_CHANNEL)
    assert "$50k" in ok(reply)
    button = reply.json["blocks"][-1]["elements"][0]
    proposal = json.loads(button["value"])
    assert proposal["t"] == w.b.team_target
    assert {int(k) for k in proposal["s"]} == {w.b.members[B_ADMIN], w.b.members[B_REP]}


@case("split-confirm-with-a-team-target")
def _(w: World) -> None:
    since = w.mark()
    shares = {str(w.a.members["U2"]): "150000", str(w.a.members["U3"]): "150000"}
    value = json.dumps({"t": w.a.team_target, "s": shares})
    w.action("target_split_confirm", value, channel=A_CHANNEL)
    refused(" ".join(w.responded(since)), "no longer valid")


@case("split-confirm-with-a-members")
def _(w: World) -> None:
    since = w.mark()
    shares = {str(w.a.members["U2"]): "25000", str(w.a.members["U3"]): "25000"}
    value = json.dumps({"t": w.b.team_target, "s": shares})
    w.action("target_split_confirm", value, channel=A_CHANNEL)
    assert "Set 0 member targets" in " ".join(w.responded(since))


@case("reward-add-typed-in-a-channel")
def _(w: World) -> None:
    ok(w.command("/target", "reward add 110% Bravo Star", channel=A_CHANNEL))
    with w.sessions() as session:
        star = session.scalars(select(RewardRule).where(RewardRule.name == "Bravo Star")).one()
        assert (star.workspace_id, star.team_id) == (B, w.b.team)


@case("reward-list-typed-in-a-channel")
def _(w: World) -> None:
    assert "Bravo Medal" in ok(w.command("/target", "reward list", channel=A_CHANNEL))


@case("reward-remove-a-rule")
def _(w: World) -> None:
    refused(w.command("/target", f"reward remove #{w.a.rule}"), f"no reward #{w.a.rule}")


@case("reward-remove-a-rule-typed-in-a-channel")
def _(w: World) -> None:
    refused(
        w.command("/target", f"reward remove #{w.a.rule}", channel=A_CHANNEL),
        f"no reward #{w.a.rule}",
    )


@case("reward-ledger")
def _(w: World) -> None:
    ok(w.command("/target", "rewards", channel=A_CHANNEL))


# /deal leaderboard and report ---------------------------------------------------------------


@case("leaderboard-typed-in-a-channel")
def _(w: World) -> None:
    text = ok(w.command("/deal", "leaderboard", channel=A_CHANNEL))
    assert "<@U22>" in text and "<@U2>" not in text, text


@case("leaderboard-public-typed-in-a-channel")
def _(w: World) -> None:
    reply = w.command("/deal", "leaderboard public", channel=A_CHANNEL)
    assert reply.json["response_type"] == "in_channel"
    assert "<@U22>" in ok(reply) and "<@U2>" not in reply.text, reply.text


@case("leaderboard-of-a-period-only-a-has-a-target-for")
def _(w: World) -> None:
    text = ok(w.command("/deal", "leaderboard quarter", channel=A_CHANNEL))
    assert "<@U22>" in text and "$" in text, text


@case("export-typed-in-a-channel")
def _(w: World) -> None:
    refused(w.command("/deal", "export", channel=A_CHANNEL), "no deals to export")


@case("report-typed-in-a-channel")
def _(w: World) -> None:
    assert "bravo" in ok(w.command("/deal", "report month", channel=A_CHANNEL))


@case("report-on-a-member")
def _(w: World) -> None:
    refused(w.command("/deal", "report <@U2|bob>", channel=A_CHANNEL), "is not in")


@case("report-share-on-a-member")
def _(w: World) -> None:
    since = w.mark()
    w.action("report_share", json.dumps({"k": "week", "u": "U2"}), channel=A_CHANNEL)
    refused(" ".join(w.responded(since)), "is not in")


@case("report-share-pressed-in-a-channel")
def _(w: World) -> None:
    since = w.mark()
    w.action("report_share", json.dumps({"k": "month", "u": None}), channel=A_CHANNEL)
    assert "Shared" in " ".join(w.responded(since))
    w.app.runtime.sender.deliver_due()
    posts = w.made(since, "chat.postMessage")
    assert [c.params["channel"] for c in posts] == [B_CHANNEL]


# /salesbot ------------------------------------------------------------------------------------


@case("salesbot-team-typed-in-a-channel")
def _(w: World) -> None:
    text = ok(w.command("/salesbot", "team", channel=A_CHANNEL))
    assert "<@U21>" in text and "<@U2>" not in text and "<@U3>" not in text, text


@case("salesbot-team-add-a-user-id", reads=("U2",))
def _(w: World) -> None:
    refused(
        w.command("/salesbot", "team add <@U2|bob>", channel=A_CHANNEL), "another Slack workspace"
    )


@case("salesbot-team-remove-a-member")
def _(w: World) -> None:
    assert "is not in" in ok(w.command("/salesbot", "team remove <@U3>", channel=A_CHANNEL))


@case("salesbot-managers-add-a-user-id", reads=("U2",))
def _(w: World) -> None:
    refused(w.command("/salesbot", "managers add <@U2|bob>"), "another Slack workspace")


@case("salesbot-managers-remove-a-manager")
def _(w: World) -> None:
    assert "not a manager" in ok(w.command("/salesbot", "managers remove <@U3>"))


@case("salesbot-managers-list")
def _(w: World) -> None:
    text = ok(w.command("/salesbot", "managers"))
    assert "<@U21>" in text and "<@U1>" not in text and "<@U3>" not in text, text


@case("stages-list")
def _(w: World) -> None:
    assert "Qualified" in ok(w.command("/salesbot", "stages"))


@case("stages-add")
def _(w: World) -> None:
    ok(w.command("/salesbot", "stages add pilot 45%"))


def stage_of(w: World, workspace: str, key: str) -> StageDef:
    with w.sessions() as session:
        query = select(StageDef).where(StageDef.workspace_id == workspace, StageDef.key == key)
        stage = session.scalars(query).one()
        session.expunge(stage)
        return stage


@case("stages-set")
def _(w: World) -> None:
    ok(w.command("/salesbot", "stages set proposal 70%"))
    assert stage_of(w, B, "proposal").probability == Decimal("0.7")


@case("stages-rename")
def _(w: World) -> None:
    ok(w.command("/salesbot", "stages rename qualified Fit"))
    assert stage_of(w, B, "qualified").label == "Fit"


@case("stages-set-by-a-label")
def _(w: World) -> None:
    refused(w.command("/salesbot", "stages set discovery 30%"), "discovery")


@case("currency-typed-in-a-channel")
def _(w: World) -> None:
    reply = w.command("/salesbot", "currency EUR 0.9", channel=A_CHANNEL)
    assert "Switch bravo from USD to EUR" in ok(reply)
    button = next(b for b in reply.json["blocks"] if b["type"] == "actions")["elements"][0]
    since = w.mark()
    w.action(button["action_id"], button["value"], channel=A_CHANNEL)
    assert "bravo now reports in EUR" in " ".join(w.responded(since))
    assert b_team(w).currency == "EUR"


@case("currency-confirm-with-a-team")
def _(w: World) -> None:
    since = w.mark()
    value = json.dumps({"t": w.a.team, "o": "CNY", "n": "EUR", "r": "0.128", "k": "b"})
    w.action("salesbot_currency_confirm", value, channel=A_CHANNEL)
    refused(" ".join(w.responded(since)), "expired")


@case("fx-set-typed-in-a-channel")
def _(w: World) -> None:
    ok(w.command("/salesbot", "fx EUR 0.9", channel=A_CHANNEL))
    with w.sessions() as session:
        rates = session.execute(select(FxRate.workspace_id, FxRate.team_id, FxRate.rate)).all()
    assert (B, w.b.team, Decimal("0.9")) in [(ws, t, r.normalize()) for ws, t, r in rates]


@case("fx-list-typed-in-a-channel")
def _(w: World) -> None:
    assert "No exchange rates yet" in ok(w.command("/salesbot", "fx", channel=A_CHANNEL))


@case("stale-typed-in-a-channel")
def _(w: World) -> None:
    ok(w.command("/salesbot", "stale 30", channel=A_CHANNEL))
    assert b_team(w).stale_days == 30


@case("language-workspace")
def _(w: World) -> None:
    w.command("/salesbot", "language workspace zh", channel=A_CHANNEL)
    assert row(w.sessions, Workspace, B).language == "zh"


@case("setup-typed-in-a-channel", reads=("C1", "U1", "U2", "U3"))
def _(w: World) -> None:
    since = w.mark()
    w.command("/salesbot", "setup", channel=A_CHANNEL)
    assert "is now a sales team" in " ".join(w.responded(since))
    with w.sessions() as session:
        teams = session.scalars(select(SalesTeam).where(SalesTeam.channel_id == A_CHANNEL)).all()
    assert sorted(t.workspace_id for t in teams) == [A, B]


# /standup -------------------------------------------------------------------------------------

SETTINGS = {
    "time": "time 07:00",
    "days": "days mon-thu",
    "tz": "tz Europe/Paris",
    "tz-member": "tz member",
    "questions": "questions Bravo one?|Bravo two?",
    "questions-reset": "questions reset",
    "reminder": "reminder 30",
    "close": "close 90",
    "pause": "pause",
    "resume": "resume",
    "holiday-add": "holiday 2026-12-25 Bravo Xmas",
}


def change_setting(text: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        ok(w.command("/standup", text, channel=A_CHANNEL))
        with w.sessions() as session:
            assert session.get(StandupSettings, w.b.team) is not None

    return act


for _name, _text in SETTINGS.items():
    case(f"standup-{_name}-typed-in-a-channel")(change_setting(_text))


@case("standup-questions-shown-typed-in-a-channel")
def _(w: World) -> None:
    assert "Anything blocking you?" in ok(w.command("/standup", "questions", channel=A_CHANNEL))


@case("standup-holidays-typed-in-a-channel")
def _(w: World) -> None:
    assert "None coming up" in ok(w.command("/standup", "holidays", channel=A_CHANNEL))


@case("standup-holiday-remove-a-holiday")
def _(w: World) -> None:
    assert w.a.holiday is not None
    reply = w.command("/standup", f"holiday remove {w.a.holiday}", channel=A_CHANNEL)
    refused(reply, "not a team holiday")


@case("standup-away-by-a-user-id", reads=("U2",))
def _(w: World) -> None:
    ok(w.command("/standup", "away until 2026-12-10", user="U2"))


@case("standup-config-typed-in-a-channel")
def _(w: World) -> None:
    since = w.mark()
    w.command("/standup", "config", channel=A_CHANNEL)
    opened = w.made(since, "views.open")
    assert [sealed(c.params["view"]["private_metadata"])["t"] for c in opened] == [w.b.team]


def sealed(metadata: str) -> Any:
    """What a form's sealed private_metadata carries (its JSON, before the dot and the MAC)."""
    return json.loads(metadata.rpartition(".")[0])


def seal_for_b(w: World, callback_id: str, data: dict[str, Any]) -> str:
    """Metadata sealed for workspace B's admin (as if the seal were passed): B naming A's ids
    then meets the services' own checks."""
    return w.app.runtime.seal.seal(callback_id, B, B_ADMIN, data)


def config_values(**changes: str) -> dict[str, Any]:
    form = {
        "time": "06:00",
        "days": "mon-fri",
        "tz": "Europe/Paris",
        "questions": "Hijacked?",
        "reminder": "10",
        "close": "20",
        **changes,
    }
    return {block: text_input(value) for block, value in form.items()}


@case("standup-config-submitted-for-a-team")
def _(w: World) -> None:
    view = {"callback_id": "standup_config", "private_metadata": str(w.a.team)}
    reply = w.submit(view, config_values())
    assert reply.json["response_action"] == "errors"
    assert "not valid" in reply.json["errors"]["time"]
    view["private_metadata"] = seal_for_b(w, "standup_config", {"t": w.a.team})
    reply = w.submit(view, config_values())
    assert "no longer exists" in reply.json["errors"]["time"]


@case("standup-check-in-modal")
def _(w: World) -> None:
    since = w.mark()
    w.command("/standup", "", user=B_REP, channel=A_CHANNEL)
    opened = w.made(since, "views.open")
    assert len(opened) == 1 and "Anything blocking you?" in json.dumps(opened[0].params)


@case("standup-check-in-button-of-a-prompt")
def _(w: World) -> None:
    since = w.mark()
    w.action("standup_check_in", str(w.a.prompt), user=B_REP, channel=None)
    opened = w.made(since, "views.open")
    assert len(opened) == 1


@case("standup-check-in-moving-a-deal")
def _(w: World) -> None:
    since = w.mark()
    w.command("/standup", "", user=B_REP)
    view = w.made(since, "views.open")[0].params["view"]
    values = check_in_values(
        ["Bravo did", "Bravo will", "none"], move0_deal=str(w.a.open_deal), move0_stage="won"
    )
    reply = w.submit(view, values, user=B_REP)
    assert reply.json["response_action"] == "errors", reply.body
    assert "no deal" in json.dumps(reply.json["errors"])
    with w.sessions() as session:
        assert (
            session.scalar(
                select(func.count(StandupResponse.id)).where(StandupResponse.workspace_id == B)
            )
            == 0
        )


# App Home -------------------------------------------------------------------------------------


def home_view(w: World) -> dict[str, Any]:
    """Workspace B's admin opens the home tab: the published view, B's only."""
    since = w.mark()
    w.event({"type": "app_home_opened", "user": B_ADMIN, "tab": "home"})
    w.app.runtime.sender.deliver_due()
    published = w.made(since, "views.publish")
    assert [c.params["user_id"] for c in published] == [B_ADMIN]
    view: dict[str, Any] = published[-1].params["view"]
    return view


@case("home-opened")
def _(w: World) -> None:
    text = blocks_to_text(home_view(w)["blocks"])
    assert "Carol" in text and "<@U22>" in text and "$50k" in text, text


def press_on_a_deal(action: str) -> Callable[[World], None]:
    def act(w: World) -> None:
        view = home_view(w)
        since = w.mark()
        w.action(action, str(w.a.open_deal), channel=None, view=view)
        w.app.runtime.sender.deliver_due()
        told = [c.params["text"] for c in w.made(since, "chat.postMessage")]
        assert told == [f"There is no deal #{w.a.open_deal}. See your deals with `/deal list`."]
        assert not w.made(since, "views.open")

    return act


for _action in ("home_won", "home_lost", "home_advance", "home_edit"):
    case(f"{_action.replace('_', '-')}-on-a-deal")(press_on_a_deal(_action))


@case("home-edit-submitted-for-a-deal")
def _(w: World) -> None:
    view = {"callback_id": "deal_edit", "private_metadata": str(w.a.open_deal)}
    values = {
        "customer": text_input("Hijacked"),
        "amount": text_input("1"),
        "currency": text_input("USD"),
        "stage": picked("lost"),
    }
    reply = w.submit(view, values)
    assert reply.json["response_action"] == "errors", reply.body
    assert "not valid" in json.dumps(reply.json["errors"])
    view["private_metadata"] = seal_for_b(w, "deal_edit", {"d": w.a.open_deal})
    reply = w.submit(view, values)
    assert reply.json["response_action"] == "errors", reply.body
    assert "no deal" in json.dumps(reply.json["errors"])


@case("home-page")
def _(w: World) -> None:
    view = home_view(w)
    since = w.mark()
    w.action("home_page", json.dumps({"page": 1}), channel=None, view=view)
    w.app.runtime.sender.deliver_due()
    published = w.made(since, "views.publish")
    assert [c.params["user_id"] for c in published] == [B_ADMIN]


@case("home-check-in")
def _(w: World) -> None:
    view = home_view(w)
    since = w.mark()
    w.action("home_check_in", "check-in", channel=None, view=view)
    assert [c.method for c in w.slack.calls(include_faults=True)[since:]] == ["views.open"]


@case("home-new-deal")
def _(w: World) -> None:
    view = home_view(w)
    since = w.mark()
    w.action("home_new_deal", "new", channel=None, view=view)
    assert [c.method for c in w.slack.calls(include_faults=True)[since:]] == ["views.open"]


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_another_workspace_cannot_reach_targets_rewards_or_settings(
    case: Case, world: World, engine: Engine
) -> None:
    before = snapshot(engine, A)
    since = world.mark()
    outbox_since = max_outbox_id(world.sessions)

    case.act(world)
    world.app.runtime.sender.deliver_due()

    assert snapshot(engine, A) == before
    assert cross_links(engine) == []
    owed = new_outbox(world.sessions, outbox_since)
    assert {m.workspace_id for m in owed} <= {B}
    assert [a_targets(m.payload) for m in owed if a_targets(m.payload)] == []
    calls: list[Call] = world.slack.calls(include_faults=True)[since:]
    reached = [
        (c.method, sorted(a_targets(c.params)))
        for c in calls
        if a_targets(c.params) and not (c.method in READS and a_targets(c.params) <= case.reads)
    ]
    assert reached == [], reached
    seen = "\n".join([*world.replies, *(json.dumps(c.params, ensure_ascii=False) for c in calls)])
    assert [s for s in A_SECRETS if s in seen] == [], seen
