"""Abuse resistance: client addresses behind proxies, rate limits, progressive lockout.

Rate-limit windows are fixed and aligned to the clock, so these tests pin the limiter's clock to
the start of a fresh window: no test straddles a window boundary, and none shares counters with
another through the shared Redis.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from types import SimpleNamespace

import anyio.to_thread
import pytest
from janua_server import cli
from janua_server.core import ratelimit
from janua_server.core.runtime import client_ip
from janua_server.sessions import lockout
from janua_server.settings import Settings
from pydantic import ValidationError
from starlette.requests import Request
from support.users import PASSWORD, register, unique_email

PEER = "203.0.113.7"  # the address the test transport connects from (conftest)
LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
def _services_started(request: pytest.FixtureRequest) -> None:
    """Start the backend's services (and migrate) before a test's event loop runs."""
    if "backend" in request.fixturenames:
        request.getfixturevalue("settings")


@pytest.fixture
def limiter_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    """Pin core.ratelimit's clock 10 s into a window nobody else has used."""
    now = (secrets.randbelow(10**6) + 10**6) * 3600 + 10.0
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))
    return now


WRONG = "wrong password, surely"


def login_body(email: str, password: str = WRONG) -> dict:
    return {"email": email, "password": password}


def assert_rate_limited(response, *, limit: int | None = None) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "RATE_LIMIT_ERROR"
    assert problem["status"] == 429
    assert problem["type"] == "urn:janua:problem:rate-limit-error"
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    assert int(response.headers["RateLimit-Reset"]) == retry_after
    assert response.headers["RateLimit-Remaining"] == "0"
    if limit is not None:
        assert response.headers["RateLimit-Limit"] == str(limit)


# --- client address -------------------------------------------------------------------------


def request_from(peer: str, trusted: str, *forwarded_for: str) -> Request:
    settings = Settings(DATA_DIR="/nonexistent", TRUSTED_PROXIES=trusted)
    app = SimpleNamespace(state=SimpleNamespace(runtime=SimpleNamespace(settings=settings)))
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": headers,
        "client": (peer, 1234),
        "app": app,
    }
    return Request(scope)


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_ip(request_from("198.51.100.1", "", "192.0.2.9")) == "198.51.100.1"
    assert client_ip(request_from("198.51.100.1", "10.0.0.0/8", "192.0.2.9")) == "198.51.100.1"


def test_the_right_most_untrusted_forwarded_address_is_the_client() -> None:
    trusted = "10.0.0.0/8, 203.0.113.7"
    # The client forged the left-most entry; the proxies appended the rest.
    request = request_from("10.0.0.2", trusted, "1.1.1.1, 192.0.2.9", "203.0.113.7, 10.9.9.9")
    assert client_ip(request) == "192.0.2.9"
    # Every hop trusted: the left-most of them is the best we know.
    assert client_ip(request_from("10.0.0.2", trusted, "10.0.0.5")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.2", trusted)) == "10.0.0.2"
    # Garbage is not an address: the request belongs to the hop that passed it on.
    assert client_ip(request_from("10.0.0.2", trusted, "not-an-ip, 10.0.0.3")) == "10.0.0.3"
    # One client, one spelling.
    assert client_ip(request_from("10.0.0.2", trusted, "::ffff:192.0.2.1")) == "192.0.2.1"
    assert client_ip(request_from("::1", "::1/128", "[2001:db8::1]")) == "2001:db8::1"


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "localhost", "10.0.0.1,,nope"])
def test_a_bad_trusted_proxy_setting_fails_at_startup(bad: str) -> None:
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(TRUSTED_PROXIES=bad)


# --- rate limits ----------------------------------------------------------------------------


async def test_per_ip_login_limit_answers_429_with_headers(
    make_settings, open_client, limiter_clock
) -> None:
    per_ip, _ = ratelimit.LIMITS["login"]
    async with open_client(make_settings(RATE_LIMIT_ENABLED="true")) as http:
        for _ in range(per_ip.count):
            # Distinct emails: only the address is over its limit.
            response = await http.post(LOGIN, json=login_body(unique_email()))
            assert response.status_code == 401, response.text
        response = await http.post(LOGIN, json=login_body(unique_email()))
        assert_rate_limited(response, limit=per_ip.count)
        assert response.headers["Retry-After"] == str(per_ip.window_seconds - 10)
        # Counted before the body is read: malformed floods do not slip past.
        garbage = await http.post(LOGIN, content=b"{", headers={"content-type": "application/json"})
        assert_rate_limited(garbage, limit=per_ip.count)


