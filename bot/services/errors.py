"""The exceptions services raise for a request they refuse (its message is for the user) or
that waits for the caller's yes."""

from __future__ import annotations

from bot.results.guards import Question


class Refused(Exception):
    """A request Salesbot will not carry out, with a friendly reason and the right form."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


class FormErrors(Exception):
    """Form fields that are wrong, by block id, for Slack's `response_action: errors`."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.fields = fields


class Unconfirmed(Exception):
    """A change that waits for the caller's yes (a likely duplicate, an unusually large
    amount): nothing is written; the question is the answer."""

    def __init__(self, question: Question) -> None:
        super().__init__("needs confirmation")
        self.question = question
