"""A complainant's or objector's contact: a phone number, an e-mail address, at least one of the two. One rule for
every public form, from maintained libraries (phonenumbers for numbering plans, email-validator for addresses).
Pure: text in, a problem code or the value in its normal form out; the forms put the code into words.

A phone is
- a mainland mobile: 13812345678 (+86 allowed) → `13812345678`;
- a landline with its area code, optionally an extension after a hyphen, 转, 分机, ext or #:
  0527-12345678, (0527)12345678, 010-87654321-123 → `0527-12345678`, `010-87654321-123`;
- a 400 or 800 number: 400-123-4567 → `400-123-4567`;
- an international number with its country code: +44 20 7946 0958 → `+442079460958` (E.164).
Spaces, hyphens and brackets between digits are ignored; full-width digits are read as digits; letters are not
(phonenumbers would read 1-800-FLOWERS as digits)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType

REGION = "CN"
CHINA = 86
MAX_EXTENSION_DIGITS = 6

# digits with the usual separators, and at most one extension at the end; nothing else (no letters)
_SHAPE = re.compile(r"\+?[0-9 ()./-]+(?:(?:转|分机|ext\.?|x|#)\s*[0-9]+)?", re.IGNORECASE)
_EXTENSION = re.compile(r"(?P<main>.*[0-9)])\s*(?:-|转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})", re.IGNORECASE)

_MOBILE = frozenset({PhoneNumberType.MOBILE})
_LANDLINE = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_SERVICE = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST})  # 800 and 400 numbers


class ContactProblem(StrEnum):
    """What is wrong with a contact, for the form to say in words."""

    MISSING = "missing"  # neither a phone nor an e-mail address
    PHONE = "phone"  # the phone is none of the accepted kinds
    EMAIL = "email"  # the e-mail address is not an address


def _parsed(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return number


def _chinese(number: phonenumbers.PhoneNumber, extension: str) -> str | None:
    kind = phonenumbers.number_type(number)
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if kind in _LANDLINE and area:
        return f"0{national[:area]}-{national[area:]}" + (f"-{extension}" if extension else "")
    if extension:
        return None  # an extension belongs to a landline
    if kind in _MOBILE:
        return national
    if kind in _SERVICE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")
    return None


def normal_phone(text: str) -> str | None:
    """The phone in its normal form (see the module's text), or None when it is none of the accepted kinds."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not _SHAPE.fullmatch(text):
        return None
    number, extension = _parsed(text), ""
    if number is None and (split := _EXTENSION.fullmatch(text)) is not None:
        number, extension = _parsed(split["main"]), split["ext"]
    if number is None:
        return None
    if number.country_code == CHINA:
        return _chinese(number, extension)
    if extension or not text.startswith(("+", "00")):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normal_email(text: str) -> str | None:
    """The address in its normal form (the domain in lower case and NFC), or None when it is not an address that
    mail can be sent to. Nothing is looked up on the network."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def contact_problem(phone: str, email: str) -> ContactProblem | None:
    """What is wrong with the contact, phone first; None when at least one is given and what is given is valid."""
    phone, email = phone.strip(), email.strip()
    if not phone and not email:
        return ContactProblem.MISSING
    if phone and normal_phone(phone) is None:
        return ContactProblem.PHONE
    if email and normal_email(email) is None:
        return ContactProblem.EMAIL
    return None
