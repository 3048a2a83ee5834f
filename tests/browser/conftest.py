"""What the browser tests share: one live `janua serve` at http://localhost (a secure context;
the RP ID is `localhost`), with a bootstrapped platform admin for registering clients.

One server for the whole directory: each test makes its own users and clients, so they do not
need one each, and two cores are better spent on the browser."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from support import services

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def live() -> Iterator[services.LiveServer]:
    # BASE_URL http://localhost:<port>: the RP ID defaults to its host and the allowed origin to
    # its origin, exactly what the browser reports.
    with services.janua_server(
        public_host="localhost",
        RATE_LIMIT_ENABLED="false",
        ADMIN_BOOTSTRAP_EMAIL=ADMIN_EMAIL,
        ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD,
    ) as server:
        yield server


@pytest.fixture(scope="session")
def admin_headers(live: services.LiveServer) -> dict[str, str]:
    """The bootstrapped admin's bearer token, for the admin API (registering clients)."""
    with httpx.Client(base_url=live.base_url, timeout=30) as api:
        login = api.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200, login.text
        return {"Authorization": f"Bearer {login.json()['tokens']['access_token']}"}
