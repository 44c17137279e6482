"""What Salesbot says about CRM sync: `/salesbot crm` and its Disconnect button, the connect
form, the stage mapping, and the managers' DM when the CRM refuses the credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.text import escape_mrkdwn, escape_mrkdwn_within
from bot.i18n import N_, _, moment, ngettext
from bot.results.calls import Call
from bot.results.crm import (
    CrmConnected,
    CrmConnectFailed,
    CrmDisconnected,
    CrmPaused,
    CrmResult,
    CrmStageMapped,
    CrmStagesListed,
    CrmState,
    ProblemFact,
    StageMapping,
)
from bot.results.notices import Said
from bot.views.common import Message, context_block, ephemeral, section

CONNECT_CALLBACK = "crm_connect"
DISCONNECT_ACTION = "crm_disconnect"
# The connect form's fields, by CRM: (block id, label, longest).
FORM_FIELDS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "hubspot": (
        ("token", N_("Private app access token"), 500),
        ("client_secret", N_("Client secret (the private app's Auth tab)"), 200),
    ),
    "pipedrive": (
        ("api_token", N_("API token (Personal preferences → API)"), 200),
        ("company_domain", N_("Company domain (acme for acme.pipedrive.com)"), 100),
    ),
    "zoho": (
        ("client_id", N_("Client ID (the self client at api-console.zoho.com)"), 200),
        ("client_secret", N_("Client secret"), 200),
        ("refresh_token", N_("Refresh token"), 500),
        ("data_centre", N_("Data centre: com, eu, in, com.au, com.cn, jp or ca"), 10),
    ),
}
# What each connect form says first.
FORM_HELP = {
    "hubspot": N_(
        "Create a private app in {crm} (Settings → Integrations → Private apps) with the "
        "scopes crm.objects.deals.read, crm.objects.deals.write and "
        "crm.objects.owners.read, then paste its access token and its client secret. "
        "They are stored encrypted and never shown again."
    ),
    "pipedrive": N_(
        "Paste the API token of a {crm} user who sees the team's deals (Personal preferences "
        "→ API) and your company's {crm} domain. The token is stored encrypted and never "
        "shown again."
    ),
    "zoho": N_(
        "Create a self client at api-console.zoho.com, generate a code with the scopes "
        "ZohoCRM.modules.deals.ALL, ZohoCRM.users.READ, ZohoCRM.org.READ, "
        "ZohoCRM.settings.fields.READ and ZohoCRM.notifications.ALL, exchange it for a refresh "
        "token, and paste the client id, client secret and refresh token, with the data centre "
        "your {crm} account is in (com for crm.zoho.com, eu for crm.zoho.eu, …). They are "
        "stored encrypted and never shown again."
    ),
}
CRM_NAMES = {"hubspot": "HubSpot", "pipedrive": "Pipedrive", "zoho": "Zoho CRM"}


def _plain_name(kind: str | None) -> str:
    """A CRM's name as people write it (a brand: not translated), for plain text."""
    return CRM_NAMES.get(kind or "", kind or "")


def crm_name(kind: str | None) -> str:
    """A CRM's name for mrkdwn."""
    return escape_mrkdwn(_plain_name(kind))


def _when(value: datetime | None, zone: str) -> str:
    if value is None:
        return _("never")
    return moment(value.astimezone(ZoneInfo(zone)))


