"""Probes, the migration history, and dependency failures answered as 503, not 500."""

from __future__ import annotations

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from janua_server.settings import Settings
from janua_server.tables import metadata
from sqlalchemy.ext.asyncio import create_async_engine
from support.services import free_port
from support.users import PASSWORD


async def test_health(client: httpx.AsyncClient, settings: Settings) -> None:
    assert (await client.get("/health")).json() == {"status": "ok", "version": "0.1.0"}
    detailed = (await client.get("/health/detailed")).json()
    assert detailed["status"] == "ok"
    expected = (
        ("sqlite", "memory") if settings.database_backend == "sqlite" else ("postgresql", "redis")
    )
    assert (
        detailed["checks"]["database"]["backend"],
        detailed["checks"]["store"]["backend"],
    ) == expected


async def test_migrations_match_the_tables(client: httpx.AsyncClient, settings: Settings) -> None:
    engine = create_async_engine(settings.database_url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    await engine.dispose()
    assert diff == []


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_redis_down_is_503_not_500(make_settings, open_client) -> None:
    settings = make_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    async with open_client(settings) as http:
        detailed = await http.get("/health/detailed")
        assert detailed.status_code == 503
        assert detailed.json()["checks"]["store"]["status"] == "error"
        created = await http.post(
            "/api/v1/auth/register", json={"email": "redis-down@example.com", "password": PASSWORD}
        )
        me = await http.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {created.json()['tokens']['access_token']}"},
        )
        # Revocation cannot be checked: fail closed.
        assert me.status_code == 503
        assert me.json()["code"] == "INTERNAL_ERROR"
        assert "retry-after" in me.headers


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_database_down_is_503_not_500(make_settings, open_client) -> None:
    settings = make_settings(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    async with open_client(settings) as http:
        assert (await http.get("/health/detailed")).status_code == 503
        login = await http.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": "x"}
        )
        assert login.status_code == 503
        assert login.json()["code"] == "INTERNAL_ERROR"
