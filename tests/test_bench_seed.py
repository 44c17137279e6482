"""The benchmark seed gives teams the stand-up settings the bot itself would create."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import Engine, func, inspect, select

from bench.seed import seed_deals, seed_events, seed_org, seed_prompts
from bot.db import make_session_factory
from bot.domain.standup import DEFAULT_DAYS
from bot.services.standups import settings_for
from models import Deal, DealEvent, SalesTeam, StandupPrompt, StandupSettings


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


def test_seeded_history_is_what_deal_commands_would_have_written(engine: Engine) -> None:
    """Each deal's stage changes chain from Lead to its stage, in time order, the last one
    when it closed (or was last updated), and a closed deal records its closing."""
    org = seed_org(engine, teams=2, per_team=3)
    seed_deals(engine, org, 300, history_days=120)
    seed_events(engine)
    with make_session_factory(engine)() as session:
        deals = {d.id: d for d in session.scalars(select(Deal))}
        events: dict[int, list[DealEvent]] = {}
        for e in session.scalars(select(DealEvent).order_by(DealEvent.id)):
            events.setdefault(e.deal_id, []).append(e)
    assert set(events) == set(deals)
    kinds = set()
    for deal_id, deal in deals.items():
        create, *changes = events[deal_id]
        assert (create.action, create.at, create.new_value) == (
            "create",
            deal.created_at,
            str(deal.number),
        )
        stages = [e for e in changes if e.field == "stage"]
        closing = [e for e in changes if e.field == "closed_at"]
        kinds.add((deal.stage, len(stages)))
        assert [e.at for e in changes] == sorted(e.at for e in changes)
        if stages:
            assert stages[0].old_value == "lead" and stages[-1].new_value == deal.stage
            assert all(a.new_value == b.old_value for a, b in pairwise(stages))
            assert stages[-1].at == (deal.closed_at or deal.updated_at)
        else:
            assert deal.stage == "lead"
        assert [e.at for e in closing] == ([deal.closed_at] if deal.closed_at else [])
    # Lost deals went as far as each stage; won ones through Proposal or Negotiation.
    assert {n for stage, n in kinds if stage == "lost"} == {1, 2, 3, 4}
    assert {n for stage, n in kinds if stage == "won"} == {3, 4}
