"""Rate limits kept in the store, so every server process counts together.

Fixed windows per (action, IP) and per (action, account). A request over either limit gets 429
`RATE_LIMIT_ERROR` with Retry-After and RateLimit-* headers. Account keys are the canonical
email (or user id) whether or not an account exists, so limits reveal nothing about existence.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.requests import Request

from janua_server.contract.models import ErrorCode
from janua_server.core import secret_tokens
from janua_server.core.errors import ApiError
from janua_server.core.runtime import client_ip, get_runtime
from janua_server.core.store import Store


@dataclass(frozen=True)
class Limit:
    count: int
    window_seconds: int


# Per action: (per IP, per account). Sized for people, not scripts: a person retrying a typo
# never meets them; a credential-stuffing run does at once.
LIMITS: dict[str, tuple[Limit, Limit]] = {
    "login": (Limit(30, 60), Limit(10, 60)),
    "register": (Limit(10, 60), Limit(5, 3600)),
    # Per address only: a refresh token is 256 random bits and single-use, so there is no
    # account to guess at; this bounds floods from one address (generous for NATed offices).
    "refresh": (Limit(600, 60), Limit(600, 60)),
    "password_forgot": (Limit(10, 3600), Limit(3, 3600)),
    "password_reset": (Limit(20, 3600), Limit(10, 3600)),
    "password_change": (Limit(20, 3600), Limit(10, 3600)),
    "email_verify": (Limit(30, 3600), Limit(10, 3600)),
    "email_resend": (Limit(10, 3600), Limit(3, 3600)),
    # The second step of sign-in, per address (the account's code guesses have their own
    # throttle in mfa/throttle.py); mfa_tokens are 256 bits, so this only bounds floods.
    "mfa": (Limit(60, 60), Limit(60, 60)),
    # Passkey sign-in, per address: assertions cannot be guessed (a signature per challenge),
    # so this only bounds floods of challenges and verifications.
    "passkey": (Limit(60, 60), Limit(60, 60)),
    # Invitation mails, per inviter's address and per organization (the account key).
    "invitation_send": (Limit(100, 3600), Limit(100, 3600)),
    # Using an invitation link (preview, accept, sign up): per address; tokens are 256 bits.
    "invitation_redeem": (Limit(60, 3600), Limit(60, 3600)),
    # Text messages per account (each costs money and can pester a phone); always on, like the
    # lockout (mfa/throttle.py). Counted per account only: the IP limit is not used.
    "mfa_sms": (Limit(5, 3600), Limit(5, 3600)),
}


def _key(action: str, kind: str, subject: str, window: int, now: float) -> tuple[str, int]:
    bucket = int(now // window)
    # Hash the subject: store keys must not carry email addresses in clear.
    digest = secret_tokens.digest(subject)[:32]
    reset_in = math.ceil((bucket + 1) * window - now)
    return f"rl:{action}:{kind}:{digest}:{bucket}", reset_in


def too_many(limit: Limit, reset_in: int, detail: str | None = None) -> ApiError:
    return ApiError(
        429,
        ErrorCode.RATE_LIMIT_ERROR,
        detail or f"Too many attempts; retry in {reset_in} seconds.",
        headers={
            "Retry-After": str(reset_in),
            "RateLimit-Limit": str(limit.count),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset_in),
        },
    )


async def enforce(
    store: Store,
    action: str,
    *,
    ip: str | None,
    account: str | None,
    enabled: bool = True,
    detail: str | None = None,
    now: float | None = None,
) -> None:
    """Count one attempt of `action`; raise 429 when the IP or the account is over its limit."""
    if not enabled:
        return
    per_ip, per_account = LIMITS[action]
    now = time.time() if now is None else now
    for kind, subject, limit in (("ip", ip, per_ip), ("account", account, per_account)):
        if not subject:
            continue
        key, reset_in = _key(action, kind, subject, limit.window_seconds, now)
        if await store.incr(key, limit.window_seconds + 1) > limit.count:
            raise too_many(limit, reset_in, detail and detail.format(reset_in=reset_in))


async def limit_request(
    request: Request, action: str, *, by_ip: bool = True, account: str | None = None
) -> None:
    """`enforce` for an HTTP request: its client address (unless `by_ip` is off) and
    `account`, with the server's RATE_LIMIT_ENABLED."""
    rt = get_runtime(request)
    if not rt.settings.rate_limit_enabled:
        return
    await enforce(rt.store, action, ip=client_ip(request) if by_ip else None, account=account)
