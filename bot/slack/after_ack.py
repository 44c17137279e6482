"""What a listener owes after its ack, done off the request thread so the ack goes out first.

bolt runs every listener on the request thread (``process_before_response``) and answers
Slack when the listener returns: a command's reply is computed before its ack, so it travels in
the ack itself. What comes after an ack (opening a form, answering a button, an event's work)
is handed to the listener pool here. bolt's other mode runs the whole listener in its pool and
checks every 10 ms whether it has acked, which rounds every ack up to the next 10 ms.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, BoltResponse, Respond
from slack_sdk import WebClient

log = logging.getLogger(__name__)

AFTER_ACK_KEY = "salesbot.after_ack"

# The app's error handler: (error, body, response, context); the response is None after an ack.
OnError = Callable[[Exception, dict[str, Any], BoltResponse | None, Any], BoltResponse | None]


class AfterAck:
    """Runs work owed after an ack: in the listener pool, or at once when the caller wants the
    whole listener done before its answer (the console, the demo)."""

    def __init__(self, pool: Executor | None, on_error: OnError) -> None:
        self.pool = pool
        self.on_error = on_error

    def run(self, body: dict[str, Any], context: Any, work: Callable[[], object]) -> None:
        if self.pool is None:
            self._guarded(body, context, work)
            return
        # The language a listener chose (bot.i18n) lives in a context variable: carry it over.
        self.pool.submit(contextvars.copy_context().run, self._guarded, body, context, work)

    def _guarded(self, body: dict[str, Any], context: Any, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as error:
            # As bolt does for a listener that fails after acking: the apology goes to respond.
            self.on_error(error, body, None, context)


def after_ack(context: Any, body: dict[str, Any], work: Callable[[], object]) -> None:
    """Do `work` once the ack has gone; a failure is logged and apologised for."""
    runner = context[AFTER_ACK_KEY]
    assert isinstance(runner, AfterAck)
    runner.run(body, context, work)


# What acks_first can hand the wrapped listener, by the names bolt gives them.
_GIVEN = ("body", "context", "client", "respond", "event")


def acks_first(listener: Callable[..., None]) -> Callable[..., None]:
    """The bolt listener for one whose ack says nothing: it acks at once and runs `listener`
    after the ack with the arguments it names (of body, context, client, respond, event)."""
    names = tuple(inspect.signature(listener).parameters)
    unknown = set(names) - set(_GIVEN)
    if unknown:
        raise TypeError(f"{listener.__qualname__} names {sorted(unknown)}; it may take {_GIVEN}")

    # bolt reads the names this function takes and passes only those.
    def acking(
        ack: Ack,
        body: dict[str, Any],
        context: Any,
        client: WebClient,
        respond: Respond,
        event: dict[str, Any] | None,
    ) -> None:
        ack()
        given = {
            "body": body,
            "context": context,
            "client": client,
            "respond": respond,
            "event": event,
        }
        after_ack(context, body, lambda: listener(**{name: given[name] for name in names}))

    acking.__name__ = listener.__name__
    acking.__qualname__ = listener.__qualname__
    acking.__doc__ = listener.__doc__
    acking.__module__ = listener.__module__
    return acking
