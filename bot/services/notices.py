"""Services record what a change owes the outside world here; the unit of work collects it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.results.notices import Notice

_NOTICES = "salesbot.notices"


def record(session: Session, notice: Notice) -> None:
    """Owe `notice` if, and only if, the session's transaction commits."""
    session.info.setdefault(_NOTICES, []).append(notice)


def drain(session: Session) -> list[Notice]:
    """The notices recorded so far, in order; recording starts afresh."""
    notices: list[Notice] = session.info.pop(_NOTICES, [])
    return notices
