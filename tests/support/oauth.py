"""OAuth provider test helpers: registered clients, PKCE pairs, authorization URLs, and a browser
that has signed in at the provider."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from janua_server.contract import models as contract
from janua_server.core.audit import Origin
from janua_server.core.runtime import Runtime
from janua_server.oidc.clients import service as clients

from support.oauth_browser import AsyncBrowser, query_of
from support.users import PASSWORD, register, unique_email

ORIGIN = "http://testserver"
CALLBACK = "https://app.example.com/callback"
SIGNED_OUT = "https://app.example.com/signed-out"
STANDARD_SCOPES = ["openid", "profile", "email", "offline_access"]


async def make_client(
    rt: Runtime,
    *,
    public: bool = False,
    first_party: bool = True,
    name: str = "Example App",
    scopes: list[str] | None = None,
    grant_types: list[str] | None = None,
    redirect_uris: list[str] | None = None,
) -> contract.OAuthClient:
    """Register a client as an admin would (the clients service behind the admin API)."""
    body = contract.CreateOAuthClientRequest.model_validate(
        {
            "name": name,
            "token_endpoint_auth_method": "none" if public else "client_secret_basic",
            "redirect_uris": redirect_uris or [CALLBACK],
            "post_logout_redirect_uris": [SIGNED_OUT],
            "grant_types": grant_types or ["authorization_code", "refresh_token"],
            "scopes": scopes or STANDARD_SCOPES,
            "first_party": first_party,
        }
    )
    return await clients.create_client(rt, body, actor_id=None, origin=Origin())


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(client_id: str, **params: Any) -> str:
    """An authorization request with sensible defaults; a value of None drops that parameter."""
    values = {
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "st-" + secrets.token_hex(4),
        "nonce": "n-" + secrets.token_hex(4),
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    } | params
    return "/oauth/authorize?" + urlencode({k: v for k, v in values.items() if v is not None})


@dataclass
class SignedIn:
    browser: AsyncBrowser
    email: str
    user_id: str


async def user(http) -> tuple[str, str]:
    email = unique_email("oauth")
    created = await register(http, email)
    return email, created["user"]["id"]


async def signed_in_browser(http, client_id: str) -> SignedIn:
    """A browser that went through one authorization with a hosted sign-in."""
    email, user_id = await user(http)
    browser = AsyncBrowser(http)
    page = await browser.until_leaving(await browser.get(authorize_url(client_id)), ORIGIN)
    back = await browser.sign_in(page, email, PASSWORD, ORIGIN)
    assert back.status_code == 303 and "code" in query_of(back.headers["location"]), back.text
    return SignedIn(browser, email, user_id)
