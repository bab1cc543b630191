"""Money is stored as integer fen (分) and shown in 元 or 万元."""

from __future__ import annotations


def format_yuan(fen: int) -> str:
    """123456 -> '1,234.56 元'; 10 万元 and more -> '12.35 万元'."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    if fen >= 100_000_00:
        return f"{sign}{fen / 1_000_000:,.2f} 万元"
    return f"{sign}{fen // 100:,}.{fen % 100:02d} 元"


def parse_yuan(text: str) -> int:
    """'1,234.5' -> 123450 fen; ValueError for anything that is not a non-negative amount with at most 2 decimals."""
    cleaned = text.strip().replace(",", "").replace("元", "").strip()
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError(f"not an amount in yuan: {text!r}")
    return int(whole) * 100 + int(frac.ljust(2, "0") if frac else 0)
