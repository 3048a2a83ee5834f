"""Password hashing: argon2id with the OWASP Password Storage Cheat Sheet parameters
(m=19 MiB, t=2, p=1). The whole password is hashed, never truncated (unlike bcrypt's 72 bytes).
"""

from __future__ import annotations

import asyncio
import os
import weakref

import anyio
import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)

# Verifying against this when the account does not exist makes "no such user" cost the same
# as "wrong password", so timing does not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("janua-timing-equaliser")


# Each hash holds 19 MiB for ~30 ms of CPU. More hashes at once than cores buys no throughput,
# only memory (16 concurrent logins cost ~300 MiB of arenas) and tail latency.
HASH_CONCURRENCY = os.cpu_count() or 2
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    # One per event loop: a limiter belongs to the loop it was made in.
    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(HASH_CONCURRENCY)
    return _limiters[loop]


async def hash_password(password: str) -> str:
    # Off the event loop, so other requests keep flowing while it runs.
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_limiter())


async def verify_password(stored_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(_verify, limiter=_limiter())


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
