"""The inserts that `insert_unique` runs are built once per table, keys and index condition."""

from __future__ import annotations

from bot.services.once import _insert_statement
from models import RewardGrant

KEYS = ("subject_key", "scope", "tier")


def test_a_condition_built_anew_each_call_reuses_the_statement_built_for_an_equal_one() -> None:
    # A caller that writes its partial index's condition inline builds a new expression each
    # time: the statements must not pile up one per call.
    first = _insert_statement(RewardGrant, KEYS, RewardGrant.reversed_at.is_(None), "postgresql")
    again = _insert_statement(RewardGrant, KEYS, RewardGrant.reversed_at.is_(None), "postgresql")
    assert again is first


def test_another_condition_or_dialect_gets_a_statement_of_its_own() -> None:
    live = _insert_statement(RewardGrant, KEYS, RewardGrant.reversed_at.is_(None), "postgresql")
    reversed_ = _insert_statement(
        RewardGrant, KEYS, RewardGrant.reversed_at.is_not(None), "postgresql"
    )
    on_sqlite = _insert_statement(RewardGrant, KEYS, RewardGrant.reversed_at.is_(None), "sqlite")
    unconditional = _insert_statement(RewardGrant, KEYS, None, "postgresql")
    assert len({id(live), id(reversed_), id(on_sqlite), id(unconditional)}) == 4
    assert "reversed_at IS NULL" in str(live.compile())
    assert "reversed_at IS NOT NULL" in str(reversed_.compile())
