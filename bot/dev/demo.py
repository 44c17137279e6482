"""`salesbot demo`: a fictional team's twelve weeks, then one week played through the real
handlers and run-due, against the local Slack stand-in. Writes the weekly report's images and
a transcript of everything the bot would have posted, and a screenshot of the team's wallboard
on the Friday of that week when Chromium and chromedriver are there."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.dev import wallboard_shot
from bot.dev.driver import Reply, SlackDriver, bolt_transport
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.migrate import upgrade
from bot.slack.app import Salesbot, create_app
from models import Deal, Member

ZONE = ZoneInfo("Asia/Shanghai")
TEAM_ID = "T1"
CHANNEL = "C1"
MANAGER = ("U1", "alice", "Alice Chen")
REPS = [
    ("U2", "lilei", "李雷"),
    ("U3", "hanmeimei", "韩梅梅"),
    ("U4", "bob", "Bob Smith"),
    ("U5", "wangfang", "王芳"),
    ("U6", "priya", "Priya Patel"),
    ("U7", "carlos", "Carlos Ruiz"),
]
CUSTOMERS = [
    "华为",
    "腾讯",
    "阿里巴巴",
    "小米",
    "字节跳动",
    "美团",
    "京东",
    "百度",
    "比亚迪",
    "海尔",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Pied Piper",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Wonka",
    "Oscorp",
    "Aperture",
    "Vandelay",
]
AMOUNTS = ["8k", "12k", "15k", "2万", "25k", "3万", "40k", "5万", "60k", "8万", "120k"]
# Why a deal was lost, by its number (not drawn from the seeded random numbers, so the rest of
# the demo stays as it was).
LOST_REASONS = [
    "went with a competitor",
    "no budget",
    "价格太高",
    "went with a competitor",
    "timing",
]
# The week played live, and the Monday its report is posted.
PLAYED_WEEK = datetime(2026, 11, 23, tzinfo=ZONE)
REPORT_AT = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)
HISTORY_WEEKS = 12
# The wallboard's screenshot: Friday of the played week, the contest's last morning.
BOARD_AT = PLAYED_WEEK + timedelta(days=4, hours=13, minutes=5)
BOARD_SHOT = "wallboard.png"
# Where the demo's wallboard links point (the screenshot opens the link's path on a local port).
PUBLIC_URL = "https://salesbot.example.com"
# The README shows the played week's report: its charts, under the names the README links.
README_CHARTS = ("progress", "won-per-week", "pipeline", "funnel", "movement")


@dataclass
class Demo:
    """The running demo: app, Slack stand-in, clock and the signed-request driver."""

    app: Salesbot
    slack: DevSlack
    clock: FrozenClock
    driver: SlackDriver
    rng: random.Random
    deals: int = 0
    # Each rep's open deals by number, with their customer: a rep adding a second deal for a
    # customer they already have open would be asked "Add another, or update?".
    open_customers: dict[str, dict[int, str]] = field(default_factory=dict)
    # Lines the transcript ends with: what the demo did beyond Slack (or why it did not).
    notes: list[str] = field(default_factory=list)

    def at(self, when: datetime) -> None:
        """Move the clock."""
        self.clock.set(when)

    def say(self, user: str, command: str, text: str) -> Reply:
        """A slash command, as Slack would post it."""
        return self.driver.command(
            command, text, user=user, channel=CHANNEL, response_url=self.slack.response_url(command)
        )

    def tick(self, when: datetime) -> None:
        """What the clock process does every minute."""
        self.at(when)
        run_scheduled(self.app.runtime, now=when.astimezone(UTC))
        self.app.runtime.sender.deliver_due()

    def add(self, user: str, stage: str) -> int:
        """Record a deal for a customer the rep has no open deal with; returns its number."""
        mine = self.open_customers.setdefault(user, {})
        customers = [c for c in CUSTOMERS if c not in mine.values()] or CUSTOMERS
        customer = self.rng.choice(customers)
        amount = self.rng.choice(AMOUNTS)
        reply = self.say(user, "/deal", f'add "{customer}" {amount} {stage}')
        assert "Added" in reply.text, reply.text
        self.deals += 1
        mine[self.deals] = customer
        return self.deals

    def closed(self, user: str, deal: int) -> None:
        """The rep won or lost the deal: its customer is free again."""
        self.open_customers.get(user, {}).pop(deal, None)


def start(settings: Settings, out: Path) -> Demo:
    """A fresh database, the stand-in with the fictional workspace, and the app."""
    slack = DevSlack().start()
    for user_id, name, real in [MANAGER, *REPS]:
        slack.add_user(user_id, name, real_name=real, tz=str(ZONE), is_admin=user_id == "U1")
    slack.add_channel(CHANNEL, "sales", [MANAGER[0], *(r[0] for r in REPS)])
    database = out / "demo.db"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    upgrade(url)
    local = settings.model_copy(
        update={
            "database_url": url,
            "slack_api_url": slack.api_url,
            "slack_signing_secret": "demo-secret",
            "slack_bot_token": "xoxb-demo",
            "slack_client_id": None,
            "slack_client_secret": None,
            "salesbot_public_url": PUBLIC_URL,
        }
    )
    clock = FrozenClock(PLAYED_WEEK - timedelta(weeks=HISTORY_WEEKS))
    app = create_app(local, clock=clock, start_sender=False, wait_for_listeners=True)
    driver = SlackDriver(bolt_transport(app.bolt), "demo-secret", team_id=TEAM_ID)
    return Demo(app, slack, clock, driver, random.Random(2026))


def set_up_team(demo: Demo) -> None:
    """The manager sets up #sales, targets and rewards."""
    manager = MANAGER[0]
    demo.say(manager, "/salesbot", "setup CNY")
    demo.say(manager, "/salesbot", f"team remove <@{manager}>")
    demo.say(manager, "/salesbot", "fx USD 7.1")
    demo.say(manager, "/target", "reward add 120% Rocket bonus 2k")
    demo.say(manager, "/target", 'reward add streak 3 "Three in a row"')


