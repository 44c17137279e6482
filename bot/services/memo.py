"""Look-ups that one transaction asks for again and again, answered once per transaction;
and the workspace's settings, kept by the process between transactions.

A command or a report asks for the workspace's stages, the won stages, the team's exchange
rates, holidays and deal fields many times over (once per deal, per target, per member): each a
round trip to PostgreSQL. The answers live in the session and die with its transaction, so another
transaction never sees a stale copy; and writing any of the tables a look-up reads (through the
ORM or a DML statement) forgets every answer, so a command that changes stages sees its change.

Stages, deal fields, exchange rates and holidays are read by nearly every command and change
perhaps once a quarter, so `kept` holds them in the process from one transaction to the next,
stamped with the workspace's `settings_version`. The database counts that up on every write to
one of those tables (triggers, migration 0028) in the writing transaction, and every request
reads the workspace row anyway (bot.services.directory.find_caller): a copy is used only while
the version it was read at is still the workspace's, in whichever process made the change. A
transaction that wrote one of the tables itself reads its own (uncommitted) rows and never
keeps them; one that takes a row lock (SELECT … FOR UPDATE) reads the version again after it,
since the lock may have waited for a change to commit.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from models import DealField, FxRate, Holiday, StageDef, Workspace

T = TypeVar("T")

_KEY = "salesbot.memo"
# The tables whose rows the remembered look-ups are made of. Every write to them counts up the
# workspace's settings_version (migration 0028's triggers): `kept` may hold them too.
WATCHED: tuple[type[Any], ...] = (StageDef, FxRate, Holiday, DealField)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
# Set on a session that wrote a watched table: it no longer uses or fills the process's copy.
_WROTE_SETTINGS = "salesbot.wrote_settings"
# The settings_version of each workspace as this transaction read it.
_VERSIONS = "salesbot.settings_versions"
# Workspaces times look-ups (stages, each team's fields): a bound, not a size expected.
KEPT_MAX = 20_000


class _Kept:
    """The process's copies: (workspace, look-up) -> (settings version, answer), least
    recently used dropped first."""

    def __init__(self) -> None:
        self._answers: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int) -> tuple[bool, Any]:
        with self._lock:
            found = self._answers.get(key)
            if found is None or found[0] != version:
                return False, None
            self._answers.move_to_end(key)
            return True, found[1]

    def put(self, key: Hashable, version: int, answer: Any) -> None:
        with self._lock:
            self._answers[key] = (version, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > KEPT_MAX:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


# One per database: a process that talks to several (the benchmarks, the tests) keeps each
# one's workspaces apart.
_kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def _kept_for(session: Session) -> _Kept:
    engine = session.get_bind()
    assert isinstance(engine, Engine), engine
    found = _kept.get(engine)
    if found is None:
        with _kept_lock:
            found = _kept.setdefault(engine, _Kept())
    return found


def kept(session: Session, workspace_id: str, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), read from the watched tables of this workspace (WATCHED), or the answer
    this process read while the workspace's settings_version was what it is now.

    The answer must be immutable: other threads' transactions are handed the same object."""

    def in_transaction() -> T:
        return remembered(session, key, compute)

    if session.info.get(_WROTE_SETTINGS) or _changes_watched(session):
        return in_transaction()
    version = _version(session, workspace_id)
    if version is None:
        return in_transaction()
    copies = _kept_for(session)
    found, answer = copies.get((workspace_id, key), version)
    if found:
        return cast(T, answer)
    answer = in_transaction()
    # Read after the version was: at least as new as that version, never older.
    if not session.info.get(_WROTE_SETTINGS):
        copies.put((workspace_id, key), version, answer)
    return answer


_VERSION = select(Workspace.settings_version).where(Workspace.id == bindparam("workspace_id"))


def _version(session: Session, workspace_id: str) -> int | None:
    """The workspace's settings_version as this transaction reads it (None: no such
    workspace). Not from a mapped Workspace: one loaded in an earlier transaction of the same
    session keeps the value it had then."""
    versions: dict[str, int | None] = session.info.setdefault(_VERSIONS, {})
    if workspace_id not in versions:
        versions[workspace_id] = session.scalar(_VERSION, {"workspace_id": workspace_id})
    return versions[workspace_id]


def note_settings_version(session: Session, workspace_id: str, version: int) -> None:
    """The workspace's settings_version, read by this transaction in a statement it ran anyway
    (the caller's, bot.services.directory.find_caller)."""
    session.info.setdefault(_VERSIONS, {})[workspace_id] = version


def forget_kept() -> None:
    """Drop the process's copies (for a test that empties the database under a running
    process: the versions start again from nothing, and a copy would match them)."""
    with _kept_lock:
        for copies in _kept.values():
            copies.clear()


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
    """Whether a row of a watched table waits to be flushed (added, changed or deleted)."""
    # Asked on every look-up, mostly of a session with nothing pending: the dirty set is
    # only built when the identity map says something was modified.
    if session.identity_map.check_modified() and any(
        isinstance(obj, WATCHED) for obj in session.dirty
    ):
        return True
    return any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted))


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # Savepoints too: one rolled back may have taken with it rows an answer was read from.
    # Not the internal subtransaction every flush runs in: the transaction goes on.
    if transaction.parent is None or transaction.nested:
        forget(session)
    if transaction.parent is None:
        # The next transaction reads the version again, and may keep what it reads.
        session.info.pop(_WROTE_SETTINGS, None)
        session.info.pop(_VERSIONS, None)


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if _changes_watched(session):
        session.info[_WROTE_SETTINGS] = True
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if state.is_select and getattr(state.statement, "_for_update_arg", None) is not None:
        # A lock may have waited for another transaction to commit, and what is read after it
        # must see what that one wrote (two managers adding a team's fifth field at once):
        # the version is read again, not taken from before the wait, and so is every answer.
        state.session.info.pop(_VERSIONS, None)
        forget(state.session)
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name in _WATCHED_TABLES:
        state.session.info[_WROTE_SETTINGS] = True
        forget(state.session)
