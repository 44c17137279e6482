"""`salesbot clock`: the one process that runs scheduled work, every minute."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import Settings
from bot.jobs.due import run_scheduled
from bot.runtime import Runtime
from bot.slack.app import create_app

log = logging.getLogger(__name__)


def tick(runtime: Runtime) -> None:
    """Run what is due now and deliver what is owed."""
    now = runtime.clock.now()
    report = run_scheduled(runtime, now=now)
    delivery = runtime.sender.deliver_due()
    log.info(
        "clock.tick at=%s claimed=%s done=%s sent=%s retried=%s",
        now.isoformat(),
        report.claimed,
        report.done,
        delivery.sent,
        delivery.retried,
    )


def run_clock(settings: Settings) -> None:
    """Tick at the start of every minute until stopped; a missed minute is caught up once."""
    runtime = create_app(settings, start_sender=False).runtime
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        CronTrigger(second=0, timezone="UTC"),
        args=[runtime],
        id="run-due",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=50,
    )
    log.info("clock.started")
    tick(runtime)
    scheduler.start()
