"""统一社会信用代码 (Unified Social Credit Code), GB 32100-2015: 18 characters, the last a check character."""

from __future__ import annotations

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


def uscc_error(code: str) -> str | None:
    """None for a valid code, else the reason in plain words (English; views translate)."""
    code = normalise(code)
    if len(code) != 18:
        return "must be 18 characters"
    bad = [ch for ch in code if ch not in CHARSET]
    if bad:
        return f"contains characters not used in codes: {''.join(sorted(set(bad)))}"
    if not code[2:8].isdigit():
        return "characters 3-8 must be a region code (digits)"
    if check_character(code[:17]) != code[17]:
        return "check character does not match"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_error(code) is None
