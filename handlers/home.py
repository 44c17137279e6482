"""The App Home tab: published when opened and after every change the member makes."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import deal_command as cmd
from bot.runtime import runtime_of
from bot.services import deal_commands, deals, standup_settings
from bot.services.actor import Actor
from bot.unit_of_work import answer_later, as_caller, form_or_tell, owe_home, submit
from bot.views import deal_modal
from bot.views import home as views
from bot.views import standup as standup_views

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for the home tab being opened and for its buttons and edit form."""
    app.event("app_home_opened")(on_home_opened)
    for action, listener in (
        (views.ADVANCE, on_deal_button),
        (views.WON, on_deal_button),
        (views.LOST, on_deal_button),
        (views.EDIT, on_edit),
        (views.NEW_DEAL, on_new_deal),
        (views.CHECK_IN, on_check_in),
        (views.PAGE, on_page),
    ):
        app.action(action)(listener)
    app.view(deal_modal.EDIT_DEAL_CALLBACK)(on_edit_submitted)


def on_home_opened(event: dict[str, Any], context: Any) -> None:
    """Publish the member's home when they open the tab."""
    if event.get("tab", "home") != "home":
        return
    owe_home(runtime_of(context), str(context.get("team_id") or ""), event["user"])


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def on_deal_button(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Advance, won or lost, straight from the home tab."""
    ack()
    action = body["actions"][0]
    ref = cmd.DealNumber(int(action["value"]))
    workspace_id, user_id = _ids(body)
    runtime = runtime_of(context)

    def work(session: Session, actor: Actor) -> None:
        # Nothing to say on success: the home, redrawn, shows the change.
        if action["action_id"] == views.WON:
            deal_commands.execute(session, actor, cmd.Won(ref, None))
        elif action["action_id"] == views.LOST:
            deal_commands.execute(session, actor, cmd.Lost(ref, None))
        else:
            deal_commands.advance(session, actor, ref)

    # Home buttons have no reply channel: a refusal is said in the member's DM.
    answer_later(
        runtime, workspace_id, user_id, work, channel_id=user_id, ephemeral=False, home_changed=True
    )


def on_edit(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open a deal's form, filled in."""
    ack()
    deal_id = int(body["actions"][0]["value"])
    workspace_id, user_id = _ids(body)

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        deal = deals.find_deal(session, actor, f"#{deal_id}")
        deals.check_can_change(actor, deal)
        values = deal_modal.DealValues(
            deal.customer,
            deal.title,
            f"{deal.amount:f}",
            deal.currency,
            deal.stage,
            deal.close_date.isoformat() if deal.close_date else None,
            deal.note,
        )
        stages = deals.stage_list(session, actor.workspace_id)
        return deal_modal.edit_deal_modal(stages, deal.number, values)

    view = form_or_tell(runtime_of(context), workspace_id, user_id, form)
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def on_edit_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    """Save the edited deal, or keep the form open with an error on each wrong field."""
    values = deal_modal.submitted_values(view)
    deal_id = int(view.get("private_metadata") or 0)
    workspace_id, user_id = body["team"]["id"], body["user"]["id"]

    def save(session: Session, actor: Actor) -> None:
        fields = deal_commands.fields_from_form(session, actor, values)
        deal = deals.find_deal(session, actor, f"#{deal_id}", for_update=True)
        deals.update_deal(session, actor, deal, fields)

    errors = submit(
        runtime_of(context),
        workspace_id,
        user_id,
        save,
        refused_field="customer",
        home_changed=True,
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


def on_new_deal(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the New deal form from the home tab."""
    ack()
    workspace_id, user_id = _ids(body)

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        stages = deals.stage_list(session, actor.workspace_id)
        return deal_modal.new_deal_modal(stages, deal_commands.default_currency(actor), user_id)

    view = as_caller(runtime_of(context), workspace_id, user_id, form)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_check_in(ack: Ack, body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the check-in form from the home tab."""
    ack()
    workspace_id, user_id = _ids(body)
    view = form_or_tell(
        runtime_of(context),
        workspace_id,
        user_id,
        lambda session, actor: standup_views.check_in_modal(
            standup_settings.check_in_form(session, actor)
        ),
    )
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def on_page(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Show another ten deals."""
    ack()
    try:
        page = max(0, int(json.loads(body["actions"][0]["value"])["page"]))
    except (ValueError, KeyError, TypeError):
        page = 0
    workspace_id, user_id = _ids(body)
    owe_home(runtime_of(context), workspace_id, user_id, page=page)
