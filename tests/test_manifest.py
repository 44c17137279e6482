"""manifest.yml against Slack's manifest schema, and against what the code uses.

Two checks, both offline:

- The manifest is valid under Slack's published JSON schema (vendored in tests/slack/, see its
  README.md), resolved from local files only.
- The manifest declares exactly what the code needs: the slash commands, events, shortcuts and
  interactivity that handlers.register() sets up (run against a recording fake app), and the
  bot scopes that those events and the Web API methods called in bot/ and handlers/ (found by
  reading the source) require, per the table below. Nothing missing, nothing unused.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7
from slack_sdk import WebClient

import handlers
from bot.slack.app import Salesbot
from bot.slack.oauth import REDIRECT_PATH

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.yml"
SCHEMAS = Path(__file__).resolve().parent / "slack"
# manifest.schema.json refers to the versioned schemas by these URLs; they are served from
# tests/slack/ and nothing is fetched.
SCHEMA_URL = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
VERSIONED_SCHEMAS = ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json")
# bot/slack/app.py serves slash commands, events and interactivity on this one path.
EVENTS_PATH = "/slack/events"

# Bot scopes each Web API method needs as Salesbot calls it, from the method's page in Slack's
# reference (docs.slack.dev/reference/methods/<method>). A method the code starts calling
# must be added here, from its page, before this test passes.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    # Conversations API methods need the scope of each conversation type they touch. Salesbot
    # opens 1:1 DMs only (users=<one user>): im:write.
    "conversations.open": frozenset({"im:write"}),
    # A team's channel may be public (channels:read) or private (groups:read).
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    "conversations.members": frozenset({"channels:read", "groups:read"}),
    # The sender looks for its own post when Slack's answer to it was lost.
    "conversations.history": frozenset({"channels:history", "groups:history", "im:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history", "im:history"}),
    # Names, time zones and locales.
    "users.info": frozenset({"users:read"}),
    # A CRM deal's owner is found by their e-mail address (live CRM sync).
    "users.lookupByEmail": frozenset({"users:read", "users:read.email"}),
    # files.upload_v2 is these two calls (slack_sdk's WebClient.files_upload_v2).
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    # A CRM export a manager shares in the DM: what it is, then its url_private (files:read).
    "files.info": frozenset({"files:read"}),
    # An export's owners by name: the directory's real and display names.
    "users.list": frozenset({"users:read"}),
    # Views need no scope: a trigger_id, or the App Home of a user who has it.
    "views.open": frozenset(),
    "views.publish": frozenset(),
}
# Bot scopes each Events API event needs (docs.slack.dev/reference/events/<event>).
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "message.im": frozenset({"im:history"}),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
}
# Slash commands and shortcuts need the commands scope.
COMMANDS_SCOPE = "commands"
# A listener argument through which bolt calls a Web API method for the listener.
LISTENER_ARGUMENT_METHODS = {"say": "chat.postMessage"}
# message events: Slack's channel_type -> the manifest's event name.
MESSAGE_EVENTS = {
    "channel": "message.channels",
    "group": "message.groups",
    "im": "message.im",
    "mpim": "message.mpim",
}

# The code that talks to Slack in production. bot/dev is the local Slack stand-in and the tools
# that drive it; it calls no real Slack.
SOURCE_DIRS = ("bot", "handlers", "models")
NOT_PRODUCTION = ("bot/dev/",)
# The one place that calls Slack with a method name held in a variable: the outbox sender,
# whose methods are the `method="..."` strings the code owes (collected below).
DYNAMIC_DISPATCH = {"bot/slack/sender.py"}
# Functions that owe Slack a call through the outbox, with the method as `method=`.
OUTBOX_FUNCTIONS = {"enqueue", "owe_rendered"}
OUTBOX_MODULE = "bot/services/outbox.py"
# Views describe owed calls as Call("chat.postMessage", payload); the unit of work writes them
# (enqueue(method=call.method)), so there the method is read from the Call, not the enqueue.
OWED_CALL = "Call"
UNIT_OF_WORK = "bot/unit_of_work.py"


# -- The schema --------------------------------------------------------------------------------


def load_manifest() -> dict[str, Any]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def _read_json(name: str) -> dict[str, Any]:
    data = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _no_network(uri: str) -> Any:
    raise NoSuchResource(ref=uri)


def schema_validator() -> Draft7Validator:
    """Slack's schema, its $refs to the versioned schemas served from tests/slack/."""
    registry: Registry[Any] = Registry(retrieve=_no_network).with_resources(
        (SCHEMA_URL + name, DRAFT7.create_resource(_read_json(name))) for name in VERSIONED_SCHEMAS
    )
    return Draft7Validator(
        _read_json("manifest.schema.json"),
        registry=registry,
        format_checker=Draft7Validator.FORMAT_CHECKER,
    )


