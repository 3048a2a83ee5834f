"""The sign-in audit trail: what is recorded, who may read it, and what it never holds."""

from __future__ import annotations

import uuid

import pytest
from janua_server.contract.models import Action
from janua_server.core.audit import audit_events
from sqlalchemy import func, select
from support.users import PASSWORD, unique_email

UA = "janua-audit-tests/1.0"
PEER = "203.0.113.7"  # the address the test transport connects from (conftest)
WRONG = "not the password at all"
EVENTS = "/api/v1/auth/me/audit-events"
# The events of this piece; other flows (email verification, ...) add their own around them.
SIGN_IN = {
    "user.registered",
    "login.succeeded",
    "login.failed",
    "account.locked",
    "session.revoked",
    "refresh_token.reused",
}
LOCKOUT = {"LOCKOUT_THRESHOLD": "2", "LOCKOUT_BASE_SECONDS": "60", "LOCKOUT_MAX_SECONDS": "60"}


@pytest.fixture(autouse=True)
def _services_started(settings) -> None:
    """Start the backend's services (and migrate) before a test's event loop runs."""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": UA}


async def post(http, path: str, body: dict, **headers: str):
    return await http.post(path, json=body, headers={"User-Agent": UA, **headers})


async def signup(http, email: str) -> dict:
    created = await post(http, "/api/v1/auth/register", {"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    return created.json()["tokens"]


async def login(http, email: str, password: str = PASSWORD):
    return await post(http, "/api/v1/auth/login", {"email": email, "password": password})


async def all_events(http, token: str, **params) -> list[dict]:
    response = await http.get(EVENTS, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_sign_in_events_are_recorded_with_origin(make_settings, open_client) -> None:
    app = open_client(make_settings(**LOCKOUT))
    async with app as http:
        email = unique_email()
        first = await signup(http, email)
        second = (await login(http, email)).json()["tokens"]
        third = (await login(http, email)).json()["tokens"]

        # Rotate the registration's refresh token, then present the retired one again.
        rotated = await post(
            http, "/api/v1/auth/token/refresh", {"refresh_token": first["refresh_token"]}
        )
        assert rotated.status_code == 200
        reused = await post(
            http, "/api/v1/auth/token/refresh", {"refresh_token": first["refresh_token"]}
        )
        assert reused.status_code == 401

        assert (
            await http.post("/api/v1/auth/logout", headers=bearer(third["access_token"]))
        ).status_code == 204
        for _ in range(2):
            assert (await login(http, email, WRONG)).status_code == 401
        assert (await login(http, email)).status_code == 429

        everything = await all_events(http, second["access_token"], limit=100)
        events = [e for e in everything if e["action"] in SIGN_IN]
        assert [(e["action"], e["outcome"]) for e in events] == [
            ("account.locked", "failure"),
            ("login.failed", "failure"),
            ("login.failed", "failure"),
            ("session.revoked", "success"),
            ("refresh_token.reused", "failure"),
            ("login.succeeded", "success"),
            ("login.succeeded", "success"),
            ("user.registered", "success"),
        ]
        assert all(e["ip"] == PEER and e["user_agent"] == UA for e in events)
        assert {e["action"] for e in everything} <= {a.value for a in Action}
        stamps = [e["created_at"] for e in everything]
        assert stamps == sorted(stamps, reverse=True)


async def test_revoking_sessions_is_recorded(client) -> None:
    email = unique_email()
    tokens = await signup(client, email)
    for _ in range(2):
        assert (await login(client, email)).status_code == 200
    headers = bearer(tokens["access_token"])
    listed = (await client.get("/api/v1/sessions", headers=headers)).json()["data"]
    one = next(s["id"] for s in listed if not s["current"])
    assert (await client.delete(f"/api/v1/sessions/{one}", headers=headers)).status_code == 204
    assert (await client.delete("/api/v1/sessions", headers=headers)).status_code == 204
    latest = await all_events(client, tokens["access_token"], limit=2)
    assert [(e["action"], e["ip"], e["user_agent"]) for e in latest] == [
        ("session.revoked", PEER, UA)
    ] * 2


async def test_unknown_email_failures_belong_to_no_user(make_settings, open_client) -> None:
    """A failed sign-in for an unknown email is recorded without a user (the same write as for
    a real account, so timing tells nothing) and never shows in anyone's events."""
    app = open_client(make_settings(**LOCKOUT))
    async with app as http:
        db = app.app.state.runtime.db

        async def count() -> int:
            async with db.connection() as conn:
                return (await conn.execute(select(func.count()).select_from(audit_events))).scalar()

        before = await count()
        for _ in range(3):
            assert (await login(http, unique_email(), WRONG)).status_code == 401
        assert await count() == before + 3
        async with db.connection() as conn:
            rows = (
                await conn.execute(
                    select(audit_events.c.user_id, audit_events.c.action)
                    .order_by(audit_events.c.created_at.desc())
                    .limit(3)
                )
            ).all()
        assert [(r.user_id, r.action) for r in rows] == [(None, "login.failed")] * 3


async def test_users_see_only_their_own_events(client) -> None:
    alice = await signup(client, unique_email("alice"))
    bob_email = unique_email("bob")
    bob = await signup(client, bob_email)
    assert (await login(client, bob_email, WRONG)).status_code == 401

    alice_events = await all_events(client, alice["access_token"])
    bob_events = await all_events(client, bob["access_token"])
    assert [e["action"] for e in alice_events if e["action"] in SIGN_IN] == ["user.registered"]
    assert [e["action"] for e in bob_events if e["action"] in SIGN_IN] == [
        "login.failed",
        "user.registered",
    ]
    assert not {e["id"] for e in alice_events} & {e["id"] for e in bob_events}

    # Someone else's event id is no cursor of yours.
    foreign = await client.get(
        EVENTS, headers=bearer(bob["access_token"]), params={"cursor": alice_events[0]["id"]}
    )
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "NOT_FOUND_ERROR"


async def test_pagination_and_cursor_errors(client) -> None:
    email = unique_email()
    tokens = await signup(client, email)
    for _ in range(4):
        assert (await login(client, email)).status_code == 200
    everything = await all_events(client, tokens["access_token"], limit=100)
    assert sum(e["action"] in SIGN_IN for e in everything) == 5

    seen: list[dict] = []
    cursor = None
    pages = []
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get(EVENTS, headers=bearer(tokens["access_token"]), params=params)
        assert response.status_code == 200
        page = response.json()
        pages.append(len(page["data"]))
        seen += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert cursor == page["data"][-1]["id"]
    full, rest = divmod(len(everything), 2)
    assert pages == [2] * full + ([rest] if rest else [])
    assert len(pages) >= 3
    assert seen == everything

    headers = bearer(tokens["access_token"])
    unknown = await client.get(EVENTS, headers=headers, params={"cursor": str(uuid.uuid4())})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "NOT_FOUND_ERROR"
    for bad in ({"cursor": "not-a-uuid"}, {"limit": 0}, {"limit": 101}):
        response = await client.get(EVENTS, headers=headers, params=bad)
        assert response.status_code == 422, bad
    assert (await client.get(EVENTS)).status_code == 401


async def test_no_secret_reaches_the_audit_log(make_settings, open_client) -> None:
    app = open_client(make_settings(**LOCKOUT))
    async with app as http:
        email = unique_email("secretive")
        first = await signup(http, email)
        second = (await login(http, email)).json()["tokens"]
        rotated = await post(
            http, "/api/v1/auth/token/refresh", {"refresh_token": first["refresh_token"]}
        )
        await post(http, "/api/v1/auth/token/refresh", {"refresh_token": first["refresh_token"]})
        await http.post("/api/v1/auth/logout", headers=bearer(second["access_token"]))
        for _ in range(3):
            await login(http, email, WRONG)

        async with app.app.state.runtime.db.connection() as conn:
            rows = (await conn.execute(select(audit_events))).all()
        secrets = [
            PASSWORD,
            WRONG,
            email,
            first["access_token"],
            first["refresh_token"],
            second["access_token"],
            second["refresh_token"],
            rotated.json()["refresh_token"],
        ]
        dump = "\n".join(repr(tuple(row)) for row in rows)
        assert "user.registered" in dump and "refresh_token.reused" in dump
        for secret in secrets:
            assert secret not in dump
