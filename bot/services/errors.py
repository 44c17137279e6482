"""The exceptions services raise for a request they refuse (its message is for the user) or
that waits for the caller's yes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.domain.grammar import ParseError
from bot.domain.text import Mrkdwn, Plain, Wording
from bot.i18n import current, dated, today_of_message, use_language
from bot.results.guards import Question


class Refused(Exception):
    """A request Salesbot will not carry out, with a friendly reason and the right form.

    `message` and `usage` are Salesbot's own words (translated, mrkdwn) with `{placeholders}`;
    `values` fill them as they are: a customer, a stage label, a team name as someone typed or
    chose it. They are escaped where the refusal is shown in mrkdwn (`message`, `usage`) and
    kept as typed where Slack shows plain text (`plain`: a form field's error). So a service
    never formats a refusal itself (tests/views/test_escaping.py reads bot/services/ for it).
    """

    def __init__(self, message: str | Wording, usage: str | Wording = "", **values: object) -> None:
        if isinstance(message, Wording):
            values = {**message.values, **values}
            message = message.template
        super().__init__(message)
        self.wording = Wording(message, values)
        self._usage = usage if isinstance(usage, Wording) else Wording(usage)
        # Shown after the unit of work that raised it: its values (a date) are written in the
        # language and as of the day it was worded in.
        self._language = current()
        self._today = today_of_message()

    @classmethod
    def plain_text(cls, text: str, usage: str | Wording = "") -> Refused:
        """A reason already worded as plain text (a parse error, which quotes what was
        typed): escaped whole where it is shown in mrkdwn."""
        return cls("{reason}", usage, reason=text)

    @classmethod
    def parse_error(cls, error: ParseError) -> Refused:
        """A command that did not parse, refused in its own words (their code kept), else in
        its plain text."""
        if error.wording is not None:
            return cls(error.wording, error.usage)
        return cls.plain_text(error.message, error.usage)

    def with_hint(self, hint: str, **values: object) -> Refused:
        """The same refusal with a sentence added (Salesbot's words, with its own values)."""
        # Two templates joined, their values filled later: nothing is formatted here.
        template = " ".join((self.wording.template, hint))
        wording = Wording(template, {**self.wording.values, **values})
        return Refused(wording, self._usage)

    @property
    def message(self) -> Mrkdwn:
        """The reason, for mrkdwn."""
        with self._as_worded():
            return self.wording.mrkdwn()

    @property
    def plain(self) -> Plain:
        """The reason, for a plain-text field."""
        with self._as_worded():
            return self.wording.plain()

    @property
    def usage(self) -> Mrkdwn:
        """The right form, for mrkdwn ("" when there is none to show)."""
        with self._as_worded():
            return self._usage.mrkdwn()

    @contextmanager
    def _as_worded(self) -> Iterator[None]:
        with use_language(self._language):
            if self._today is None:
                yield
                return
            with dated(self._today):
                yield


class FormErrors(Exception):
    """Form fields that are wrong, by block id, for Slack's `response_action: errors` (plain
    text, shown as it is)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.fields = fields


class Unconfirmed(Exception):
    """A change that waits for the caller's yes (a likely duplicate, an unusually large
    amount): nothing is written; the question is the answer."""

    def __init__(self, question: Question) -> None:
        super().__init__("needs confirmation")
        self.question = question
