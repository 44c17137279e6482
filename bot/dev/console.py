"""`salesbot console`: chat with Salesbot locally, no Slack account needed.

It runs the real app (bolt, handlers, services, database) against the local Slack stand-in and
posts signed requests to it in-process, printing what the bot answers and posts.
"""

from __future__ import annotations

import re
import secrets
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console as Terminal
from rich.text import Text

from bot.clock import FrozenClock, ShiftedClock
from bot.config import Settings
from bot.dev.driver import Reply, SlackDriver, bolt_transport
from bot.dev.standin import DevSlack, blocks_to_text
from bot.dev.terminal import Names, render, where
from bot.jobs.due import run_scheduled
from bot.migrate import upgrade
from bot.slack.app import Salesbot, create_app

TEAM_ID = "T1"
CHANNEL_ID = "C1"
# A small fictional workspace so the console has people to talk about.
PEOPLE = [
    ("U1", "alice", "Alice Chen", True),
    ("U2", "bob", "Bob Smith", False),
    ("U3", "lilei", "李雷", False),
    ("U4", "hanmeimei", "韩梅梅", False),
]
HELP = """Type a slash command as a Slack user would, e.g. /deal add Acme 12k proposal
(@bob or @U2 in a command is a mention); a line without a slash is a DM to the bot
  :user U2        act as another user (U1 alice is a workspace admin; U2 bob, U3 李雷, U4 韩梅梅)
  :channel C1     the channel commands are typed in
  :tick 2026-11-30T09:30+08:00   run what is due at that instant (and freeze the clock there)
  :form           show the fields of the form (modal) the bot last opened
  :submit customer=Acme amount=12k stage=proposal close=2026-12-15
                  fill in and submit that form
  :press Add another   press a button of the last message that showed buttons
  :home           show your App Home tab
  :share FILE [message]   share a file in your DM with the bot (a CRM's deals export)
  :who            list the people
  :help           this text
  :quit           leave"""


