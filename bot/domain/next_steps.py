"""Next steps as people type them: ``"send the proposal" friday``, ``发报价 周五``, ``done``.

Rules worth knowing (all tested):

* A next step is a short text and the day it is due; the text comes first, the date last.
* A quoted text is the step as typed, and whatever follows it is the date:
  ``"send the proposal" friday``, ``「发报价」 周五``.
* Unquoted, the date is the last one, two or three words that read as one (the longest
  that does), and the rest is the step: ``send the proposal next friday``,
  ``call them in 2 weeks``, ``发报价 下周五``. A step without a date is refused, and so is a
  date without a step: a next step is a commitment, so it has both.
* The date is read as a close date is (bot.domain.dates.parse_close_date): ``friday`` is
  the next Friday, today included; ``next month`` is that month's last day.
* ``done``, ``clear``, ``none``, ``remove``, ``完成``, ``清除``, ``删除``, ``无``, ``取消``
  alone take the next step away.
* A step is overdue once its day has passed (due today is not overdue).
* The reminder of a step due on a day without a stand-up comes at the team's stand-up time,
  within the same two-hour catch-up window as a prompt (bot.domain.standup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dates import DateError, parse_close_date
from bot.domain.lexer import fold, joined, lex, shown
from bot.domain.standup import CATCH_UP, Due, due_at, is_working_day
from bot.domain.text import TextTooLongError, clean_text
from bot.i18n import _

__all__ = [
    "CLEAR_WORDS",
    "NEXT_STEP_MAX",
    "NO_NEXT_STEP",
    "NextStep",
    "NextStepError",
    "is_overdue",
    "no_stand_up",
    "parse_next_step",
    "reminder_due",
]

NEXT_STEP_MAX = 200
# Words that take a deal's next step away, in either language.
CLEAR_WORDS = frozenset(
    {"done", "clear", "none", "remove", "delete", "完成", "已完成", "清除", "删除", "无", "取消"}
)
# The longest date a step may end with, in words (`on the 15th of next month`).
_DATE_WORDS = 6


@dataclass(frozen=True)
class NextStep:
    """What happens next on a deal and the day it is due; the empty step (NO_NEXT_STEP) is
    none at all."""

    text: str
    due: date | None

    @property
    def is_set(self) -> bool:
        """A step to do, not the absence of one."""
        return bool(self.text)


NO_NEXT_STEP = NextStep("", None)


class NextStepError(ValueError):
    """A typed next step was refused; the message is plain text, ready to escape and show."""


def parse_next_step(text: str, *, today: date) -> NextStep:
    """The next step typed after ``next``/``下一步``, relative to ``today`` (the caller's
    local date); NO_NEXT_STEP for ``done``."""
    lexed = lex(text.strip())
    tokens = lexed.tokens
    if lexed.open_quote is not None:
        raise NextStepError(
            _("The quote {mark} is never closed. Write the step in quotes, then its date.").format(
                mark=lexed.open_quote_mark
            )
        )
    if not tokens:
        raise NextStepError(_("What is the next step, and when is it due?"))
    if len(tokens) == 1 and not tokens[0].quoted and fold(tokens[0].text) in CLEAR_WORDS:
        return NO_NEXT_STEP
    if tokens[0].quoted:
        step, rest = tokens[0].text, joined(tokens[1:])
        if not rest:
            raise NextStepError(
                _("When is “{step}” due? Put the date after it, like friday or 12月15日.").format(
                    step=shown(step)
                )
            )
        return NextStep(_step_text(step), _due(rest, today))
    for words in range(min(_DATE_WORDS, len(tokens)), 0, -1):
        try:
            due = parse_close_date(joined(tokens[-words:]), today=today)
        except DateError:
            continue
        step = joined(tokens[:-words])
        if not step:
            raise NextStepError(
                _("What is the next step on {date}? Write it before the date.").format(
                    date=joined(tokens)
                )
            )
        return NextStep(_step_text(step), due)
    raise NextStepError(
        _(
            "When is “{step}” due? Put the date last, like friday, in 2 weeks or 12月15日, "
            "and the step in quotes if it ends with a word that is not a date."
        ).format(step=shown(joined(tokens)))
    )


def _due(text: str, today: date) -> date:
    try:
        return parse_close_date(text, today=today)
    except DateError as error:
        raise NextStepError(str(error)) from None


def _step_text(text: str) -> str:
    try:
        cleaned = clean_text(text, max_len=NEXT_STEP_MAX)
    except TextTooLongError:
        raise NextStepError(
            _("The next step is too long: {most} characters at most.").format(most=NEXT_STEP_MAX)
        ) from None
    if not cleaned:
        raise NextStepError(_("What is the next step, and when is it due?"))
    return cleaned


def is_overdue(due: date | None, today: date) -> bool:
    """A step whose day has passed; one due today is not overdue yet."""
    return due is not None and due < today


def reminder_due(now: datetime, at: time, zone: ZoneInfo) -> Due | None:
    """The day whose stand-up time (`at` in `zone`) came at most CATCH_UP before `now`,
    whether or not the team stands up that day: when a step due that day is told."""
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        due = due_at(day, at, zone)
        if due <= now <= due + CATCH_UP:
            return Due(day, due)
    return None


def no_stand_up(
    day: date, *, days: frozenset[int], holidays: frozenset[date], paused: bool
) -> bool:
    """A day the team does not stand up (paused, not one of its days, a holiday): a step due
    then is told in a DM of its own, since no prompt lists it."""
    return paused or not is_working_day(day, days, holidays)