async def test_rate_limits_are_off_when_disabled(make_settings, open_client, limiter_clock) -> None:
    per_ip, _ = ratelimit.LIMITS["login"]
    async with open_client(make_settings(RATE_LIMIT_ENABLED="false")) as http:
        for _ in range(per_ip.count + 1):
            garbage = await http.post(
                LOGIN, content=b"{", headers={"content-type": "application/json"}
            )
            assert garbage.status_code == 400


async def test_per_account_limit_holds_across_addresses(
    make_settings, open_client, limiter_clock
) -> None:
    _, per_account = ratelimit.LIMITS["login"]
    settings = make_settings(
        RATE_LIMIT_ENABLED="true", TRUSTED_PROXIES=PEER, LOCKOUT_THRESHOLD="100"
    )
    email = unique_email()
    async with open_client(settings) as http:
        for i in range(per_account.count):
            response = await http.post(
                LOGIN, json=login_body(email), headers={"X-Forwarded-For": f"198.51.100.{i}"}
            )
            assert response.status_code == 401, response.text
        # Another address, another case of the same email: still the same account.
        response = await http.post(
            LOGIN, json=login_body(email.upper()), headers={"X-Forwarded-For": "192.0.2.200"}
        )
        assert_rate_limited(response, limit=per_account.count)
        # The addresses themselves are not limited: another account from one of them is fine.
        other = await http.post(
            LOGIN, json=login_body(unique_email()), headers={"X-Forwarded-For": "198.51.100.0"}
        )
        assert other.status_code == 401

        _, register_per_account = ratelimit.LIMITS["register"]
        taken = unique_email()
        for i in range(register_per_account.count):
            response = await http.post(
                "/api/v1/auth/register",
                json={"email": taken, "password": PASSWORD},
                headers={"X-Forwarded-For": f"192.0.2.{i}"},
            )
            assert response.status_code == (201 if i == 0 else 409), response.text
        response = await http.post(
            "/api/v1/auth/register",
            json={"email": taken, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )
        assert_rate_limited(response, limit=register_per_account.count)


async def test_spoofed_forwarded_for_does_not_dodge_the_ip_limit(
    make_settings, open_client, limiter_clock
) -> None:
    per_ip, _ = ratelimit.LIMITS["register"]
    async with open_client(make_settings(RATE_LIMIT_ENABLED="true")) as http:
        for i in range(per_ip.count):
            response = await http.post(
                "/api/v1/auth/register",
                json={"email": unique_email(), "password": PASSWORD},
                headers={"X-Forwarded-For": f"192.0.2.{i}"},
            )
            assert response.status_code == 201, response.text
        response = await http.post(
            "/api/v1/auth/register",
            json={"email": unique_email(), "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.250"},
        )
        assert_rate_limited(response, limit=per_ip.count)


async def test_forwarded_for_is_recorded_only_from_trusted_proxies(
    make_settings, open_client
) -> None:
    for trusted, expected in (("", PEER), (PEER, "192.0.2.44")):
        async with open_client(make_settings(TRUSTED_PROXIES=trusted)) as http:
            created = await http.post(
                "/api/v1/auth/register",
                json={"email": unique_email(), "password": PASSWORD},
                headers={"X-Forwarded-For": "192.0.2.44"},
            )
            assert created.status_code == 201, created.text
            token = created.json()["tokens"]["access_token"]
            sessions = await http.get(
                "/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}
            )
            assert sessions.json()["data"][0]["ip"] == expected


# --- lockout --------------------------------------------------------------------------------

LOCKOUT = {"LOCKOUT_THRESHOLD": "3", "LOCKOUT_BASE_SECONDS": "1", "LOCKOUT_MAX_SECONDS": "2"}


async def fail(http, email: str, times: int) -> None:
    for _ in range(times):
        response = await http.post(LOGIN, json=login_body(email))
        assert response.status_code == 401, response.text


def lock_answer(response) -> tuple:
    """What a locked answer shows, minus the per-request id."""
    problem = response.json()
    problem.pop("request_id")
    headers = {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}
    headers.pop("content-length", None)
    return response.status_code, problem, sorted(headers.items())


async def test_lockout_after_threshold_then_expires(make_settings, open_client) -> None:
    async with open_client(make_settings(**LOCKOUT)) as http:
        email = unique_email()
        await register(http, email)
        await fail(http, email, 3)
        # Locked: even the right password is refused, without being checked.
        locked = await http.post(LOGIN, json=login_body(email, PASSWORD))
        assert_rate_limited(locked)
        assert locked.headers["Retry-After"] == "1"

        # An address without an account locks the same way and answers the same.
        ghost = unique_email()
        await fail(http, ghost, 3)
        ghost_locked = await http.post(LOGIN, json=login_body(ghost, PASSWORD))
        assert lock_answer(ghost_locked) == lock_answer(locked)

        # Time-bounded: the real user gets back in once the lock has expired.
        await asyncio.sleep(1.1)
        response = await http.post(LOGIN, json=login_body(email, PASSWORD))
        assert response.status_code == 200, response.text


async def test_each_further_failure_doubles_the_lock_up_to_the_maximum(
    make_settings, open_client
) -> None:
    settings = make_settings(
        LOCKOUT_THRESHOLD="2", LOCKOUT_BASE_SECONDS="1", LOCKOUT_MAX_SECONDS="2"
    )
    async with open_client(settings) as http:
        email = unique_email()
        await fail(http, email, 2)
        first = await http.post(LOGIN, json=login_body(email))
        assert first.headers["Retry-After"] == "1"
        await asyncio.sleep(1.05)
        await fail(http, email, 1)
        second = await http.post(LOGIN, json=login_body(email))
        assert_rate_limited(second)
        assert second.headers["Retry-After"] == "2"

    policy = lockout.Policy(threshold=5, base_seconds=30, max_seconds=3600)
    assert [policy.lock_seconds(n) for n in (4, 5, 6, 7, 11, 12, 1000)] == [
        0, 30, 60, 120, 1920, 3600, 3600,
    ]  # fmt: skip


async def test_a_successful_login_resets_the_failure_count(make_settings, open_client) -> None:
    async with open_client(make_settings(**LOCKOUT)) as http:
        email = unique_email()
        await register(http, email)
        for _ in range(2):
            await fail(http, email, 2)
            response = await http.post(LOGIN, json=login_body(email, PASSWORD))
            # Without the reset, the fourth failure would have locked this out.
            assert response.status_code == 200, response.text


async def test_unlock_clears_a_lock(make_settings, open_client, backend, monkeypatch, capsys):
    settings = make_settings(**(LOCKOUT | {"LOCKOUT_BASE_SECONDS": "600"}))
    app = open_client(settings)
    async with app as http:
        email = unique_email()
        await register(http, email)
        await fail(http, email, 3)
        assert_rate_limited(await http.post(LOGIN, json=login_body(email, PASSWORD)))

        monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("REDIS_URL", settings.redis_url)
        argv = ["users", "unlock", f"  {email.upper()} "]
        code = await anyio.to_thread.run_sync(cli.main, argv)
        if backend == "postgres":
            # The command reaches the locks through the shared store.
            assert code == 0
            assert "cleared" in capsys.readouterr().out
        else:
            # Embedded: the locks live in the server process; the command says so and fails.
            assert code == 1
            assert "REDIS_URL" in capsys.readouterr().err
            assert_rate_limited(await http.post(LOGIN, json=login_body(email, PASSWORD)))
            # What the password-reset flow calls, in-process.
            await lockout.unlock(app.app.state.runtime.store, email.upper())
        response = await http.post(LOGIN, json=login_body(email, PASSWORD))
        assert response.status_code == 200, response.text


async def test_lockout_keys_do_not_carry_the_email(make_settings, open_client) -> None:
    app = open_client(make_settings(**LOCKOUT))
    async with app as http:
        email = f"secret-{uuid.uuid4().hex}@example.com"
        await fail(http, email, 3)
        store = app.app.state.runtime.store
        if store.backend == "memory":
            keys = list(store._data)
        else:
            keys = [k.decode() for k in await store._redis.keys("*")]
        assert any(key.startswith(("lockout:", "janua:lockout:")) for key in keys)
        assert not any("secret-" in key or "example.com" in key for key in keys)
