"""A sign-in waiting for its second factor.

The password step proved the first factor; instead of a session it hands out an `mfa_token`
that names this record. The token is good for one finished sign-in within a few minutes and for
nothing else: it is not an access token, so no other endpoint accepts it. Only its SHA-256
digest is kept, in the shared store, so any process can finish what another one started.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from janua_server.core import secret_tokens
from janua_server.core.errors import ApiError, token_error
from janua_server.core.runtime import Runtime

PENDING_TTL_SECONDS = 300


@dataclass(frozen=True)
class PendingLogin:
    user_id: uuid.UUID
    methods: tuple[str, ...]
    # How the finished sign-in should deliver its tokens, as asked at the password step.
    token_transport: str
    device_label: str | None
    # The store key; `take` marks it used.
    key: str


def _key(mfa_token: str) -> str:
    return f"mfa-pending:{secret_tokens.digest(mfa_token)}"


def _invalid() -> ApiError:
    return token_error("The MFA token is invalid or expired; sign in again.", bearer=False)


async def begin(
    rt: Runtime,
    user_id: uuid.UUID,
    methods: list[str],
    *,
    token_transport: str,
    device_label: str | None,
) -> str:
    mfa_token = secret_tokens.new_token()
    record = {
        "user_id": str(user_id),
        "methods": methods,
        "token_transport": token_transport,
        "device_label": device_label,
    }
    await rt.store.set(_key(mfa_token), json.dumps(record).encode(), PENDING_TTL_SECONDS)
    return mfa_token


async def peek(rt: Runtime, mfa_token: str) -> PendingLogin:
    """The pending sign-in, still pending; 401 `TOKEN_ERROR` if unknown, expired or finished."""
    key = _key(mfa_token)
    raw = await rt.store.get(key)
    if raw is None:
        raise _invalid()
    record = json.loads(raw)
    return PendingLogin(
        user_id=uuid.UUID(record["user_id"]),
        methods=tuple(record["methods"]),
        token_transport=record["token_transport"],
        device_label=record["device_label"],
        key=key,
    )


async def take(rt: Runtime, mfa_token: str) -> PendingLogin:
    """Claim the pending sign-in for finishing. Of two concurrent claims exactly one wins (an
    atomic set-if-absent), so one `mfa_token` yields at most one session."""
    pending = await peek(rt, mfa_token)
    if not await rt.store.add(f"{pending.key}:taken", b"1", PENDING_TTL_SECONDS):
        raise _invalid()
    await rt.store.delete(pending.key)
    return pending
