"""Look-ups that one transaction asks for again and again, answered once per transaction.

A command or a report asks for the workspace's stages, the won stages, the team's exchange
rates, holidays and deal fields many times over (once per deal, per target, per member): each a
round trip to PostgreSQL. The answers live in the session and die with its transaction, so another
transaction never sees a stale copy; and writing any of the tables a look-up reads (through the
ORM or a DML statement) forgets every answer, so a command that changes stages sees its change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from models import DealField, FxRate, Holiday, StageDef

T = TypeVar("T")

_KEY = "salesbot.memo"
# The tables whose rows the remembered look-ups are made of.
WATCHED: tuple[type[Any], ...] = (StageDef, FxRate, Holiday, DealField)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)


def remembered(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or its answer from earlier in this transaction."""
    if _changes_watched(session):
        # Added or changed but not flushed yet: compute() will flush them and see them.
        forget(session)
    memo: dict[Hashable, Any] = session.info.setdefault(_KEY, {})
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


def forget(session: Session) -> None:
    """Drop every remembered answer of this session."""
    session.info.pop(_KEY, None)


def _changes_watched(session: Session) -> bool:
    changed = (session.new, session.dirty, session.deleted)
    return any(isinstance(obj, WATCHED) for objects in changed for obj in objects)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # Savepoints too: one rolled back may have taken with it rows an answer was read from.
    # Not the internal subtransaction every flush runs in: the transaction goes on.
    if transaction.parent is None or transaction.nested:
        forget(session)


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if _changes_watched(session):
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name in _WATCHED_TABLES:
        forget(state.session)
