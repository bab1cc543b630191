"""Money: integer fen shown in 元 or 万元, and amounts typed in 元 parsed to fen."""

from __future__ import annotations

import pytest

from portal.core.money import format_yuan, parse_yuan


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (0, "0.00 元"),
        (1, "0.01 元"),
        (99, "0.99 元"),
        (100, "1.00 元"),
        (123_456, "1,234.56 元"),
        (100_000_00 - 1, "99,999.99 元"),
        (100_000_00, "10.00 万元"),
        (12_345_678, "12.35 万元"),
        (12_344_999, "12.34 万元"),
        (123_456_789, "123.46 万元"),
        (1_000_000_000_00, "100,000.00 万元"),  # 10 亿元
        (-5, "-0.05 元"),
        (-123_456, "-1,234.56 元"),
        (-100_000_00, "-10.00 万元"),
    ],
)
def test_format_yuan(fen: int, shown: str) -> None:
    assert format_yuan(fen) == shown


# Exactly half a hundredth of 万元 with an odd digit before it: both 四舍五入 and GB/T 8170 (round half to
# even) round these up, so the display must not depend on binary floating point.
@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (10_055_000, "10.06 万元"),  # 100,550 元
        (10_075_000, "10.08 万元"),  # 100,750 元
        (10_155_000, "10.16 万元"),
        (12_315_000, "12.32 万元"),
        (-10_055_000, "-10.06 万元"),
    ],
)
def test_format_yuan_rounds_halves_consistently(fen: int, shown: str) -> None:
    assert format_yuan(fen) == shown


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("1", 100),
        ("0.01", 1),
        ("0.1", 10),
        ("1,234.5", 123_450),
        ("1234.56", 123_456),
        ("1,234,567.89", 123_456_789),
        ("100.0", 10_000),
        ("007", 700),
        ("12元", 1_200),
        (" 1,000 元 ", 100_000),
        ("1,234.56 元", 123_456),
    ],
)
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "元",
        "-1",
        "+1",
        "1.234",
        "0.001",
        "abc",
        "1.2.3",
        "1.-5",
        "1e3",
        "1 000",
        "12万元",
        "0x10",
        "1,2a",
    ],
)
def test_parse_yuan_bad(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_yuan(text)


def test_parse_yuan_superscript_digit_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_yuan("²")


@pytest.mark.parametrize("fen", [0, 1, 10, 99, 100, 12_345, 123_456, 9_999_999])
def test_parse_yuan_reads_what_format_yuan_writes(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen
