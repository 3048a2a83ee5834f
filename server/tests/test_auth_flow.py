"""The first-party auth operations, end to end through the ASGI app, on both backends."""

from __future__ import annotations

import asyncio

import httpx
from support.users import PASSWORD, bearer, register, unique_email


async def test_register_login_me_refresh_logout(client: httpx.AsyncClient) -> None:
    email = unique_email()
    created = await register(client, email)
    assert created["user"]["email"] == email
    assert created["user"]["email_verified"] is False
    assert created["tokens"]["token_type"] == "Bearer"
    assert created["tokens"]["expires_in"] == 900

    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    assert login.headers["cache-control"] == "no-store"
    tokens = login.json()["tokens"]

    me = await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json() == created["user"]

    refreshed = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(new["access_token"]))
    ).status_code == 200

    logout = await client.post("/api/v1/auth/logout", headers=bearer(new["access_token"]))
    assert logout.status_code == 204

    # The session is over at once: its access token and refresh token both stop working.
    after = await client.get("/api/v1/auth/me", headers=bearer(new["access_token"]))
    assert after.status_code == 401
    assert after.json()["code"] == "TOKEN_ERROR"
    again = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": new["refresh_token"]}
    )
    assert again.status_code == 401
    # The session created at registration is a different one and still works.
    first = await client.get("/api/v1/auth/me", headers=bearer(created["tokens"]["access_token"]))
    assert first.status_code == 200


async def test_reused_refresh_token_revokes_the_whole_session(client: httpx.AsyncClient) -> None:
    tokens = (await register(client))["tokens"]
    first = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    successor = first.json()

    replay = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json()["code"] == "TOKEN_ERROR"

    # The legitimate successor dies with the family, and so do the session's access tokens.
    stolen = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": successor["refresh_token"]}
    )
    assert stolen.status_code == 401
    me = await client.get("/api/v1/auth/me", headers=bearer(successor["access_token"]))
    assert me.status_code == 401


async def test_concurrent_refreshes_yield_at_most_one_successor(client: httpx.AsyncClient) -> None:
    tokens = (await register(client))["tokens"]
    answers = await asyncio.gather(
        *[
            client.post(
                "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
            )
            for _ in range(5)
        ]
    )
    winners = [a.json() for a in answers if a.status_code == 200]
    assert len(winners) <= 1
    assert all(a.status_code in (200, 401) for a in answers)
    usable = 0
    for winner in winners:
        again = await client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": winner["refresh_token"]}
        )
        usable += again.status_code == 200
    assert usable <= 1


async def test_emails_are_unique_in_canonical_form(client: httpx.AsyncClient) -> None:
    local = unique_email().split("@")[0]
    await register(client, f"{local}@example.com")
    duplicate = await client.post(
        "/api/v1/auth/register",
        json={"email": f"  {local.upper()}@EXAMPLE.COM ", "password": PASSWORD},
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "CONFLICT_ERROR"
    login = await client.post(
        "/api/v1/auth/login", json={"email": f"{local.upper()}@Example.com", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["user"]["email"] == f"{local}@example.com"


async def test_bad_credentials_get_one_answer_whether_or_not_the_account_exists(
    client: httpx.AsyncClient,
) -> None:
    email = unique_email()
    await register(client, email)
    wrong_password = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": "x" * 20}
    )
    no_account = await client.post(
        "/api/v1/auth/login", json={"email": unique_email(), "password": "x" * 20}
    )
    assert wrong_password.status_code == no_account.status_code == 401

    def without_request_id(response: httpx.Response) -> dict:
        return {k: v for k, v in response.json().items() if k != "request_id"}

    assert without_request_id(wrong_password) == without_request_id(no_account)
    assert wrong_password.json()["code"] == "AUTHENTICATION_ERROR"


async def test_long_unicode_passwords_are_not_truncated(client: httpx.AsyncClient) -> None:
    email = unique_email()
    password = "пароль-🔑-" * 20 + "A"
    await register(client, email, password)
    almost = password[:-1] + "B"
    assert (
        await client.post("/api/v1/auth/login", json={"email": email, "password": almost})
    ).status_code == 401
    assert (
        await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    ).status_code == 200
