"""Masking personal data for display."""

from __future__ import annotations

import pytest

from portal.core.masking import mask_code, mask_email, mask_id_number, mask_name, mask_phone, shown_contact


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("15900001111", "159****1111"),
        ("059187654321", "059*******21"),  # landline with area code, 12 digits
        ("0591-87654321", "059********21"),
        ("+8613812345678", "+86*********78"),
        ("123456", "1****6"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["12345", "96110", "123456", "1234567", "87654321", "13812345678", "059187654321"])
def test_mask_phone_always_hides_something(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert "*" in masked
    assert masked != phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("11010119900307123X", "110101********123X"),
        (" 350102198512120011 ", "350102********0011"),
        ("110101900307123", "110101*****7123"),  # old 15-digit number
        ("12345678901", "123456*8901"),
        ("1234567890", "**********"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


def test_mask_id_number_hides_the_birth_date() -> None:
    assert "19900307" not in mask_id_number("110101199003071234")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("王小明", "王**"),
        ("李", "李*"),
        ("  王五  ", "王*"),
        ("John Smith", "J*********"),
        ("Li", "L*"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhang.san@example.cn", "z***@example.cn"),
        ("a@b.cn", "a***@b.cn"),
        (" Li@Example.CN ", "L***@Example.CN"),
        ("@example.cn", "***@example.cn"),
        ("noatsign", "n*******"),
        ("", ""),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("name", "phone", "email", "revealed", "shown"),
    [
        ("张三", "13812345678", "zhang.san@example.cn", False, ("张*", "138****5678", "z***@example.cn")),
        ("张三", "13812345678", "", False, ("张*", "138****5678", "")),
        ("欧阳娜娜", "", "nana@example.cn", False, ("欧***", "", "n***@example.cn")),
        ("张三", "13812345678", "zhang.san@example.cn", True, ("张三", "13812345678", "zhang.san@example.cn")),
        ("张三", "", "", True, ("张三", "", "")),
    ],
)
def test_shown_contact(name: str, phone: str, email: str, revealed: bool, shown: tuple[str, str, str]) -> None:
    contact = shown_contact(name, phone, email, revealed=revealed)
    assert (contact["name"], contact["phone"], contact["email"]) == shown


@pytest.mark.parametrize(
    ("code", "masked"),
    [
        ("91320100MA1XXXXX8Q", "91**************8Q"),
        (" 91320100MA1XXXXX8Q ", "91**************8Q"),
        ("12345", "12*45"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_code(code: str, masked: str) -> None:
    assert mask_code(code) == masked


def test_shown_contact_masks_the_enterprise_code_until_revealed() -> None:
    assert shown_contact("某公司", "", "", "91320100MA1XXXXX8Q")["code"] == "91**************8Q"
    assert shown_contact("某公司", "", "", "91320100MA1XXXXX8Q", revealed=True)["code"] == "91320100MA1XXXXX8Q"
    assert shown_contact("张三", "", "")["code"] == ""
