"""The cell rules of the open-data files (portal/opendata/rules.py): money in 万元 written and read back exactly, a
unit in a money cell refused with the reason, dates, the CSV formula guard and its undoing. Pure: table tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.core.cells import csv_text
from portal.core.money import MAX_FEN
from portal.opendata.rules import (
    CellError,
    cell_text,
    csv_cell,
    header_name,
    out_of_order,
    parse_day,
    parse_wan,
    wan_number,
    wan_text,
)


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0"),
        (1, "0.000001"),
        (100, "0.0001"),
        (123456, "0.123456"),
        (1_000_000, "1"),
        (12_345_600, "12.3456"),
        (150_000_000, "150"),
        (MAX_FEN, "100000000"),
    ],
)
def test_money_is_written_in_wan_yuan_and_read_back_exactly(fen: int, text: str) -> None:
    assert wan_text(fen) == text
    assert parse_wan(text) == fen
    assert wan_number(fen) == Decimal(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("5万元", "不能带单位"),
        ("5 万", "不能带单位"),
        ("8000元", "不能带单位"),
        ("￥12", "不能带单位"),
        ("12 RMB", "不能带单位"),
        ("1,234.5", "千位分隔符"),
        ("-3", "负数"),
        ("abc", "不是金额"),
        ("1.2.3", "不是金额"),
        ("0.0000001", "6 位小数"),
        ("100000001", "金额过大"),
    ],
)
def test_a_money_cell_that_is_not_a_plain_number_of_wan_yuan_says_why(text: str, said: str) -> None:
    with pytest.raises(CellError) as refused:
        parse_wan(text)
    assert said in str(refused.value.message)


def test_an_empty_money_cell_is_empty_and_full_width_digits_are_read() -> None:
    assert parse_wan("  ") is None
    assert parse_wan("１２.５") == 12_500_000
    assert parse_wan("12.500000") == 12_500_000


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/3/2", date(2026, 3, 2)),
        ("2026.03.02", date(2026, 3, 2)),
        ("2026年3月2日", date(2026, 3, 2)),
        ("2026-03-02 00:00:00", date(2026, 3, 2)),
        ("", None),
    ],
)
def test_dates(text: str, day: date | None) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(("text", "said"), [("2026-02-30", "没有这一天"), ("20260302", "格式"), ("明天", "格式")])
def test_a_date_that_is_no_day_says_why(text: str, said: str) -> None:
    with pytest.raises(CellError) as refused:
        parse_day(text)
    assert said in str(refused.value.message)


@pytest.mark.parametrize(
    "text", ["=SUM(A1:A9)", "+1", "-1", "@cmd", "\tx", "'quoted", "''twice", "plain", "（2026）演0121执1号", ""]
)
def test_the_csv_formula_guard_is_undone_on_reading(text: str) -> None:
    written = csv_text(text)
    assert not written.startswith(("=", "+", "-", "@", "\t"))
    assert csv_cell(written) == text


def test_headers_compare_without_full_width_brackets_or_spaces() -> None:
    assert header_name(" 罚款金额(万元) ") == header_name("罚款金额（万元）")
    assert header_name("\ufeff统一社会 信用代码") == header_name("统一社会信用代码")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (datetime(2026, 3, 2, tzinfo=UTC).replace(tzinfo=None), "2026-03-02"),
        (date(2026, 3, 2), "2026-03-02"),
        (15, "15"),
        (15.0, "15"),
        (0.123456, "0.123456"),
        (1e-06, "0.000001"),
        (Decimal("86.40"), "86.4"),
        ("  text ", "text"),
    ],
)
def test_a_spreadsheet_value_as_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_out_of_order() -> None:
    assert out_of_order(date(2026, 3, 2), date(2026, 3, 1))
    assert not out_of_order(date(2026, 3, 1), date(2026, 3, 1))
    assert not out_of_order(None, date(2026, 3, 1))
