"""A receipt kept for a second post of the same form (issue 18): a double click must show the same receipt again,
never a lost one. The number and the secret are sealed with Fernet (AES-128-CBC and HMAC-SHA256) under a key
derived from PORTAL_SECRET_KEY with HKDF and a purpose label of their own (as portal/users/sealing.py does for TOTP
secrets), bound to the nonce of the form's token, and readable for KEEP_FOR after they were sealed. A copy of the
database gives away no secret. Pure: the key and the time are arguments."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"portal receipts: kept for a second post of the same form, v1"  # HKDF info: this key is for nothing else
KEEP_FOR = timedelta(minutes=10)


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal_receipt(secret_key: str, nonce: str, number: str, secret: str, now: datetime) -> str:
    """The receipt of the form whose token has `nonce`, sealed at `now`."""
    payload = json.dumps([nonce, number, secret]).encode()
    return _fernet(secret_key).encrypt_at_time(payload, int(now.timestamp())).decode("ascii")


def unseal_receipt(secret_key: str, sealed: str, nonce: str, now: datetime) -> tuple[str, str] | None:
    """The number and the secret, if `sealed` was sealed under this key for this nonce less than KEEP_FOR before
    `now`; None otherwise (expired, another form's, another key's, or not a sealed receipt at all)."""
    try:
        payload = _fernet(secret_key).decrypt_at_time(
            sealed.encode(), int(KEEP_FOR.total_seconds()), int(now.timestamp())
        )
        kept_nonce, number, secret = json.loads(payload)
    except (InvalidToken, UnicodeError, ValueError, TypeError):
        return None
    if kept_nonce != nonce or not isinstance(number, str) or not isinstance(secret, str):
        return None
    return number, secret
