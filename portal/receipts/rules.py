"""Receipt numbers and secrets. Pure.

A receipt is a public number and a secret of 96 random bits; the status page needs both. Only the secret's SHA-256
is stored, and comparing is constant-time, so a wrong pair looks exactly like an unknown one. A lost secret is
replaced (never shown again) for whoever gives the number and the phone or e-mail address given at filing: the new
one goes to that e-mail address (issue 18)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from portal.core.contacts import normal_email, normal_phone

SECRET_BYTES = 12  # 96 bits
NUMBER_PATTERN = re.compile(r"([A-Z]{2})-([0-9]{4})-([0-9]{6})")


def format_number(prefix: str, year: int, serial: int) -> str:
    """TS-2026-000123: the prefix (TS complaint, YY objection), the year, a serial that restarts every year."""
    if not re.fullmatch(r"[A-Z]{2}", prefix) or not 0 < serial < 1_000_000:
        raise ValueError("need a two-letter prefix and a serial from 1 to 999999")
    return f"{prefix}-{year:04d}-{serial:06d}"


def normalise_number(text: str) -> str:
    """What a person typed as a number, in the stored form (spaces dropped, upper case, full-width folded)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def new_secret() -> str:
    """Twelve random bytes as 24 hex digits, grouped for reading aloud: 3f2a-91c0-..."""
    raw = secrets.token_hex(SECRET_BYTES)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def secret_hash(secret: str) -> str:
    cleaned = re.sub(r"[^0-9a-f]", "", (secret or "").strip().lower())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time; an unknown number is compared against a dummy so that it costs the same."""
    return hmac.compare_digest(secret_hash(secret), stored_hash or "0" * 64) and stored_hash is not None


def typed_contact(text: str) -> tuple[str, str] | None:
    """What a person typed to recover a receipt, as ("email", address) or ("phone", number) in the normal form the
    forms keep (portal/core/contacts.py), or None when it is neither."""
    text = (text or "").strip()
    if "@" in text:
        address = normal_email(text)
        return ("email", address) if address else None
    phone = normal_phone(text)
    return ("phone", phone) if phone else None


def contact_on_file(typed: tuple[str, str], phone: str, email: str) -> bool:
    """Is the typed contact the phone or the e-mail address given at filing? Constant-time, and an empty one on
    file matches nothing; e-mail addresses are compared without regard to case."""
    kind, value = typed
    on_file = phone
    if kind == "email":
        value, on_file = value.casefold(), email.casefold()
    return hmac.compare_digest(value.encode(), on_file.encode()) and bool(on_file)
