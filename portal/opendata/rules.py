"""How a value is written in an open-data file and read back from one. Pure: a value or a cell in, a cell or a value
out; a cell that cannot be read raises CellError with the message for beside it (row and column).

The rules make a file round-trip: what an export writes, the import reads back as the same value.
- Dates are ISO (2026-11-20); an import also takes 2026/11/20, 2026.11.20 and 2026年11月20日, and an XLSX date.
- Money is stored in fen and written in 万元 (the column's name says so: 罚款金额（万元）), as a plain decimal number
  without unit or separator, up to 6 decimals (1 fen = 0.000001 万元): 123456 fen → 0.123456. "5万元" in a cell is
  refused with the reason (the unit is in the column's name), never read as 5 or as 50,000 元.
- Text that a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage return first) is written to CSV
  with a ' before it, and so is text that starts with ' itself; reading a CSV cell drops one leading '. XLSX cells
  are typed as text and need nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.money import MAX_FEN

WAN_FEN = 1_000_000  # fen in one 万元
MONEY_DECIMALS = 6


class CellError(ValueError):
    """A cell that cannot be read; `message` (lazy, in the reader's language) goes beside it."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


# --- writing ---------------------------------------------------------------------------------------------------------


def wan_text(fen: int) -> str:
    """Integer fen as 万元, a plain decimal: 150_000_000 → '150', 123456 → '0.123456', 12_345_600 → '12.3456'."""
    sign = "-" if fen < 0 else ""
    whole, rest = divmod(abs(fen), WAN_FEN)
    return f"{sign}{whole}" if not rest else f"{sign}{whole}.{rest:06d}".rstrip("0")


def wan_number(fen: int) -> Decimal:
    """Integer fen as a number of 万元 (exact: an XLSX cell and a JSON number are written from it)."""
    return Decimal(wan_text(fen))


# --- reading ---------------------------------------------------------------------------------------------------------


def csv_cell(text: str) -> str:
    """A CSV cell as written by core.cells.csv_text, back to its text."""
    return text[1:] if text.startswith("'") else text


def header_name(text: str) -> str:
    """A column header as typed, compared in one form: full-width brackets and letters made plain (NFKC), no
    spaces or invisible characters around or inside."""
    plain = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in plain if not ch.isspace() and unicodedata.category(ch) not in {"Cf", "Cc"})


def cell_text(value: Any) -> str:
    """A spreadsheet cell's value as text: a date as ISO, a number in plain decimals (never 1e-06), text stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value).strip()


MONEY_UNITS = re.compile(r"[万元亿千百角分圆¥￥$]|rmb|cny|yuan", re.IGNORECASE)
MONEY = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
SEPARATED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)


def parse_wan(text: str) -> int | None:
    """A cell of a 万元 column → integer fen; None for an empty cell; CellError saying what is wrong otherwise."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain:
        return None
    if MONEY_UNITS.search(plain):
        raise CellError(_l("金额不能带单位：本列以万元为单位，只填数字（如“5万元”填 5，“8000元”填 0.8）"))
    if SEPARATED.fullmatch(plain):
        raise CellError(_l("金额不要用千位分隔符：请写成 12345.6 这样的数字（单位万元）"))
    if plain.startswith("-"):
        raise CellError(_l("金额不能为负数"))
    if not MONEY.fullmatch(plain):
        raise CellError(_l("不是金额：请填以万元为单位的数字，如 12.5"))
    whole, _sep, fraction = plain.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > MONEY_DECIMALS:
        raise CellError(_l("金额最多 6 位小数（万元的 6 位小数即 1 分）"))
    try:
        fen = int(whole) * WAN_FEN + int(fraction.ljust(MONEY_DECIMALS, "0") or "0")
    except (ValueError, InvalidOperation):  # pragma: no cover - the pattern above admits digits only
        raise CellError(_l("不是金额：请填以万元为单位的数字，如 12.5")) from None
    if fen > MAX_FEN:
        raise CellError(_l("金额过大：最多 %(most)s 万元，请核对单位（本列单位为万元）", most=wan_text(MAX_FEN)))
    return fen


DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?", re.ASCII)


def parse_day(text: str) -> date | None:
    """A date cell → date; None for an empty cell; CellError for anything that is not a real day."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain:
        return None
    match = DATE.fullmatch(plain.removesuffix(" 00:00:00"))
    if match is None:
        raise CellError(_l("日期格式应为 2026-11-20"))
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError(_l("没有这一天：%(text)s", text=plain)) from None


def future_date(day: date, today: date) -> Any:
    """Why a date of a past event cannot be after today (a lazy message), or None."""
    return _l("日期不能晚于今天（%(today)s）", today=today.isoformat()) if day > today else None


def out_of_order(earlier: date | None, later: date | None) -> bool:
    """Two dates given in the wrong order (a missing one is never out of order)."""
    return earlier is not None and later is not None and earlier > later
