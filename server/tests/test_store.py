"""Both store backends keep the same promises (TTL, atomic add/incr)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from janua_server.core.store import MemoryStore, RedisStore, Store, StoreUnavailable, create_store
from janua_server.settings import Settings


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    instance = create_store(settings.redis_url)
    yield instance
    await instance.close()


def key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_set_get_delete(store: Store) -> None:
    k = key()
    assert await store.get(k) is None
    await store.set(k, b"v", 60)
    assert await store.get(k) == b"v"
    assert await store.exists(k)
    await store.delete(k)
    assert not await store.exists(k)


async def test_values_expire(store: Store) -> None:
    k = key()
    await store.set(k, b"v", 1)
    await asyncio.sleep(1.2)
    assert await store.get(k) is None


async def test_add_is_set_if_absent(store: Store) -> None:
    k = key()
    results = await asyncio.gather(*[store.add(k, str(i).encode(), 60) for i in range(10)])
    assert results.count(True) == 1


async def test_incr_is_atomic_and_keeps_its_first_ttl(store: Store) -> None:
    k = key()
    values = await asyncio.gather(*[store.incr(k, 60) for _ in range(20)])
    assert sorted(values) == list(range(1, 21))


async def test_memory_store_expires_without_reads() -> None:
    now = [0.0]
    store = MemoryStore(clock=lambda: now[0])
    for i in range(2000):
        await store.set(f"k{i}", b"v", 1)
    now[0] = 5.0
    for i in range(1024):
        await store.set(f"fresh{i}", b"v", 10)
    assert len(store._data) < 3000


async def test_unreachable_redis_raises_store_unavailable() -> None:
    from support.services import free_port

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreUnavailable):
        await store.exists("anything")
    await store.close()
