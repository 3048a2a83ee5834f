"""Backing services go away and come back: Janua answers 503 (fail closed, Retry-After) while
they are down and recovers by itself, without a restart of its own."""

from __future__ import annotations

from pathlib import Path

import httpx
from support import services
from support.live import assert_unavailable, bearer, login, migrate, poll, register


def test_redis_outage_fails_closed_and_recovers(tmp_path: Path) -> None:
    with (
        services.redis() as redis,
        services.janua_server(REDIS_URL=redis.url, DATA_DIR=str(tmp_path)) as live,
        httpx.Client(base_url=live.base_url, timeout=10) as http,
    ):
        token = register(http)["tokens"]["access_token"]
        seen: list[int] = []

        def me() -> httpx.Response:
            response = http.get("/api/v1/auth/me", headers=bearer(token))
            seen.append(response.status_code)
            return response

        assert me().status_code == 200

        redis.proc.terminate()
        redis.proc.wait(10)
        # Revocation marks cannot be read: the token is not honoured, and not refused as
        # invalid either (that would log clients out): 503, retry later.
        assert_unavailable(poll(me, lambda r: r.status_code != 200))
        for _ in range(2):  # the dropped connection, then refused reconnects: 503 each
            assert_unavailable(me())

        # The same port again, empty (a restart without persistence): Janua reconnects.
        with services.redis(port=redis.port):
            back = poll(me, lambda r: r.status_code == 200)
            assert back.status_code == 200, back.text
        # On the way down and up: never a 500, never a 401.
        assert set(seen) == {200, 503}, live.log_path.read_text()[-4000:]


def test_postgres_restart_is_503_then_the_pool_reconnects(tmp_path: Path) -> None:
    with services.postgres() as pg:
        database_url = pg.create_database("janua_outage")
        migrate(database_url)
        env = {
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path),
            # The polls below sign in repeatedly; limits are not what this test is about.
            "RATE_LIMIT_ENABLED": "false",
        }
        with (
            services.janua_server(**env) as live,
            httpx.Client(base_url=live.base_url, timeout=10) as http,
        ):
            email = register(http)["user"]["email"]
            seen: list[int] = []

            def sign_in() -> httpx.Response:
                response = login(http, email)
                seen.append(response.status_code)
                return response

            assert sign_in().status_code == 200  # the pool holds live connections

            pg.stop()
            assert_unavailable(poll(sign_in, lambda r: r.status_code != 200))
            for _ in range(2):  # the dropped connection, then refused reconnects: 503 each
                assert_unavailable(sign_in())

            pg.start()
            back = poll(sign_in, lambda r: r.status_code == 200)
            assert back.status_code == 200, back.text
            assert set(seen) == {200, 503}, live.log_path.read_text()[-4000:]
            assert (
                http.get("/api/v1/auth/me", headers=bearer(back.json()["tokens"]["access_token"]))
            ).status_code == 200