def state(result: CrmState) -> Message:
    """`/salesbot crm`: the connection's state, and Disconnect while it syncs."""
    team = escape_mrkdwn(result.team_name)
    if result.crm is None or result.status == "disconnected":
        text = _(
            "{team} is not connected to a CRM. Connect HubSpot with "
            "`/salesbot crm connect hubspot`: its deals then sync both ways."
        ).format(team=team)
        return ephemeral(text, [section(text)])
    name = crm_name(result.crm)
    status = {
        "active": _(":large_green_circle: syncing"),
        "paused": _(":red_circle: paused: {crm} refused the credentials").format(crm=name),
    }.get(result.status or "", result.status or "")
    lines = [
        _("*{team} ↔ {crm}* (account {account}): {status}").format(
            team=team, crm=name, account=escape_mrkdwn(result.account_id or "?"), status=status
        ),
        _("Last webhook: {when}").format(when=_when(result.last_webhook_at, result.zone)),
        _("Last poll: {when}").format(when=_when(result.last_poll_at, result.zone)),
        ngettext("{count} deal synced", "{count} deals synced", result.deals_synced).format(
            count=result.deals_synced
        ),
        ngettext(
            "{count} change waiting to be written to {crm}",
            "{count} changes waiting to be written to {crm}",
            result.writes_waiting,
        ).format(count=result.writes_waiting, crm=name),
    ]
    if result.fields:
        lines.append(
            _("Fields: {fields}").format(
                fields="; ".join(
                    _("{field} ↔ {crm} {label}").format(
                        field=escape_mrkdwn(f.name), crm=name, label=escape_mrkdwn(f.crm_label)
                    )
                    if f.crm_label is not None
                    else _("{field}: no {crm} field").format(field=escape_mrkdwn(f.name), crm=name)
                    for f in result.fields
                )
            )
        )
    if result.error:
        lines.append(
            _("Last error: `{error}` at {when}").format(
                error=escape_mrkdwn(result.error),
                when=_when(result.paused_at or None, result.zone)
                if result.status == "paused"
                else _("the last try"),
            )
        )
    blocks: list[dict[str, Any]] = [section("\n".join(lines))]
    if result.problems:
        shown = "\n".join(f"• {problem(p)}" for p in result.problems)
        heading = ngettext(
            "*{count} error waiting* (tried again at each poll):",
            "*{count} errors waiting* (tried again at each poll):",
            len(result.problems),
        ).format(count=len(result.problems))
        blocks.append(section(f"{heading}\n{shown}"))
    else:
        blocks.append(context_block(_("No errors waiting.")))
    if result.status == "paused":
        blocks.append(
            context_block(
                _(
                    "Connect again with a new token to resume: `/salesbot crm connect {kind}`."
                ).format(kind=result.crm)
            )
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": DISCONNECT_ACTION,
                    "text": {"type": "plain_text", "text": _("Disconnect")},
                    "style": "danger",
                    "value": str(result.team_id),
                    "confirm": {
                        "title": {"type": "plain_text", "text": _("Disconnect?")},
                        "text": {
                            "type": "plain_text",
                            "text": _(
                                "The team's deals stay in Salesbot; nothing syncs with {crm} "
                                "any more, and its credentials are forgotten."
                            ).format(crm=_plain_name(result.crm)),
                        },
                        "confirm": {"type": "plain_text", "text": _("Disconnect")},
                        "deny": {"type": "plain_text", "text": _("Cancel")},
                    },
                }
            ],
        }
    )
    return ephemeral(lines[0], blocks)


def problem(fact: ProblemFact) -> str:
    """One error waiting, in words."""
    detail = fact.detail
    code = detail.get("code")
    if code == "owner_not_in_slack":
        text = _("{crm} owner {email} has no Slack account with that e-mail address").format(
            crm=crm_name(detail.get("crm")), email=escape_mrkdwn(str(detail.get("email") or "?"))
        )
    elif code == "stage_not_mapped":
        text = _("stage “{stage}” is not mapped: `/salesbot crm stages`").format(
            stage=escape_mrkdwn(str(detail.get("stage") or "?"))
        )
    elif code == "refused":
        text = _("deal {record} was not taken: {reason}").format(
            record=escape_mrkdwn(str(detail.get("record") or "?")),
            reason=escape_mrkdwn_within(str(detail.get("reason") or "?"), 300),
        )
    elif code == "choice_unknown":
        text = _(
            "deal {record} was not taken: its {crm} {label} is “{value}”, which is not one of "
            "`{field}`'s choices"
        ).format(
            record=escape_mrkdwn(str(detail.get("record") or "?")),
            crm=crm_name(detail.get("crm")),
            label=escape_mrkdwn(str(detail.get("label") or "?")),
            value=escape_mrkdwn_within(str(detail.get("value") or "?"), 100),
            field=escape_mrkdwn(str(detail.get("field") or "?")),
        )
    elif code == "write_refused":
        text = _("{crm} refused a change to deal #{number}: {reason}").format(
            crm=crm_name(detail.get("crm")),
            number=detail.get("number", "?"),
            reason=escape_mrkdwn_within(str(detail.get("reason") or "?"), 300),
        )
    else:
        text = escape_mrkdwn(str(code or fact.key))
    if fact.count > 1:
        text += " " + _("({count} times)").format(count=fact.count)
    return text