def set_targets(demo: Demo, month: str) -> None:
    """Targets for a month: the team's, split by last month's results."""
    manager = MANAGER[0]
    demo.say(manager, "/target", f"set team 900k {month}")
    for user_id, _, _ in REPS:
        target = demo.rng.choice(["120k", "150k", "180k"])
        demo.say(manager, "/target", f"set <@{user_id}> {target} {month}")


def history(demo: Demo) -> None:
    """Twelve weeks of deals: added, moved, won or lost, on working days."""
    start = PLAYED_WEEK - timedelta(weeks=HISTORY_WEEKS)
    months_done: set[str] = set()
    open_deals: dict[str, list[int]] = {user: [] for user, _, _ in REPS}
    for day in range(HISTORY_WEEKS * 7):
        when = start + timedelta(days=day, hours=10)
        if when.weekday() >= 5:
            continue
        demo.at(when)
        month = f"{when:%B}".lower()
        if month not in months_done:
            months_done.add(month)
            set_targets(demo, f"{month} {when.year}")
        for user, _, _ in REPS:
            roll = demo.rng.random()
            if roll < 0.42:
                open_deals[user].append(
                    demo.add(user, demo.rng.choice(["lead", "qualified", "proposal"]))
                )
            elif roll < 0.6 and open_deals[user]:
                deal = open_deals[user].pop(0)
                verb = "won" if demo.rng.random() < 0.65 else "lost"
                demo.at(when + timedelta(hours=demo.rng.randint(1, 6)))
                reason = f" {LOST_REASONS[deal % len(LOST_REASONS)]}" if verb == "lost" else ""
                demo.say(user, "/deal", f"{verb} #{deal}{reason}")
                demo.closed(user, deal)
                demo.at(when)
            elif roll < 0.72 and open_deals[user]:
                deal = demo.rng.choice(open_deals[user])
                demo.say(user, "/deal", f"#{deal} stage negotiation")


