"""The wallboard through signed HTTP and plain GETs: `/salesbot wallboard` and `revoke` (managers
only, in English and Chinese), the link's token kept only as a digest, the plain 404s, one team
per token, and the board's JSON against the database."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.dev.driver import SlackDriver, http_transport
from bot.dev.standin import DevSlack
from bot.i18n import money, use_language
from bot.web import board as board_web
from models import Deal, Member, SalesTeam, StageDef, WallboardLink
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import Say

PUBLIC = "https://board.example.com"
LINK = re.compile(re.escape(PUBLIC) + r"/board/([A-Za-z0-9_-]{43})")

pytestmark = pytest.mark.usefixtures("team")


@pytest.fixture
def settings(database_url: str, slack: DevSlack) -> Settings:
    """conftest's settings, with the public URL board links are made of."""
    return load_settings(
        {},
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        salesbot_public_url=PUBLIC + "/",
    )


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def token_of(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found[1]


def new_link(say: Say, user: str = "U1", channel: str = "C1") -> str:
    return token_of(say("/salesbot", "wallboard", user=user, channel=channel).text)


def state(server_url: str, token: str) -> dict[str, Any]:
    status, headers, body = get(f"{server_url}/board/{token}/state")
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    board = json.loads(body)["board"]
    assert isinstance(board, dict)
    return board


def links(sessions: sessionmaker[Session]) -> list[WallboardLink]:
    with sessions() as session:
        return list(session.scalars(select(WallboardLink).order_by(WallboardLink.id)))


def test_a_manager_gets_a_secret_link_shown_once_and_only_its_digest_is_kept(
    say: Say, server_url: str, sessions: sessionmaker[Session]
) -> None:
    reply = say("/salesbot", "wallboard", user="U1")
    assert reply.json["response_type"] == "ephemeral"
    assert "The board of sales" in reply.text and "`/salesbot wallboard revoke`" in reply.text
    token = token_of(reply.text)
    [link] = links(sessions)
    assert link.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(link))
    status, headers, body = get(f"{server_url}/board/{token}")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    # Nothing is fetched from anywhere but this server.
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    page = body.decode()
    assert '<h1 class="team">sales</h1>' in page and 'data-theme="dark"' in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert 'data-theme="light"' in get(f"{server_url}/board/{token}?theme=light")[2].decode()
    # The token never reaches the page itself: the script polls its own path.
    assert token not in page


@pytest.mark.parametrize("text", ["wallboard", "wallboard revoke", "大屏"])
def test_only_managers_may_make_or_revoke_a_link(
    say: Say, sessions: sessionmaker[Session], text: str
) -> None:
    reply = say("/salesbot", text, user="U2")
    assert "Only managers" in reply.text and PUBLIC not in reply.text
    assert links(sessions) == []


