from decimal import Decimal

import pytest

from bot.domain.stages import DEFAULT_STAGES, Stage, StageError, is_stage_word, resolve_stage

CUSTOM = (
    Stage("prospect", "Prospect", Decimal("0.05"), "open", 1),
    Stage("proposal", "Proposal sent", Decimal("0.50"), "open", 2),
    Stage("closed", "Closed", Decimal("1.00"), "won", 3),
)


def test_default_stages() -> None:
    assert [(s.key, s.probability, s.kind) for s in DEFAULT_STAGES] == [
        ("lead", Decimal("0.10"), "open"),
        ("qualified", Decimal("0.25"), "open"),
        ("proposal", Decimal("0.50"), "open"),
        ("negotiation", Decimal("0.75"), "open"),
        ("won", Decimal("1.00"), "won"),
        ("lost", Decimal("0.00"), "lost"),
    ]
    assert [s.position for s in DEFAULT_STAGES] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("lead", "lead"),
        ("LEAD", "lead"),
        ("Qualified", "qualified"),
        ("  proposal ", "proposal"),
        ("negotiation", "negotiation"),
        ("won", "won"),
        ("Lost", "lost"),
        ("线索", "lead"),
        ("商机", "qualified"),
        ("方案", "proposal"),
        ("谈判", "negotiation"),
        ("赢单", "won"),
        ("成交", "won"),
        ("输单", "lost"),
        ("丢单", "lost"),
        ("qual", "qualified"),
        ("nego", "negotiation"),
        ("neg", "negotiation"),
        ("pro", "proposal"),
        ("lea", "lead"),
        ("los", "lost"),
        ("ＬＥＡＤ", "lead"),
    ],
)
def test_resolve_default_stage(text: str, key: str) -> None:
    assert resolve_stage(text, DEFAULT_STAGES).key == key


@pytest.mark.parametrize(
    ("text", "key"),
    [("Proposal sent", "proposal"), ("prosp", "prospect"), ("closed", "closed"), ("clo", "closed")],
)
def test_resolve_custom_stage_by_label_and_prefix(text: str, key: str) -> None:
    assert resolve_stage(text, CUSTOM).key == key


@pytest.mark.parametrize(
    ("text", "stages", "message"),
    [
        (
            "foo",
            DEFAULT_STAGES,
            "“foo” is not a stage. Use one of: lead, qualified, proposal, negotiation, won, lost.",
        ),
        ("lo", DEFAULT_STAGES, "“lo” is not a stage."),  # prefixes need 3 letters
        ("", DEFAULT_STAGES, "Please name a stage."),
        ("pro", CUSTOM, "“pro” could be prospect or proposal."),
        # Chinese aliases only map to keys the team actually has.
        ("谈判", CUSTOM, "“谈判” is not a stage. Use one of: prospect, proposal, closed."),
    ],
)
def test_resolve_stage_refuses(text: str, stages: tuple[Stage, ...], message: str) -> None:
    with pytest.raises(StageError) as error:
        resolve_stage(text, stages)
    assert message in str(error.value)


def test_stage_error_is_a_value_error() -> None:
    assert issubclass(StageError, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"), [("proposal", True), ("方案", True), ("nego", True), ("foo", False)]
)
def test_is_stage_word(text: str, expected: bool) -> None:
    assert is_stage_word(text, DEFAULT_STAGES) is expected