def _leaves(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        if error.context:
            yield from _leaves(error.context)
        else:
            yield error


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    """What the schema says is wrong ([] when valid). The schema is a oneOf of (the manifest
    version, that version's schema) pairs: the details are the versioned schemas' complaints."""
    errors = list(schema_validator().iter_errors(manifest))
    leaves = list(_leaves(errors))
    # absolute_schema_path: oneOf, <branch>, allOf, 0 (picks the version) or 1 (its schema).
    details = [e for e in leaves if list(e.absolute_schema_path)[2:4] == ["allOf", 1]]
    messages = [f"{e.json_path}: {e.message}"[:300] for e in details or leaves]
    return list(dict.fromkeys(messages))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_vendored_schemas_are_draft_7_and_refer_only_to_each_other() -> None:
    for name in ("manifest.schema.json", *VERSIONED_SCHEMAS):
        schema = _read_json(name)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#", name
        Draft7Validator.check_schema(schema)
        for ref in _refs(schema):
            # Inside a file: a JSON pointer; across files: one of the local versioned schemas.
            assert ref.startswith("#") or ref in {SCHEMA_URL + n for n in VERSIONED_SCHEMAS}, ref


def test_manifest_is_valid_under_slacks_schema() -> None:
    assert schema_errors(load_manifest()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.pop("display_information"), "'display_information' is a required property"),
        (lambda m: m["features"]["slash_commands"][0].pop("description"), "'description'"),
        (lambda m: m["features"]["slash_commands"][0].update(command="deal"), "'deal'"),
        (lambda m: m["settings"].update(interactivity={}), "'is_enabled' is a required property"),
        (lambda m: m.update(colour="red"), "'colour' was unexpected"),
    ],
    ids=[
        "no display_information",
        "command without description",
        "command without slash",
        "interactivity without is_enabled",
        "unknown top-level key",
    ],
)
def test_the_schema_rejects_a_broken_manifest(
    change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    manifest = load_manifest()
    change(manifest)
    errors = schema_errors(manifest)
    assert errors, "the schema accepted a broken manifest"
    assert any(expected in error for error in errors), errors


# -- What the code uses ------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    kind: str  # command, event, action, view, shortcut, options
    key: Any
    listener: Callable[..., Any]


class RecordingApp:
    """Stands in for bolt's App in handlers.register(): records each listener it is given.

    Any other App method a handler calls fails here, so a new kind of listener (app.message,
    app.function...) is taught to this test, and to the manifest, before it ships."""

    def __init__(self) -> None:
        self.registrations: list[Registration] = []

    def _record(self, kind: str, key: Any) -> Callable[..., Any]:
        def decorator(*listeners: Callable[..., Any]) -> Callable[..., Any]:
            for listener in listeners:
                self.registrations.append(Registration(kind, key, listener))
            return listeners[0]

        return decorator

    def command(self, command: Any, **_: Any) -> Callable[..., Any]:
        return self._record("command", command)

    def event(self, event: Any, **_: Any) -> Callable[..., Any]:
        return self._record("event", event)

    def action(self, constraints: Any, **_: Any) -> Callable[..., Any]:
        return self._record("action", constraints)

    def view(self, constraints: Any, **_: Any) -> Callable[..., Any]:
        return self._record("view", constraints)

    def shortcut(self, constraints: Any, **_: Any) -> Callable[..., Any]:
        return self._record("shortcut", constraints)

    def options(self, constraints: Any, **_: Any) -> Callable[..., Any]:
        return self._record("options", constraints)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(
            f"a handler calls app.{name}(): teach tests/test_manifest.py what it needs in "
            "manifest.yml"
        )


def event_name(key: Any) -> str:
    """The manifest's bot_events name for an app.event() argument."""
    if isinstance(key, str) and key != "message":
        return key
    if isinstance(key, dict) and key.get("type") == "message":
        channel_type = key.get("channel_type")
        if channel_type in MESSAGE_EVENTS:
            return MESSAGE_EVENTS[channel_type]
    if isinstance(key, dict) and isinstance(key.get("type"), str) and key["type"] != "message":
        return str(key["type"])
    raise AssertionError(f"cannot tell which bot_events app.event({key!r}) needs")


@dataclass
class Usage:
    """What the code asks of Slack; each method with where it is called."""

    commands: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    shortcuts: set[str] = field(default_factory=set)
    interactive: set[str] = field(default_factory=set)  # action/view/options listeners
    methods: dict[str, set[str]] = field(default_factory=dict)

    def call(self, method: str, where: str) -> None:
        self.methods.setdefault(method, set()).add(where)


def registrations() -> list[Registration]:
    app = RecordingApp()
    handlers.register(app)  # type: ignore[arg-type]
    return app.registrations


def listener_usage(usage: Usage) -> None:
    for registration in registrations():
        key = registration.key
        match registration.kind:
            case "command":
                assert isinstance(key, str), f"app.command({key!r}): the manifest needs a name"
                usage.commands.add(key)
            case "event":
                usage.events.add(event_name(key))
            case "shortcut":
                callback_id = key.get("callback_id") if isinstance(key, dict) else key
                assert isinstance(callback_id, str), f"app.shortcut({key!r}): needs a callback_id"
                usage.shortcuts.add(callback_id)
            case _:
                usage.interactive.add(f"{registration.kind} {key!r}")
        for argument in inspect.signature(registration.listener).parameters:
            if argument in LISTENER_ARGUMENT_METHODS:
                name = getattr(registration.listener, "__qualname__", repr(registration.listener))
                usage.call(LISTENER_ARGUMENT_METHODS[argument], f"{name}({argument})")


WEB_CLIENT = {
    name
    for name, _ in inspect.getmembers(WebClient, inspect.isfunction)
    if not name.startswith("_") and name not in {"api_call", "validate_slack_signature"}
}


def api_methods(client_method: str) -> set[str]:
    """The Web API methods a WebClient method calls (files_upload_v2: two of them)."""
    source = inspect.getsource(getattr(WebClient, client_method))
    methods = set(re.findall(r'api_call\(\s*"([^"]+)"', source))
    for helper in set(re.findall(r"self\.(\w+)\(", source)) & WEB_CLIENT - {client_method}:
        methods |= api_methods(helper)
    assert methods, f"cannot tell which Web API methods WebClient.{client_method} calls"
    return methods


def production_sources() -> Iterator[tuple[str, ast.Module]]:
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_PRODUCTION):
                yield relative, ast.parse(path.read_text(encoding="utf-8"), relative)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def source_usage(usage: Usage) -> None:
    """Web API calls in the source: client.<method>(...), api_call("..."), and the calls the
    code owes through the outbox (enqueue(..., method="chat.postMessage", ...))."""
    dynamic: set[str] = set()
    for relative, tree in production_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{relative}:{node.lineno}"
            name = _called_name(node)
            if isinstance(node.func, ast.Attribute) and name in WEB_CLIENT:
                for method in api_methods(name):
                    usage.call(method, where)
            elif name == "api_call":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    usage.call(first.value, where)
                else:
                    dynamic.add(relative)
            if name in OUTBOX_FUNCTIONS and relative != OUTBOX_MODULE:
                method = next((k.value for k in node.keywords if k.arg == "method"), None)
                if relative == UNIT_OF_WORK and isinstance(method, ast.Attribute | ast.Name):
                    continue  # a Call's method, or one of the constants chosen just above it
                for owed in owed_methods(method, where, name or ""):
                    owe(usage, owed, where)
            elif name == OWED_CALL and node.args:
                for owed in owed_methods(node.args[0], where, OWED_CALL):
                    owe(usage, owed, where)
        if relative == UNIT_OF_WORK:
            # The methods it picks between (a reply: ephemeral, or a DM).
            for node in ast.walk(tree):
                if isinstance(node, ast.IfExp) and all(
                    isinstance(side, ast.Constant) and isinstance(side.value, str)
                    for side in (node.body, node.orelse)
                ):
                    for owed in owed_methods(node, f"{relative}:{node.lineno}", "reply"):
                        owe(usage, owed, f"{relative}:{node.lineno}")
    assert dynamic == DYNAMIC_DISPATCH, (
        f"api_call() with a computed method in {sorted(dynamic - DYNAMIC_DISPATCH)}: "
        "this test cannot see which methods those are"
    )


