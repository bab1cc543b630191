"""统一社会信用代码 (Unified Social Credit Code), GB 32100-2015: 18 characters, the last a check character."""

from __future__ import annotations

from enum import StrEnum

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (ValueError for a character outside the code set)."""
    if len(first17) != 17:
        raise ValueError("need the first 17 characters")
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


class UsccProblem(StrEnum):
    """What is wrong with a code, in the order it is checked (the forms say it in words)."""

    LENGTH = "length"  # not 18 characters
    CHARACTERS = "characters"  # characters outside the code set (see `bad_characters`)
    REGION = "region"  # characters 3-8 are not a region code (digits)
    CHECK_CHARACTER = "check_character"  # the 18th character does not match the first 17


def uscc_problem(code: str) -> UsccProblem | None:
    """None for a valid code (read without regard to case or surrounding spaces), else what is wrong with it."""
    code = normalise(code)
    if len(code) != 18:
        return UsccProblem.LENGTH
    if bad_characters(code):
        return UsccProblem.CHARACTERS
    if not code[2:8].isdigit():
        return UsccProblem.REGION
    if check_character(code[:17]) != code[17]:
        return UsccProblem.CHECK_CHARACTER
    return None


def bad_characters(code: str) -> str:
    """The characters of the code that no code uses, each once, in order ('' when there are none)."""
    return "".join(sorted(set(normalise(code)) - set(CHARSET)))


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None
