"""统一社会信用代码 (GB 32100-2015) check character and validation."""

from __future__ import annotations

import pytest

from portal.core.uscc import CHARSET, WEIGHTS, UsccProblem, bad_characters, check_character, is_valid_uscc, uscc_problem

KNOWN_VALID = "91350100M000100Y43"  # the published example code

# Codes whose check characters were worked out by hand with the standard's weights (3**i mod 31).
VALID = [
    KNOWN_VALID,
    "91110000600037341L",
    "91440300192317458F",
    "12100000400000770U",
    "11100000000013127D",
    "91310000MA1FL0000N",
    "91350100MA2Y0000G0",  # check value 0
    "91350100MA2Y0000TY",  # check value 30, the last character of the set
    "91350100MA2Y00009A",
]


def reference_check(first17: str) -> str:
    """An independent formulation of the GB 32100 check character."""
    values = {ch: n for n, ch in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
    total = sum(values[ch] * pow(3, i, 31) for i, ch in enumerate(first17))
    return "0123456789ABCDEFGHJKLMNPQRTUWXY"[-total % 31]


def test_charset_and_weights() -> None:
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)
    assert tuple(pow(3, i, 31) for i in range(17)) == WEIGHTS


@pytest.mark.parametrize("code", VALID)
def test_check_character(code: str) -> None:
    assert check_character(code[:17]) == code[17]
    assert reference_check(code[:17]) == code[17]


@pytest.mark.parametrize("first17", ["", "9135010", "91350100M000100Y", "91350100M000100Y43", "91350100I000100Y4"])
def test_check_character_rejects_bad_input(first17: str) -> None:
    with pytest.raises(ValueError, match=r"17 characters|substring not found"):
        check_character(first17)


@pytest.mark.parametrize("code", [*VALID, "91350100m000100y43", "  91350100M000100Y43\n", "91310000ma1fl0000n"])
def test_valid_codes(code: str) -> None:
    assert uscc_problem(code) is None
    assert is_valid_uscc(code) is True


LENGTH, CHARACTERS, REGION, CHECK = (
    UsccProblem.LENGTH,
    UsccProblem.CHARACTERS,
    UsccProblem.REGION,
    UsccProblem.CHECK_CHARACTER,
)


@pytest.mark.parametrize(
    ("code", "problem", "bad"),
    [
        ("", LENGTH, ""),
        ("91350100M000100Y4", LENGTH, ""),
        ("91350100M000100Y433", LENGTH, ""),
        ("91350100 M000100Y43", LENGTH, " "),
        ("91350100I000100Y43", CHARACTERS, "I"),
        ("91350100O000100Y43", CHARACTERS, "O"),
        ("91350100S000100Y43", CHARACTERS, "S"),
        ("91350100V000100Y43", CHARACTERS, "V"),
        ("91350100Z000100Y43", CHARACTERS, "Z"),
        ("91350100i000100y43", CHARACTERS, "I"),  # lowercase is normalised first
        ("91350100ZO00100Y43", CHARACTERS, "OZ"),
        ("91350100M000100Y4-", CHARACTERS, "-"),
        ("９1350100M000100Y43", CHARACTERS, "９"),
        ("91350100M000100Y44", CHECK, ""),
        ("91350100M000100Y34", CHECK, ""),  # last two swapped
        ("19350100M000100Y43", CHECK, ""),  # first two swapped
        ("91A50100M000100Y42", REGION, ""),  # check char is right
        ("9135010AM000100Y43", REGION, ""),
    ],
)
def test_invalid_codes(code: str, problem: UsccProblem, bad: str) -> None:
    assert uscc_problem(code) is problem
    assert bad_characters(code) == bad
    assert is_valid_uscc(code) is False


def test_region_error_case_has_a_matching_check_character() -> None:
    assert check_character("91A50100M000100Y4") == "2"


def test_every_single_substitution_is_detected() -> None:
    for position in range(18):
        for ch in CHARSET:
            if ch == KNOWN_VALID[position]:
                continue
            changed = KNOWN_VALID[:position] + ch + KNOWN_VALID[position + 1 :]
            assert not is_valid_uscc(changed), changed


def test_every_adjacent_transposition_is_detected() -> None:
    for code in VALID:
        for position in range(17):
            a, b = code[position], code[position + 1]
            if a == b:
                continue
            swapped = code[:position] + b + a + code[position + 2 :]
            assert not is_valid_uscc(swapped), swapped
