"""Progressive lockout of sign-in per email address, kept in the store so every process agrees.

After `LOCKOUT_THRESHOLD` consecutive failed sign-ins for one canonical email, further attempts
are refused for `LOCKOUT_BASE_SECONDS`; each failure after a lock has expired doubles the next
lock, up to `LOCKOUT_MAX_SECONDS`. A locked address is answered 429 without checking the
password. Unknown emails are counted and locked exactly like real ones, so the answers reveal
nothing about which addresses have accounts.

A lock is always time-bounded, so an attacker cannot lock a real user out for good; a successful
sign-in, a password reset (`unlock`) or `janua users unlock EMAIL` clears the count.

Store keys carry a SHA-256 of the canonical email, never the address itself.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from janua_server.accounts.service import canonical_email
from janua_server.core import secret_tokens
from janua_server.core.errors import ApiError
from janua_server.core.ratelimit import Limit, too_many
from janua_server.core.store import Store
from janua_server.settings import Settings

# How long consecutive failures are remembered (from the first one). Long enough that a slow
# guessing run keeps meeting longer locks; a success or a reset clears it sooner.
FAILURE_MEMORY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Policy:
    threshold: int
    base_seconds: int
    max_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.lockout_threshold,
            settings.lockout_base_seconds,
            max(settings.lockout_max_seconds, settings.lockout_base_seconds),
        )

    def lock_seconds(self, failures: int) -> int:
        """How long the `failures`-th consecutive failure locks for (0: not yet)."""
        if failures < self.threshold:
            return 0
        doublings = min(failures - self.threshold, 32)
        return min(self.base_seconds * 2**doublings, self.max_seconds)


def _subject(email: str) -> str:
    return secret_tokens.digest(canonical_email(email))


def _failures_key(email: str) -> str:
    return f"lockout:failures:{_subject(email)}"


def _lock_key(email: str) -> str:
    return f"lockout:until:{_subject(email)}"


async def locked_for(store: Store, email: str) -> int:
    """Seconds until `email` may try again; 0 when it is not locked."""
    value = await store.get(_lock_key(email))
    if value is None:
        return 0
    try:
        remaining = math.ceil(float(value) - time.time())
    except ValueError:
        return 0
    return max(remaining, 0)


def locked_error(retry_after: int, policy: Policy) -> ApiError:
    return too_many(
        Limit(policy.threshold, policy.max_seconds),
        retry_after,
        f"Too many failed sign-ins; retry in {retry_after} seconds.",
    )


async def check(store: Store, email: str, policy: Policy) -> None:
    """Raise 429 when `email` is locked. Same answer whether or not the account exists."""
    retry_after = await locked_for(store, email)
    if retry_after > 0:
        raise locked_error(retry_after, policy)


async def record_failure(store: Store, email: str, policy: Policy) -> int:
    """Count one failed sign-in; return the seconds of the lock it started (0: none)."""
    failures = await store.incr(_failures_key(email), FAILURE_MEMORY_SECONDS)
    seconds = policy.lock_seconds(failures)
    if seconds:
        until = time.time() + seconds
        await store.set(_lock_key(email), f"{until:.3f}".encode(), seconds)
    return seconds


async def unlock(store: Store, email: str) -> None:
    """Clear the lock and the failure count of `email` (after a successful sign-in, a password
    reset, or an administrator's `janua users unlock`)."""
    await store.delete(_lock_key(email))
    await store.delete(_failures_key(email))
