"""DevSlack, a local stand-in for Slack's Web API; the public names live here.

Code outside the package imports from ``bot.dev.standin`` only, so the modules behind it can be
rearranged freely:

* ``server`` - DevSlack itself: lifecycle, recorded calls, routing and the Web API methods;
* ``validate`` - Block Kit refused as Slack refuses it (blocks, views, attachments);
* ``faults`` - injected errors, hangs and rate limits;
* ``render`` - Block Kit and recorded calls as readable text (``blocks_to_text``, transcript);
* ``requests`` - what Slack sends the bot: signed slash commands, interactions, events;
* ``decode``, ``transport``, ``records`` - request decoding, HTTP plumbing, what is recorded.
"""

from bot.dev.standin.records import (
    DEFAULT_APP_ID,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_TEAM_NAME,
    Call,
)
from bot.dev.standin.render import blocks_to_text
from bot.dev.standin.requests import (
    event_body,
    interaction_body,
    sign_request,
    slash_command_body,
)
from bot.dev.standin.server import DevSlack

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_TEAM_ID",
    "DEFAULT_TEAM_NAME",
    "Call",
    "DevSlack",
    "blocks_to_text",
    "event_body",
    "interaction_body",
    "sign_request",
    "slash_command_body",
]
