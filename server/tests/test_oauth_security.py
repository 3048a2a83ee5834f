"""Negative tests from RFC 9700 (OAuth 2.0 Security BCP) and the OpenID conformance suite's
basic plan: redirect URI variants, PKCE downgrade and wrong verifiers, code reuse, client
mismatch, `prompt=none` without a session, and bad `id_token_hint`s."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from support.admins import Site
from support.oauth import (
    CALLBACK,
    ORIGIN,
    authorize_url,
    make_client,
    pkce_pair,
    signed_in_browser,
)
from support.oauth_browser import query_of
from support.users import PASSWORD

LOOPBACK_CALLBACK = "http://localhost:8123/callback"
# A native app's loopback IP redirect URI: any port at request time (RFC 8252 section 7.3).
LOOPBACK_IP_CALLBACK = "http://127.0.0.1:8123/native"


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def code_for(browser, client_id: str, **params) -> str:
    answer = await browser.get(authorize_url(client_id, **params))
    assert answer.status_code == 303, answer.text
    return query_of(answer.headers["location"])["code"]


async def redeem(http: httpx.AsyncClient, code: str, client, verifier: str | None, **extra):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK} | extra
    if verifier is not None:
        form["code_verifier"] = verifier
    headers = {}
    if client.client_secret:
        headers = basic(client.client_id, client.client_secret)
    else:
        form["client_id"] = client.client_id
    return await http.post("/oauth/token", data=form, headers=headers)


async def test_redirect_uri_variants_are_refused_on_janua_own_page(site: Site) -> None:
    client = await make_client(
        site.runtime, redirect_uris=[CALLBACK, LOOPBACK_CALLBACK, LOOPBACK_IP_CALLBACK]
    )
    variants = [
        CALLBACK + "/",  # trailing slash
        "https://APP.example.com/callback",  # different case
        "https://app.example.com/Callback",
        CALLBACK + "?next=/admin",  # extra query
        CALLBACK + "#frag",
        "https://app.example.com:8443/callback",  # different port
        "http://app.example.com/callback",  # http instead of https
        "https://app.example.com.evil.example/callback",
        "https://app.example.com@evil.example/callback",
        "https://evil.example/?https://app.example.com/callback",
        "http://localhost:8124/callback",  # localhost by name, other port: no exception
        "http://127.0.0.1:8123/callback",
        "http://127.0.0.1:50123/native/",  # loopback IP, any port, but the path exactly
        "http://127.0.0.1:50123/native?next=/admin",
        "http://127.0.0.1:5o123/native",
        "http://127.0.0.1:50123@evil.example/native",
        "https://127.0.0.1:50123/native",
        "http://[::1]:50123/native",
        " " + CALLBACK,
    ]
    for redirect_uri in variants:
        answer = await site.http.get(authorize_url(client.client_id, redirect_uri=redirect_uri))
        assert answer.status_code == 400, redirect_uri
        assert "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
    for allowed in (LOOPBACK_CALLBACK, LOOPBACK_IP_CALLBACK, "http://127.0.0.1:50123/native"):
        answer = await site.http.get(authorize_url(client.client_id, redirect_uri=allowed))
        assert answer.status_code == 303, allowed


async def test_a_native_app_on_any_loopback_port_redeems_for_that_port_only(site: Site) -> None:
    # RFC 8252 section 7.3: the app listens where the OS let it; the code is bound to that URI.
    native = await make_client(
        site.runtime, public=True, redirect_uris=[CALLBACK, LOOPBACK_IP_CALLBACK]
    )
    browser = (await signed_in_browser(site.http, native.client_id)).browser
    listening = "http://127.0.0.1:50999/native"
    verifier, challenge = pkce_pair()
    code = await code_for(
        browser, native.client_id, redirect_uri=listening, code_challenge=challenge
    )
    registered = await redeem(site.http, code, native, verifier, redirect_uri=LOOPBACK_IP_CALLBACK)
    assert registered.json()["error"] == "invalid_grant"
    redeemed = await redeem(site.http, code, native, verifier, redirect_uri=listening)
    assert redeemed.status_code == 200, redeemed.text


async def test_pkce_downgrade_and_wrong_verifier_are_refused(site: Site) -> None:
    public = await make_client(site.runtime, public=True)
    signed_in = await signed_in_browser(site.http, public.client_id)
    browser = signed_in.browser
    # At the authorization endpoint: no challenge, or plain, for a public client.
    for params in ({"code_challenge": None, "code_challenge_method": None},
                   {"code_challenge_method": "plain"}):  # fmt: skip
        answer = await browser.get(authorize_url(public.client_id, **params))
        assert query_of(answer.headers["location"])["error"] == "invalid_request"

    verifier, challenge = pkce_pair()
    code = await code_for(browser, public.client_id, code_challenge=challenge)
    wrong = await redeem(site.http, code, public, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # Dropping the verifier at the token endpoint (downgrade) fails too.
    code = await code_for(browser, public.client_id, code_challenge=challenge)
    missing = await redeem(site.http, code, public, None)
    assert missing.status_code == 400 and missing.json()["error"] in (
        "invalid_grant",
        "invalid_request",
    )
    # A confidential client that sent no challenge cannot add a verifier later.
    confidential = await make_client(site.runtime)
    no_pkce = {"code_challenge": None, "code_challenge_method": None}
    code = await code_for(browser, confidential.client_id, **no_pkce)
    injected = await redeem(site.http, code, confidential, verifier)
    assert injected.status_code == 400


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def test_pkce_values_outside_the_rfc7636_syntax_are_refused(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    browser = signed_in.browser
    # RFC 7636 section 4.2: an S256 challenge is exactly 43 base64url characters; a trailing
    # newline is not one of them.
    challenge = s256("x" * 43) + "\n"
    answer = await browser.get(authorize_url(client.client_id, code_challenge=challenge))
    assert query_of(answer.headers["location"])["error"] == "invalid_request"
    # Section 4.1: code-verifier = 43*128unreserved. A verifier outside that syntax is refused,
    # even when the client computed the challenge from it.
    for verifier in ("a" * 43 + "\n", "a" * 42 + "+", "a" * 43 + "=", "\u00e9" * 43):
        code = await code_for(browser, client.client_id, code_challenge=s256(verifier))
        refused = await redeem(site.http, code, client, verifier)
        assert refused.status_code == 400, (verifier, refused.text)
        assert refused.json()["error"] == "invalid_grant"


async def test_a_reused_code_fails_and_revokes_what_it_produced(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    verifier, challenge = pkce_pair()
    code = await code_for(
        signed_in.browser,
        client.client_id,
        code_challenge=challenge,
        scope="openid offline_access",
    )
    first = await redeem(site.http, code, client, verifier)
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    tokens = first.json()
    second = await redeem(site.http, code, client, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    # RFC 6749 section 4.1.2: the tokens of the first redemption are revoked.
    auth = basic(client.client_id, client.client_secret)
    introspected = await site.http.post(
        "/oauth/introspect", data={"token": tokens["access_token"]}, headers=auth
    )
    assert introspected.json() == {"active": False}
    refreshed = await site.http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=auth,
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


async def test_a_code_is_bound_to_its_client_and_redirect_uri(site: Site) -> None:
    client = await make_client(
        site.runtime, redirect_uris=[CALLBACK, LOOPBACK_CALLBACK, LOOPBACK_IP_CALLBACK]
    )
    other = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    verifier, challenge = pkce_pair()
    code = await code_for(signed_in.browser, client.client_id, code_challenge=challenge)
    stolen = await redeem(site.http, code, other, verifier)
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    code = await code_for(signed_in.browser, client.client_id, code_challenge=challenge)
    moved = await redeem(site.http, code, client, verifier, redirect_uri=LOOPBACK_CALLBACK)
    assert moved.status_code == 400 and moved.json()["error"] == "invalid_grant"
    code = await code_for(signed_in.browser, client.client_id, code_challenge=challenge)
    wrong_secret = await site.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier},
        headers=basic(client.client_id, "not-the-secret"),
    )  # fmt: skip
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    # None of the failed attempts used the code up for its rightful owner.
    ok = await redeem(site.http, code, client, verifier)
    assert ok.status_code == 200, ok.text


async def test_prompt_none_without_a_session_never_shows_a_page(site: Site) -> None:
    client = await make_client(site.runtime)
    for extra in ({}, {"max_age": "0"}, {"login_hint": "ada@example.com"}):
        answer = await site.http.get(
            authorize_url(client.client_id, prompt="none", state="pn", **extra)
        )
        assert answer.status_code == 303
        back = query_of(answer.headers["location"])
        assert back["error"] == "login_required" and back["state"] == "pn"
        assert back["iss"] == ORIGIN
    # Someone else's session cookie is just an unknown cookie.
    forged = await site.http.get(
        authorize_url(client.client_id, prompt="none"),
        headers={"Cookie": "__Host-janua_session=" + "A" * 43},
    )
    assert query_of(forged.headers["location"])["error"] == "login_required"


async def test_bad_id_token_hints_are_refused(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"iss": ORIGIN, "sub": signed_in.user_id, "aud": client.client_id,
              "iat": now, "exp": now + 300}  # fmt: skip
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = stranger.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kid = site.runtime.tokens.keyring.current.kid
    hints = [
        pyjwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid}),  # not our key
        pyjwt.encode(
            claims, "secret-secret-secret-secret-32by", algorithm="HS256", headers={"kid": kid}
        ),  # alg confusion
        pyjwt.encode(claims, None, algorithm="none", headers={"kid": kid}),  # unsigned
        "a.b.c",
    ]
    for hint in hints:
        answer = await signed_in.browser.get("/oauth/logout?" + urlencode({"id_token_hint": hint}))
        assert answer.status_code == 400, hint
        assert "location" not in answer.headers
    still = await signed_in.browser.get(authorize_url(client.client_id, prompt="none"))
    assert "code" in query_of(still.headers["location"])


def id_token_for(site: Site, client_id: str, subject: str, **extra) -> str:
    """An ID token as the token endpoint signs them (our key, our issuer, aud = client)."""
    key = site.runtime.tokens.keyring.current
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"iss": ORIGIN, "sub": subject, "aud": client_id, "iat": now, "exp": now + 300}
    return pyjwt.encode(
        claims | extra, key.private_key, algorithm=key.alg, headers={"kid": key.kid}
    )


async def test_an_id_token_hint_naming_someone_else_gets_no_code(site: Site) -> None:
    """OIDC Core section 3.1.2.1: with an id_token_hint, a positive answer only when the user it
    names is signed in (or signs in now); prompt=none answers login_required otherwise."""
    client = await make_client(site.runtime)
    other_client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    browser = signed_in.browser
    # The signed-in user's own hint, even expired, goes straight through (conformance suite
    # oidcc-id-token-hint).
    for hint in (
        id_token_for(site, client.client_id, signed_in.user_id),
        id_token_for(site, client.client_id, signed_in.user_id, exp=1),
    ):
        own = await browser.get(authorize_url(client.client_id, prompt="none", id_token_hint=hint))
        assert "code" in query_of(own.headers["location"]), own.headers["location"]
    # Someone else's: no code for the signed-in user.
    someone_else = id_token_for(site, client.client_id, "00000000-0000-4000-8000-000000000001")
    silent = await browser.get(
        authorize_url(client.client_id, prompt="none", state="h", id_token_hint=someone_else)
    )
    back = query_of(silent.headers["location"])
    assert back["error"] == "login_required" and back["state"] == "h" and "code" not in back
    # Without prompt=none the user is asked to sign in again, and that sign-in answers.
    start = await browser.get(authorize_url(client.client_id, id_token_hint=someone_else))
    assert start.headers["location"].startswith("/oauth/sign-in?"), start.headers["location"]
    page = await browser.get(start.headers["location"])
    again = await browser.sign_in(page, signed_in.email, PASSWORD, ORIGIN)
    assert again.headers["location"].startswith(CALLBACK + "?code=")
    # Hints that are not ours, or not for this client, are refused at the redirect URI.
    for hint in ("a.b.c", id_token_for(site, other_client.client_id, signed_in.user_id)):
        refused = await browser.get(
            authorize_url(client.client_id, prompt="none", state="h", id_token_hint=hint)
        )
        back = query_of(refused.headers["location"])
        assert back["error"] == "invalid_request" and back["state"] == "h"


async def test_an_unregistered_post_logout_redirect_is_never_followed(site: Site) -> None:
    client = await make_client(site.runtime)
    for target in ("https://evil.example/", "https://app.example.com/signed-out/",
                   "javascript:alert(1)"):  # fmt: skip
        answer = await site.http.get(
            "/oauth/logout?"
            + urlencode({"client_id": client.client_id, "post_logout_redirect_uri": target})
        )
        assert answer.status_code == 400 and "location" not in answer.headers
