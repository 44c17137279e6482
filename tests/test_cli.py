"""The `salesbot` command: migrate, export and console, run as a user would."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from bot.config import load_settings
from bot.db import make_engine
from bot.dev.console import run_console

EXPORT_HEADER = (
    "id,team_id,customer,amount,currency,stage,owner_id,close_date,created_at,updated_at,closed_at"
)
# Appended after the contract's columns, which keep their positions.
# Appended after the contract's columns, which keep their places.
APPENDED = ["next_step", "next_step_date", "forecast"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(extra)
    return env


def test_migrate_creates_the_schema_in_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {"deal", "deal_event", "outbox_message", "scheduled_run", "alembic_version"} <= tables


def test_export_deals_prints_the_contract_header(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["export", "deals", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == [*EXPORT_HEADER.split(","), *APPENDED]


def test_console_answers_a_command_and_ticks(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/deal help",
        ":tick 2026-11-30T09:30+08:00",
        ":tick 2026-11-30T09:30+08:00",
        ":quit",
        "/deal help",
    ]
    assert run_console(settings, lines, out=out) == 0
    printed = out.getvalue()
    assert "/deal add" in printed
    assert (
        "(tick 2026-11-30T09:30:00+08:00: standups: 0, weekly-reports: 0, key-deals: 0, "
        "next-steps: 0, crm-poll: 0, contests: 0, team-refresh: 0)" in printed
    )
    assert "already ran" in printed
    assert printed.count("Record and move deals") == 1, "nothing is read after :quit"


def test_bad_instant_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run-due", "--now", "yesterday-ish"])
    assert exit_info.value.code == 2
    assert "ISO-8601" in capsys.readouterr().err


def test_console_plays_a_deal_through_setup_modal_and_win(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        "/deal new",
        ":submit customer=Initech amount=lots",
        ":submit customer=Initech amount=12k close=2026-12-15",
        ":user U2",
        "/deal add 华为 5万 谈判",
        "/deal won 华为",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    assert "#sales is now a sales team" in printed
    assert "[modal opened: New deal]" in printed
    assert "[amount] “lots” is not an amount" in printed
    assert "Added #1 Initech · ¥12k · Lead" in printed
    assert printed.count("#sales: 🏆 @bob won 华为 for ¥50k") == 1


def test_console_presses_a_guards_buttons(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        ":user U2",
        "/deal add 华为 5万 谈判",
        "/deal add 华为有限公司 8万 方案",
        ":press Nope",
        ":press update #1",
        ":press Add another",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    assert "[Add another] [Update #1] [Cancel]" in printed
    assert "(no button 'Nope'; the last buttons shown: [Add another], [Update #1], [Cancel])" in (
        printed
    )
    assert "[replaced original] (only @bob sees) ✏ Updated #1 华为 · ¥80k" in printed
    assert "You already answered that question" in printed


def test_console_shows_a_reopened_win_corrected_and_granted_again(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        "/target set <@U2|bob> 100k",
        ":user U2",
        "/deal add Acme 70k",
        "/deal add Beta 40k",
        "/deal won Acme",
        "/deal won Beta",
        "/deal reopen #2",
        "/deal won Beta",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    # Acme's win crosses 50 %, Beta's 100 %; reopening Beta takes Target hit back (its post is
    # edited once) and winning it again grants and announces it again, in the new win's post.
    lines_shown = printed.splitlines()
    assert lines_shown.count("🎁 Halfway there") == 1
    assert lines_shown.count("🎁 Target hit") == 2
    assert lines_shown.count("🎁 Target hit (taken back)") == 1
    assert printed.count("Changed by @bob: deal #2 is in Lead now.") == 2  # edit and reply


def test_export_rewards(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["export", "rewards", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert (
        header
        == "id,team_id,sales_team,member_id,reward,scope,tier,bonus,achieved,target_id,granted_at,"
        "status,reversed_at,currency"
    )


def test_console_plays_a_whole_morning(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        ":user U2",
        "/deal add Beta 20k negotiation close 2026-12-02",
        ":tick 2026-11-30T09:30+08:00",
        "/standup",
        ':submit q0="Called Beta" q1="Send contract" q2="Legal review"'
        " move0_deal=1 move0_stage=won",
        ":tick 2026-11-30T10:30+08:00",
        ":tick 2026-11-30T12:30+08:00",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    assert "#sales: Stand-up · Mon Nov 30 · 0 of 4 checked in" in printed
    assert printed.count("DM @bob: ☀ Good morning") == 1
    assert "Due to close this week" in printed
    assert "🚨 Blocker: Legal review @alice" in printed
    assert "#sales: 🏆 @bob won Beta" in printed
    assert printed.count("Friendly nudge") == 3
    assert "Closed. Missed: @alice, @lilei, @hanmeimei" in printed


def test_console_presses_a_button_of_the_last_reply(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        "/target set <@U2|bob> 100k",
        ":press Confirm",
        "/salesbot currency EUR 0.128",
        ":press Confirm",
        ":press Confirm",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    assert "(no button 'Confirm'; the last buttons shown: none)" in printed
    assert "¥100k → €12.8k" in printed and "[Confirm]" in printed
    assert "sales now reports in EUR" in printed
    assert "Already done: sales reports in EUR" in printed


def test_console_reads_like_slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mentions typed as @bob, a plain line as a DM check-in, a form through :form and
    :submit, a report whose charts land in console-out/, and mrkdwn drawn as text."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    out = io.StringIO()
    lines = [
        "/salesbot setup",
        "/target set @bob 100k",
        ":user U2",
        "/deal add Beta 20k negotiation",
        ":tick 2026-11-30T09:30+08:00",
        "Called Beta twice. blocker: waiting on legal",
        "/deal new",
        ":form",
        ":submit customer=Initech amount=12k",
        "/deal report",
        ":tick 2026-11-30T09:00+08:00",
    ]
    run_console(settings, lines, out=out)
    printed = out.getvalue()
    assert "🎯 @bob's" in printed and "<@" not in printed, "mentions typed and shown by name"
    assert "#sales (thread" in printed and "waiting on legal" in printed
    assert "  customer     Customer" in printed and "one of: lead, qualified" in printed
    assert "✅ Added #2 Initech · ¥12k · Lead · @bob" in printed
    saved = sorted(p.name for p in (tmp_path / "console-out").iterdir())
    assert saved and all(name.startswith("report-") for name in saved)
    assert f"(file saved: console-out/{saved[0]})" in printed
    assert "time only goes forward here" in printed
    assert "*" not in printed.replace("**", ""), "bold is a style, not asterisks"