@dataclass
class Console:
    """The REPL's state: who is typing where, and what has been printed."""

    app: Salesbot
    slack: DevSlack
    driver: SlackDriver
    clock: FrozenClock | ShiftedClock
    out: TextIO
    user: str = "U1"
    channel: str = CHANNEL_ID
    seen: int = 0
    # The buttons of the last message that showed any, for :press.
    buttons: list[dict[str, Any]] = field(default_factory=list)
    calls_seen: int = 0
    # Uploaded files go here, each once.
    files_dir: Path = Path("console-out")
    saved: set[str] = field(default_factory=set)
    last_tick: datetime | None = None
    dm_count: int = 0
    terminal: Terminal = field(init=False)
    names: Names = field(init=False)

    def __post_init__(self) -> None:
        # Styles on a terminal; plain text into a file or a test's buffer.
        self.terminal = Terminal(file=self.out, highlight=False, emoji=False, soft_wrap=True)
        self.names = Names(
            {user_id: name for user_id, name, _real, _admin in PEOPLE}, {CHANNEL_ID: "sales"}
        )

    def say(self, line: str) -> None:
        """Print one line of the console's own (no markup read)."""
        self.terminal.print(line, markup=False)

    def show(self, line: str, *, indent: str = "") -> None:
        """Print a line of what the bot said, its mrkdwn drawn for the terminal."""
        head, body = _split_where(line)
        text = render(body, self.names)
        if head or indent:
            text = Text(indent + where(head, self.names)) + text
        self.terminal.print(text)

    def handle(self, line: str) -> bool:
        """Act on one input line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            verb, _, rest = line[1:].partition(" ")
            return self.meta(verb, rest.strip())
        if line.startswith("/"):
            self.slash(line)
        else:
            self.direct_message(line)
        return True

    def meta(self, verb: str, rest: str) -> bool:
        """The console's own : commands."""
        if verb in ("quit", "q", "exit"):
            return False
        if verb == "user" and rest:
            self.user = rest
            self.say(f"(you are now {rest})")
        elif verb == "channel" and rest:
            self.channel = rest
            self.say(f"(you are now typing in {rest})")
        elif verb == "tick" and rest:
            self.tick(rest)
        elif verb == "submit":
            self.submit(rest)
        elif verb == "form":
            self.show_form()
        elif verb == "press":
            self.press(rest)
        elif verb == "home":
            self.show_home()
        elif verb == "share" and rest:
            self.share(rest)
        elif verb == "who":
            for user_id, name, real, admin in PEOPLE:
                self.say(f"  {user_id}  {name:<10} {real}{'  (admin)' if admin else ''}")
        else:
            self.say(HELP)
        return True

    def slash(self, line: str) -> None:
        """Send a slash command as the current user and show what comes back."""
        command, _, text = line.partition(" ")
        reply = self.driver.command(
            command,
            self.mentions(text.strip()),
            user=self.user,
            channel=self.channel,
            response_url=self.slack.response_url(command),
        )
        self.show_reply(reply)
        self.flush()

    def mentions(self, text: str) -> str:
        """`@bob` and `@U2` as Slack sends a mention the user picked: `<@U2|bob>`."""

        def mention(match: re.Match[str]) -> str:
            word = match.group(1)
            for user_id, name in self.names.people.items():
                if word in (user_id, name):
                    return f"<@{user_id}|{name}>"
            return match.group(0)

        return re.sub(r"(?<![<\w])@([A-Za-z0-9._-]+)", mention, text)

    def direct_message(self, text: str) -> None:
        """A line without a slash: a message to the bot in its DM (a stand-up reply, say)."""
        self.dm_count += 1
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{self.user}",
            "user": self.user,
            "text": self.mentions(text),
            "ts": f"{self.clock.now().timestamp():.0f}.{self.dm_count:06d}",
        }
        reply = self.driver.event(event, event_id=f"console-{secrets.token_hex(6)}")
        if reply.status != 200:
            self.say(f"(HTTP {reply.status})")
        self.flush()

    def share(self, rest: str) -> None:
        """Share a file in the DM, as Slack's file_share message event tells the bot of it."""
        from pathlib import Path

        path, _, text = rest.partition(" ")
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            self.say(f"(cannot read {path}: {error})")
            return
        file_id = self.slack.add_file(Path(path).name, data, user=self.user)
        self.dm_count += 1
        event = {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": f"D{self.user}",
            "user": self.user,
            "text": self.mentions(text.strip()),
            "ts": f"{self.clock.now().timestamp():.0f}.{self.dm_count:06d}",
            "files": [{"id": file_id, "name": Path(path).name}],
        }
        reply = self.driver.event(event, event_id=f"console-{secrets.token_hex(6)}")
        if reply.status != 200:
            self.say(f"(HTTP {reply.status})")
        self.flush()

    def tick(self, when: str) -> None:
        """Run what is due at an instant."""
        from bot.cli import parse_instant

        try:
            now: datetime = parse_instant(when)
        except Exception as error:
            self.say(f"(cannot read {when!r}: {error})")
            return
        if self.last_tick is not None and now < self.last_tick:
            self.say(
                f"(that is before the last tick, {self.last_tick.isoformat()}: time only goes "
                "forward here; tick a later instant)"
            )
            return
        self.last_tick = now
        self.clock.set(now)
        report = run_scheduled(self.app.runtime, now=now)
        done = ", ".join(f"{k}: {v}" for k, v in report.done.items()) or "nothing due"
        self.say(f"(tick {now.isoformat()}: {done if report.claimed else 'already ran'})")
        self.flush()

    def show_form(self) -> None:
        """The open form's fields: label, the name :submit takes, and the choices."""
        opened = self.slack.calls("views.open")
        if not opened:
            self.say("(no form is open: try /deal new)")
            return
        view = opened[-1].params["view"]
        self.say(f"({_view_title(view)}: fill in with :submit name=value …)")
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            label = (block.get("label") or {}).get("text", "")
            options = [o["value"] for o in element.get("options", [])]
            initial = element.get("initial_value") or (element.get("initial_option") or {}).get(
                "value"
            )
            extra = f"  one of: {', '.join(options)}" if options else ""
            extra += f"  (now: {initial})" if initial else ""
            optional = " (optional)" if block.get("optional") else ""
            self.say(f"  {block['block_id']:<12} {label}{optional}{extra}")

    def submit(self, rest: str) -> None:
        """Submit the last opened modal with `field=value` pairs (quote values with spaces)."""
        opened = self.slack.calls("views.open")
        if not opened:
            self.say("(no form is open: try /deal new)")
            return
        view = opened[-1].params["view"]
        try:
            values = dict(pair.split("=", 1) for pair in shlex.split(rest))
        except ValueError:
            self.say("(write fields as name=value, e.g. :submit customer=Acme amount=12k)")
            return
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": self.user},
            "view": {**view, "id": "V-console", "state": {"values": form_state(view, values)}},
        }
        reply = self.driver.interaction(payload)
        errors = reply.json.get("errors") if reply.body else None
        if errors:
            for field, message in errors.items():
                self.say(f"  [{field}] {message}")
        self.flush()

    def press(self, label: str) -> None:
        """Press the button with this label (case aside) of the last message with buttons."""
        found = [b for b in self.buttons if b["text"]["text"].casefold() == label.casefold()]
        if not found:
            shown = ", ".join(f"[{b['text']['text']}]" for b in self.buttons) or "none"
            self.say(f"(no button {label!r}; the last buttons shown: {shown})")
            return
        pressed = found[0]
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": self.user},
            "channel": {"id": self.channel},
            "container": {"type": "message", "channel_id": self.channel, "is_ephemeral": True},
            "response_url": self.slack.response_url(
                "press", user_id=self.user, channel_id=self.channel
            ),
            "actions": [
                {
                    "type": "button",
                    "action_id": pressed["action_id"],
                    "text": pressed["text"],
                    "value": pressed.get("value", ""),
                }
            ],
        }
        reply = self.driver.interaction(payload)
        if reply.status != 200:
            self.say(f"(HTTP {reply.status})")
        self.flush()

    def remember_buttons(self, blocks: object) -> None:
        """Keep the buttons of a message that has some, for :press."""
        if not isinstance(blocks, list):
            return
        buttons = [
            element
            for block in blocks
            if isinstance(block, dict) and block.get("type") == "actions"
            for element in block.get("elements", [])
            if element.get("type") == "button"
        ]
        if buttons:
            self.buttons = buttons

    def show_home(self) -> None:
        """Open the current user's App Home tab and print it."""
        event = {"type": "app_home_opened", "user": self.user, "tab": "home"}
        self.driver.event(event, event_id=f"home-{secrets.token_hex(4)}")
        self.app.runtime.sender.deliver_due()
        published = [
            c for c in self.slack.calls("views.publish") if c.params.get("user_id") == self.user
        ]
        if published:
            for line in blocks_to_text(published[-1].params["view"]["blocks"]).splitlines():
                self.show(line, indent="  | ")
        self.seen = len(self.slack.transcript())

    def show_reply(self, reply: Reply) -> None:
        """The immediate (ack) answer to a command."""
        if reply.status != 200:
            self.say(f"(HTTP {reply.status})")
        elif reply.body:
            self.show(reply.text, indent="  ")
            self.remember_buttons(reply.json.get("blocks"))

    def flush(self) -> None:
        """Deliver what the bot owes Slack and print everything new it said."""
        self.app.runtime.sender.deliver_due()
        calls = self.slack.calls()
        for call in calls[self.calls_seen :]:
            if call.method in ("chat.postEphemeral", "chat.postMessage", "response_url"):
                self.remember_buttons(call.params.get("blocks"))
        self.calls_seen = len(calls)
        lines = self.slack.transcript()
        for line in lines[self.seen :]:
            # The home tab is re-published after every change: shown on demand with :home.
            if not line.startswith("[home published"):
                self.show(line)
        self.seen = len(lines)
        self.save_files()

    def save_files(self) -> None:
        """Write each uploaded file (charts, exports) to files_dir once, and say where."""
        names = {
            c.response.get("file_id"): str(c.params.get("filename"))
            for c in self.slack.calls("files.getUploadURLExternal")
        }
        for file_id, data in self.slack.uploads().items():
            if file_id in self.saved:
                continue
            self.saved.add(file_id)
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / Path(names.get(file_id) or f"{file_id}.bin").name
            path.write_bytes(data)
            self.say(f"  (file saved: {path})")