def connected(result: CrmConnected) -> Message:
    """The connect form's answer, in the manager's DM."""
    name = crm_name(result.crm)
    head = ":link: " + _(
        "{team} is connected to {crm} (account {account}). Its deals sync both ways from now "
        "on: the first poll brings in the deals {crm} has, quietly; after that a win in {crm} "
        "is announced like `/deal won`."
    ).format(
        team=escape_mrkdwn(result.team_name), crm=name, account=escape_mrkdwn(result.account_id)
    )
    owners = _("{found} of {total} {crm} owners found in Slack by their e-mail address.").format(
        found=result.owners_found, total=result.owners_total, crm=name
    )
    blocks = [section(head), section(owners), *stages_blocks(result.stages)]
    blocks.append(webhook_help(result))
    return {"text": head, "blocks": blocks}


def webhook_help(result: CrmConnected) -> dict[str, Any]:
    """Where the CRM's webhooks go (and, for Pipedrive, the credentials they carry)."""
    name = crm_name(result.crm)
    url = f"`https://<your host>/crm/{escape_mrkdwn(result.crm)}/webhook`"
    if result.subscribes:
        if result.notify_url:
            return context_block(
                _(
                    "I have asked {crm} to send its deal changes to {url}, and renew that "
                    "every day; the poll every five minutes catches anything missed."
                ).format(crm=name, url=f"`{escape_mrkdwn(result.notify_url)}`")
            )
        return context_block(
            _(
                "SALESBOT_PUBLIC_URL is not set, so {crm} cannot be asked to send its changes "
                "at once: the poll brings them in every five minutes. Set it to this "
                "deployment's address and {crm} sends them to {url}."
            ).format(crm=name, url=url)
        )
    if result.webhook_user and result.webhook_password:
        return section(
            _(
                "In {crm} (Settings → Tools and apps → Webhooks) create a webhook for *deal* "
                "events (`*`) to {url}, with HTTP auth user `{user}` and password "
                "`{password}`. This is the only time they are shown."
            ).format(
                crm=name,
                url=url,
                user=escape_mrkdwn(result.webhook_user),
                password=escape_mrkdwn(result.webhook_password),
            )
        )
    return context_block(
        _(
            "In {crm}, point the private app's webhooks (deal creation and property "
            "changes) at {url}."
        ).format(crm=name, url=url)
    )


def stages_blocks(stages: tuple[StageMapping, ...]) -> list[dict[str, Any]]:
    """The stage mapping, one line per CRM stage."""
    lines = [
        f"• {escape_mrkdwn(s.label)} → "
        + (f"*{escape_mrkdwn(s.stage_label)}*" if s.stage_label else _("_not mapped_"))
        for s in stages
    ]
    if not lines:
        return []
    text = _("*Stages* (change one with `/salesbot crm stages Contract Sent=negotiation`):")
    return [section(text + "\n" + "\n".join(lines[:40]))]


def stages_listed(result: CrmStagesListed) -> Message:
    """`/salesbot crm stages`."""
    head = _("{crm} stages of {team}:").format(
        crm=crm_name(result.crm), team=escape_mrkdwn(result.team_name)
    )
    return ephemeral(head, [section(head), *stages_blocks(result.stages)])


def stage_mapped(result: CrmStageMapped) -> Message:
    """A CRM stage mapped anew."""
    text = ":white_check_mark: " + _("{crm} stage “{remote}” now maps to *{stage}*.").format(
        crm=crm_name(result.crm),
        remote=escape_mrkdwn(result.mapping.label),
        stage=escape_mrkdwn(result.mapping.stage_label or "?"),
    )
    return ephemeral(text, [section(text)])


def disconnected(result: CrmDisconnected) -> Message:
    """The Disconnect button's answer."""
    if not result.was_connected:
        text = _("{team} is not connected to a CRM.").format(team=escape_mrkdwn(result.team_name))
    else:
        text = ":electric_plug: " + _(
            "{team} is disconnected from {crm}: its deals stay, nothing syncs any more, and the "
            "credentials are forgotten."
        ).format(team=escape_mrkdwn(result.team_name), crm=crm_name(result.crm))
    return ephemeral(text, [section(text)])


