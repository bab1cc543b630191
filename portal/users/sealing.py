"""TOTP secrets at rest (issue 19): sealed with Fernet (AES-128-CBC and HMAC-SHA256, from `cryptography`) under a
key derived from PORTAL_SECRET_KEY with HKDF and a purpose label of its own, so that a copy of the database (a
backup, a dump) does not give away anyone's second factor, and the key serves no other purpose than this.

`SealedSecret` is the column type: the model reads and writes the plain secret, the database holds only the sealed
token. A token sealed under another key (PORTAL_SECRET_KEY changed) reads as no secret at all: the second factor
counts as not set up, and the user sets it up again (at the next login where PORTAL_REQUIRE_2FA is on, or on the
account page); it never fails the request."""

from __future__ import annotations

import base64
import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

PURPOSE = b"portal users: TOTP secrets at rest, v1"  # HKDF info: this key is for nothing else
SEALED_CHARS = 255  # a Fernet token of a 32-character secret is 140 characters


@lru_cache(maxsize=4)
def fernet(secret_key: str) -> Fernet:
    """The Fernet key for TOTP secrets, derived from the application's secret key."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, secret_key: str) -> str:
    return fernet(secret_key).encrypt(secret.encode()).decode("ascii")


def unseal(token: str, secret_key: str) -> str | None:
    """The secret in a sealed token, or None when it was not sealed under this key (or is not a token at all)."""
    try:
        return fernet(secret_key).decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None


# What a secret sealed under another key reads as: the account has a second factor nobody can check. Sign-in is
# refused (never the password alone) until an admin resets it (web or `flask users reset-totp`).
UNREADABLE = "!unreadable"


class SealedSecret(TypeDecorator[str]):
    """A string sealed in the database, plain in Python. The key is the running app's SECRET_KEY."""

    impl = String(SEALED_CHARS)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(str(value), current_app.config["SECRET_KEY"])

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        secret = unseal(value, current_app.config["SECRET_KEY"])
        if secret is None:
            log.warning("a stored TOTP secret cannot be unsealed with this PORTAL_SECRET_KEY: sign-in is refused")
            return UNREADABLE
        return secret
