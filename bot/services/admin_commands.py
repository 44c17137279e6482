"""Carry out a parsed /salesbot command (all but setup, which reads Slack first)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain import admin_command as cmd
from bot.i18n import _
from bot.results.admin import Result
from bot.services import activities, admin, forecast, key_deals, segments
from bot.services import currency as currency_change
from bot.services.actor import Actor
from bot.services.errors import Refused
from bot.services.language import set_language


def execute(
    session: Session, actor: Actor, command: cmd.AdminCommand, *, channel_id: str
) -> Result:
    """Carry out one command for the caller, typed in `channel_id` (whose team it acts on,
    else the caller's); raises Refused for anything it will not do."""
    match command:
        case cmd.TeamChange(action="list"):
            return admin.list_team(session, admin.team_here(session, actor, channel_id))
        case cmd.TeamChange(action="add", user_id=str(user_id)):
            team = admin.team_here(session, actor, channel_id)
            return admin.add_to_team(session, actor, team, user_id)
        case cmd.TeamChange(action="remove", user_id=str(user_id)):
            team = admin.team_here(session, actor, channel_id)
            return admin.remove_from_team(session, actor, team, user_id)
        case cmd.ManagerChange(action="list"):
            return admin.list_managers(session, actor)
        case cmd.ManagerChange(action=action, user_id=str(user_id)):
            return admin.set_manager(session, actor, user_id, manager=action == "add")
        case cmd.Stages(action="list"):
            return admin.list_stages(session, actor)
        case cmd.Stages(action="add", stage=str(key), probability=probability):
            assert probability is not None
            return admin.add_stage(session, actor, key, probability)
        case cmd.Stages(action="set", stage=str(stage), probability=probability):
            assert probability is not None
            return admin.set_stage_probability(session, actor, stage, probability)
        case cmd.Stages(action="rename", stage=str(stage), label=str(label)):
            return admin.rename_stage(session, actor, stage, label)
        case cmd.Currency(code=code, rate=rate):
            team = admin.team_here(session, actor, channel_id)
            return currency_change.switch(session, actor, team, code, rate)
        case cmd.Fx(currency=str(currency), rate=rate) if rate is not None:
            team = admin.team_here(session, actor, channel_id)
            return admin.set_fx(session, actor, team, currency, rate)
        case cmd.Fx():
            return admin.list_fx(session, admin.team_here(session, actor, channel_id))
        case cmd.Language(language=language, workspace=workspace):
            return set_language(session, actor, language, workspace=workspace)
        case cmd.KeyDeal():
            return key_deals.change(actor, admin.team_here(session, actor, channel_id), command)
        case cmd.Forecast(stage=None):
            return forecast.mapping(session, actor.workspace_id)
        case cmd.Forecast(stage=str(stage), category=str(category)):
            return forecast.map_stage(session, actor, stage, category, cmd.USAGE["forecast"])
        case cmd.Fields(action="list"):
            return segments.list_fields(session, admin.team_here(session, actor, channel_id))
        case cmd.Fields(action="add"):
            team = admin.team_here(session, actor, channel_id)
            return segments.add_field(session, actor, team, command)
        case cmd.Fields(action="remove", name=str(name)):
            team = admin.team_here(session, actor, channel_id)
            return segments.remove_field(session, actor, team, name)
        case cmd.Activities(action="list"):
            return activities.list_kinds(session, admin.team_here(session, actor, channel_id))
        case cmd.Activities(action="add", name=str(name)):
            team = admin.team_here(session, actor, channel_id)
            return activities.add_kind(
                session, actor, team, name=name, alias=command.alias, points=command.points
            )
        case cmd.Activities(action="remove", name=str(name)):
            team = admin.team_here(session, actor, channel_id)
            return activities.remove_kind(session, actor, team, name)
        case cmd.Points(points=()):
            return activities.list_kinds(session, admin.team_here(session, actor, channel_id))
        case cmd.Points(points=points):
            team = admin.team_here(session, actor, channel_id)
            return activities.set_points(session, actor, team, points)
        case cmd.StaleDays(days=days):
            team = admin.team_here(session, actor, channel_id)
            return admin.set_stale_days(actor, team, days)
    raise Refused(_("That is not a /salesbot command."), "\n".join(cmd.USAGE.values()))
