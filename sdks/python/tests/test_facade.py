"""The hand-written facade (`janua.Janua`, `janua.AsyncJanua`) against the live server; the retry
tests alone use an httpx MockTransport (the e2e server runs with rate limits off)."""

from __future__ import annotations

import asyncio
import time

import httpx
import janua
import pytest
from janua import models
from janua._retry import AsyncRetryTransport, RetryTransport

PASSWORD = "correct horse battery staple"
REFRESH_PATH = "/api/v1/auth/token/refresh"
ME_PATH = "/api/v1/auth/me"


class Counting(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncCounting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def expire(client: janua.Janua | janua.AsyncJanua) -> str:
    """Marks the stored access token expired; returns the refresh token in use."""
    tokens = client.token_store.get()
    assert tokens is not None and tokens.refresh_token
    client.token_store.set(tokens.with_expiry(time.time() - 1))
    return tokens.refresh_token


# -- live server ---------------------------------------------------------------------------------


def test_sync_flow_and_typed_errors(base_url: str, email: str) -> None:
    with janua.Janua(base_url) as client:
        created = client.auth.register(email=email, password=PASSWORD, name="Facade")
        assert isinstance(created, models.AuthResponse)
        assert client.auth.me().id == created.user.id

        with pytest.raises(janua.ConflictError) as conflict:
            client.auth.register(email=email.upper(), password=PASSWORD)
        assert conflict.value.status == 409
        assert conflict.value.code == "CONFLICT_ERROR"
        assert conflict.value.request_id

        with pytest.raises(janua.AuthenticationError) as wrong:
            client.auth.login(email=email, password="not the password")
        assert wrong.value.code == "AUTHENTICATION_ERROR"
        assert not isinstance(wrong.value, janua.TokenError)

        session = client.auth.login(email=email, password=PASSWORD)
        assert client.token_store.get().access_token == session.tokens.access_token
        assert client.auth.me().email == email
        assert client.auth.update_me(name="Renamed").name == "Renamed"

        old_refresh = session.tokens.refresh_token
        rotated = client.auth.refresh()
        assert isinstance(rotated, models.TokenPair)
        assert rotated.refresh_token != old_refresh
        assert client.token_store.get().refresh_token == rotated.refresh_token
        assert client.auth.me().email == email

        assert client.health.check().status is not None
        assert client.discovery.jwks().keys
        assert client.discovery.openid_configuration().issuer

        client.auth.logout()
        assert client.token_store.get() is None
        with pytest.raises(janua.AuthenticationError):
            client.auth.me()

    # the logged-out session's tokens are dead, and the refresh shows it as a TokenError
    with janua.Janua(base_url, refresh_token=rotated.refresh_token) as stale:
        with pytest.raises(janua.TokenError) as dead:
            stale.auth.me()
        assert dead.value.status == 401


async def test_async_flow(base_url: str, email: str) -> None:
    async with janua.AsyncJanua(base_url) as client:
        await client.auth.register(email=email, password=PASSWORD)
        with pytest.raises(janua.ConflictError):
            await client.auth.register(email=email, password=PASSWORD)
        with pytest.raises(janua.AuthenticationError):
            await client.auth.login(email=email, password="not the password")
        session = await client.auth.login(email=email, password=PASSWORD)
        assert (await client.auth.me()).email == email
        rotated = await client.auth.refresh()
        assert rotated.refresh_token != session.tokens.refresh_token
        assert (await client.auth.me()).email == email
        assert [e async for e in client.auth.audit_events(limit=1)]
        await client.auth.logout()
        assert client.token_store.get() is None


def test_validation_error_has_field_pointers(base_url: str) -> None:
    with janua.Janua(base_url) as client, pytest.raises(janua.ValidationError) as invalid:
        client.auth.register(email="not-an-email", password="x")
    assert invalid.value.status == 422
    assert invalid.value.code == "VALIDATION_ERROR"
    pointers = {e.pointer for e in invalid.value.errors}
    assert any("email" in p for p in pointers), pointers


def test_refreshes_before_expiry(base_url: str, email: str) -> None:
    transport = Counting()
    with janua.Janua(base_url, transport=transport) as client:
        client.auth.register(email=email, password=PASSWORD)
        old_refresh = expire(client)
        assert client.auth.me().email == email
        assert transport.paths.count(REFRESH_PATH) == 1
        assert transport.paths[-2:] == [REFRESH_PATH, ME_PATH]
        assert client.token_store.get().refresh_token != old_refresh
        assert not client.token_store.get().expired


def test_refreshes_once_after_a_401_token_error(base_url: str, email: str) -> None:
    transport = Counting()
    with janua.Janua(base_url, transport=transport) as client:
        client.auth.register(email=email, password=PASSWORD)
        tokens = client.token_store.get()
        client.token_store.set(janua.Tokens("tampered", tokens.refresh_token, tokens.expires_at))
        assert client.auth.me().email == email
        assert transport.paths.count(REFRESH_PATH) == 1
        assert client.token_store.get().access_token != "tampered"
        assert client.token_store.get().refresh_token != tokens.refresh_token


def test_refused_refresh_clears_the_tokens(base_url: str, email: str) -> None:
    transport = Counting()
    with janua.Janua(base_url, transport=transport) as client:
        client.auth.register(email=email, password=PASSWORD)
        stolen = expire(client)
        with janua.Janua(base_url) as other:  # rotates it: the client's copy is now reused
            other.auth.refresh(refresh_token=stolen)
        with pytest.raises(janua.TokenError) as refused:
            client.auth.me()
        assert refused.value.status == 401
        assert client.token_store.get() is None
        with pytest.raises(janua.AuthenticationError):
            client.auth.me()
        assert transport.paths.count(REFRESH_PATH) == 1


async def test_concurrent_calls_share_one_refresh(base_url: str, email: str) -> None:
    transport = AsyncCounting()
    async with janua.AsyncJanua(base_url, transport=transport) as client:
        await client.auth.register(email=email, password=PASSWORD)
        old_refresh = expire(client)
        users = await asyncio.gather(*(client.auth.me() for _ in range(5)))
        assert {u.email for u in users} == {email}
        assert transport.paths.count(REFRESH_PATH) == 1
        assert client.token_store.get().refresh_token != old_refresh


def test_sessions_paginate(base_url: str, email: str) -> None:
    transport = Counting()
    with janua.Janua(base_url, transport=transport) as client:
        client.auth.register(email=email, password=PASSWORD)
        for i in range(3):
            client.auth.login(email=email, password=PASSWORD, device_label=f"device {i}")
        transport.paths.clear()
        sessions = list(client.sessions.list(limit=1))
        assert len(sessions) == 4  # register + 3 logins
        assert len({s.id for s in sessions}) == 4
        assert sum(s.current for s in sessions) == 1
        assert transport.paths.count("/api/v1/sessions") >= 4  # one item per page

        client.sessions.revoke_others()
        assert [s.current for s in client.sessions.list()] == [True]


async def test_sessions_paginate_async(base_url: str, email: str) -> None:
    async with janua.AsyncJanua(base_url) as client:
        await client.auth.register(email=email, password=PASSWORD)
        await client.auth.login(email=email, password=PASSWORD)
        await client.auth.login(email=email, password=PASSWORD)
        sessions = [s async for s in client.sessions.list(limit=1)]
        assert len({s.id for s in sessions}) == 3
        other = next(s for s in sessions if not s.current)
        await client.sessions.revoke(other.id)
        assert len([s async for s in client.sessions.list()]) == 2
        with pytest.raises(janua.NotFoundError):
            await client.sessions.revoke(other.id)


# -- retries, on a MockTransport -----------------------------------------------------------------


def _answers(*responses: httpx.Response | Exception):
    calls: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, calls


def test_retry_honours_retry_after_on_429() -> None:
    handler, calls = _answers(
        httpx.Response(429, headers={"Retry-After": "3"}, json={"code": "RATE_LIMIT_ERROR"}),
        httpx.Response(200, json={"ok": True}),
    )
    slept: list[float] = []
    transport = RetryTransport(httpx.MockTransport(handler), max_retries=2, sleep=slept.append)
    with httpx.Client(transport=transport, base_url="http://janua.test") as http:
        response = http.post("/api/v1/auth/login", json={})  # 429: the server did not act
    assert response.status_code == 200
    assert slept == [3.0]
    assert len(calls) == 2


async def test_async_retry_backs_off_on_503_and_gives_up() -> None:
    handler, calls = _answers(*(httpx.Response(503) for _ in range(3)))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    transport = AsyncRetryTransport(httpx.MockTransport(handler), max_retries=2, sleep=sleep)
    async with httpx.AsyncClient(transport=transport, base_url="http://janua.test") as http:
        response = await http.get("/health")
    assert response.status_code == 503
    assert len(calls) == 3
    assert len(slept) == 2
    assert 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0  # exponential, jittered


def test_network_errors_retry_only_idempotent_requests() -> None:
    handler, calls = _answers(httpx.ReadError("reset"), httpx.Response(200, json={}))
    transport = RetryTransport(httpx.MockTransport(handler), sleep=lambda _: None)
    with httpx.Client(transport=transport, base_url="http://janua.test") as http:
        assert http.get("/health").status_code == 200
    assert len(calls) == 2

    handler, calls = _answers(httpx.ReadError("reset"), httpx.Response(200, json={}))
    transport = RetryTransport(httpx.MockTransport(handler), sleep=lambda _: None)
    http = httpx.Client(transport=transport, base_url="http://janua.test")
    with http, pytest.raises(httpx.ReadError):
        http.post("/api/v1/auth/login", json={})
    assert len(calls) == 1


def test_facade_raises_rate_limit_and_network_errors() -> None:
    problem = {
        "type": "urn:janua:problem:rate-limit-error",
        "title": "Too many requests",
        "status": 429,
        "code": "RATE_LIMIT_ERROR",
        "request_id": "req-1",
    }
    handler, calls = _answers(
        httpx.Response(429, headers={"Retry-After": "0"}, json=problem),
        httpx.Response(429, headers={"Retry-After": "7"}, json=problem),
    )
    mock = httpx.MockTransport(handler)
    client = janua.Janua("http://janua.test", max_retries=1, transport=mock)
    with client, pytest.raises(janua.RateLimitError) as limited:
        client.auth.login(email="a@example.com", password=PASSWORD)
    assert len(calls) == 2
    assert limited.value.retry_after == 7.0
    assert limited.value.request_id == "req-1"

    handler, calls = _answers(*(httpx.ConnectError("refused") for _ in range(3)))
    mock = httpx.MockTransport(handler)
    client = janua.Janua("http://janua.test", max_retries=0, transport=mock)
    with client, pytest.raises(janua.NetworkError):
        client.health.check()
    assert len(calls) == 1
