"""Money is stored as integer fen (分) and shown in 元 or 万元."""

from __future__ import annotations

import re

# The largest amount any form takes: 1 万亿元 (10^12 元). More is a typing error; it also keeps every amount far
# below the integer columns that store fen (BIGINT on PostgreSQL and SQLite: up to 9.2 × 10^18).
MAX_FEN = 10**14


def format_yuan(fen: int) -> str:
    """123456 -> '1,234.56 元'; from 10 万元 on -> '12.35 万元', rounded half up (四舍五入) in integers."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    if fen >= 10_000_000:
        hundredths, rest = divmod(fen, 10_000)  # units of 0.01 万元
        hundredths += 1 if rest * 2 >= 10_000 else 0
        return f"{sign}{hundredths // 100:,}.{hundredths % 100:02d} 万元"
    return f"{sign}{fen // 100:,}.{fen % 100:02d} 元"


AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?", re.ASCII)


def parse_yuan(text: str) -> int:
    """'1,234.5' -> 123450 fen; ValueError for anything that is not a non-negative amount with at most 2 decimals."""
    cleaned = text.strip().removesuffix("元").strip()
    if not AMOUNT.fullmatch(cleaned):
        raise ValueError(f"not an amount in yuan: {text!r}")
    whole, _, frac = cleaned.replace(",", "").partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0") if frac else 0)
