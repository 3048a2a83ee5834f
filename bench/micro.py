"""Micro-benchmarks of the per-request costs the API is built on. Prints numbers; asserts none.

    .venv/bin/python bench/micro.py

Measures: argon2id hash (login/register cost), RS256 access-token issue and verification
(every authenticated request), and a full in-process `GET /api/v1/auth/me` through the ASGI
app on the embedded default.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from janua_server.app import create_app
from janua_server.core.jwt import TokenCodec
from janua_server.core.keys import load_keyring
from janua_server.core.passwords import _hasher
from janua_server.settings import Settings


def timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    p50 = statistics.median(samples) * 1e6
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e6
    print(f"{label:<38} p50 {p50:>9.1f} us   p99 {p99:>9.1f} us   ({1e6 / p50:>8.0f}/s per core)")


async def me_in_process(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(DATA_DIR=tmp))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                created = await http.post(
                    "/api/v1/auth/register",
                    json={"email": "bench@example.com", "password": "correct horse battery staple"},
                )
                headers = {"Authorization": f"Bearer {created.json()['tokens']['access_token']}"}
                samples = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    response = await http.get("/api/v1/auth/me", headers=headers)
                    samples.append(time.perf_counter() - start)
                    assert response.status_code == 200
    samples.sort()
    p50 = statistics.median(samples) * 1e6
    label = "GET /me in-process (ASGI, SQLite)"
    print(f"{label:<38} p50 {p50:>9.1f} us   ({1e6 / p50:>8.0f}/s per core)")


def main() -> None:
    timed(
        "argon2id hash (m=19MiB,t=2,p=1)", lambda: _hasher.hash("correct horse battery staple"), 20
    )
    with tempfile.TemporaryDirectory() as tmp:
        keyring = load_keyring(Path(tmp) / "key.pem", None, "RS256")
        codec = TokenCodec(
            keyring, issuer="http://bench", audience="janua", ttl=dt.timedelta(minutes=15)
        )
        token = codec.issue_access_token(subject="u", session_id="s")
        timed(
            "RS256 access token issue",
            lambda: codec.issue_access_token(subject="u", session_id="s"),
            500,
        )
        timed("RS256 access token verify", lambda: codec.verify_access_token(token), 2000)
    asyncio.run(me_in_process(500))


if __name__ == "__main__":
    main()
