"""Short-lived shared state with TTLs: Redis when REDIS_URL is set, else an in-process dict.

Anything another server process must see (revocations, rate-limit counters, challenges) lives
here, never in a module global, so N processes behind a load balancer behave as one.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class StoreUnavailable(Exception):
    """The store did not answer. Security checks that depend on it fail closed."""


class Store(Protocol):
    backend: str

    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several values in one round trip."""
        ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...
    async def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        """Set only if absent; True when this call created the key."""
        ...

    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Atomically add one; the TTL starts with the first increment."""
        ...

    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryStore:
    """The embedded default: one process, so a dict guarded by the event loop is atomic."""

    backend = "memory"

    def __init__(self, clock=time.monotonic) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._clock = clock
        self._writes = 0

    def _live(self, key: str) -> tuple[bytes, float] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] <= self._clock():
            del self._data[key]
            return None
        return entry

    def _sweep(self) -> None:
        # Amortised cleanup so expired keys nobody reads again do not pile up.
        self._writes += 1
        if self._writes % 1024 == 0:
            now = self._clock()
            for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
                del self._data[key]

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        return entry[0] if entry else None

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._sweep()
        self._data[key] = (value, self._clock() + ttl_seconds)

    async def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl_seconds)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def exists(self, key: str) -> bool:
        return self._live(key) is not None

    async def incr(self, key: str, ttl_seconds: int) -> int:
        entry = self._live(key)
        if entry is None:
            await self.set(key, b"1", ttl_seconds)
            return 1
        value = int(entry[0]) + 1
        self._data[key] = (str(value).encode(), entry[1])
        return value

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()


class RedisStore:
    backend = "redis"

    def __init__(self, url: str, prefix: str = "janua:") -> None:
        self._redis = aioredis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=10
        )
        self._prefix = prefix

    async def _call(self, coro):
        try:
            return await coro
        except (TimeoutError, RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def get(self, key: str) -> bytes | None:
        return await self._call(self._redis.get(self._prefix + key))

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        return await self._call(self._redis.mget([self._prefix + key for key in keys]))

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self._call(self._redis.set(self._prefix + key, value, ex=ttl_seconds))

    async def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        return bool(
            await self._call(self._redis.set(self._prefix + key, value, ex=ttl_seconds, nx=True))
        )

    async def delete(self, key: str) -> None:
        await self._call(self._redis.delete(self._prefix + key))

    async def exists(self, key: str) -> bool:
        return bool(await self._call(self._redis.exists(self._prefix + key)))

    async def incr(self, key: str, ttl_seconds: int) -> int:
        full = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.expire(full, ttl_seconds, nx=True)
            value, _ = await self._call(pipe.execute())
        return int(value)

    async def ping(self) -> None:
        await self._call(self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()


def create_store(redis_url: str) -> Store:
    return RedisStore(redis_url) if redis_url else MemoryStore()