def connect_failed(result: CrmConnectFailed) -> Message:
    """Connecting did not work: why, and what to do."""
    name = crm_name(result.crm)
    texts = {
        "unauthorized": _(
            "{crm} refused that token. Copy the private app's access token again (Settings → "
            "Integrations → Private apps) and check its scopes: crm.objects.deals.read, "
            "crm.objects.deals.write, crm.objects.owners.read."
        )
        if result.crm == "hubspot"
        else _(
            "{crm} refused those credentials. Check the client id and secret, generate the "
            "refresh token again with the scopes the form lists, and check the data centre."
        )
        if result.crm == "zoho"
        else _(
            "{crm} refused that token, or it belongs to another company. Copy the API token "
            "again (Personal preferences → API) and check the company domain."
        ),
        "unreachable": _("{crm} did not answer just now. Nothing was saved; try again shortly."),
        "rejected": _("{crm} refused the request. Nothing was saved; check the token's scopes."),
        "no_key": _(
            "CRM credentials are stored encrypted, and SALESBOT_SECRET_KEY is not set on this "
            "deployment. Ask your admin to set it (`salesbot crm new-key` makes one)."
        ),
    }
    text = ":warning: " + texts.get(result.reason, texts["rejected"]).format(crm=name)
    return {"text": text, "blocks": [section(text)]}


def connect_form(kind: str, metadata: str) -> dict[str, Any]:
    """The form asking for a CRM's credentials; they are never shown again."""
    name = crm_name(kind)
    blocks: list[dict[str, Any]] = [section(_(FORM_HELP[kind]).format(crm=name))]
    for block_id, label, longest in FORM_FIELDS[kind]:
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "label": {"type": "plain_text", "text": _(label)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": longest,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": CONNECT_CALLBACK,
        "title": {
            "type": "plain_text",
            "text": _("Connect {crm}").format(crm=_plain_name(kind))[:24],
        },
        "submit": {"type": "plain_text", "text": _("Connect")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "private_metadata": metadata,
        "blocks": blocks,
    }


def form_field_missing() -> str:
    """A connect form's field left empty."""
    return _("Paste it here: it is needed to connect.")


def connecting() -> str:
    """The DM said while the CRM is asked."""
    return _("Connecting… I will tell you here when it is done.")


def expired_form() -> str:
    """A connect form whose metadata did not decode."""
    return _("This form has expired or is not valid. Run `/salesbot crm connect hubspot` again.")


def expired_button() -> Message:
    """A Disconnect button whose value did not decode."""
    return ephemeral(_("That button has expired or is not valid. Run `/salesbot crm` again."))


def crm_paused(notice: CrmPaused) -> list[Call]:
    """A DM to one manager: the sync is paused until someone connects again."""
    text = ":red_circle: " + _(
        "{crm} refused the credentials of {team} (`{error}`), so I paused the sync: nothing "
        "comes in or goes out until a manager connects again with "
        "`/salesbot crm connect {kind}`. Changes made meanwhile are kept and written then."
    ).format(
        crm=crm_name(notice.crm),
        team=f"<#{notice.channel_id}>",
        error=escape_mrkdwn(notice.error),
        kind=escape_mrkdwn(notice.crm),
    )
    payload = {"channel": notice.manager_user_id, "text": text, "blocks": [section(text)]}
    return [
        Call("chat.postMessage", payload, f"crm-paused:{notice.pause_key}:{notice.manager_user_id}")
    ]


CRM_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {CrmPaused: crm_paused}


def render(result: CrmResult) -> Message:
    """The reply for any CRM result."""
    match result:
        case CrmState():
            return state(result)
        case CrmConnected():
            return {"response_type": "ephemeral", **connected(result)}
        case CrmDisconnected():
            return disconnected(result)
        case CrmStagesListed():
            return stages_listed(result)
        case CrmStageMapped():
            return stage_mapped(result)
        case CrmConnectFailed():
            return {"response_type": "ephemeral", **connect_failed(result)}
