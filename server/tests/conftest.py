"""Every server test runs twice: on the embedded default (SQLite + in-process store) and on
real PostgreSQL + real Redis, started from their binaries for this test session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from janua_server.app import create_app
from janua_server.migrations import upgrade_to_head
from janua_server.settings import Settings
from support import services, smtp
from support.smtp import PUBLIC_APP_URL


@pytest.fixture(scope="session")
def postgres_and_redis() -> Iterator[tuple[str, str]]:
    with services.postgres() as pg, services.redis() as redis:
        url = pg.create_database("janua_test")
        upgrade_to_head(Settings(DATABASE_URL=url).database_url)
        yield url, redis.url


@pytest.fixture(params=["embedded", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest):
    # Resolved now, in fixture setup: starting the services migrates with asyncio.run, which
    # cannot run from inside an async test's event loop.
    services_env = request.getfixturevalue("postgres_and_redis") if backend == "postgres" else None

    def make(**overrides: str) -> Settings:
        env: dict[str, str] = {
            "DATA_DIR": str(tmp_path / "data"),
            "BASE_URL": "http://testserver",
            # Every test registers from one address; tests of the limits switch them back on.
            "RATE_LIMIT_ENABLED": "false",
        }
        if services_env is not None:
            database_url, redis_url = services_env
            env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        return Settings(**(env | overrides))

    return make


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings) as http:
        yield http


class app_client:
    """An httpx client wired straight into the ASGI app, with its lifespan running."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)

    async def __aenter__(self) -> httpx.AsyncClient:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.7", 50000))
        self._http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        return self._http

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        await self._lifespan.__aexit__(None, None, None)


@pytest.fixture
def open_client():
    """For tests that need a second app (restart, other settings): `async with open_client(s)`."""
    return app_client


@pytest.fixture
def mailbox() -> Iterator[smtp.Mailbox]:
    """A real SMTP server (aiosmtpd) the app delivers to; `mail_settings` points the app at it."""
    with smtp.sink() as mails:
        yield mails


@pytest.fixture
def mail_settings(make_settings, mailbox: smtp.Mailbox) -> Settings:
    return make_settings(
        SMTP_HOST=mailbox.host, SMTP_PORT=str(mailbox.port), PUBLIC_APP_URL=PUBLIC_APP_URL
    )
