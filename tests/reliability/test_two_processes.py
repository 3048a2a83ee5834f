"""Two `janua serve` processes on one PostgreSQL and one Redis behave as one server: whatever
one of them issues, revokes or counts, the other honours."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from janua_server.core import ratelimit
from janua_server.core.errors import ApiError
from janua_server.core.store import RedisStore
from support import services
from support.live import bearer, login, migrate, register, unique_email


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[tuple[httpx.Client, httpx.Client, str]]:
    # One key file for both, as a shared secret mount would be; each process has its own
    # data dir (logs) otherwise.
    key_path = tmp_path_factory.mktemp("shared-keys") / "signing-key.pem"
    with services.postgres() as pg, services.redis() as redis:
        database_url = pg.create_database("janua_two_processes")
        migrate(database_url)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "JWT_PRIVATE_KEY_PATH": str(key_path),
            "RATE_LIMIT_ENABLED": "true",
            # Behind one load balancer both have one public URL, hence one token issuer.
            "BASE_URL": "http://janua.test",
        }
        with (
            services.janua_server(**env) as first,
            services.janua_server(**env) as second,
            httpx.Client(base_url=first.base_url, timeout=10) as a,
            httpx.Client(base_url=second.base_url, timeout=10) as b,
        ):
            yield a, b, redis.url


def test_a_token_issued_by_one_is_accepted_by_the_other(cluster) -> None:
    a, b, _ = cluster
    created = register(a)
    me = b.get("/api/v1/auth/me", headers=bearer(created["tokens"]["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == created["user"]["id"]
    assert a.get("/.well-known/jwks.json").json() == b.get("/.well-known/jwks.json").json()


def test_logout_on_one_revokes_on_the_other(cluster) -> None:
    a, b, _ = cluster
    created = register(a)
    tokens = created["tokens"]
    # `b` has seen the token valid (and may have cached its signature check)...
    assert b.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert a.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    # ...and refuses it at once after the logout on `a`, as it refuses the refresh token.
    after = b.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert after.json()["code"] == "TOKEN_ERROR"
    refreshed = b.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401


def test_refresh_token_reuse_is_detected_across_processes(cluster) -> None:
    a, b, _ = cluster
    first = register(a)["tokens"]
    rotated = a.post("/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    # The retired token shows up at the other process: reuse, so the whole session ends...
    reused = b.post("/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    # ...for the legitimate successor too, on either process.
    successor = a.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert successor.status_code == 401
    for http in (a, b):
        me = http.get("/api/v1/auth/me", headers=bearer(second["access_token"]))
        assert me.status_code == 401


def _within_one_window(attempt, window: int = 60, tries: int = 2):
    """Run `attempt` inside one fixed rate-limit window: if a window boundary passed while it
    ran (the counters restarted), run it again, on fresh subjects."""
    for _ in range(tries):
        bucket = int(time.time() // window)
        result = attempt()
        if int(time.time() // window) == bucket:
            return result
    pytest.fail("a rate-limit window boundary passed during every try")


def test_login_rate_limit_is_counted_across_processes(cluster) -> None:
    a, b, _ = cluster
    per_account = ratelimit.LIMITS["login"][1].count

    def attempt() -> list[httpx.Response]:
        email = unique_email("limited")
        register(a, email)
        # Alternate between the processes: each one alone sees about half the attempts.
        return [login((a, b)[i % 2], email) for i in range(per_account + 1)]

    answers = _within_one_window(attempt)
    assert [r.status_code for r in answers] == [200] * per_account + [429]
    limited = answers[-1]
    assert limited.json()["code"] == "RATE_LIMIT_ERROR"
    assert int(limited.headers["retry-after"]) > 0


def test_rate_limit_counters_are_shared_between_store_clients(cluster) -> None:
    _, _, redis_url = cluster
    per_ip = ratelimit.LIMITS["refresh"][0].count

    async def attempt() -> int:
        stores = [RedisStore(redis_url), RedisStore(redis_url)]  # one per "process"
        ip = f"198.51.100.{int(time.time()) % 250}-{unique_email()}"
        try:
            allowed = 0
            for i in range(per_ip + 1):
                try:
                    await ratelimit.enforce(stores[i % 2], "refresh", ip=ip, account=None)
                    allowed += 1
                except ApiError as exc:
                    assert exc.status == 429
                    break
            return allowed
        finally:
            for store in stores:
                await store.close()

    assert _within_one_window(lambda: asyncio.run(attempt())) == per_ip
