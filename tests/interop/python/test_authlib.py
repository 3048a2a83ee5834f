"""Janua as the OpenID Provider of authlib's OAuth 2.0 client (Python): the authorization code
flow with PKCE (S256) through the hosted sign-in and consent pages, ID token validation against
the published JWKS, userinfo, refresh, introspection, revocation, client_credentials and
RP-initiated logout. Nothing here uses Janua's code: authlib speaks the standards."""

from __future__ import annotations

import secrets

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken
from support.oauth_browser import SyncBrowser, query_of

SCOPE = "openid profile email offline_access"


@pytest.fixture(scope="module")
def metadata(janua: dict) -> dict:
    found = httpx.get(janua["issuer"] + "/.well-known/openid-configuration").json()
    assert found["issuer"] == janua["issuer"]
    return found


def id_token_claims(janua: dict, metadata: dict, token: dict, client_id: str, nonce: str):
    jwks = JsonWebKey.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    claims = JsonWebToken(["RS256"]).decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": janua["issuer"]},
            "aud": {"essential": True, "value": client_id},
        },
        claims_params={
            "nonce": nonce,
            "client_id": client_id,
            "access_token": token["access_token"],
        },
    )
    claims.validate()  # exp, iat, iss, aud, nonce, auth_time, and at_hash against the token
    return claims


def sign_in(janua: dict, url: str) -> str:
    """A browser opens the URL, signs in on the hosted page (and consents); the redirect back."""
    with httpx.Client(base_url=janua["issuer"]) as http:
        return SyncBrowser(http).authorize(url, janua["email"], janua["password"], janua["issuer"])


def test_code_flow_with_pkce_then_every_endpoint(janua: dict, metadata: dict) -> None:
    rp = janua["confidential"]
    client = OAuth2Client(
        rp["client_id"],
        rp["client_secret"],
        scope=SCOPE,
        redirect_uri=janua["callback"],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    location = sign_in(janua, url)
    back = query_of(location)
    assert back["state"] == state and back["iss"] == janua["issuer"]  # RFC 9207

    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer" and token["refresh_token"]
    claims = id_token_claims(janua, metadata, token, rp["client_id"], nonce)
    assert claims["email"] == janua["email"] and "pwd" in claims["amr"]

    userinfo = client.get(metadata["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"] and userinfo["email"] == janua["email"]

    refreshed = client.refresh_token(
        metadata["token_endpoint"], refresh_token=token["refresh_token"]
    )
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]

    active = client.introspect_token(
        metadata["introspection_endpoint"], token=refreshed["access_token"]
    ).json()
    assert active["active"] is True and active["client_id"] == rp["client_id"]
    assert active["sub"] == claims["sub"]

    revoked = client.revoke_token(
        metadata["revocation_endpoint"],
        token=refreshed["refresh_token"],
        token_type_hint="refresh_token",
    )
    assert revoked.status_code == 200
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(metadata["token_endpoint"], refresh_token=refreshed["refresh_token"])
    assert refused.value.error == "invalid_grant"


def test_public_client_and_rp_initiated_logout(janua: dict, metadata: dict) -> None:
    rp = janua["public"]
    client = OAuth2Client(
        rp["client_id"],
        scope="openid email",
        redirect_uri=janua["callback"],
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier, nonce = generate_token(48), secrets.token_urlsafe(16)
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    with httpx.Client(base_url=janua["issuer"]) as http:
        browser = SyncBrowser(http)
        location = browser.authorize(url, janua["email"], janua["password"], janua["issuer"])
        token = client.fetch_token(
            metadata["token_endpoint"], authorization_response=location, code_verifier=verifier
        )
        id_token_claims(janua, metadata, token, rp["client_id"], nonce)
        ended = browser.get(
            metadata["end_session_endpoint"],
            params={
                "id_token_hint": token["id_token"],
                "post_logout_redirect_uri": janua["signed_out"],
                "state": "bye",
            },
        )
        assert ended.status_code == 303
        assert ended.headers["location"] == janua["signed_out"] + "?state=bye"
        # Signed out at Janua: prompt=none now says so.
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, prompt="none"
        )
        again = browser.get(url)
        assert query_of(again.headers["location"])["error"] == "login_required"


def test_client_credentials(janua: dict, metadata: dict) -> None:
    rp = janua["confidential"]
    client = OAuth2Client(rp["client_id"], rp["client_secret"], scope="api:read")
    token = client.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert "refresh_token" not in token and "id_token" not in token
    jwks = JsonWebKey.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    claims = JsonWebToken(["RS256"]).decode(token["access_token"], jwks)
    claims.validate()
    assert claims["client_id"] == rp["client_id"] and claims["sub"] == rp["client_id"]
    assert claims["scope"] == "api:read"
