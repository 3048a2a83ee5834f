"""The OAuth clients admin API (`/api/v1/oauth/clients`) and `janua clients create`: platform
admins only, strict registration rules, secrets shown once and stored as SHA-256, rotation with
an overlap period, deletion that takes the client's grants with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from janua_server import cli
from janua_server.contract.models import OAuthClient
from janua_server.core import secret_tokens
from janua_server.core.audit import audit_events
from janua_server.migrations import upgrade_to_head
from janua_server.oidc.clients.tables import oauth_clients
from janua_server.settings import Settings
from sqlalchemy import select
from support.admins import Site, admin
from support.oauth_clients import basic, code_for, introspect, pkce, redeem
from support.orgs import person

CLIENTS = "/api/v1/oauth/clients"
WEB_APP = {
    "name": "Acme Dashboard",
    "redirect_uris": ["https://app.example.com/callback"],
    "post_logout_redirect_uris": ["https://app.example.com/signed-out"],
    "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
    "scopes": ["openid", "profile", "email", "offline_access", "orders:read"],
}


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


async def create(site: Site, auth: dict, body: dict | None = None) -> dict:
    created = await site.http.post(CLIENTS, json=body or WEB_APP, headers=auth)
    assert created.status_code == 201, created.text
    return created.json()


async def client_credentials(site: Site, client_id: str, secret: str):
    return await site.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", CLIENTS, None),
        ("POST", CLIENTS, WEB_APP),
        ("GET", f"{CLIENTS}/some-client", None),
        ("PATCH", f"{CLIENTS}/some-client", {"name": "x"}),
        ("DELETE", f"{CLIENTS}/some-client", None),
        ("POST", f"{CLIENTS}/some-client/rotate-secret", {}),
    ],
)
async def test_every_operation_needs_a_platform_admin(
    site: Site, method: str, path: str, body: dict | None
) -> None:
    anonymous = await site.http.request(method, path, json=body)
    assert anonymous.status_code == 401
    someone = await person(site.http)
    refused = await site.http.request(method, path, json=body, headers=someone.auth)
    assert refused.status_code == 403
    assert refused.json()["code"] == "AUTHORIZATION_ERROR"


async def test_a_confidential_client_gets_its_secret_once_stored_as_sha256(site: Site) -> None:
    boss = await admin(site)
    created = await create(site, boss.auth)
    secret = created["client_secret"]
    assert len(secret) >= 43
    assert created["token_endpoint_auth_method"] == "client_secret_basic"
    assert created["first_party"] is False
    assert created["previous_secret_expires_at"] is None
    read = await site.http.get(f"{CLIENTS}/{created['client_id']}", headers=boss.auth)
    assert read.status_code == 200
    assert "client_secret" not in read.json()
    assert read.json() == {k: v for k, v in created.items() if k != "client_secret"}
    async with site.runtime.db.connection() as conn:
        row = (
            await conn.execute(
                select(oauth_clients).where(oauth_clients.c.client_id == created["client_id"])
            )
        ).one()
    assert row.secret_hash == secret_tokens.digest(secret)
    assert secret not in str(tuple(row))
    assert (await client_credentials(site, created["client_id"], secret)).status_code == 200
    async with site.runtime.db.connection() as conn:
        events = (
            await conn.execute(
                select(audit_events).where(
                    audit_events.c.target == f"oauth_client:{created['client_id']}"
                )
            )
        ).all()
    assert [event.action for event in events] == ["oauth_client.created"]
    assert events[0].actor_id is not None and secret not in str(events[0].details)


async def test_a_public_client_has_no_secret(site: Site) -> None:
    boss = await admin(site)
    body = WEB_APP | {
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": ["http://127.0.0.1:8080/cb", "com.example.app:/oauth2redirect"],
    }
    created = await create(site, boss.auth, body)
    assert "client_secret" not in created
    rotate = await site.http.post(
        f"{CLIENTS}/{created['client_id']}/rotate-secret", json={}, headers=boss.auth
    )
    assert rotate.status_code == 422


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"redirect_uris": ["https://app.example.com/cb#frag"]}, "#/redirect_uris/0"),
        ({"redirect_uris": ["http://app.example.com/cb"]}, "#/redirect_uris/0"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "#/redirect_uris/0"),
        ({"redirect_uris": ["/relative"]}, "#/redirect_uris/0"),
        ({"redirect_uris": ["myapp:/cb"]}, "#/redirect_uris/0"),
        ({"post_logout_redirect_uris": ["https://user:pw@app.example.com/"]}, None),
        ({"redirect_uris": []}, "#/redirect_uris"),
        ({"redirect_uris": ["https://a.example/cb", "https://a.example/cb"]}, "#/redirect_uris"),
        ({"grant_types": ["refresh_token"]}, "#/grant_types"),
        ({"grant_types": ["password"]}, None),
        ({"grant_types": []}, None),
        ({"scopes": ["bad scope"]}, None),
        ({"scopes": ['quote"d']}, None),
        ({"token_endpoint_auth_method": "none"}, "#/grant_types"),  # with client_credentials
        ({"token_endpoint_auth_method": "private_key_jwt"}, None),
        ({"unknown": True}, None),
        ({"name": ""}, None),
    ],
)
async def test_registration_is_strict(site: Site, change: dict, pointer: str | None) -> None:
    boss = await admin(site)
    refused = await site.http.post(CLIENTS, json=WEB_APP | change, headers=boss.auth)
    assert refused.status_code == 422, refused.text
    if pointer is not None:
        assert refused.json()["errors"][0]["pointer"] == pointer


async def test_list_is_cursor_paginated_newest_first(site: Site) -> None:
    boss = await admin(site)
    made = [
        (await create(site, boss.auth, WEB_APP | {"name": f"App {i}"}))["client_id"]
        for i in range(3)
    ]
    first = await site.http.get(CLIENTS, params={"limit": 2}, headers=boss.auth)
    assert first.status_code == 200
    page = first.json()
    assert [c["client_id"] for c in page["data"]] == made[::-1][:2]
    assert all("client_secret" not in c for c in page["data"])
    rest = await site.http.get(
        CLIENTS, params={"limit": 2, "cursor": page["next_cursor"]}, headers=boss.auth
    )
    assert rest.json()["data"][0]["client_id"] == made[0]
    unknown = await site.http.get(
        CLIENTS, params={"cursor": "00000000-0000-4000-8000-000000000000"}, headers=boss.auth
    )
    assert unknown.status_code == 404


async def test_update_changes_only_what_is_sent(site: Site) -> None:
    boss = await admin(site)
    created = await create(site, boss.auth)
    path = f"{CLIENTS}/{created['client_id']}"
    uris = ["https://app.example.com/callback", "https://staging.example.com/callback"]
    changed = await site.http.patch(
        path, json={"redirect_uris": uris, "first_party": True}, headers=boss.auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["redirect_uris"] == uris and changed.json()["first_party"] is True
    assert changed.json()["name"] == WEB_APP["name"]
    assert "client_secret" not in changed.json()
    post = await site.http.patch(
        path, json={"token_endpoint_auth_method": "client_secret_post"}, headers=boss.auth
    )
    assert post.status_code == 200
    # Malformed changes are 422: an empty change is no change, "x" is no redirect URI.
    for body in ({}, {"redirect_uris": ["x"]}):
        refused = await site.http.patch(path, json=body, headers=boss.auth)
        assert refused.status_code == 422, body
    # Changes that clash with what the client is are 409: public <-> confidential is a new
    # client, and an authorization_code client keeps a redirect URI.
    for body in ({"token_endpoint_auth_method": "none"}, {"redirect_uris": []}):
        conflicting = await site.http.patch(path, json=body, headers=boss.auth)
        assert conflicting.status_code == 409, (body, conflicting.text)
        assert conflicting.json()["code"] == "CONFLICT_ERROR"
    assert (await site.http.get(path, headers=boss.auth)).json()["redirect_uris"] == uris
    missing = await site.http.patch(f"{CLIENTS}/nope", json={"name": "x"}, headers=boss.auth)
    assert missing.status_code == 404


async def test_rotation_keeps_the_old_secret_for_the_overlap_only(site: Site) -> None:
    boss = await admin(site)
    created = await create(site, boss.auth)
    client_id, old = created["client_id"], created["client_secret"]
    path = f"{CLIENTS}/{client_id}/rotate-secret"
    rotated = await site.http.post(path, json={"overlap_seconds": 1}, headers=boss.auth)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["client_secret"]
    assert new != old and rotated.json()["previous_secret_expires_at"] is not None
    assert (await client_credentials(site, client_id, new)).status_code == 200
    assert (await client_credentials(site, client_id, old)).status_code == 200
    await asyncio.sleep(1.2)
    assert (await client_credentials(site, client_id, old)).status_code == 401
    assert (await client_credentials(site, client_id, new)).status_code == 200
    # Without overlap the replaced secret stops at once; the one before is long gone.
    again = await site.http.post(path, json={"overlap_seconds": 0}, headers=boss.auth)
    newest = again.json()["client_secret"]
    assert again.json()["previous_secret_expires_at"] is None
    for stale in (old, new):
        assert (await client_credentials(site, client_id, stale)).status_code == 401
    assert (await client_credentials(site, client_id, newest)).status_code == 200
    too_long = await site.http.post(path, json={"overlap_seconds": 10**9}, headers=boss.auth)
    assert too_long.status_code == 422


async def test_delete_ends_everything_issued_to_the_client(site: Site) -> None:
    boss = await admin(site)
    created = await create(site, boss.auth)
    client_id, secret = created["client_id"], created["client_secret"]
    client = OAuthClient.model_validate(created)
    someone = await person(site.http)
    resource_server = OAuthClient.model_validate(await create(site, boss.auth))
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client_id, someone.id, challenge=challenge)
    issued = (await redeem(site.http, client, code, verifier)).json()
    assert (await introspect(site.http, resource_server, issued["access_token"]))["active"]
    deleted = await site.http.delete(f"{CLIENTS}/{client_id}", headers=boss.auth)
    assert deleted.status_code == 204
    assert (await site.http.get(f"{CLIENTS}/{client_id}", headers=boss.auth)).status_code == 404
    assert (await site.http.delete(f"{CLIENTS}/{client_id}", headers=boss.auth)).status_code == 404
    assert await introspect(site.http, resource_server, issued["access_token"]) == {"active": False}
    assert (await client_credentials(site, client_id, secret)).status_code == 401


def test_cli_creates_a_client_and_prints_the_secret_once(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    upgrade_to_head(Settings().database_url)
    code = cli.main(
        [
            "clients",
            "create",
            "--name",
            "Billing",
            "--grant-type",
            "client_credentials",
            "--scope",
            "invoices:read",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    lines = dict(line.split(":", 1) for line in out.splitlines() if line.startswith("client_"))
    assert lines["client_id"].strip() and len(lines["client_secret"].strip()) >= 43
    bad = cli.main(["clients", "create", "--name", "X", "--redirect-uri", "http://evil.example/"])
    assert bad == 1
    assert "#/redirect_uris/0" in capsys.readouterr().err