def owed_methods(node: ast.expr | None, where: str, what: str) -> list[str]:
    """The method names an expression can be: a string, or either side of `a if c else b`."""
    if isinstance(node, ast.IfExp):
        return owed_methods(node.body, where, what) + owed_methods(node.orelse, where, what)
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), (
        f"{where}: {what}() with a method this test cannot read"
    )
    return [node.value]


def owe(usage: Usage, method: str, where: str) -> None:
    """A call owed through the outbox: what the sender does with it (api_call or upload)."""
    if method.startswith("crm."):
        return  # a CRM delivery (bot/sync/deliver.py), not a Slack call
    client_method = method.replace(".", "_")
    assert client_method in WEB_CLIENT, f"{where}: unknown method {method!r}"
    for api_method in api_methods(client_method):
        usage.call(api_method, where)


def code_usage() -> Usage:
    usage = Usage()
    listener_usage(usage)
    source_usage(usage)
    return usage


# -- The comparison ----------------------------------------------------------------------------


def _both_ways(what: str, used: set[str], declared: set[str], where: str) -> list[str]:
    return [
        f"{what} {x} is used by the code but missing from {where}" for x in sorted(used - declared)
    ] + [f"{what} {x} is in {where} but the code never uses it" for x in sorted(declared - used)]


