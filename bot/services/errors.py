"""The one exception services raise for a request they refuse: its message is for the user."""

from __future__ import annotations


class Refused(Exception):
    """A request Salesbot will not carry out, with a friendly reason and the right form."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
