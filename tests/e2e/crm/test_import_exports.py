"""`salesbot import deals FILE --from CRM --team C1`: each CRM's own deals export (samples in
tests/data/crm/, shaped as each CRM exports them), its owners asked of the Slack stand-in."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dev.standin import DevSlack
from bot.slack import app as slack_app
from models import CrmRecord, Deal, Member, RewardGrant
from tests.e2e.conftest import Drain, Say

DATA = Path(__file__).resolve().parents[2] / "data" / "crm"
# Each sample: the owner nobody in Slack is, and the row they own.
SAMPLES = {
    "hubspot": ("hubspot.csv", "Pat Nobody"),
    "pipedrive": ("pipedrive.csv", "Pat Nobody"),
    "zoho": ("zoho.xlsx", "Pat Nobody"),
    "salesforce": ("salesforce.csv", "pat@nowhere.example"),
    "fxiaoke": ("fxiaoke.xlsx", "王芳"),
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    for name in ("database_url", "slack_bot_token", "slack_signing_secret", "slack_api_url"):
        monkeypatch.setenv(name.upper(), str(getattr(settings, name)))


def deals_by_record(sessions: sessionmaker[Session], crm: str) -> dict[str, tuple[Deal, str]]:
    with sessions() as session:
        rows = session.execute(
            select(CrmRecord.record_id, Deal, Member.slack_user_id)
            .join(Deal, Deal.id == CrmRecord.deal_id)
            .join(Member, Member.id == Deal.owner_id)
            .where(CrmRecord.crm == crm)
        ).all()
        return {record_id: (deal, owner) for record_id, deal, owner in rows}


def deal_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Deal)) or 0)


@pytest.mark.usefixtures("team", "env")
@pytest.mark.parametrize("crm", list(SAMPLES))
def test_each_crms_export_refuses_an_unknown_owner_then_imports_once(
    crm: str,
    capsys: pytest.CaptureFixture[str],
    sessions: sessionmaker[Session],
    slack: DevSlack,
) -> None:
    name, stranger = SAMPLES[crm]
    path = str(DATA / name)
    command = ["import", "deals", path, "--from", crm, "--team", "C1"]

    assert main([*command, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert f"owner {stranger}: nobody in Slack (1 rows)" in err
    assert "row 4, owner:" in err and "1 of 4 rows refused; dry run: nothing was written" in err
    # The stage mapping is shown: won and lost by name, open ones by name or position.
    assert "→ won (won, 1 rows)" in err and "→ lost (lost, 1 rows)" in err
    assert main(command) == 1
    assert "nothing was imported" in capsys.readouterr().err
    assert deal_count(sessions) == 0

    assert main([*command, "--default-owner", "U2"]) == 0
    out = capsys.readouterr().out
    assert "imported into sales: 4 created, 0 updated" in out
    first = deals_by_record(sessions, crm)
    assert len(first) == 4
    by_stage = {deal.stage: (deal, owner) for deal, owner in first.values()}
    won, won_owner = by_stage["won"]
    assert won.amount == Decimal("58000") and won.currency == "CNY" and won_owner == "U3"
    assert won.closed_at is not None and won.closed_at.date().isoformat() == "2026-11-12"
    lost, lost_owner = by_stage["lost"]
    assert lost_owner == "U2" and lost.amount == Decimal("9000")
    opened = [deal for deal, _owner in first.values() if deal.stage not in ("won", "lost")]
    assert len(opened) == 2 and all(d.closed_at is None for d in opened)
    # Looked up by e-mail where the export has addresses, else by the directory's names.
    if crm == "salesforce":
        assert slack.calls("users.lookupByEmail") and not slack.calls("users.list")
    else:
        assert slack.calls("users.list")

    assert main([*command, "--default-owner", "U2"]) == 0
    assert "0 created, 4 updated" in capsys.readouterr().out
    again = deals_by_record(sessions, crm)
    assert deal_count(sessions) == 4
    assert {r: d.id for r, (d, _o) in again.items()} == {r: d.id for r, (d, _o) in first.items()}
    assert {r: d.number for r, (d, _o) in again.items()} == {
        r: d.number for r, (d, _o) in first.items()
    }


@pytest.mark.usefixtures("team", "env")
def test_a_stage_override_and_an_unknown_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session]
) -> None:
    path = tmp_path / "hubspot.csv"
    path.write_text(
        '"Record ID","Deal Name","Deal Stage","Close Date","Deal owner","Amount"\n'
        '"1","Acme","Appointment Scheduled","2026-12-20","Bob Rep","100"\n'
        '"2","Globex","Our own stage","2026-12-20","bob@example.com","200"\n',
        encoding="utf-8",
    )
    command = ["import", "deals", str(path), "--from", "hubspot", "--team", "C1"]
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "Appointment Scheduled → lead (by position, 1 rows)" in err
    assert "“Our own stage” is no stage of this team" in err
    assert (
        main(
            [
                *command,
                "--stage",
                "Our own stage=proposal",
                "--stage",
                "appointment scheduled=qualified",
            ]
        )
        == 0
    )
    deals = deals_by_record(sessions, "hubspot")
    assert {r: d.stage for r, (d, _o) in deals.items()} == {"1": "qualified", "2": "proposal"}
    assert main([*command, "--stage", "Our own stage=nowhere"]) == 1
    assert "--stage" in capsys.readouterr().err


@pytest.mark.usefixtures("team", "env")
def test_a_file_of_another_shape_and_no_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Name,Value\nAcme,1\n", encoding="utf-8")
    assert main(["import", "deals", str(path), "--from", "pipedrive", "--team", "C1"]) == 1
    err = capsys.readouterr().err
    assert "row 1, record_id: missing column: a Pipedrive export has “Deal - ID”" in err
    assert (
        main(["import", "deals", str(DATA / "hubspot.csv"), "--from", "hubspot", "--team", "C9"])
        == 2
    )
    assert "No team has the channel C9" in capsys.readouterr().err
    assert main(["import", "deals", str(path), "--team", "C1"]) == 2


@pytest.mark.usefixtures("team", "env")
def test_the_cli_prints_what_the_export_says_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sessions: sessionmaker[Session]
) -> None:
    # A terminal is no mrkdwn: an owner's and a stage's text is printed as the export has it.
    path = tmp_path / "hubspot.csv"
    path.write_text(
        '"Record ID","Deal Name","Deal Stage","Close Date","Deal owner","Amount"\n'
        '"1","Acme","<@U9> & co","2026-12-20","Bob Rep","100"\n'
        '"2","Globex","Appointment Scheduled","2026-12-20","<!channel> *Pat*","200"\n',
        encoding="utf-8",
    )
    command = ["import", "deals", str(path), "--from", "hubspot", "--team", "C1"]
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "row 2, stage: “<@U9> & co” is no stage of this team" in err
    assert "row 3, owner: nobody in Slack is <!channel> *Pat*; give --default-owner" in err
    assert "&lt;" not in err and "&amp;" not in err and "\u2217" not in err
    assert deal_count(sessions) == 0


def grants_live(sessions: sessionmaker[Session]) -> list[tuple[str, bool]]:
    with sessions() as session:
        rows = session.execute(
            select(RewardGrant.name, RewardGrant.reversed_at).order_by(RewardGrant.id)
        )
        return [(name, reversed_at is None) for name, reversed_at in rows]


@pytest.fixture
def cli_on_test_clock(monkeypatch: pytest.MonkeyPatch, clock: FrozenClock) -> None:
    """The CLI's import runs on the test's clock, so what it owes is due when the test's
    sender looks (the clock is all that is faked)."""
    monkeypatch.setattr(slack_app, "create_app", partial(slack_app.create_app, clock=clock))


@pytest.mark.usefixtures("team", "env", "cli_on_test_clock")
def test_a_reimport_that_takes_back_a_win_takes_back_its_rewards_once(
    capsys: pytest.CaptureFixture[str],
    sessions: sessionmaker[Session],
    slack: DevSlack,
    say: Say,
    drain: Drain,
) -> None:
    """Acme is imported open, won in Slack (Target hit, first win), then the export is
    imported again and still says it is open: the deal is reopened as the export says, and
    what the win earned is reversed (kept in the ledger beside its grant), its post corrected
    once, as for any change that takes a win back."""
    say("/target", "reward add 100% Target hit bonus 1k", user="U1")
    say("/target", "set <@U2|bob> 10k", user="U1")
    command = ["import", "deals", str(DATA / "hubspot.csv"), "--from", "hubspot", "--team", "C1"]
    assert main([*command, "--default-owner", "U2"]) == 0
    capsys.readouterr()
    won = say("/deal", "won Acme Robotics", user="U2")
    assert "Won" in won.text, won.text
    drain()
    assert grants_live(sessions) == [("Target hit", True), ("First win of the month", True)]
    [win] = [
        c
        for c in slack.calls("chat.postMessage")
        if c.params.get("channel") == "C1" and "Target hit" in str(c.params)
    ]

    assert main([*command, "--default-owner", "U2"]) == 0
    assert "0 created, 4 updated" in capsys.readouterr().out
    drain()
    assert grants_live(sessions) == [("Target hit", False), ("First win of the month", False)]
    edits = [c for c in slack.calls("chat.update") if c.params.get("ts") == win.response["ts"]]
    assert len(edits) == 1 and "(taken back)" in str(edits[0].params), edits
    why = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert [c.params["text"] for c in why] == ["Changed by <@U2>: deal #1 is in Lead now."]
    history = say("/deal", "show #1", user="U2").text
    assert "via HubSpot · stage: Won → Lead" in history, history
    rewards = say("/target", "rewards", user="U1").text
    assert "¥1,000 granted, ¥1,000 reversed" in rewards, rewards


@pytest.mark.usefixtures("team", "env")
def test_a_record_of_another_team_is_refused_not_moved(
    capsys: pytest.CaptureFixture[str],
    sessions: sessionmaker[Session],
    slack: DevSlack,
    say: Say,
) -> None:
    """The export is imported into #sales; bob and 李雷 then move to #west, and a manager
    imports the same export into #west: its records are #sales's deals, so each row is
    refused (naming the deal and its team) and no deal, win or reward moves."""
    slack.add_channel("C2", "west", ["U1", "UBOT"])
    say("/salesbot", "setup CNY", user="U1", channel="C2")
    slack.wait_for("response_url", lambda c: "#west is now a sales team" in str(c.params))
    path = str(DATA / "hubspot.csv")
    into = ["import", "deals", path, "--from", "hubspot", "--default-owner", "U2", "--team"]
    assert main([*into, "C1"]) == 0
    capsys.readouterr()
    before = {
        r: (d.team_id, d.stage) for r, (d, _o) in deals_by_record(sessions, "hubspot").items()
    }
    for user in ("U2", "U3"):
        moved = say("/salesbot", f"team add <@{user}>", user="U1", channel="C2").text
        assert "west" in moved, moved
    assert main([*into, "C2"]) == 1
    err = capsys.readouterr().err
    assert "18236550001 is deal #1 of sales: import it into that team" in err, err
    assert "nothing was imported" in err
    after = {r: (d.team_id, d.stage) for r, (d, _o) in deals_by_record(sessions, "hubspot").items()}
    assert after == before
