"""Listing and revoking one's own sessions; another user's sessions are out of reach."""

from __future__ import annotations

import httpx
from support.users import PASSWORD, bearer, register, unique_email


async def sign_in(client: httpx.AsyncClient, email: str, agent: str) -> dict:
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200
    return response.json()["tokens"]


async def test_list_paginates_newest_first_and_marks_the_current_one(
    client: httpx.AsyncClient,
) -> None:
    email = unique_email()
    await register(client, email)
    tokens = [await sign_in(client, email, f"device-{i}") for i in range(4)]
    me = bearer(tokens[-1]["access_token"])

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await client.get("/api/v1/sessions", params=params, headers=me)
        assert page.status_code == 200
        body = page.json()
        assert len(body["data"]) <= 2
        seen += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5  # the registration's session and four sign-ins
    assert len({s["id"] for s in seen}) == 5
    assert [s["user_agent"] for s in seen[:4]] == ["device-3", "device-2", "device-1", "device-0"]
    assert [s["current"] for s in seen] == [True, False, False, False, False]
    assert seen[0]["ip"] == "203.0.113.7"


async def test_revoking_a_session_ends_its_tokens_at_once(client: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(client, email)
    laptop, phone = await sign_in(client, email, "laptop"), await sign_in(client, email, "phone")
    sessions = (await client.get("/api/v1/sessions", headers=bearer(laptop["access_token"]))).json()
    phone_id = next(s["id"] for s in sessions["data"] if s["user_agent"] == "phone")

    revoked = await client.delete(
        f"/api/v1/sessions/{phone_id}", headers=bearer(laptop["access_token"])
    )
    assert revoked.status_code == 204
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(phone["access_token"]))
    ).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    assert refresh.status_code == 401
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(laptop["access_token"]))
    ).status_code == 200
    again = await client.delete(
        f"/api/v1/sessions/{phone_id}", headers=bearer(laptop["access_token"])
    )
    assert again.status_code == 404


async def test_another_users_session_is_404_and_untouched(client: httpx.AsyncClient) -> None:
    mallory = (await register(client))["tokens"]
    victim = (await register(client))["tokens"]
    victim_sessions = await client.get("/api/v1/sessions", headers=bearer(victim["access_token"]))
    victim_id = victim_sessions.json()["data"][0]["id"]

    attack = await client.delete(
        f"/api/v1/sessions/{victim_id}", headers=bearer(mallory["access_token"])
    )
    assert attack.status_code == 404
    assert attack.json()["code"] == "NOT_FOUND_ERROR"
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(victim["access_token"]))
    ).status_code == 200
    listed = await client.get("/api/v1/sessions", headers=bearer(mallory["access_token"]))
    assert victim_id not in [s["id"] for s in listed.json()["data"]]
    # Nor can the victim's id anchor a page of Mallory's list.
    paged = await client.get(
        "/api/v1/sessions", params={"cursor": victim_id}, headers=bearer(mallory["access_token"])
    )
    assert paged.status_code == 404


async def test_sign_out_everywhere_else(client: httpx.AsyncClient) -> None:
    email = unique_email()
    first = (await register(client, email))["tokens"]
    others = [await sign_in(client, email, f"other-{i}") for i in range(2)]
    current = await sign_in(client, email, "current")

    response = await client.delete("/api/v1/sessions", headers=bearer(current["access_token"]))
    assert response.status_code == 204
    for tokens in [first, *others]:
        assert (
            await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        ).status_code == 401
    left = (await client.get("/api/v1/sessions", headers=bearer(current["access_token"]))).json()[
        "data"
    ]
    assert [(s["user_agent"], s["current"]) for s in left] == [("current", True)]


async def test_bad_parameters(client: httpx.AsyncClient) -> None:
    token = bearer((await register(client))["tokens"]["access_token"])
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "many"}):
        response = await client.get("/api/v1/sessions", params=params, headers=token)
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "#/query/limit"
    malformed = await client.get("/api/v1/sessions", params={"cursor": "x"}, headers=token)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["pointer"] == "#/query/cursor"
    unknown = await client.get(
        "/api/v1/sessions", params={"cursor": "6f1c2a7e-4b8d-4e2a-9c3f-1d2e3f4a5b6c"}, headers=token
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "NOT_FOUND_ERROR"
    response = await client.delete("/api/v1/sessions/not-a-uuid", headers=token)
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert (await client.get("/api/v1/sessions")).status_code == 401