_WHERE_PREFIX = re.compile(
    r"^((?:\[[^\]]*\] ?)?"
    r"(?:#[^\s:]+(?: \(thread [^)]*\))?: |DM [^\s:]+: |\(only [^)]+ sees\) )?)"
)


def _split_where(line: str) -> tuple[str, str]:
    """A transcript line's prefix (where it went) and the message."""
    found = _WHERE_PREFIX.match(line)
    head = found.group(1) if found else ""
    return head, line[len(head) :]


def _view_title(view: dict[str, Any]) -> str:
    title = view.get("title")
    return str(title.get("text", "form")) if isinstance(title, dict) else "form"


def form_state(view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A modal's state as Slack would send it, from plain field values."""
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        # Fields left out keep what the form showed, as in Slack.
        initial = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
        value = values.get(block["block_id"], initial)
        if value is None:
            continue
        if element["type"] == "static_select":
            entry = {"type": "static_select", "selected_option": {"value": value}}
        elif element["type"] == "datepicker":
            entry = {"type": "datepicker", "selected_date": value}
        else:
            entry = {"type": element["type"], "value": value}
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


def start_console(
    settings: Settings, out: TextIO, *, frozen_at: datetime | None = None
) -> tuple[Console, DevSlack]:
    """Migrate the database, start the stand-in and build a console bound to them."""
    upgrade(settings.database_url)
    slack = DevSlack()
    slack.start()
    for user_id, name, real_name, admin in PEOPLE:
        slack.add_user(user_id, name, real_name=real_name, tz="Asia/Shanghai", is_admin=admin)
    slack.add_channel(CHANNEL_ID, "sales", [p[0] for p in PEOPLE])
    secret = secrets.token_hex(16)
    local = settings.model_copy(
        update={
            "slack_api_url": slack.api_url,
            "slack_signing_secret": secret,
            "slack_bot_token": "xoxb-console",
            # The console is one local workspace, whatever OAuth settings the environment has.
            "slack_client_id": None,
            "slack_client_secret": None,
        }
    )
    clock: FrozenClock | ShiftedClock = FrozenClock(frozen_at) if frozen_at else ShiftedClock()
    # The console waits for each listener to finish so replies print in order.
    app = create_app(local, clock=clock, start_sender=False, wait_for_listeners=True)
    driver = SlackDriver(bolt_transport(app.bolt), secret, team_id=TEAM_ID)
    return Console(app=app, slack=slack, driver=driver, clock=clock, out=out), slack


def run_console(
    settings: Settings, lines: Iterable[str] | None = None, out: TextIO = sys.stdout
) -> int:
    """The REPL loop: reads stdin (or given lines) until :quit or end of input."""
    console, slack = start_console(settings, out)
    interactive = lines is None and sys.stdin.isatty()
    if interactive:
        console.say("Salesbot console. You are U1 (alice, admin) in #sales. :help for help.")
    try:
        source = lines if lines is not None else _read_stdin(interactive)
        for line in source:
            if not console.handle(line):
                break
    finally:
        slack.stop()
    return 0


def _read_stdin(interactive: bool) -> Iterable[str]:
    while True:
        try:
            line = input("> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and not line:
            return
        yield line
