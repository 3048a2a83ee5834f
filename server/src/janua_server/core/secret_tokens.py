"""Opaque secrets handed to clients (refresh tokens, email-link tokens, CSRF tokens), and the
digest that is stored or used as a key in their place.

256 random bits need no slow hash: SHA-256 is preimage-resistant at that entropy, so a
database or store leak yields nothing usable. The same digest keeps personal data (emails) out
of store keys.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
