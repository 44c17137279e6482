"""The benchmark seed gives teams the stand-up settings the bot itself would create."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, inspect, select

from bench.seed import seed_org, seed_prompts
from bot.db import make_session_factory
from bot.domain.standup import DEFAULT_DAYS
from bot.services.standups import settings_for
from models import SalesTeam, StandupPrompt, StandupSettings


def columns(settings: StandupSettings) -> dict[str, object]:
    mapper = inspect(StandupSettings)
    return {c.key: getattr(settings, c.key) for c in mapper.column_attrs if c.key != "team_id"}


def test_seeded_standup_settings_are_the_bot_defaults(engine: Engine) -> None:
    org = seed_org(engine, teams=2, per_team=1)
    sessions = make_session_factory(engine)
    with sessions() as session, session.begin():
        session.delete(session.get_one(StandupSettings, org.team_ids[1]))
    with sessions() as session, session.begin():
        seeded = session.get_one(StandupSettings, org.team_ids[0])
        created = settings_for(session, session.get_one(SalesTeam, org.team_ids[1]))
        assert columns(seeded) == columns(created)


def test_seeded_prompts_fall_on_the_default_days(engine: Engine) -> None:
    today = date(2026, 12, 15)
    org = seed_org(engine, teams=1, per_team=2)
    seed_prompts(engine, org, today=today, days=14)
    expected = [
        today - timedelta(days=back)
        for back in range(1, 15)
        if (today - timedelta(days=back)).weekday() in DEFAULT_DAYS
    ]
    with make_session_factory(engine)() as session:
        days = session.scalars(
            select(StandupPrompt.local_date).group_by(StandupPrompt.local_date)
        ).all()
        assert sorted(days) == sorted(expected)
        assert session.scalar(select(func.count()).select_from(StandupPrompt)) == 2 * len(expected)
