"""Escaping by type: every view, fed hostile text in every field a person fills, shows it as
text.

Every public function of bot/views/ that renders (returns a message, a view, blocks, Calls or a
string of mrkdwn) is found by introspection and called with samples built from its type hints:
each `str` a result, fact or notice carries is raw, as someone typed or chose it, so it gets
hostile text (`<!channel>`, `<!here>`, `<@U1>`, `<https://x|y>`, `*b*`, `&amp;`), short and at
its longest; `Mrkdwn` (text a view already rendered) gets Salesbot's own markup. Then every
mrkdwn text of the output must hold none of the hostile markup live, every plain_text field
must hold it as typed (never `&lt;` or a look-alike), and every payload must be one Slack takes
(the stand-in's Block Kit validator, with its limits). A new view, or a new field in a result,
is covered without touching this file; a new parameter or field the samples cannot build fails
here until its kind is told below.

Strings that are not text anyone types (ids, currency and language codes, keys, kinds) get a
valid value by name, in STRUCTURAL; everything else is hostile.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import random
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import pytest

import bot.views
from bot.dev.standin.records import SlackError
from bot.dev.standin.validate import check_message, check_view
from bot.domain.periods import period_of
from bot.domain.text import MRKDWN, PLAIN, Mention, TextKind, Wording, escape_mrkdwn
from bot.i18n import use_language
from bot.results.activities import KindShown
from bot.results.calls import RENDER, Call

PARTS = ("<!channel>", "<!here>", "<@U1>", "<https://x|y>", "*b*", "&amp;")
# Any of the parts as typed, in mrkdwn, is a broadcast, a mention, a link, bold, or an "&".
LIVE = re.compile("|".join([*(re.escape(p) for p in PARTS[:-1]), r"&amp;(?!amp;|$|…)"]))
# What escaping leaves, which a plain_text field shows as it is: never there.
ESCAPED = ("&lt;", "&gt;", "&amp;amp;", "\u2217", "\u00ad")

# The longest each kind of text can be where it is typed (the default: names, 200).
LONGEST = {
    "note": 2000,
    "lost_reason": 500,
    "blocker": 2000,
    "answers": 2000,
    "Blocker.text": 2000,
    "label": 80,
    "Stage.label": 80,
    "new_label": 80,
    "old_label": 80,
    "stage_label": 80,
    "labels": 80,
    "next_stage": 80,
    "questions": 150,
    "HolidayEntry.name": 100,
    "team_name": 80,
    "TeamFacts.name": 80,
    # A team's deal fields (bot.domain.deal_fields): names, choices, values.
    "DealField.name": 24,
    "DealField.alias": 24,
    "FieldRemoved.name": 24,
    "FieldShown.name": 24,
    "Choice.value": 30,
    "Choice.alias": 30,
    "FieldShown.value": 100,
    # A team's activity kinds (bot.domain.activities): names, and a logged activity's note.
    "KindShown.key": 24,
    "KindShown.alias": 24,
    "KindsListed.kind": 24,
    "kind": 24,
    "Logged.note": 500,
}

STAGE_KEYS = ("proposal", "demo_2")
USER = "U0PERSON"
VERBS = ("add", "update", "won", "lost", "reopen", "undo", "assign", "other")


def _choice(*options: object) -> Callable[[Samples], object]:
    return lambda samples: samples.rng.choice(options)


def _const(value: object) -> Callable[[Samples], object]:
    return lambda samples: value


# Strings (and a few numbers) that are not text anyone types, by `Class.field`,
# `function.parameter` or just the name: a valid value.
STRUCTURAL: dict[str, Callable[[Samples], object]] = {
    **{
        name: _choice("CNY", "USD", "EUR")
        for name in ("currency", "team_currency", "old_currency", "new_currency")
    },
    "language": _choice("en", "zh"),
    "timezone": _choice("Asia/Shanghai", "America/New_York"),
    "local_time": _const("09:30"),
    "workspace_id": _const("T0WORK"),
    "channel_id": _const("C0TEAM"),
    "slack_user_id": _const(USER),
    **{
        name: _const(USER)
        for name in (
            "user_id",
            "actor_user_id",
            "by_user_id",
            "to_user_id",
            "dm_user_id",
            "manager_user_id",
            "member_user_id",
            "owner_user_id",
            "subject_user_id",
            "person",
        )
    },
    **{name: _const((USER, "U0OTHER")) for name in ("member_user_ids", "user_ids", "managers")},
    "channel_ids": _const(("C0TEAM", "C0OTHER")),
    "ContestFacts.state": _choice("upcoming", "running", "ending", "ended", "cancelled"),
    "ContestFacts.kind": _choice("reps", "teams"),
    "HomeContest.kind": _choice("reps", "teams"),
    "HomeContest.state": _choice("running", "ended"),
    **{
        name: _const("key-1")
        for name in (
            "post_key",
            "dedupe_key",
            "correction_key",
            "key",
            "standings_key",
            "removal",
            "error_id",
        )
    },
    "filename": _const("deals-2026-11-30.csv"),
    "SplitProposal.method": _choice("equal", "weighted"),
    "metric": lambda samples: samples.rng.choice(
        ("revenue", "deals", "pipeline", "points", "act:call", "act:" + samples.hostile)
    ),
    # An activity's kind, a team's own kind named by a manager among them.
    "KindShown.key": lambda samples: samples.rng.choice(("call", samples.text("kind"))),
    "Logged.kind": lambda samples: samples.dataclass(KindShown),
    "Unlogged.kind": lambda samples: samples.dataclass(KindShown),
    "field": _choice("customer", "stage", "amount", "close_date", "owner_id", "note"),
    "DealFacts.stage": _choice(*STAGE_KEYS),
    "Stage.key": _choice(*STAGE_KEYS),
    "StageName.key": _choice(*STAGE_KEYS),
    "Listed.scope": _choice("mine", "user", "team", "stage", "stale", "nextstep"),
    "TargetFacts.scope": _choice("team", "member:7"),
    "RuleFacts.scope": _choice("member", "team", "streak"),
    "Because.kind": _choice("removed", "stage", "owner", "amount", "date", "target", "activity"),
    "ChartsDue.kind": _choice("weekly", "week", "month", "quarter"),
    "on_demand.kind": _choice("week", "month", "quarter"),
    "status": _choice("in", "late", "waiting", "away", "missed"),
    "Changed.verb": _choice(*VERBS),
    "FieldChange.action": _choice("create", "import", "update", "undo"),
    "HistoryLine.action": _choice("create", "import", "update", "undo"),
    "problem": _choice("not_found", "deactivated", "bot", "elsewhere", "unreachable"),
    "command": _const("/standup"),
    "callback": _const("deal_new"),
    "metadata": _const("C0TEAM"),
    "goal_text.period": _const("December 2026"),
    "CurrencyChange.deals": _const((("USD", 2), ("EUR", 1))),
    "DealValues.amount": _const("12000"),
    "DealValues.close_date": _choice(None, "2026-12-15"),
    "DealValues.next_step_date": _choice(None, "2026-12-04"),
    "people": _const({"7": USER, "8": "U0OTHER"}),
    "offset": _const(0),
    "page": _choice(0, 1),
    "max_blocks": _const(48),
    "percent": _choice(Decimal("49.0"), Decimal("100.0"), Decimal("150.5")),
    "StandupSchedule.days": _choice(frozenset({0, 1, 2, 3, 4}), frozenset({5})),
    "SettingsForm.days": _choice(frozenset({0, 1, 2, 3, 4}), frozenset({5})),
    # Stage labels by key, as views are handed them.
    "labels": lambda samples: {key: samples.text("labels") for key in STAGE_KEYS},
    # The wallboard's link: the server's configured address and a URL-safe token.
    "LinkIssued.url": _const("https://salesbot.example.com/board/" + "Ab_-" * 10 + "xyz"),
    # CRM sync.
    "crm": _choice("hubspot"),
    "kind": _choice("hubspot"),
    "connect_form.kind": _const("hubspot"),
    "CrmState.status": _choice("active", "paused", "disconnected", None),
    "CrmConnectFailed.reason": _choice("unauthorized", "unreachable", "rejected", "no_key"),
    "CrmState.zone": _choice("Asia/Shanghai", "America/New_York"),
    "StageMapping.kind": _choice("open", "won", "lost"),
    "StageMapping.stage_key": _choice(*STAGE_KEYS),
    "pause_key": _const("1:2026-11-30T01:30:00+00:00"),
    "ProblemFact.detail": lambda samples: {
        "code": samples.rng.choice(
            ["owner_not_in_slack", "stage_not_mapped", "refused", "write_refused", "other"]
        ),
        "crm": "hubspot",
        "email": samples.text("email"),
        "stage": samples.text("stage"),
        "record": samples.text("record"),
        "reason": samples.text("reason"),
        "number": 12,
    },
    # Blocks a view already built.
    "blocks": _const([{"type": "section", "text": {"type": "mrkdwn", "text": "*Salesbot*"}}]),
}
# Sequences that are never empty where they are made.
NONEMPTY = {"tiers", "stages"}

# Public functions of bot/views/ that read what Slack sent rather than render: why.
NOT_RENDERERS = {}


# --------------------------------------------------------------------------- samples


@dataclasses.dataclass
class Samples:
    """Builds a value of any type a view takes, hostile wherever a person types text."""

    rng: random.Random
    hostile: str
    long: bool

    def text(self, name: str) -> str:
        if not self.long:
            return self.hostile
        most = LONGEST.get(name, LONGEST.get(name.split(".")[-1], 200))
        # Whole copies of the hostile text (a cut one would not be what anyone typed).
        text = " ".join([self.hostile] * (most // (len(self.hostile) + 1)))
        return text.ljust(most, "x")

    def of(self, hint: Any, name: str, owner: str) -> Any:
        for key in (f"{owner}.{name}", name):
            if key in STRUCTURAL:
                return STRUCTURAL[key](self)
        special = SPECIAL.get(hint) if isinstance(hint, type) else None
        if special is not None:
            return special(self)
        return self._typed(hint, name, owner)

    def _typed(self, hint: Any, name: str, owner: str) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is Annotated:
            kind = next((a for a in args[1:] if isinstance(a, TextKind)), None)
            if kind == MRKDWN:
                return "*Salesbot* says `hello` to <@U0PERSON>"
            if kind == PLAIN:
                return self.text(f"{owner}.{name}")
            return self.of(args[0], name, owner)
        if origin is Literal:
            return self.rng.choice(args)
        if origin in (types.UnionType, typing.Union):
            options = [a for a in args if a is not type(None)]
            if len(options) < len(args) and self.rng.random() < 0.3:
                return None
            return self.of(self.rng.choice(options), name, owner)
        if origin in (tuple, list, Sequence, frozenset, set):
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                return tuple(self.of(a, name, owner) for a in args)
            least = 1 if name in NONEMPTY else 0
            items = [self.of(args[0], name, owner) for _ in range(self.rng.randint(least, 3))]
            return {tuple: tuple, frozenset: frozenset, set: set}.get(origin, list)(items)
        if origin in (dict, Mapping):
            return {self.of(args[0], name, owner): self.of(args[1], name, owner) for _ in (1, 2)}
        if hint is str:
            return self.text(f"{owner}.{name}")
        if hint is bool:
            return self.rng.random() < 0.5
        if hint is int:
            return self.rng.randint(1, 3)
        if hint is Decimal:
            return self.rng.choice((Decimal("12000"), Decimal("1.5"), Decimal("250000.75")))
        if hint is date:
            return date(2026, 11, 30) + timedelta(days=self.rng.randint(-40, 40))
        if hint is datetime:
            return datetime(2026, 11, 30, 1, 30, tzinfo=UTC) + timedelta(
                hours=self.rng.randint(0, 99)
            )
        if hint is bytes:
            return b"id,customer\n1,Acme\n"
        if hint is ZoneInfo:
            return ZoneInfo("Asia/Shanghai")
        if hint is Any or hint is object:
            return self.text(f"{owner}.{name}")
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.dataclass(hint)
        raise TypeError(f"no sample for {owner}.{name}: {hint!r}; say what it is in STRUCTURAL")

    def dataclass(self, cls: type) -> Any:
        leaves = _leaves(cls)
        if leaves != [cls]:
            cls = self.rng.choice(leaves)
        hints = typing.get_type_hints(cls, include_extras=True)
        return cls(
            **{
                f.name: self.of(hints[f.name], f.name, cls.__name__)
                for f in dataclasses.fields(cls)
                if f.init
            }
        )


def _leaves(cls: type) -> list[type]:
    """A class its subclasses stand for (a notice's base class: each kind of notice)."""
    subclasses = cls.__subclasses__()
    if not subclasses:
        return [cls]
    return [leaf for sub in subclasses for leaf in _leaves(sub)]


def _field_change(samples: Samples, cls: type) -> Any:
    # A history value is encoded as stored; which field it is decides how it reads.
    field = samples.rng.choice(
        (
            "customer",
            "title",
            "note",
            "lost_reason",
            "stage",
            "amount",
            "close_date",
            "owner_id",
            # A team's own deal field, by its name (bot.domain.deal_fields.event_field).
            "field:industry",
        )
    )
    values = {
        "DealFacts.stage": _choice(*STAGE_KEYS),
        "amount": _const("12000.00"),
        "close_date": _const("2026-12-15"),
        "owner_id": _choice("7", "8"),
    }.get(field, lambda rng: samples.text(field))
    hints = typing.get_type_hints(cls)
    built = {
        "field": field,
        "old_value": None if samples.rng.random() < 0.2 else values(samples),
        "new_value": values(samples),
    }
    return cls(
        **{
            f.name: built[f.name]
            if f.name in built
            else samples.of(hints[f.name], f.name, cls.__name__)
            for f in dataclasses.fields(cls)
        }
    )


def _period(samples: Samples) -> Any:
    kind = samples.rng.choice(("week", "month", "quarter"))
    return period_of(kind, date(2026, 11, 30) + timedelta(days=samples.rng.randint(-60, 60)))


def _wording(samples: Samples) -> Wording:
    return Wording(
        "*Done:* {name} · #{number} · {person}",
        {"name": samples.text("name"), "number": 12, "person": Mention(USER)},
    )


def _special() -> dict[type, Callable[[Samples], Any]]:
    from bot.domain.periods import Period
    from bot.results.deals import FieldChange, HistoryLine

    return {
        FieldChange: lambda s: _field_change(s, FieldChange),
        HistoryLine: lambda s: _field_change(s, HistoryLine),
        Period: _period,
        Wording: _wording,
        Mention: lambda s: Mention(USER),
    }


SPECIAL = _special()


# --------------------------------------------------------------------------- the views


def renderers() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function of bot/views/, by its dotted name."""
    for module_info in pkgutil.iter_modules(bot.views.__path__):
        module = importlib.import_module(f"bot.views.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__}.{name}", function


RENDERERS = [(name, f) for name, f in renderers() if name not in NOT_RENDERERS]


def call(samples: Samples, name: str, function: Callable[..., Any]) -> Any:
    hints = typing.get_type_hints(function, include_extras=True)
    owner = name.rsplit(".", 1)[1]
    args: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        args[parameter.name] = samples.of(hints[parameter.name], parameter.name, owner)
    return function(**args)


def texts(node: Any, kind: str = "mrkdwn") -> Iterator[tuple[str, str]]:
    """Every text in a rendered output, with how Slack reads it."""
    if isinstance(node, Call):
        yield from texts(node.payload)
    elif isinstance(node, str):
        yield kind, node
    elif isinstance(node, Mapping):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node["type"], node["text"]
            return
        for key, value in node.items():
            if key in ("text", "initial_comment", "fallback"):
                yield from texts(value, "mrkdwn")
            elif key in ("title", "alt_text", "initial_value", "filename"):
                yield from texts(value, "plain_text")
            elif not isinstance(value, str):
                yield from texts(value, kind)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from texts(item, kind)


def validate(output: Any) -> None:
    """Raise SlackError unless Slack would take every payload in the output."""
    if isinstance(output, list) and output and all(isinstance(i, str) for i in output):
        return
    if isinstance(output, list):
        if all(isinstance(item, Call) for item in output):
            for item in output:
                if item.method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
                    check_message(item.payload)
                elif item.method.startswith("views.") and RENDER not in item.payload:
                    check_view(item.payload["view"])
            return
        check_message({"text": "fallback", "blocks": output})
    elif isinstance(output, Mapping):
        if output.get("type") in ("modal", "home"):
            check_view(output)
        elif "blocks" in output or "text" in output:
            check_message(output)
        elif output.get("type"):
            check_message({"text": "fallback", "blocks": [output]})


def problems_of(output: Any, plain_kind: str) -> Iterator[str]:
    for kind, text in texts(output, plain_kind):
        if kind == "mrkdwn":
            live = LIVE.search(text)
            if live:
                yield f"mrkdwn holds {live[0]!r} as typed: {text[:300]!r}"
        else:
            for mark in ESCAPED:
                if mark in text:
                    yield f"plain_text holds {mark!r}, escaped for mrkdwn: {text[:300]!r}"


VARIANTS = 40


def render_all(name: str, function: Callable[..., Any]) -> tuple[list[str], set[str]]:
    """Render one view in every variant: what is wrong, and every plain text it showed."""
    hints = typing.get_type_hints(function, include_extras=True)
    returned = hints.get("return")
    kind = (
        "plain_text"
        if typing.get_origin(returned) is Annotated and PLAIN in typing.get_args(returned)
        else "mrkdwn"
    )
    problems: list[str] = []
    plain: set[str] = set()
    for variant in range(VARIANTS):
        rng = random.Random(f"{name}:{variant}")
        turn = variant % len(PARTS)
        hostile = " ".join(PARTS[turn:] + PARTS[:turn])
        samples = Samples(rng, hostile, long=variant % 4 == 3)
        where = f"{name} (variant {variant})"
        try:
            with use_language(rng.choice(("en", "zh"))):
                output = call(samples, name, function)
        except TypeError as error:
            if "no sample" in str(error):
                raise
            problems.append(f"{where} raised {error!r}")
            continue
        except Exception as error:  # a view must not break on what a person typed
            problems.append(f"{where} raised {error!r}")
            continue
        problems += [f"{where}: {p}" for p in problems_of(output, kind)]
        plain |= {t for k, t in texts(output, kind) if k == "plain_text"}
        try:
            validate(output)
        except SlackError as error:
            problems.append(f"{where}: Slack would refuse it: {error}")
    return problems, plain


def test_every_public_view_function_is_rendered_here() -> None:
    names = {name for name, _ in renderers()}
    assert set(NOT_RENDERERS) <= names, set(NOT_RENDERERS) - names
    assert len(RENDERERS) > 100


@pytest.mark.parametrize(("name", "function"), RENDERERS, ids=[name for name, _ in RENDERERS])
def test_hostile_text_is_shown_as_text(name: str, function: Callable[..., Any]) -> None:
    problems, _ = render_all(name, function)
    assert not problems, "\n".join(problems[:20])


def test_plain_text_fields_hold_what_was_typed() -> None:
    # The views above never show `&lt;` in a plain_text field; this checks that they do show
    # hostile text there, literally, so that check is not empty.
    shown: set[str] = set()
    for name in ("bot.views.home.home_view", "bot.views.deal_modal.edit_deal_modal"):
        function = dict(RENDERERS)[name]
        shown |= render_all(name, function)[1]
    assert any(" ".join(PARTS) in text for text in shown)
    assert any("<!channel>" in text and "*b*" in text for text in shown)


def test_escaping_is_checked_against_escape_mrkdwn() -> None:
    # What the checks call escaped is what escape_mrkdwn makes.
    escaped = escape_mrkdwn(" ".join(PARTS))
    assert not LIVE.search(escaped)
    assert all(any(mark in escape_mrkdwn(p) for mark in ESCAPED) for p in PARTS)


# --------------------------------------------------------------------------- services

SERVICES = Path(__file__).resolve().parents[2] / "bot" / "services"
# What takes Salesbot's words and the values for them, raw.
WORDINGS = {"Refused", "worded", "Wording"}


def _called(node: ast.Call) -> str:
    function = node.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _formats_text(node: ast.AST) -> bool:
    """An f-string, str() or a join: text put together before it is worded."""
    return any(
        isinstance(inner, ast.JoinedStr)
        or (isinstance(inner, ast.Call) and _called(inner) in ("str", "join"))
        for inner in ast.walk(node)
    )


def test_services_hand_views_raw_values() -> None:
    # A service never formats text, and never escapes it: a refusal, a warning, a title or a
    # confirmation is Salesbot's words and the values for them (`Refused(_("{stage} …"),
    # stage=label)`, `worded(...)`), rendered by a view or the unit of work, which escape each
    # value where it becomes mrkdwn. Text worded elsewhere (a parse error) goes in through
    # Refused.plain_text, escaped whole.
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        where = path.relative_to(SERVICES.parents[1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and _called(node) in ("format", "format_map"):
                found.append(f"{where}:{node.lineno}: .{_called(node)}() formats text")
            elif isinstance(node, (ast.Name, ast.alias)) and "escape_mrkdwn" in (
                getattr(node, "id", None),
                getattr(node, "name", None),
            ):
                found.append(f"{where}:{getattr(node, 'lineno', '?')}: escapes text")
            elif (
                isinstance(node, ast.Call)
                and _called(node) in WORDINGS
                and node.args
                and _formats_text(node.args[0])
            ):
                found.append(f"{where}:{node.lineno}: {_called(node)}() of formatted text")
    assert not found, "\n".join(found)


def test_a_refusal_escapes_its_values_for_mrkdwn_and_keeps_them_for_a_form() -> None:
    from bot.services.errors import Refused

    hostile = " ".join(PARTS)
    refused = Refused(
        "{stage} is a closing stage (#{id}).", "`/salesbot stages`", stage=hostile, id=3
    )
    assert refused.message == f"{escape_mrkdwn(hostile)} is a closing stage (#3)."
    assert refused.plain == f"{hostile} is a closing stage (#3)."
    assert refused.usage == "`/salesbot stages`"
    quoted = Refused.plain_text(f"“{hostile}” is not a stage.")
    assert quoted.message == escape_mrkdwn(f"“{hostile}” is not a stage.")
