"""Throttles of the second factors, in the shared store so every process counts together.
They hold whatever RATE_LIMIT_ENABLED says: like the password lockout, they are what makes a
6-digit code safe to offer at all.

- Guesses: 5 code checks per account per 15 minutes that did not succeed (NIST SP 800-63B
  section 5.2.2 asks for a limit on failed attempts). The attempt is counted *before* the code
  is looked at, so a burst of parallel guesses cannot all slip under the limit; a success
  clears the count. Counted per user id, not per `mfa_token`: a new password sign-in does not
  buy new guesses.
- SMS sends (each one costs money and can be used to pester a phone): one per 30 seconds per
  account and purpose, and 5 per hour per account.
"""

from __future__ import annotations

import math
import time
import uuid

from janua_server.core import ratelimit
from janua_server.core.errors import ApiError
from janua_server.core.ratelimit import Limit, too_many
from janua_server.core.store import Store

GUESSES = Limit(5, 15 * 60)
SMS_SPACING_SECONDS = 30


def _guess_keys(user_id: uuid.UUID) -> tuple[str, str]:
    return f"mfa-guesses:{user_id}", f"mfa-guesses-since:{user_id}"


async def count_attempt(store: Store, user_id: uuid.UUID, *, now: float | None = None) -> None:
    """Count one code check of the user's; 429 when the window's allowance is used up."""
    now = time.time() if now is None else now
    count_key, since_key = _guess_keys(user_id)
    attempts = await store.incr(count_key, GUESSES.window_seconds)
    if attempts == 1:
        await store.set(since_key, repr(now).encode(), GUESSES.window_seconds)
    if attempts > GUESSES.count:
        since = await store.get(since_key)
        elapsed = now - float(since) if since is not None else 0.0
        reset_in = max(1, math.ceil(GUESSES.window_seconds - elapsed))
        raise too_many(GUESSES, reset_in, f"Too many wrong codes; retry in {reset_in} seconds.")


async def clear_attempts(store: Store, user_id: uuid.UUID) -> None:
    for key in _guess_keys(user_id):
        await store.delete(key)


async def count_sms(
    store: Store, user_id: uuid.UUID, purpose: str, *, now: float | None = None
) -> None:
    """Count one SMS about to be sent; 429 (nothing sent) when too soon or too many."""
    now = time.time() if now is None else now
    spacing_key = f"mfa-sms-spacing:{purpose}:{user_id}"
    if not await store.add(spacing_key, repr(now).encode(), SMS_SPACING_SECONDS):
        sent = await store.get(spacing_key)
        elapsed = now - float(sent) if sent is not None else 0.0
        reset_in = max(1, math.ceil(SMS_SPACING_SECONDS - elapsed))
        raise _too_soon(Limit(1, SMS_SPACING_SECONDS), reset_in)
    await ratelimit.enforce(
        store, "mfa_sms", ip=None, account=str(user_id), detail=_TOO_SOON, now=now
    )


_TOO_SOON = "Too many text messages; retry in {reset_in} seconds."


def _too_soon(limit: Limit, reset_in: int) -> ApiError:
    return too_many(limit, reset_in, _TOO_SOON.format(reset_in=reset_in))
