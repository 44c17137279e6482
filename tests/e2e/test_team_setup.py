"""/salesbot: team setup, membership, managers, stages, currency and the daily refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.dev.standin import DevSlack
from bot.jobs.due import run_scheduled
from bot.slack.app import Salesbot
from models import Deal, Member, SalesTeam, Target
from tests.e2e.conftest import Say


def team_of(sessions: sessionmaker[Session], user_id: str) -> int | None:
    with sessions() as session:
        member = session.scalars(select(Member).where(Member.slack_user_id == user_id)).first()
        return member.team_id if member else None


def test_setup_by_a_rep_is_refused_and_writes_nothing(
    say: Say, sessions: sessionmaker[Session]
) -> None:
    reply = say("/salesbot", "setup", user="U2")
    assert "Only managers" in reply.text
    with sessions() as session:
        assert session.scalars(select(SalesTeam)).all() == []


def test_setup_leaves_out_bots_and_refreshes_daily(
    say: Say,
    team: None,
    slack: DevSlack,
    app: Salesbot,
    clock: FrozenClock,
    sessions: sessionmaker[Session],
) -> None:
    assert team_of(sessions, "U2") is not None
    with sessions() as session:
        assert (
            session.scalars(select(Member).where(Member.slack_user_id == "UBOT")).one().team_id
            is None
        )
    slack.add_user("U7", "newbie", tz="Asia/Shanghai")
    slack.set_members("C1", ["U1", "U2", "U3", "U7", "UBOT"])
    run_scheduled(app.runtime, now=clock.now() + timedelta(hours=1))
    assert team_of(sessions, "U7") is None, "not refreshed before a day has passed"
    run_scheduled(app.runtime, now=clock.now() + timedelta(days=1, minutes=1))
    assert team_of(sessions, "U7") == team_of(sessions, "U2")


def test_team_add_remove_and_managers(
    say: Say, team: None, sessions: sessionmaker[Session], slack: DevSlack
) -> None:
    slack.add_user("U9", "zoe")  # in the workspace, not yet in the channel's team
    assert "Only managers" in say("/salesbot", "team add <@U9|zoe>", user="U2").text
    assert "Added <@U9>" in say("/salesbot", "team add <@U9|zoe>", user="U1").text
    assert team_of(sessions, "U9") == team_of(sessions, "U2")
    assert "Removed <@U9>" in say("/salesbot", "team remove <@U9>", user="U1").text
    assert team_of(sessions, "U9") is None
    assert "is now a manager" in say("/salesbot", "managers add <@U2|bob>", user="U1").text
    assert "Added <@U9>" in say("/salesbot", "team add <@U9>", user="U2").text
    assert "always a manager" in say("/salesbot", "managers remove <@U1>", user="U2").text


def test_stages_and_currency(say: Say, team: None, sessions: sessionmaker[Session]) -> None:
    assert "Demo" in say("/salesbot", "stages add demo 40%", user="U1").text
    assert "Proposal is now 60%" in say("/salesbot", "stages set proposal 60%", user="U1").text
    say("/salesbot", "stages rename qualified Discovery", user="U1")
    listing = say("/salesbot", "stages", user="U2").text
    assert listing.index("Discovery") < listing.index("Demo") < listing.index("Proposal")
    assert "Added" in say("/deal", "add Acme 12k demo").text
    assert "not a currency" in say("/salesbot", "currency XYZ", user="U1").text
    # With a deal to count, a switch needs the rate to convert at, and a Confirm.
    assert "give the rate" in say("/salesbot", "currency USD", user="U1").text
    assert "Switch sales from CNY to USD" in say("/salesbot", "currency USD 0.14", user="U1").text
    assert "not a percentage" in say("/salesbot", "stages set proposal 160%", user="U1").text


def test_a_member_removed_by_hand_is_not_brought_back_by_the_refresh(
    say: Say, team: None, app: Salesbot, clock: FrozenClock, sessions: sessionmaker[Session]
) -> None:
    say("/salesbot", "team remove <@U3>", user="U1")
    run_scheduled(app.runtime, now=clock.now() + timedelta(days=1, minutes=1))
    assert team_of(sessions, "U3") is None
    say("/salesbot", "team add <@U3>", user="U1")
    assert team_of(sessions, "U3") == team_of(sessions, "U2")


ROSTER_CASES = [
    ("/salesbot", "team add <@{user}>", "U1"),
    ("/salesbot", "managers add <@{user}>", "U1"),
    ("/target", "set <@{user}> 50k", "U1"),
    ("/deal", "assign #1 <@{user}>", "U2"),
]
PEOPLE = {
    # Issue 14's finding: "team add <@U9>" for a user that does not exist said "Added".
    "nobody": ("U9", "can't find"),
    "deactivated": ("UGONE", "deactivated"),
    "bot": ("UBOT", "is a bot"),
    "another workspace": ("UELSE", "another Slack workspace"),
}


@pytest.mark.parametrize(("command", "text", "caller"), ROSTER_CASES)
@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_only_people_of_the_workspace_are_given_a_team_role_deal_or_target(
    say: Say,
    team: None,
    slack: DevSlack,
    sessions: sessionmaker[Session],
    command: str,
    text: str,
    caller: str,
    who: str,
) -> None:
    slack.add_user("UGONE", "gone", deleted=True)
    slack.add_user("UELSE", "elsewhere", team_id="T9")
    assert "Added" in say("/deal", "add Acme 12k", user="U2").text
    user_id, words = PEOPLE[who]
    roster = select(Member.slack_user_id, Member.team_id, Member.is_manager, Member.name)
    with sessions() as session:
        before = session.execute(roster.order_by(Member.id)).all()

    reply = say(command, text.format(user=user_id), user=caller)

    assert reply.json["response_type"] == "ephemeral"
    assert reply.text.startswith(":warning:") and words in reply.text, reply.text
    assert f"<@{user_id}>" in reply.text and "Nothing was changed" in reply.text
    with sessions() as session:
        assert session.execute(roster.order_by(Member.id)).all() == before
        assert session.scalar(select(func.count(Target.id))) == 0
        owner = session.scalars(select(Member.id).where(Member.slack_user_id == "U2")).one()
        assert session.scalars(select(Deal.owner_id)).one() == owner


def test_a_person_slack_cannot_be_asked_about_is_not_given_anything(
    say: Say, team: None, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    slack.add_user("U9", "zoe")
    slack.inject("users.info", status=503, times=10)

    reply = say("/salesbot", "team add <@U9>", user="U1")

    assert "couldn't check <@U9> with Slack" in reply.text and "try again" in reply.text
    with sessions() as session:
        assert not session.scalars(select(Member).where(Member.slack_user_id == "U9")).all()


def test_a_person_added_gets_their_slack_name(
    say: Say, team: None, slack: DevSlack, sessions: sessionmaker[Session]
) -> None:
    slack.add_user("U9", "zoe", real_name="Zoe Zhang", tz="Europe/Berlin")

    assert "Added <@U9>" in say("/salesbot", "team add <@U9>", user="U1").text

    with sessions() as session:
        zoe = session.scalars(select(Member).where(Member.slack_user_id == "U9")).one()
        assert (zoe.name, zoe.timezone) == ("Zoe Zhang", "Europe/Berlin")
