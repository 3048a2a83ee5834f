"""WebAuthn challenges in the shared store: random, short-lived, single-use, and bound to their
ceremony.

W3C WebAuthn Level 3 section 13.4.3: the challenge must be random (py_webauthn draws 64 bytes
from `secrets`), the server must remember it until the response arrives, and a response may be
accepted for it only once. Records live in `rt.store` so whichever process gets the response can
finish what another one started. A record says which ceremony it is for (`registration`, bound
to the user who asked; `authentication`, bound to the pending password sign-in if any), so a
challenge issued for one can never complete another.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Literal

from janua_server.core import secret_tokens
from janua_server.core.runtime import Runtime

CHALLENGE_TTL_SECONDS = 300

Ceremony = Literal["registration", "authentication"]


@dataclass(frozen=True)
class Challenge:
    ceremony: Ceremony
    # The challenge bytes as sent (base64url), to compare with clientDataJSON's.
    challenge: str
    # Registration: the user who asked. Second-factor authentication: the pending user.
    user_id: uuid.UUID | None
    # Second-factor authentication: the digest of the `mfa_token` it was issued for.
    mfa_token_digest: str | None
    key: str


def _key(handle: str) -> str:
    # The handle (a challenge id, or a registration challenge itself) is only ever stored as a
    # digest: a store dump does not hand out live challenges.
    return f"passkey-challenge:{secret_tokens.digest(handle)}"


async def remember(
    rt: Runtime,
    handle: str,
    *,
    ceremony: Ceremony,
    challenge: str,
    user_id: uuid.UUID | None = None,
    mfa_token: str | None = None,
) -> None:
    record = {
        "ceremony": ceremony,
        "challenge": challenge,
        "user_id": str(user_id) if user_id else None,
        "mfa": secret_tokens.digest(mfa_token) if mfa_token else None,
    }
    await rt.store.set(_key(handle), json.dumps(record).encode(), CHALLENGE_TTL_SECONDS)


async def peek(rt: Runtime, handle: str, ceremony: Ceremony) -> Challenge | None:
    """The live challenge of `ceremony` named by `handle`, not yet claimed; None otherwise (so
    a challenge of the other ceremony is answered like an unknown one)."""
    key = _key(handle)
    raw = await rt.store.get(key)
    if raw is None:
        return None
    record = json.loads(raw)
    if record["ceremony"] != ceremony:
        return None
    return Challenge(
        ceremony=ceremony,
        challenge=record["challenge"],
        user_id=uuid.UUID(record["user_id"]) if record["user_id"] else None,
        mfa_token_digest=record["mfa"],
        key=key,
    )


async def claim(rt: Runtime, found: Challenge) -> bool:
    """Use the challenge up. Of two concurrent claims exactly one wins (an atomic
    set-if-absent, as `sessions.pending.take`), so one challenge verifies at most one response,
    whatever its outcome."""
    if not await rt.store.add(f"{found.key}:claimed", b"1", CHALLENGE_TTL_SECONDS):
        return False
    await rt.store.delete(found.key)
    return True
