"""run-due: a unique run key in the database, however many callers race for one instant."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.schedule import run_due, run_key
from bot.runtime import Runtime
from bot.slack.app import Salesbot
from models import ScheduledRun
from tests.conftest import START


def _runs(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(ScheduledRun.id))) or 0


def test_same_instant_runs_once(app: Salesbot, sessions: sessionmaker[Session]) -> None:
    calls: list[datetime] = []

    def job(_runtime: Runtime, now: datetime) -> int:
        calls.append(now)
        return 1

    first = run_due(app.runtime, now=START, jobs=[("job", job)])
    second = run_due(app.runtime, now=START + timedelta(seconds=20), jobs=[("job", job)])
    assert first.claimed and first.done == {"job": 1}
    assert not second.claimed
    assert calls == [START]
    assert _runs(sessions) == 1


def test_next_minute_runs_again(app: Salesbot, sessions: sessionmaker[Session]) -> None:
    run_due(app.runtime, now=START, jobs=[])
    run_due(app.runtime, now=START + timedelta(minutes=1), jobs=[])
    assert _runs(sessions) == 2


def test_run_key_is_per_minute() -> None:
    assert run_key(START) == run_key(START + timedelta(seconds=59))
    assert run_key(START) != run_key(START + timedelta(minutes=1))


def test_two_processes_at_the_same_instant_record_one_run(
    database_url: str, sessions: sessionmaker[Session], tmp_path: object
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        LOG_LEVEL="WARNING",
    )
    instant = "2026-11-30T09:30:00+08:00"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run-due", "--now", instant],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    said = [out for out, _ in outputs]
    assert sum(": ran;" in out for out in said) == 1, said
    assert sum("already ran" in out for out in said) == 2, said
    assert _runs(sessions) == 1
