"""Browser mode: the refresh token lives in an HttpOnly __Host- cookie, refreshes need CSRF."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx
from support.users import PASSWORD, register, unique_email


def cookies_of(response: httpx.Response) -> dict[str, dict]:
    jar: dict[str, dict] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = {"value": morsel.value, **{k: v for k, v in morsel.items() if v}}
    return jar


async def cookie_login(client: httpx.AsyncClient) -> tuple[httpx.Response, dict[str, dict]]:
    email = unique_email()
    await register(client, email)
    response = await client.post(
        "/api/v1/auth/login",
        json={
            "email": email,
            "password": PASSWORD,
            "token_transport": "cookie",
            "device_label": "Firefox",
        },
    )
    assert response.status_code == 200
    return response, cookies_of(response)


def send_cookies(jar: dict[str, dict]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={c['value']}" for name, c in jar.items())}


async def test_login_sets_host_cookies_instead_of_a_body_token(client: httpx.AsyncClient) -> None:
    response, jar = await cookie_login(client)
    tokens = response.json()["tokens"]
    assert "refresh_token" not in tokens
    refresh = jar["__Host-janua_refresh"]
    assert refresh["httponly"] and refresh["secure"] and refresh["path"] == "/"
    assert refresh["samesite"].lower() == "strict"
    assert "domain" not in refresh
    csrf = jar["__Host-janua_csrf"]
    assert "httponly" not in csrf and csrf["secure"]
    assert csrf["value"] == tokens["csrf_token"]


async def test_cookie_refresh_needs_the_csrf_header(client: httpx.AsyncClient) -> None:
    _, jar = await cookie_login(client)
    no_header = await client.post("/api/v1/auth/token/refresh", json={}, headers=send_cookies(jar))
    assert no_header.status_code == 403
    assert no_header.json()["code"] == "AUTHORIZATION_ERROR"
    wrong = await client.post(
        "/api/v1/auth/token/refresh",
        json={},
        headers=send_cookies(jar) | {"X-CSRF-Token": "forged"},
    )
    assert wrong.status_code == 403

    csrf = jar["__Host-janua_csrf"]["value"]
    ok = await client.post(
        "/api/v1/auth/token/refresh", json={}, headers=send_cookies(jar) | {"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200
    assert "refresh_token" not in ok.json()
    rotated = cookies_of(ok)
    assert rotated["__Host-janua_refresh"]["value"] != jar["__Host-janua_refresh"]["value"]

    # The retired cookie presented again is reuse: the whole session ends.
    replay = await client.post(
        "/api/v1/auth/token/refresh", json={}, headers=send_cookies(jar) | {"X-CSRF-Token": csrf}
    )
    assert replay.status_code == 401
    after = await client.post(
        "/api/v1/auth/token/refresh",
        json={},
        headers=send_cookies(rotated) | {"X-CSRF-Token": rotated["__Host-janua_csrf"]["value"]},
    )
    assert after.status_code == 401


async def test_no_token_anywhere_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token/refresh", json={})
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_ERROR"


async def test_logout_clears_the_cookies_and_labels_show_in_sessions(
    client: httpx.AsyncClient,
) -> None:
    response, _ = await cookie_login(client)
    access = {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}
    sessions = (await client.get("/api/v1/sessions", headers=access)).json()["data"]
    assert [s["device_label"] for s in sessions if s["current"]] == ["Firefox"]
    logout = await client.post("/api/v1/auth/logout", headers=access)
    assert logout.status_code == 204
    cleared = cookies_of(logout)
    assert cleared["__Host-janua_refresh"]["max-age"] == "0"
    assert cleared["__Host-janua_csrf"]["max-age"] == "0"
