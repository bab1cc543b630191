"""Table tests of the one contact rule (portal/core/contacts.py) that the complaint and the objection forms share:
which phones and e-mail addresses are accepted, in what normal form they are kept, and what is refused."""

from __future__ import annotations

import pytest

from portal.core.contacts import ContactProblem, contact_problem, normal_email, normal_phone

ACCEPTED_PHONES = [
    # mainland mobiles, +86 or 0086 allowed, separators ignored
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0086 13812345678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("  19912345678 ", "19912345678"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width digits
    # landlines with their area code, an extension allowed
    ("0527-12345678", "0527-12345678"),
    ("0527 1234 5678", "0527-12345678"),
    ("(0527)12345678", "0527-12345678"),
    ("（0527）12345678", "0527-12345678"),
    ("+86 527 12345678", "0527-12345678"),
    ("010-87654321", "010-87654321"),
    ("01087654321", "010-87654321"),
    ("010-87654321-123", "010-87654321-123"),
    ("010-87654321 转 123", "010-87654321-123"),
    ("010-87654321 分机 8", "010-87654321-8"),
    ("010-87654321 ext. 12", "010-87654321-12"),
    ("010-87654321#8", "010-87654321-8"),
    # 400 and 800 numbers
    ("400-123-4567", "400-123-4567"),
    ("4001234567", "400-123-4567"),
    ("800-123-4567", "800-123-4567"),
    # international numbers with their country code
    ("+44 20 7946 0958", "+442079460958"),
    ("0044 20 7946 0958", "+442079460958"),
    ("+1 650 253 0000", "+16502530000"),
    ("+852 2123 4567", "+85221234567"),
]

REFUSED_PHONES = [
    "12345",  # too short to be any number (the complaint form used to accept it)
    "1381234567",  # a mobile one digit short
    "138123456789",  # one digit long
    "1381234567x",
    "23812345678",  # no such mobile or area code
    "12345678",  # a landline without its area code
    "95588",  # a short service number: no one can call it back from elsewhere
    "13812345678-123",  # an extension belongs to a landline
    "0527-12345678-1234567",  # an extension of 7 digits
    "+44 20 7946 0958-12",
    "138ABCD5678",  # letters are not read as digits
    "1-800-FLOWERS",
    "13812345678 13812345678",  # two numbers
    "+",
    "abc",
    "",
]

ACCEPTED_EMAILS = [
    ("zhang.san@example.cn", "zhang.san@example.cn"),
    ("Zhang@EXAMPLE.CN", "Zhang@example.cn"),  # the domain in lower case, the mailbox as typed
    ("user+tag@example.com", "user+tag@example.com"),
    (" li@example.cn ", "li@example.cn"),
    ("张三@例子.中国", "张三@例子.中国"),
]

REFUSED_EMAILS = [
    "zhang",
    "not-an-address",
    "zhang@example",  # no dot in the domain
    "a b@example.cn",
    "a..b@example.cn",
    "@example.cn",
    "zhang@",
    "x@localhost",
    "x@demo.test",  # a special-use domain no mail reaches
    "",
]


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED_PHONES)
def test_accepted_phones_are_kept_in_their_normal_form(typed: str, kept: str) -> None:
    assert normal_phone(typed) == kept
    assert normal_phone(kept) == kept  # the normal form is accepted as it is
    assert len(kept) <= 30  # fits the column


@pytest.mark.parametrize("typed", REFUSED_PHONES)
def test_refused_phones(typed: str) -> None:
    assert normal_phone(typed) is None


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED_EMAILS)
def test_accepted_emails_are_kept_in_their_normal_form(typed: str, kept: str) -> None:
    assert normal_email(typed) == kept


@pytest.mark.parametrize("typed", REFUSED_EMAILS)
def test_refused_emails(typed: str) -> None:
    assert normal_email(typed) is None


@pytest.mark.parametrize(
    ("phone", "email", "problem"),
    [
        ("13812345678", "", None),
        ("+86 138 1234 5678", "", None),
        ("0527-12345678", "", None),
        ("010-87654321-123", "", None),
        ("400-123-4567", "", None),
        ("", "zhang.san@example.cn", None),
        ("13812345678", "zhang@example.cn", None),
        ("", "", ContactProblem.MISSING),
        ("  ", " ", ContactProblem.MISSING),
        ("12345", "", ContactProblem.PHONE),
        ("12345", "zhang@example.cn", ContactProblem.PHONE),  # a wrong phone is wrong even with an e-mail
        ("1381234567x", "", ContactProblem.PHONE),
        ("23812345678", "", ContactProblem.PHONE),
        ("12345", "zhang", ContactProblem.PHONE),  # the phone first
        ("", "zhang", ContactProblem.EMAIL),
        ("", "zhang@example", ContactProblem.EMAIL),
        ("", "a b@example.cn", ContactProblem.EMAIL),
        ("13812345678", "not-an-address", ContactProblem.EMAIL),
    ],
)
def test_contact(phone: str, email: str, problem: ContactProblem | None) -> None:
    assert contact_problem(phone, email) is problem