def test_a_wrong_word_after_wallboard_shows_the_form(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    reply = say("/salesbot", "wallboard please", user="U1")
    assert "`please` is not something `wallboard` does" in reply.text
    assert "`/salesbot wallboard revoke`" in reply.text
    assert links(sessions) == []


def test_outside_a_team_there_is_no_board(
    say: Say, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    slack.add_user("U9", "zoe", real_name="Zoe Boss", tz="Asia/Shanghai", is_admin=True)
    slack.add_channel("C9", "random", ["U9"])
    reply = say("/salesbot", "wallboard", user="U9", channel="C9")
    assert "There is no sales team here yet" in reply.text
    assert links(sessions) == []


def test_without_a_public_url_no_link_is_made(
    say: Say, settings: Settings, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "salesbot_public_url", None)
    reply = say("/salesbot", "wallboard", user="U1")
    assert "`SALESBOT_PUBLIC_URL`" in reply.text and "/board/" not in reply.text
    assert links(sessions) == []


def test_a_new_link_replaces_the_old_and_revoke_stops_it(
    say: Say, server_url: str, sessions: sessionmaker[Session]
) -> None:
    first = new_link(say)
    reply = say("/salesbot", "wallboard", user="U1")
    assert "The old link stopped working." in reply.text
    second = token_of(reply.text)
    assert first != second
    assert get(f"{server_url}/board/{first}")[0] == 404
    assert get(f"{server_url}/board/{second}")[0] == 200
    assert len(links(sessions)) == 1
    reply = say("/salesbot", "wallboard revoke", user="U1")
    assert "no longer works" in reply.text
    assert get(f"{server_url}/board/{second}")[0] == 404
    assert get(f"{server_url}/board/{second}/state")[0] == 404
    [link] = links(sessions)
    assert link.token_digest is None and link.revoked_at is not None
    assert "has no board link to revoke" in say("/salesbot", "wallboard revoke", user="U1").text
    # A link made after a revoke works again.
    assert get(f"{server_url}/board/{new_link(say)}")[0] == 200


def test_chinese_commands_and_a_chinese_board(
    say: Say, server_url: str, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "language zh", user="U1")
    reply = say("/salesbot", "大屏", user="U1")
    assert "办公室电视" in reply.text, reply.text
    token = token_of(reply.text)
    # The board speaks the workspace's language, whoever asked for the link.
    assert state(server_url, token)["labels"]["leaderboard"] == "Leaderboard"
    say("/salesbot", "language workspace zh", user="U1")
    board = state(server_url, token)
    assert board["lang"] == "zh" and board["labels"]["leaderboard"] == "排行榜"
    assert "李雷" in [row["name"] for row in board["rows"]]
    assert "不再有效" in say("/salesbot", "大屏 撤销", user="U1").text
    assert get(f"{server_url}/board/{token}")[0] == 404


def test_a_bad_or_revoked_token_is_the_same_plain_404(say: Say, server_url: str) -> None:
    good = new_link(say)
    revoked = new_link(say)
    say("/salesbot", "wallboard revoke", user="U1")
    good = new_link(say)
    answers = set()
    for path in [
        "/board/",
        "/board/short",
        f"/board/{'A' * 43}",
        f"/board/{revoked}",
        f"/board/{revoked}/state",
        f"/board/{good}/other",
        f"/board/{good}x",
        f"/board/{good.upper() if good.upper() != good else good.lower()}",
        "/board/static/secrets.txt",
        "/board/static/../../config.py",
    ]:
        status, headers, body = get(server_url + path)
        answers.add((status, headers["Content-Type"], headers["Content-Length"], body))
    assert answers == {(404, "text/plain; charset=utf-8", "9", b"Not Found")}
    assert get(f"{server_url}/board/{good}", method="POST")[0] == 404
    assert get(f"{server_url}/board/{good}")[0] == 200


def test_the_page_s_files_come_from_the_package(server_url: str) -> None:
    for name, kind in [
        ("board.js", "text/javascript"),
        ("board.css", "text/css"),
        ("cjk.otf", "font/otf"),
    ]:
        status, headers, body = get(f"{server_url}/board/static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind)
        assert int(headers["Content-Length"]) == len(body) > 0
    css = get(f"{server_url}/board/static/board.css")[2].decode()
    # The charts' Okabe–Ito colours, and no font from elsewhere.
    assert "#56B4E9" in css and "#009E73" in css and "#E69F00" in css
    assert "http" not in css


def second_team(say: Say, slack: DevSlack) -> None:
    """#east (C5): carol (U5, a manager) and dan (U6), each with a win."""
    slack.add_user("U5", "carol", real_name="Carol East", tz="Asia/Shanghai", is_admin=True)
    slack.add_user("U6", "dan", real_name="Dan East", tz="Asia/Shanghai")
    slack.add_channel("C5", "east", ["U5", "U6", "UBOT"])
    say("/salesbot", "setup CNY", user="U5", channel="C5")
    slack.wait_for(
        "response_url", lambda c: "east" in str(c.params) and "sales team" in str(c.params)
    )
    say("/deal", "add EastOnlyCorp 70k won", user="U6", channel="C5")


def test_a_token_shows_its_own_team_only(
    say: Say, slack: DevSlack, server_url: str, sessions: sessionmaker[Session]
) -> None:
    say("/deal", "add WestCorp 20k won", user="U2")
    second_team(say, slack)
    west, east = new_link(say), new_link(say, user="U5", channel="C5")
    west_board, east_board = state(server_url, west), state(server_url, east)
    assert west_board["team"] == "sales" and east_board["team"] == "east"
    assert {r["name"] for r in west_board["rows"]} == {"Alice Admin", "Bob Rep", "李雷"}
    assert {r["name"] for r in east_board["rows"]} == {"Carol East", "Dan East"}
    assert "EastOnlyCorp" not in json.dumps(west_board, ensure_ascii=False)
    assert "WestCorp" not in json.dumps(east_board, ensure_ascii=False)
    # Revoking one team's link leaves the other's working.
    say("/salesbot", "wallboard revoke", user="U5", channel="C5")
    assert get(f"{server_url}/board/{east}")[0] == 404
    assert get(f"{server_url}/board/{west}")[0] == 200


def test_another_workspace_s_token_shows_only_that_workspace(
    say: Say, slack: DevSlack, server_url: str
) -> None:
    say("/deal", "add AlphaSecret 20k won", user="U2")
    slack.add_user(
        "U21", "erin", real_name="Erin Bravo", tz="Asia/Shanghai", is_admin=True, team_id="T2"
    )
    slack.add_user("UBOT2", "salesbot", is_bot=True, team_id="T2")
    slack.add_channel("C21", "bravo", ["U21", "UBOT2"])
    other = SlackDriver(http_transport(f"{server_url}/slack/events"), SIGNING_SECRET, team_id="T2")

    def bravo(command: str, text: str) -> str:
        url = slack.response_url(command, user_id="U21", channel_id="C21")
        return other.command(command, text, user="U21", channel="C21", response_url=url).text

    bravo("/salesbot", "setup CNY")
    slack.wait_for(
        "response_url", lambda c: "bravo" in str(c.params) and "sales team" in str(c.params)
    )
    # B's manager, typing in A's channel id, still gets B's own team (or none), never A's.
    token = token_of(bravo("/salesbot", "wallboard"))
    board = state(server_url, token)
    assert board["team"] == "bravo" and [r["name"] for r in board["rows"]] == ["Erin Bravo"]
    assert "AlphaSecret" not in json.dumps(board) and board["wins"]["week"] == []
    url = slack.response_url("/salesbot", user_id="U21", channel_id="C1")
    reply = other.command("/salesbot", "wallboard", user="U21", channel="C1", response_url=url)
    assert state(server_url, token_of(reply.text))["team"] == "bravo"


def won_by_owner(sessions: sessionmaker[Session], team_name: str) -> dict[str, Decimal]:
    """Each member's won revenue, straight from the deal rows."""
    with sessions() as session:
        team = session.scalars(select(SalesTeam).where(SalesTeam.name == team_name)).one()
        won = select(StageDef.key).where(StageDef.kind == "won")
        rows = session.execute(
            select(Member.name, Deal.amount)
            .join(Member, Member.id == Deal.owner_id)
            .where(Deal.team_id == team.id, Deal.stage.in_(won), Deal.deleted_at.is_(None))
        )
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for name, amount in rows:
            totals[name] += amount
        return dict(totals)


def test_the_board_s_json_is_what_the_database_holds(
    say: Say, server_url: str, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    say("/target", "set <@U2|bob> 50k week", user="U1")
    say("/target", "set <@U3|lilei> 40k week", user="U1")
    say("/target", "set team 120k week", user="U1")
    say("/target", "set <@U3|lilei> 2 deals week", user="U1")
    say("/deal", "add Acme 12k won", user="U2")
    clock.advance(timedelta(days=1))  # Tuesday: Monday's win is this week's, not today's
    say("/deal", "add Beta 30k won", user="U3")
    say("/deal", "add Gamma 8k", user="U3")  # open: on no board
    board = state(server_url, new_link(say))
    # The period of the team's revenue target, and what is left of it from Tuesday 09:30.
    assert board["period"]["label"] == "Week of Nov 30"
    assert board["period"]["left"] == "5 days 14 h left"
    expected = won_by_owner(sessions, "sales")
    assert expected == {"Bob Rep": Decimal("12000.00"), "李雷": Decimal("30000.00")}
    assert [row["name"] for row in board["rows"]] == ["李雷", "Bob Rep", "Alice Admin"]
    for row in board["rows"]:
        revenue, deals = row["cells"]
        assert Decimal(revenue["value"]) == expected.get(row["name"], 0)
        assert Decimal(deals["value"]) == (1 if row["name"] in expected else 0)
    rows = {row["name"]: row["cells"] for row in board["rows"]}
    assert rows["李雷"][0] | {"pace": None} == {
        "value": "30000.00",
        "text": "¥30k",
        "target": "40000.00",
        "of": "of ¥40k",
        "percent": "75.0%",
        "bar": 75.0,
        "pace": None,
        "reached": False,
        "on_track": True,
    }
    assert (rows["李雷"][1]["text"], rows["李雷"][1]["percent"]) == ("1", "50.0%")
    assert rows["Bob Rep"][0]["percent"] == "24.0%" and rows["Bob Rep"][1]["bar"] is None
    assert rows["Alice Admin"][0]["bar"] is None  # no target
    total = board["team_total"][0]
    assert Decimal(total["value"]) == sum(expected.values()) and total["percent"] == "35.0%"
    with use_language("en"):
        assert total["text"] == money(sum(expected.values(), Decimal(0)), "CNY")
    assert board["wins"]["today"] == [{"who": "李雷", "customer": "Beta", "amount": "¥30k"}]
    assert board["wins"]["week"] == [{"who": "Bob Rep", "customer": "Acme", "amount": "¥12k"}]
    assert board["wins"]["today_summary"] == "1 win · ¥30k"
    assert board["wins"]["week_summary"] == "2 wins · ¥42k"
    assert board["contests"] == [] and [c["key"] for c in board["columns"]] == ["revenue", "deals"]


def test_time_left_and_stand_up_participation(
    say: Say, server_url: str, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    token = new_link(say)
    board = state(server_url, token)
    # Monday 30 November, 09:30 in Shanghai: November ends in 14 h 30 min.
    assert board["period"]["left"] == "14 h 30 min left"
    assert board["standup"] == {"text": "No stand-up yet today", "bar": None}
    clock.advance(timedelta(hours=15))  # 1 December, 00:30: a new month
    board = state(server_url, token)
    assert board["period"]["label"] == "December 2026"
    assert board["period"]["left"] == "30 days 23 h left"


def test_names_and_customers_are_escaped_in_the_html(say: Say, server_url: str) -> None:
    say("/deal", 'add "<img src=x onerror=alert(1)>" 5k won', user="U2")
    token = new_link(say)
    page = get(f"{server_url}/board/{token}")[2].decode()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    body = json.loads(get(f"{server_url}/board/{token}/state")[2])
    assert "<img" not in body["html"] and body["board"]["wins"]["today"][0]["customer"].startswith(
        "<img"
    )


def test_running_contests_show_their_standings_on_the_board(
    say: Say, server_url: str, clock: FrozenClock
) -> None:
    token = new_link(say)
    reply = say(
        "/contest", 'new "<b>Call sprint</b>" calls from today to Dec 2 prize "Pizza"', user="U1"
    )
    assert "is set" in reply.text, reply.text
    say("/contest", 'new "Later" deals from Dec 10 to Dec 20', user="U1")
    say("/log", "4 calls", user="U3")
    say("/log", "call", user="U2")
    board = state(server_url, token)
    assert [c["name"] for c in board["contests"]] == ["<b>Call sprint</b>"]
    contest = board["contests"][0]
    assert contest["prize"] == "Pizza" and contest["ends"] == "ends Dec 2"
    assert [(ln["rank"], ln["name"], ln["text"]) for ln in contest["lines"]] == [
        (1, "李雷", "4"),
        (2, "Bob Rep", "1"),
        (3, "Alice Admin", "0"),
    ]
    page = get(f"{server_url}/board/{token}")[2].decode()
    assert "&lt;b&gt;Call sprint&lt;/b&gt;" in page and "<b>Call sprint" not in page
    clock.advance(timedelta(days=3))  # Dec 3: over, off the board
    assert state(server_url, token)["contests"] == []


def test_the_win_totals_count_every_win_though_the_ticker_shows_the_latest_only(
    say: Say, server_url: str, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    for n in range(3):
        assert "won" in say("/deal", f"add Monday{n} 1k won", user="U2").text.lower()
    clock.advance(timedelta(days=1))  # Tuesday
    for n in range(22):
        say("/deal", f"add Tuesday{n} 2k won", user="U3")
        clock.advance(timedelta(minutes=1))
    with sessions() as session:
        won = session.scalars(select(Deal).where(Deal.closed_at.is_not(None))).all()
        assert len(won) == 25 and sum(d.amount for d in won) == Decimal(47000)
    board = state(server_url, new_link(say))
    wins = board["wins"]
    assert len(wins["today"]) + len(wins["week"]) == 20  # the ticker: the latest 20
    assert wins["today"][0]["customer"] == "Tuesday21" and wins["week"] == []
    assert wins["today_summary"] == "22 wins · ¥44k"
    assert wins["week_summary"] == "25 wins · ¥47k"


def test_a_database_failure_is_a_plain_503_and_the_token_reaches_no_log(
    say: Say,
    server_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    token = new_link(say)
    assert state(server_url, token)["team"] == "sales"

    @contextmanager
    def restarting(_factory: object) -> Iterator[Session]:
        # What PostgreSQL answers while it restarts; the message names the path, as some do.
        raise OperationalError(f"GET /board/{token}/state", {}, Exception("the server restarts"))
        yield  # pragma: no cover

    monkeypatch.setattr(board_web, "reading", restarting)
    caplog.set_level(logging.DEBUG)
    for path in (f"/board/{token}/state", f"/board/{token}"):
        status, headers, body = get(server_url + path)
        assert (status, body) == (503, b"Service Unavailable")
        assert headers["Cache-Control"] == "no-store"
    failures = [r for r in caplog.records if r.name == board_web.__name__]
    assert [r.getMessage() for r in failures] == [
        "The board could not answer GET /board/…: OperationalError"
    ] * 2
    assert all(r.exc_info is None for r in failures)
    assert token not in caplog.text and token not in "".join(capfd.readouterr())
    monkeypatch.undo()
    assert state(server_url, token)["team"] == "sales"  # the next poll is answered again