def needed_scopes(usage: Usage) -> tuple[set[str], list[str]]:
    """The bot scopes the code needs, and what the tables above do not know."""
    scopes: set[str] = set()
    unknown: list[str] = []
    for method, sites in sorted(usage.methods.items()):
        if method not in METHOD_SCOPES:
            unknown.append(
                f"Web API method {method} ({', '.join(sorted(sites))}) is not in METHOD_SCOPES: "
                "add it with the bot scopes its reference page lists"
            )
        scopes |= METHOD_SCOPES.get(method, frozenset())
    for event in sorted(usage.events):
        if event not in EVENT_SCOPES:
            unknown.append(f"event {event} is not in EVENT_SCOPES: add it with its scopes")
        scopes |= EVENT_SCOPES.get(event, frozenset())
    if usage.commands or usage.shortcuts:
        scopes.add(COMMANDS_SCOPE)
    return scopes, unknown


def manifest_problems(manifest: dict[str, Any], usage: Usage) -> list[str]:
    """Where the manifest and the code disagree ([] when they agree)."""
    features = manifest.get("features") or {}
    settings = manifest.get("settings") or {}
    oauth = manifest.get("oauth_config") or {}
    events = settings.get("event_subscriptions") or {}
    interactivity = settings.get("interactivity") or {}
    app_home = features.get("app_home") or {}
    scopes = oauth.get("scopes") or {}
    commands = features.get("slash_commands") or []
    problems: list[str] = []

    problems += _both_ways(
        "slash command",
        usage.commands,
        {c["command"] for c in commands},
        "features.slash_commands",
    )
    problems += _both_ways(
        "bot event", usage.events, set(events.get("bot_events") or []), "bot_events"
    )
    problems += _both_ways(
        "shortcut",
        usage.shortcuts,
        {s["callback_id"] for s in features.get("shortcuts") or []},
        "features.shortcuts",
    )
    needs_interactivity = bool(usage.interactive or usage.shortcuts)
    if needs_interactivity != bool(interactivity.get("is_enabled")):
        problems.append(
            f"settings.interactivity.is_enabled should be {needs_interactivity}: "
            f"listeners {sorted(usage.interactive) or 'none'}"
        )

    needed, unknown = needed_scopes(usage)
    problems += unknown
    problems += _both_ways(
        "bot scope", needed, set(scopes.get("bot") or []), "oauth_config.scopes.bot"
    )
    # Salesbot acts with its bot token only: any user scope, or optional scope, is unused.
    for kind in ("user", "user_optional", "bot_optional"):
        problems += [
            f"oauth_config.scopes.{kind} has {s}: the code never uses it"
            for s in scopes.get(kind) or []
        ]
    problems += [
        f"user event {e}: the app has no user token" for e in events.get("user_events") or []
    ]

    home = "app_home_opened" in usage.events or "views.publish" in usage.methods
    if bool(app_home.get("home_tab_enabled")) != home:
        problems.append(f"features.app_home.home_tab_enabled should be {home}")
    dms = "message.im" in usage.events
    if bool(app_home.get("messages_tab_enabled")) != dms:
        problems.append(f"features.app_home.messages_tab_enabled should be {dms}")
    if dms and app_home.get("messages_tab_read_only_enabled"):
        problems.append("features.app_home.messages_tab_read_only_enabled: members reply in DMs")
    if (usage.methods or usage.events or usage.commands) and "bot_user" not in features:
        problems.append("features.bot_user is missing: the code acts as a bot")

    if not settings.get("socket_mode_enabled"):
        urls = {f"slash command {c['command']}": c.get("url") for c in commands}
        if events.get("bot_events"):
            urls["event_subscriptions.request_url"] = events.get("request_url")
        if interactivity.get("is_enabled"):
            urls["interactivity.request_url"] = interactivity.get("request_url")
        problems += [
            f"{what}: {url!r} is not on {EVENTS_PATH}, where the app listens"
            for what, url in urls.items()
            if not (isinstance(url, str) and url.endswith(EVENTS_PATH))
        ]
    problems += [
        f"oauth_config.redirect_urls: {url!r} is not on {REDIRECT_PATH}"
        for url in oauth.get("redirect_urls") or []
        if not url.endswith(REDIRECT_PATH)
    ]
    return problems