def play_week(demo: Demo) -> None:
    """Monday to Friday through run-due: prompts, check-ins (modal and DM), reminders, closes."""
    demo.at(PLAYED_WEEK + timedelta(hours=8))
    reply = demo.say(
        MANAGER[0], "/contest", 'new "Call week" points from today to Friday prize "Team dinner"'
    )
    assert "is set" in reply.text, reply.text
    for day in range(5):
        morning = PLAYED_WEEK + timedelta(days=day)
        for minutes in range(8 * 60, 13 * 60 + 1, 15):
            when = morning + timedelta(minutes=minutes)
            demo.tick(when)
            if minutes == 10 * 60:
                log_activities(demo, day)
            if minutes == 9 * 60 + 45:
                check_ins(demo, day)
            if day == 1 and minutes == 11 * 60:
                pipeline_moves(demo)
            if day == 2 and minutes == 11 * 60:
                fat_fingered_win(demo)


def weekly_report(demo: Demo) -> None:
    """Monday morning: the played week's report."""
    demo.tick(REPORT_AT)


def wallboard(demo: Demo, out: Path) -> Path | None:
    """The manager asks for the team's wallboard link and the board is photographed in headless
    Chromium, served from the demo's database; None (and a note saying why) without one."""
    why = wallboard_shot.missing()
    if why is not None:
        demo.notes.append(f"[wallboard screenshot skipped: {why}]")
        return None
    demo.at(BOARD_AT)
    reply = demo.say(MANAGER[0], "/salesbot", "wallboard")
    link = re.search(re.escape(PUBLIC_URL) + r"/board/[A-Za-z0-9_-]+", reply.text)
    assert link is not None, reply.text
    path = out / BOARD_SHOT
    wallboard_shot.screenshot(demo.app.wsgi(), link.group(0), path)
    demo.notes.append(f"[wallboard screenshot: {BOARD_SHOT}, {BOARD_AT:%a %b %-d %H:%M}]")
    return path


def log_activities(demo: Demo, day: int) -> None:
    """The reps log the morning's calls, meetings and demos: the contest's points."""
    for index, (user, _name, _real) in enumerate(REPS):
        kind = ("calls", "meeting", "demo")[(index + day) % 3]
        count = demo.rng.randint(1, 4) if kind == "calls" else 1
        demo.say(user, "/log", f"{count} {kind}" if kind == "calls" else kind)


def pipeline_moves(demo: Demo) -> None:
    """A deal lost, one raised and one lowered: the week's pipeline movement has every step."""
    moves = [
        (REPS[1][0], "lost #{deal} went with a competitor"),
        (REPS[2][0], "#{deal} amount 150k"),
        (REPS[3][0], "#{deal} amount 5k"),
    ]
    for user, command in moves:
        deal = oldest_open_deal(demo, user)
        if deal is None:
            continue
        demo.say(user, "/deal", command.format(deal=deal))
        if command.startswith("lost"):
            demo.closed(user, deal)


def oldest_open_deal(demo: Demo, user: str) -> int | None:
    """The number of the rep's oldest deal still open (check-ins win some on their own)."""
    with demo.app.runtime.sessions() as session:
        return session.scalars(
            select(Deal.number)
            .join(Member, Member.id == Deal.owner_id)
            .where(
                Member.slack_user_id == user, Deal.closed_at.is_(None), Deal.deleted_at.is_(None)
            )
            .order_by(Deal.number)
            .limit(1)
        ).first()


def fat_fingered_win(demo: Demo) -> None:
    """A rep marks the wrong deal won and undoes it: the channel's post is corrected once."""
    user = REPS[0][0]
    deal = demo.add(user, "proposal")
    demo.say(user, "/deal", f"won #{deal}")
    demo.app.runtime.sender.deliver_due()
    demo.say(user, "/deal", "undo")
    demo.app.runtime.sender.deliver_due()


