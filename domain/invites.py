"""Invite codes (R22): random, URL-safe for Telegram deep links, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import string

_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")
CODE_BYTES = 18  # 24 characters; Telegram allows up to 64 in a /start parameter
MAX_CODE_LENGTH = 64


def new_code() -> str:
    """A fresh code that never starts with "-", which a command line would read as an option."""
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith("-"):
        pass
    return code


def normalise(code: str) -> str | None:
    """The code as typed, trimmed; None if it cannot be a code at all."""
    code = code.strip()
    if not code or len(code) > MAX_CODE_LENGTH or not set(code) <= _ALPHABET:
        return None
    return code


def hash_code(code: str) -> str:
    """SHA-256 suffices: codes carry 144 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()
