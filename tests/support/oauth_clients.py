"""Helpers for the OAuth back-channel tests: clients registered through the admin API's service,
codes issued as `/oauth/authorize` would, and token requests as relying parties send them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import uuid
from urllib.parse import quote_plus

import httpx
from janua_server.contract import models as contract
from janua_server.core.audit import Origin
from janua_server.core.runtime import Runtime
from janua_server.oidc import codes
from janua_server.oidc.clients import service as clients

CALLBACK = "https://app.example.com/callback"


async def register_client(
    rt: Runtime,
    *,
    method: str = "client_secret_basic",
    grant_types: list[str] | None = None,
    scopes: list[str] | None = None,
    redirect_uris: list[str] | None = None,
) -> contract.OAuthClient:
    if grant_types is None:
        grant_types = ["authorization_code", "refresh_token"]
        if method != "none":
            grant_types.append("client_credentials")
    body = contract.CreateOAuthClientRequest.model_validate(
        {
            "name": "Test App",
            "token_endpoint_auth_method": method,
            "redirect_uris": [CALLBACK] if redirect_uris is None else redirect_uris,
            "grant_types": grant_types,
            "scopes": scopes
            or ["openid", "profile", "email", "offline_access", "organization", "orders:read"],
        }
    )
    return await clients.create_client(rt, body, actor_id=None, origin=Origin())


def basic(client_id: str, secret: str) -> dict[str, str]:
    """RFC 6749 section 2.3.1: form-encode each part, then base64."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def auth_for(client: contract.OAuthClient) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, form fields) authenticating `client` the way it registered."""
    method = client.token_endpoint_auth_method.value
    if method == "client_secret_basic":
        return basic(client.client_id, client.client_secret or ""), {}
    if method == "client_secret_post":
        return {}, {"client_id": client.client_id, "client_secret": client.client_secret or ""}
    return {}, {"client_id": client.client_id}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def code_for(
    rt: Runtime,
    client_id: str,
    user_id: str,
    *,
    scope: str = "openid profile email offline_access",
    challenge: str | None = None,
    nonce: str | None = "n-123",
    organization_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
) -> str:
    """A code as `/oauth/authorize` issues it after the user approved."""
    return await codes.issue_code(
        rt,
        codes.CodeGrant(
            client_id=client_id,
            redirect_uri=CALLBACK,
            user_id=uuid.UUID(user_id),
            provider_session_id=session_id or uuid.uuid4(),
            scope=scope,
            nonce=nonce,
            code_challenge=challenge,
            auth_time=int(dt.datetime.now(dt.UTC).timestamp()) - 30,
            amr=("pwd",),
            organization_id=organization_id,
        ),
    )


async def token(
    http: httpx.AsyncClient, client: contract.OAuthClient, **form: str
) -> httpx.Response:
    headers, fields = auth_for(client)
    return await http.post("/oauth/token", data=fields | form, headers=headers)


async def redeem(
    http: httpx.AsyncClient, client: contract.OAuthClient, code: str, verifier: str | None = None
) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        form["code_verifier"] = verifier
    return await token(http, client, **form)


async def introspect(
    http: httpx.AsyncClient, client: contract.OAuthClient, value: str, **form: str
) -> dict:
    headers, fields = auth_for(client)
    answer = await http.post(
        "/oauth/introspect", data=fields | {"token": value} | form, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def revoke(
    http: httpx.AsyncClient, client: contract.OAuthClient, value: str
) -> httpx.Response:
    headers, fields = auth_for(client)
    return await http.post("/oauth/revoke", data=fields | {"token": value}, headers=headers)
