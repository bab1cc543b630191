"""What counts as personal data in a text to be published, and the redacted draft (portal/core/personal_data.py)."""

from __future__ import annotations

import pytest

from portal.core.personal_data import Found, find_personal_data, redact
from portal.demo.generator import make_uscc

USCC = make_uscc("91", "990121", 4242)
ID = "11010519491231002X"  # GB 11643's own example
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请拨打 13912345678 联系", [(Found.PHONE, "13912345678")]),
        ("电话 139 1234 5678。", [(Found.PHONE, "139 1234 5678")]),
        ("电话 139-1234-5678。", [(Found.PHONE, "139-1234-5678")]),
        ("+86 13912345678", [(Found.PHONE, "+86 13912345678")]),
        ("办公室 0513-87654321", [(Found.PHONE, "0513-87654321")]),
        (f"身份证 {ID} 已核对", [(Found.ID_NUMBER, ID)]),
        (f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", [(Found.ID_NUMBER, f"{ID[:6]} {ID[6:14]} {ID[14:]}")]),
        ("老证 320682900101123", [(Found.ID_NUMBER, "320682900101123")]),
        ("联系电话１３８１２３４５６７８", [(Found.PHONE, "１３８１２３４５６７８")]),  # full width, as an IME types it
        ("电话(0513)12345678", [(Found.PHONE, "(0513)12345678")]),
        ("座机0513－12345678", [(Found.PHONE, "0513－12345678")]),
        ("邮件 zhang＠example.com", [(Found.EMAIL, "zhang＠example.com")]),
        (f"身份证号{ID.translate(FULL_WIDTH)}", [(Found.ID_NUMBER, ID.translate(FULL_WIDTH))]),
        (f"企业代码 {USCC}", [(Found.USCC, USCC)]),
        ("邮件 a.b@example.cn 已回", [(Found.EMAIL, "a.b@example.cn")]),
        ("张先生：您好！", [(Found.NAME, "张先生")]),
        ("请欧阳女士于下周", [(Found.NAME, "欧阳女士")]),
        ("经核实，已于 2026 年 11 月支付 60 万元。", []),
        ("合同编号 2026-0001，金额 1200000 元", []),
        ("合同编号 320682201399991230", []),  # 18 digits, but no real birth date: a serial number
        (f"流水号 {ID[:17]}{'0' if ID[17] != '0' else '1'}", []),  # a wrong check character
        ("已责成相关负责同志限期整改", []),  # roles, not names
        ("由公司总经理签字，经办同志已电话回访", []),
        ("文号 演信用函〔2026〕12号", []),
    ],
)
def test_what_is_flagged(text: str, found: list[tuple[Found, str]]) -> None:
    assert [(f.kind, f.text) for f in find_personal_data(text)] == found


def test_an_eighteen_character_code_is_flagged_only_with_a_right_check_character() -> None:
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert [f.kind for f in find_personal_data(f"代码 {wrong}")] != [Found.USCC]


def test_the_complainants_own_name_is_flagged_wherever_it_stands() -> None:
    text = "演示建材有限公司反映的货款\n已付清。演示建材有限公司已确认。"
    found = find_personal_data(text, ["演示建材有限公司", " "])
    assert [(f.kind, f.text, f.line) for f in found] == [
        (Found.NAME, "演示建材有限公司", 1),
        (Found.NAME, "演示建材有限公司", 2),
    ]


def test_overlapping_findings_are_reported_once_the_longest_first() -> None:
    found = find_personal_data("联系 13912345678@example.cn", [])
    assert [(f.kind, f.text) for f in found] == [(Found.EMAIL, "13912345678@example.cn")]


def test_the_complainants_phone_is_found_however_its_digits_are_grouped() -> None:
    found = find_personal_data("请回电 139 1234-5678。", [], ["13912345678"])
    assert [(f.kind, f.text) for f in found] == [(Found.PHONE, "139 1234-5678")]


def test_the_redacted_draft_keeps_the_rest_word_for_word() -> None:
    answer = "张三先生：您好！\n经核实，演示县财政局已付清货款。如有疑问请拨打 0513-87654321 或 13912345678。"
    draft = redact(answer, ["张三"])
    assert draft == (
        "投诉人：您好！\n经核实，演示县财政局已付清货款。如有疑问请拨打 〔电话已隐去〕 或 〔电话已隐去〕。"
    )
    assert find_personal_data(draft, ["张三"]) == []
    assert redact("经核实，已付清。") == "经核实，已付清。"
