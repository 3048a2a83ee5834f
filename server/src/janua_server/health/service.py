from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from janua_server import __version__
from janua_server.contract.models import ComponentHealth, HealthChecks, HealthDetailed
from janua_server.core.runtime import Runtime

CHECK_TIMEOUT_SECONDS = 2.0


async def _probe(backend: str, ping: Callable[[], Awaitable[None]]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(ping(), CHECK_TIMEOUT_SECONDS)
        status = "ok"
    except Exception:
        status = "error"
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    return ComponentHealth(status=status, backend=backend, latency_ms=elapsed_ms)


async def detailed(rt: Runtime) -> HealthDetailed:
    database, store = await asyncio.gather(
        _probe(rt.db.backend, rt.db.ping), _probe(rt.store.backend, rt.store.ping)
    )
    healthy = database.status == "ok" and store.status == "ok"
    return HealthDetailed(
        status="ok" if healthy else "degraded",
        version=__version__,
        checks=HealthChecks(database=database, store=store),
    )