@pytest.fixture(scope="module")
def usage() -> Usage:
    return code_usage()


def test_the_code_uses_what_it_seems_to(usage: Usage) -> None:
    """The collectors find the listeners and calls known to be there (they see something)."""
    assert {"/deal", "/target", "/standup", "/salesbot"} <= usage.commands
    assert {"app_home_opened", "message.im"} <= usage.events
    assert usage.interactive
    posts = " ".join(usage.methods["chat.postMessage"])
    assert "bot/views/notices.py" in posts  # a Call("chat.postMessage", …) a view owes
    assert "bot/unit_of_work.py" in " ".join(usage.methods["chat.postEphemeral"])  # a reply
    assert "files.completeUploadExternal" in usage.methods  # an outbox files.upload_v2
    assert "users.info" in usage.methods  # bot/slack/directory.py


def test_manifest_declares_what_the_code_uses_and_nothing_else(usage: Usage) -> None:
    assert manifest_problems(load_manifest(), usage) == []


def test_the_scope_tables_have_no_rows_for_what_the_code_no_longer_uses(usage: Usage) -> None:
    assert set(METHOD_SCOPES) - set(usage.methods) == set()
    assert set(EVENT_SCOPES) - usage.events == set()


def test_handlers_register_every_listener_the_real_app_has(app: Salesbot) -> None:
    """Listeners are only added through handlers.register(), so the recording saw them all
    (bolt keeps them in App._listeners)."""
    assert len(app.bolt._listeners) == len(registrations())


def _remove_command(name: str) -> Callable[[dict[str, Any]], object]:
    def change(m: dict[str, Any]) -> None:
        commands = m["features"]["slash_commands"]
        commands[:] = [c for c in commands if c["command"] != name]

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_remove_command("/standup"), "slash command /standup is used by the code but missing"),
        (
            lambda m: m["features"]["slash_commands"].append(
                {
                    "command": "/forecast",
                    "description": "x",
                    "url": m["settings"]["interactivity"]["request_url"],
                }
            ),
            "slash command /forecast is in features.slash_commands but the code never uses it",
        ),
        (
            lambda m: m["oauth_config"]["scopes"]["bot"].append("reactions:write"),
            "bot scope reactions:write is in oauth_config.scopes.bot but the code never uses it",
        ),
        (
            lambda m: m["oauth_config"]["scopes"]["bot"].remove("users:read"),
            "bot scope users:read is used by the code but missing",
        ),
        (
            lambda m: m["settings"]["event_subscriptions"]["bot_events"].remove("message.im"),
            "bot event message.im is used by the code but missing",
        ),
        (
            lambda m: m["settings"]["interactivity"].update(is_enabled=False),
            "settings.interactivity.is_enabled should be True",
        ),
        (
            lambda m: m["features"]["app_home"].update(home_tab_enabled=False),
            "home_tab_enabled should be True",
        ),
    ],
    ids=[
        "missing command",
        "unused command",
        "unused scope",
        "missing scope",
        "missing event",
        "interactivity off",
        "home tab off",
    ],
)
def test_the_comparison_notices_a_wrong_manifest(
    usage: Usage, change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    manifest = copy.deepcopy(load_manifest())
    change(manifest)
    problems = manifest_problems(manifest, usage)
    assert any(expected in problem for problem in problems), problems


def test_the_comparison_notices_a_method_missing_from_the_scope_table(usage: Usage) -> None:
    more = Usage(
        commands=set(usage.commands),
        events=set(usage.events),
        shortcuts=set(usage.shortcuts),
        interactive=set(usage.interactive),
        methods={**usage.methods, "reactions.add": {"bot/somewhere.py:1"}},
    )
    problems = manifest_problems(load_manifest(), more)
    assert any("reactions.add (bot/somewhere.py:1) is not in METHOD_SCOPES" in p for p in problems)
