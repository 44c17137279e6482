"""bot.services.segments against a real database: each deal's value of a field, for a set of
deals (what `/deal insights by industry` groups by), from a hand-built fixture of two teams and
another workspace."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import admin_command as cmd
from bot.domain.amounts import Money
from bot.domain.deal_fields import Choice, DealField
from bot.services import deals, segments
from bot.services.actor import Actor
from bot.services.deals import DealFields
from bot.services.directory import ensure_member, ensure_workspace, setup_team
from bot.services.errors import Refused
from models import Deal, SalesTeam

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)

# (workspace, channel, customer, amount, industry): None is a deal given no industry.
DEALS = [
    ("T1", "C1", "Acme", "12000", "retail"),
    ("T1", "C1", "Beta", "5000", "finance"),
    ("T1", "C1", "Gamma", "3000", "retail"),
    ("T1", "C1", "Delta", "8000", None),
    ("T1", "C2", "West", "7000", "retail"),
    ("T9", "C9", "Other", "9000", "retail"),
]


def _actor(session: Session, workspace_id: str, channel_id: str) -> Actor:
    ensure_workspace(session, workspace_id, now=NOW)
    team, _new = setup_team(
        session,
        workspace_id=workspace_id,
        channel_id=channel_id,
        channel_name=channel_id.lower(),
        timezone="UTC",
        now=NOW,
    )
    member = ensure_member(session, workspace_id, f"U{channel_id}", now=NOW)
    member.team_id, member.is_manager = team.id, True
    return Actor(member=member, team=team, now=NOW, today=NOW.date())


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> dict[str, DealField]:
    """Each team of DEALS with an industry field of its own, and the deals."""
    fields = {}
    with sessions() as session, session.begin():
        actors = {}
        for workspace_id, channel_id, *_rest in DEALS:
            if channel_id not in actors:
                actor = _actor(session, workspace_id, channel_id)
                assert actor.team is not None
                spec = cmd.Fields("add", "industry", None, (Choice("retail"), Choice("finance")))
                fields[channel_id] = segments.add_field(session, actor, actor.team, spec).added
                actors[channel_id] = actor
        for _workspace_id, channel_id, customer, amount, industry in DEALS:
            given = () if industry is None else (("industry", industry),)
            actor = actors[channel_id]
            assert actor.team is not None
            read = segments.read_typed(session, actor.workspace_id, actor.team.id, given, "")
            fields_given = DealFields(
                customer=customer, amount=Money(Decimal(amount), "CNY"), values=read
            )
            deals.add_deal(session, actor, fields_given)
    return fields


def _ids(session: Session, channel_id: str) -> dict[str, int]:
    query = (
        select(Deal.customer, Deal.id)
        .join(SalesTeam, Deal.team_id == SalesTeam.id)
        .where(SalesTeam.channel_id == channel_id)
    )
    return dict(session.execute(query).all())


def test_each_deal_of_a_set_gets_its_value_or_none(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    with sessions() as session:
        ids = _ids(session, "C1")
        found = segments.segment_of(
            session, workspace_id="T1", field_id=world["C1"].id, deal_ids=ids.values()
        )

    expected = {ids[c]: i for _w, ch, c, _a, i in DEALS if ch == "C1"}
    assert found == expected
    assert found[ids["Delta"]] is None


def test_a_deal_of_another_team_or_workspace_has_no_value_of_this_field(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    with sessions() as session:
        west = _ids(session, "C2")["West"]
        other = _ids(session, "C9")["Other"]
        found = segments.segment_of(
            session, workspace_id="T1", field_id=world["C1"].id, deal_ids=[west, other]
        )
        # Asked with the other workspace's field but this workspace's id: nothing leaks.
        leaked = segments.segment_of(
            session, workspace_id="T1", field_id=world["C9"].id, deal_ids=[other]
        )

    assert found == {west: None, other: None}
    assert leaked == {other: None}


def test_grouping_by_the_value_in_sql(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    value = segments.value_of(world["C1"].id).label("industry")
    query = (
        select(value, func.count(Deal.id), func.sum(Deal.amount))
        .join(SalesTeam, Deal.team_id == SalesTeam.id)
        .where(Deal.workspace_id == "T1", SalesTeam.channel_id == "C1")
        .group_by(value)
    )
    with sessions() as session:
        grouped = {row[0]: (row[1], Decimal(row[2])) for row in session.execute(query)}

    counts = Counter(i for _w, ch, _c, _a, i in DEALS if ch == "C1")
    totals: dict[str | None, Decimal] = {}
    for _w, ch, _c, amount, industry in DEALS:
        if ch == "C1":
            totals[industry] = totals.get(industry, Decimal(0)) + Decimal(amount)
    assert grouped == {key: (counts[key], totals[key]) for key in counts}


def test_grouping_by_the_joined_value(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    base = select(SalesTeam.channel_id).join(SalesTeam, Deal.team_id == SalesTeam.id)
    query, industry = segments.joined_value(base.where(Deal.workspace_id == "T1"), world["C1"].id)
    query = query.add_columns(industry, func.count(Deal.id)).group_by(
        SalesTeam.channel_id, industry
    )
    with sessions() as session:
        grouped = {(row[0], row[1]): row[2] for row in session.execute(query)}

    # The #west deal has no value of #sales's field: it counts under None.
    expected = Counter((ch, i if ch == "C1" else None) for w, ch, _c, _a, i in DEALS if w == "T1")
    assert grouped == dict(expected)


def test_a_field_is_found_by_name_or_refused_with_a_guess(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    with sessions() as session:
        team_id = session.scalars(select(SalesTeam.id).where(SalesTeam.channel_id == "C1")).one()
        assert segments.find_in_team(session, "T1", team_id, "Industry").id == world["C1"].id
        with pytest.raises(Refused) as refused:
            segments.find_in_team(session, "T1", team_id, "indstry")

    assert "`indstry` is not a deal field of your team" in refused.value.message
    assert "Did you mean `industry`?" in refused.value.message


def test_many_deals_are_read_in_chunks(
    sessions: sessionmaker[Session], world: dict[str, DealField]
) -> None:
    with sessions() as session:
        ids = _ids(session, "C1")
        # Ids that are no deal (beyond any chunk) come back with no value, like any other.
        asked = [*ids.values(), *range(10_000, 22_000)]
        found = segments.segment_of(
            session, workspace_id="T1", field_id=world["C1"].id, deal_ids=asked
        )

    assert len(found) == len(asked)
    assert sum(1 for v in found.values() if v is not None) == 3
