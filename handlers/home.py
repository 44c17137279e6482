"""The App Home tab: published when opened and after every change the member makes."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain import deal_command as cmd
from bot.domain import payloads
from bot.runtime import runtime_of
from bot.services import deal_commands, deals, segments, standup_settings
from bot.services.actor import Actor
from bot.slack.after_ack import acks_first
from bot.slack.refusals import refuse_form, refuse_press
from bot.unit_of_work import answer_later, as_caller, form_or_tell, owe_home, submit
from bot.views import deal_modal
from bot.views import home as views
from bot.views import standup as standup_views
from bot.views.common import expired_edit_form, expired_home_button

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


@acks_first
def on_home_opened(event: dict[str, Any], context: Any) -> None:
    """Publish the member's home when they open the tab."""
    if event.get("tab", "home") != "home":
        return
    owe_home(runtime_of(context), str(context.get("team_id") or ""), event["user"])


@acks_first
def on_deal_button(body: dict[str, Any], context: Any) -> None:
    """Advance, won or lost, straight from the home tab."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        ref = cmd.DealNumber(payloads.deal_ref(pressed.value))
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    workspace_id, user_id = pressed.workspace_id, pressed.user_id

    def work(session: Session, actor: Actor) -> None:
        # Nothing to say on success: the home, redrawn, shows the change.
        if pressed.action_id == views.WON:
            deal_commands.execute(session, actor, cmd.Won(ref, None))
        elif pressed.action_id == views.LOST:
            deal_commands.execute(session, actor, cmd.Lost(ref, None))
        else:
            deal_commands.advance(session, actor, ref)

    # Home buttons have no reply channel: a refusal is said in the member's DM.
    answer_later(
        runtime,
        workspace_id,
        user_id,
        work,
        channel_id=user_id,
        ephemeral=False,
        home_changed=True,
        from_home=True,
    )


@acks_first
def on_edit(body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open a deal's form, filled in."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        deal_id = payloads.deal_ref(pressed.value)
        trigger_id = _trigger(pressed)
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    workspace_id, user_id = pressed.workspace_id, pressed.user_id

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        deal = deals.find_deal(session, actor, f"#{deal_id}")
        deals.check_can_change(actor, deal)
        # The deal's team's fields (a manager may edit a deal of another team).
        fields = segments.team_fields(session, deal.workspace_id, deal.team_id)
        held = segments.held(session, deal) if fields else {}
        values = deal_modal.DealValues(
            deal.customer,
            deal.title,
            f"{deal.amount:f}",
            deal.currency,
            deal.stage,
            deal.close_date.isoformat() if deal.close_date else None,
            deal.note,
            deal.next_step,
            deal.next_step_date.isoformat() if deal.next_step_date else None,
            tuple(held.items()),
        )
        stages = deals.stage_list(session, actor.workspace_id)
        metadata = payloads.deal_metadata(
            runtime.seal,
            deal_modal.EDIT_DEAL_CALLBACK,
            workspace_id,
            user_id,
            deal.number,
            tuple(field.id for field in fields),
        )
        return deal_modal.edit_deal_modal(stages, deal.number, values, metadata, fields)

    view = form_or_tell(runtime, workspace_id, user_id, form)
    if view is not None:
        client.views_open(trigger_id=trigger_id, view=view)


def on_edit_submitted(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Save the edited deal, or keep the form open with an error on each wrong field."""
    runtime = runtime_of(context)
    try:
        submitted = payloads.deal_submission(body, runtime.seal)
        deal_id = payloads.deal_of(runtime.seal, submitted)
    except payloads.Invalid as invalid:
        ack(
            response_action="errors",
            errors=refuse_form(runtime, body, invalid, "customer", expired_edit_form),
        )
        return
    values = dict(submitted.values)

    def save(session: Session, actor: Actor) -> None:
        deal = deals.find_deal(session, actor, f"#{deal_id}", for_update=True)
        fields = deal_commands.fields_from_form(session, actor, values, deal=deal)
        deals.update_deal(session, actor, deal, fields)

    errors = submit(
        runtime,
        submitted.workspace_id,
        submitted.user_id,
        save,
        refused_field="customer",
        home_changed=True,
        from_home=True,
    )
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    ack()


@acks_first
def on_new_deal(body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the New deal form from the home tab."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        payloads.constant(pressed.value, views.NEW_DEAL_VALUE)
        trigger_id = _trigger(pressed)
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    workspace_id, user_id = pressed.workspace_id, pressed.user_id

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        stages = deals.stage_list(session, actor.workspace_id)
        fields = segments.team_fields(
            session, actor.workspace_id, actor.team.id if actor.team else None
        )
        # From App Home, the confirmation goes to the member's DM.
        metadata = payloads.new_deal_metadata(
            runtime.seal,
            deal_modal.NEW_DEAL_CALLBACK,
            workspace_id,
            user_id,
            user_id,
            tuple(field.id for field in fields),
        )
        currency = deal_commands.default_currency(actor)
        return deal_modal.new_deal_modal(stages, currency, metadata, fields)

    view = as_caller(runtime, workspace_id, user_id, form)
    client.views_open(trigger_id=trigger_id, view=view)


@acks_first
def on_check_in(body: dict[str, Any], client: WebClient, context: Any) -> None:
    """Open the check-in form from the home tab."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        payloads.constant(pressed.value, views.CHECK_IN_VALUE)
        trigger_id = _trigger(pressed)
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    workspace_id, user_id = pressed.workspace_id, pressed.user_id

    def form(session: Session, actor: Actor) -> dict[str, Any]:
        checking_in = standup_settings.check_in_form(session, actor)
        metadata = payloads.day_metadata(
            runtime.seal,
            standup_views.CHECK_IN_CALLBACK,
            workspace_id,
            user_id,
            checking_in.day,
            tuple(key for key, _alias in checking_in.counters),
        )
        return standup_views.check_in_modal(checking_in, metadata)

    view = form_or_tell(runtime, workspace_id, user_id, form)
    if view is not None:
        client.views_open(trigger_id=trigger_id, view=view)


@acks_first
def on_page(body: dict[str, Any], context: Any) -> None:
    """Show another ten deals."""
    runtime = runtime_of(context)
    try:
        pressed = payloads.press(body)
        page = payloads.home_page(pressed.value)
    except payloads.Invalid as invalid:
        refuse_press(runtime, body, invalid, expired_home_button)
        return
    owe_home(runtime, pressed.workspace_id, pressed.user_id, page=page)


def _trigger(pressed: payloads.Press) -> str:
    """The trigger a form is opened with (a button that opens one always has it)."""
    if pressed.trigger_id is None:
        raise payloads.Invalid("trigger_id")
    return pressed.trigger_id