def check_ins(demo: Demo, day: int) -> None:
    """Most reps check in; some by the modal with a deal move, one by a DM reply."""
    for index, (user, _, _) in enumerate(REPS):
        if demo.rng.random() < 0.15:
            continue
        if index == day % len(REPS):
            # A plain DM reply: the whole text is the update, a `blocker:` line the blocker.
            text = (
                "Called three prospects\nblocker: waiting on legal"
                if day % 2
                else "给三个客户打了电话\n阻碍：等法务审核"
            )
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{user}",
                "user": user,
                "text": text,
                "ts": f"{day}.{index}",
            }
            demo.driver.event(event, event_id=f"Ev{day}{index}")
            continue
        if index == (day + 1) % len(REPS):
            demo.say(user, "/standup", "Demoed to two leads, no blockers")
            continue
        demo.say(user, "/standup", "")
        view = demo.slack.calls("views.open")[-1].params["view"]
        state: dict[str, dict[str, dict[str, Any]]] = {
            "q0": {"value": {"type": "plain_text_input", "value": "Followed up on proposals"}},
            "q1": {"value": {"type": "plain_text_input", "value": "Push the biggest deal"}},
            "q2": {"value": {"type": "plain_text_input", "value": "none"}},
        }
        options: list[dict[str, Any]] = next(
            (b["element"]["options"] for b in view["blocks"] if b.get("block_id") == "move0_deal"),
            [],
        )
        if options and demo.rng.random() < 0.5:
            state["move0_deal"] = {
                "value": {"type": "static_select", "selected_option": options[0]}
            }
            stage = demo.rng.choice(["negotiation", "won"])
            state["move0_stage"] = {
                "value": {"type": "static_select", "selected_option": {"value": stage}}
            }
        demo.driver.interaction(
            {
                "type": "view_submission",
                "team": {"id": TEAM_ID},
                "user": {"id": user},
                "view": {**view, "id": "V1", "state": {"values": state}},
            }
        )
        demo.app.runtime.sender.deliver_due()


def write_out(demo: Demo, out: Path) -> list[Path]:
    """The transcript and every uploaded image."""
    written = [out / "transcript.txt"]
    entries = [*demo.slack.transcript(), *demo.notes]
    written[0].write_text("\n\n".join(entries) + "\n", encoding="utf-8")
    names = {
        call.response.get("file_id"): str(call.params.get("filename"))
        for call in demo.slack.calls("files.getUploadURLExternal")
    }
    for file_id, data in demo.slack.uploads().items():
        path = out / names.get(file_id, f"{file_id}.png")
        path.write_bytes(data)
        written.append(path)
    return written


def write_readme_images(out: Path, folder: Path) -> list[Path]:
    """Copy the played week's report charts from `out` to the README's image folder."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in README_CHARTS:
        image = folder / f"{chart}.png"
        shutil.copyfile(out / f"report-{PLAYED_WEEK.date().isoformat()}-{chart}.png", image)
        written.append(image)
    return written


def run_demo(
    settings: Settings,
    out: Path,
    *,
    readme_images: Path | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> list[Path]:
    """Run the whole demo into `out` (emptied first), and copy the README's images to
    `readme_images` if given; returns the files written. `progress` hears each step."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    demo = start(settings, out)
    try:
        progress("setting up #sales: targets, rewards, a USD rate")
        set_up_team(demo)
        progress(f"{HISTORY_WEEKS} weeks of deals added, moved, won and lost")
        history(demo)
        progress("the week of Nov 23: stand-ups, check-ins, a win undone, the weekly report")
        play_week(demo)
        progress("the wallboard on Friday, in headless Chromium")
        board = wallboard(demo, out)
        weekly_report(demo)
        progress("writing the transcript and the charts")
        written = write_out(demo, out)
        if board is not None:
            written.append(board)
    finally:
        demo.slack.stop()
        demo.app.runtime.engine.dispose()
    if readme_images is not None:
        written += write_readme_images(out, readme_images)
    return written
