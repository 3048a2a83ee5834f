"""`/oauth/authorize` and the hosted pages, driven like a browser: every check of the pipeline
(error page vs redirect), PKCE rules, prompt and max_age, login_hint, the provider session
cookie, consent, CSRF refusals, CSP, 303s, and RP-initiated logout."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import jwt as pyjwt
import pyotp
import pytest
from janua_server.oidc import codes
from support.admins import Site
from support.oauth import (
    CALLBACK,
    ORIGIN,
    SIGNED_OUT,
    authorize_url,
    make_client,
    signed_in_browser,
    user,
)
from support.oauth_browser import AsyncBrowser, form_fields, query_of
from support.users import PASSWORD, bearer

CSP = "default-src 'self'; frame-ancestors 'none'"


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


def assert_error_page(response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    assert "location" not in response.headers
    assert 'role="alert"' in response.text


def assert_redirect_error(response, error: str, state: str | None = None) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    answer = query_of(location)
    assert answer["error"] == error, answer
    assert answer["iss"] == ORIGIN
    if state is not None:
        assert answer["state"] == state
    return answer


# ---- checks that answer on Janua's own page ---------------------------------------------------


async def test_unknown_or_missing_client_is_an_error_page_never_a_redirect(site: Site) -> None:
    unknown = await site.http.get(authorize_url("cl_nobody"))
    assert_error_page(unknown)
    assert "invalid_client" in unknown.text
    missing = await site.http.get(authorize_url(None))
    assert_error_page(missing)


async def test_unregistered_missing_or_repeated_redirect_uri_is_an_error_page(site: Site) -> None:
    client = await make_client(site.runtime)
    for redirect_uri in ("https://evil.example/callback", CALLBACK + "/", None):
        answer = await site.http.get(authorize_url(client.client_id, redirect_uri=redirect_uri))
        assert_error_page(answer)
    twice = authorize_url(client.client_id) + "&" + urlencode({"redirect_uri": CALLBACK})
    assert_error_page(await site.http.get(twice))


# ---- checks that answer at the redirect URI -----------------------------------------------------


async def test_request_errors_go_back_to_the_client_with_state_and_iss(site: Site) -> None:
    client = await make_client(site.runtime)
    cases = [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"response_mode": "fragment"}, "invalid_request"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://app.example.com/r/1"}, "request_uri_not_supported"),
        ({"nonce": "n" * 513}, "invalid_request"),
    ]
    for params, error in cases:
        answer = await site.http.get(authorize_url(client.client_id, state="xyz", **params))
        assert_redirect_error(answer, error, state="xyz")
    repeated = authorize_url(client.client_id, state="xyz") + "&scope=email"
    assert_redirect_error(await site.http.get(repeated), "invalid_request", state="xyz")


async def test_a_client_without_the_code_grant_is_unauthorized(site: Site) -> None:
    client = await make_client(site.runtime, grant_types=["client_credentials"], scopes=["api"])
    answer = await site.http.get(authorize_url(client.client_id, scope="api"))
    # Its redirect URI is registered, so the refusal may go there.
    assert_redirect_error(answer, "unauthorized_client")


async def test_pkce_rules(site: Site) -> None:
    public = await make_client(site.runtime, public=True)
    confidential = await make_client(site.runtime)
    no_pkce = {"code_challenge": None, "code_challenge_method": None}
    answer = await site.http.get(authorize_url(public.client_id, **no_pkce))
    assert "PKCE" in assert_redirect_error(answer, "invalid_request")["error_description"]
    for client_id in (public.client_id, confidential.client_id):
        plain = await site.http.get(authorize_url(client_id, code_challenge_method="plain"))
        assert "plain" in assert_redirect_error(plain, "invalid_request")["error_description"]
        # A challenge without a method means plain (RFC 7636 section 4.3): refused too.
        implied = await site.http.get(authorize_url(client_id, code_challenge_method=None))
        assert_redirect_error(implied, "invalid_request")
        short = await site.http.get(authorize_url(client_id, code_challenge="abc"))
        assert_redirect_error(short, "invalid_request")
        lone_method = await site.http.get(authorize_url(client_id, code_challenge=None))
        assert_redirect_error(lone_method, "invalid_request")
    # Confidential clients may skip PKCE: the request goes on to the sign-in page.
    ok = await site.http.get(authorize_url(confidential.client_id, **no_pkce))
    assert ok.status_code == 303 and ok.headers["location"].startswith("/oauth/sign-in?")


# ---- sign-in, the provider session, codes -------------------------------------------------------


async def test_sign_in_page_then_code_with_state_iss_and_session_cookie(site: Site) -> None:
    client = await make_client(site.runtime)
    email, user_id = await user(site.http)
    browser = AsyncBrowser(site.http)
    start = await browser.get(authorize_url(client.client_id, state="s1", nonce="n1"))
    assert start.status_code == 303
    assert start.headers["location"].startswith("/oauth/sign-in?interaction=")
    browser_cookie = browser.jar.attributes["__Host-janua_browser"]
    assert browser_cookie["httponly"] and browser_cookie["secure"]
    assert browser_cookie["samesite"] == "lax" and browser_cookie["path"] == "/"

    page = await browser.get(start.headers["location"])
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["cache-control"] == "no-store"
    assert 'autocomplete="username webauthn"' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert 'aria-live="assertive"' in page.text and "Example App" in page.text
    # No inline script: CSP forbids it, and the page works without any script at all.
    assert "<script>" not in page.text and "style=" not in page.text

    answer = await browser.submit(page, "/oauth/sign-in", email=email, password=PASSWORD)
    assert answer.status_code == 303
    back = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    assert back["state"] == "s1" and back["iss"] == ORIGIN and "error" not in back
    cookie = browser.jar.attributes["__Host-janua_session"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "lax"
    assert cookie["path"] == "/" and "domain" not in cookie

    looked_up = await codes.look_up(site.runtime, back["code"])
    grant = looked_up.grant
    assert grant is not None and looked_up.redeemed_as is None
    assert str(grant.user_id) == user_id and grant.client_id == client.client_id
    assert grant.redirect_uri == CALLBACK and grant.scope == "openid profile email"
    assert grant.nonce == "n1" and grant.amr == ("pwd",) and grant.code_challenge
    assert abs(grant.auth_time - dt.datetime.now(dt.UTC).timestamp()) < 60
    # The sign-in is an ordinary session of the user: it shows in their list.
    tokens = (
        await site.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()["tokens"]
    listed = await site.http.get("/api/v1/sessions", headers=bearer(tokens["access_token"]))
    assert str(grant.provider_session_id) in {s["id"] for s in listed.json()["data"]}


async def test_post_authorize_and_login_hint(site: Site) -> None:
    client = await make_client(site.runtime)
    browser = AsyncBrowser(site.http)
    form = query_of(authorize_url(client.client_id, login_hint="ada@example.com"))
    start = await browser.post("/oauth/authorize", data=form)
    assert start.status_code == 303
    page = await browser.get(start.headers["location"])
    assert form_fields(page.text, "/oauth/sign-in")["email"] == "ada@example.com"
    not_a_form = await site.http.post("/oauth/authorize", json=form)
    assert_error_page(not_a_form)


async def test_wrong_password_returns_to_the_form_with_an_announced_message(site: Site) -> None:
    client = await make_client(site.runtime)
    email, _ = await user(site.http)
    browser = AsyncBrowser(site.http)
    page = await browser.until_leaving(await browser.get(authorize_url(client.client_id)), ORIGIN)
    answer = await browser.submit(page, "/oauth/sign-in", email=email, password="wrong password!")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/oauth/sign-in?interaction=")
    again = await browser.get(answer.headers["location"])
    assert "Invalid email or password." in again.text
    assert form_fields(again.text, "/oauth/sign-in")["email"] == email
    # Shown once: a reload does not repeat it.
    assert "Invalid email or password." not in (await browser.get(answer.headers["location"])).text
    assert "__Host-janua_session" not in browser.jar.values


async def test_a_second_factor_is_asked_after_the_password(site: Site) -> None:
    client = await make_client(site.runtime)
    email, _ = await user(site.http)
    tokens = (
        await site.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()["tokens"]
    me = bearer(tokens["access_token"])
    secret = (await site.http.post("/api/v1/auth/mfa/setup", headers=me)).json()["secret"]
    confirmed = await site.http.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": pyotp.TOTP(secret).now()}, headers=me
    )
    assert confirmed.status_code == 200, confirmed.text

    browser = AsyncBrowser(site.http)
    page = await browser.until_leaving(await browser.get(authorize_url(client.client_id)), ORIGIN)
    answer = await browser.submit(page, "/oauth/sign-in", email=email, password=PASSWORD)
    assert answer.headers["location"].startswith("/oauth/sign-in/mfa?interaction=")
    step = await browser.get(answer.headers["location"])
    assert step.status_code == 200 and 'autocomplete="one-time-code"' in step.text
    assert step.headers["content-security-policy"] == CSP
    # Nothing secret on the page: the pending sign-in's token stays on the server.
    assert "mfa_token" not in step.text
    assert "__Host-janua_session" not in browser.jar.values

    wrong = await browser.submit(step, "/oauth/sign-in/mfa", method="totp", code="000000")
    assert wrong.headers["location"].startswith("/oauth/sign-in/mfa?")
    again = await browser.get(wrong.headers["location"])
    assert "The code is wrong or expired." in again.text
    code = pyotp.TOTP(secret).at(time.time(), counter_offset=1)
    done = await browser.submit(again, "/oauth/sign-in/mfa", method="totp", code=code)
    assert done.status_code == 303 and done.headers["location"].startswith(CALLBACK + "?code=")
    grant = (await codes.look_up(site.runtime, query_of(done.headers["location"])["code"])).grant
    assert grant is not None and grant.amr == ("pwd", "otp", "mfa")


async def test_forms_refuse_missing_or_foreign_csrf_tokens_and_foreign_interactions(
    site: Site,
) -> None:
    client = await make_client(site.runtime)
    email, _ = await user(site.http)
    browser = AsyncBrowser(site.http)
    page = await browser.until_leaving(await browser.get(authorize_url(client.client_id)), ORIGIN)
    fields = form_fields(page.text, "/oauth/sign-in") | {"email": email, "password": PASSWORD}

    no_token = await browser.post("/oauth/sign-in", data=fields | {"csrf_token": ""})
    assert_error_page(no_token, 403)
    forged = await browser.post("/oauth/sign-in", data=fields | {"csrf_token": "0" * 64})
    assert_error_page(forged, 403)

    # Another browser (a cross-site form has no cookies: SameSite=Lax) cannot use this
    # interaction, with or without the token it saw.
    other = AsyncBrowser(site.http)
    assert_error_page(await other.post("/oauth/sign-in", data=fields))
    await other.get(authorize_url(client.client_id))
    assert_error_page(await other.post("/oauth/sign-in", data=fields))
    assert "__Host-janua_session" not in browser.jar.values

    # The real form still works, and answers with a 303, never a 200.
    ok = await browser.post("/oauth/sign-in", data=fields)
    assert ok.status_code == 303 and ok.headers["location"].startswith(CALLBACK)


async def test_single_sign_on_and_prompt_none(site: Site) -> None:
    client = await make_client(site.runtime)
    other_app = await make_client(site.runtime, name="Other App")
    anonymous = await site.http.get(authorize_url(client.client_id, prompt="none", state="q"))
    assert_redirect_error(anonymous, "login_required", state="q")

    signed_in = await signed_in_browser(site.http, client.client_id)
    for client_id in (client.client_id, other_app.client_id):
        for prompt in (None, "none"):
            answer = await signed_in.browser.get(authorize_url(client_id, prompt=prompt))
            assert answer.status_code == 303
            assert "code" in query_of(answer.headers["location"])


async def test_prompt_login_and_max_age_ask_again_once(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    browser = signed_in.browser
    first_session = browser.jar.values["__Host-janua_session"]
    # A fresh sign-in satisfies a generous max_age.
    fresh = await browser.get(authorize_url(client.client_id, max_age="3600"))
    assert fresh.headers["location"].startswith(CALLBACK)

    for params in ({"prompt": "login"}, {"max_age": "0"}, {"prompt": "select_account"}):
        start = await browser.get(authorize_url(client.client_id, **params))
        assert start.headers["location"].startswith("/oauth/sign-in?"), params
        page = await browser.get(start.headers["location"])
        back = await browser.sign_in(page, signed_in.email, PASSWORD, ORIGIN)
        # The sign-in just made satisfies the request: no loop back to the sign-in page.
        assert back.headers["location"].startswith(CALLBACK + "?code="), params
        grant = await codes.look_up(site.runtime, query_of(back.headers["location"])["code"])
        assert grant.grant is not None
        assert abs(grant.grant.auth_time - dt.datetime.now(dt.UTC).timestamp()) < 60
    # Each new sign-in replaced the browser's previous one.
    assert browser.jar.values["__Host-janua_session"] != first_session
    none_too_old = await browser.get(authorize_url(client.client_id, prompt="none", max_age="0"))
    assert_redirect_error(none_too_old, "login_required")


async def test_revoking_the_session_signs_the_browser_out(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    tokens = (
        await site.http.post(
            "/api/v1/auth/login", json={"email": signed_in.email, "password": PASSWORD}
        )
    ).json()["tokens"]
    auth = bearer(tokens["access_token"])
    assert (await site.http.delete("/api/v1/sessions", headers=auth)).status_code == 204
    answer = await signed_in.browser.get(authorize_url(client.client_id, prompt="none"))
    assert_redirect_error(answer, "login_required")


# ---- consent ------------------------------------------------------------------------------------


async def test_consent_for_third_party_clients_is_asked_remembered_and_forced(site: Site) -> None:
    home = await make_client(site.runtime)
    third = await make_client(site.runtime, first_party=False, name="Third Party Co")
    signed_in = await signed_in_browser(site.http, home.client_id)
    browser = signed_in.browser

    refused = await browser.get(authorize_url(third.client_id, prompt="none", state="c"))
    assert_redirect_error(refused, "consent_required", state="c")

    start = await browser.get(authorize_url(third.client_id, state="c"))
    assert start.headers["location"].startswith("/oauth/consent?interaction=")
    page = await browser.get(start.headers["location"])
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "Third Party Co" in page.text and signed_in.email in page.text
    assert "See your email address" in page.text and ">email</code>" in page.text

    denied = await browser.submit(page, "/oauth/consent", decision="deny")
    assert_redirect_error(denied, "access_denied", state="c")

    page = await browser.get(
        (await browser.get(authorize_url(third.client_id))).headers["location"]
    )
    forged = await browser.post(
        "/oauth/consent", data=form_fields(page.text, "/oauth/consent") | {"csrf_token": "x"}
    )
    assert_error_page(forged, 403)
    allowed = await browser.submit(page, "/oauth/consent", decision="allow")
    assert allowed.status_code == 303
    assert allowed.headers["location"].startswith(CALLBACK + "?code=")

    # Remembered: the same scopes (or fewer) go straight through, even with prompt=none.
    for params in ({}, {"prompt": "none", "scope": "openid email"}):
        again = await browser.get(authorize_url(third.client_id, **params))
        assert again.headers["location"].startswith(CALLBACK + "?code="), params
    # More scopes, or prompt=consent, ask again.
    more = await browser.get(authorize_url(third.client_id, scope="openid offline_access"))
    assert more.headers["location"].startswith("/oauth/consent?")
    forced = await browser.get(authorize_url(third.client_id, prompt="consent"))
    assert forced.headers["location"].startswith("/oauth/consent?")
    page = await browser.get(forced.headers["location"])
    done = await browser.submit(page, "/oauth/consent", decision="allow")
    assert done.headers["location"].startswith(CALLBACK + "?code=")

    events = await site.http.get(
        "/api/v1/auth/me/audit-events",
        headers=bearer(
            (
                await site.http.post(
                    "/api/v1/auth/login", json={"email": signed_in.email, "password": PASSWORD}
                )
            ).json()["tokens"]["access_token"]
        ),
    )
    assert "oauth.consent_granted" in {event["action"] for event in events.json()["data"]}


# ---- sign-out ---------------------------------------------------------------------------------


def id_token_for(site: Site, client_id: str, subject: str, sid: str | None = None, **extra):
    """An ID token as the token endpoint signs them (our key, our issuer, aud = client)."""
    key = site.runtime.tokens.keyring.current
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"iss": ORIGIN, "sub": subject, "aud": client_id, "iat": now, "exp": now + 300}
    claims |= ({"sid": sid} if sid else {}) | extra
    return pyjwt.encode(claims, key.private_key, algorithm=key.alg, headers={"kid": key.kid})


async def test_logout_with_a_valid_hint_ends_the_session_and_returns_with_state(
    site: Site,
) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    browser = signed_in.browser
    expired_hint = id_token_for(site, client.client_id, signed_in.user_id, exp=1)
    answer = await browser.get(
        "/oauth/logout?"
        + urlencode(
            {"id_token_hint": expired_hint, "post_logout_redirect_uri": SIGNED_OUT, "state": "bye"}
        )
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == SIGNED_OUT + "?state=bye"
    assert "__Host-janua_session" not in browser.jar.values
    after = await browser.get(authorize_url(client.client_id, prompt="none"))
    assert_redirect_error(after, "login_required")


async def test_logout_without_a_hint_asks_first_and_posts_back_with_303(site: Site) -> None:
    client = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    browser = signed_in.browser
    ask = await browser.get(
        "/oauth/logout?"
        + urlencode(
            {"client_id": client.client_id, "post_logout_redirect_uri": SIGNED_OUT, "state": "s"}
        )
    )
    assert ask.status_code == 200 and ask.headers["content-security-policy"] == CSP
    assert "Sign out of Janua?" in ask.text and signed_in.email in ask.text
    still = await browser.get(authorize_url(client.client_id, prompt="none"))
    assert "code" in query_of(still.headers["location"])

    forged = await browser.post(
        "/oauth/sign-out", data=form_fields(ask.text, "/oauth/sign-out") | {"csrf_token": "x"}
    )
    assert_error_page(forged, 403)
    done = await browser.submit(ask, "/oauth/sign-out", decision="sign-out")
    assert done.status_code == 303 and done.headers["location"] == SIGNED_OUT + "?state=s"
    after = await browser.get(authorize_url(client.client_id, prompt="none"))
    assert_redirect_error(after, "login_required")

    # Signed out already: the page says so, and a registered redirect is followed at once.
    page = await browser.get("/oauth/sign-out")
    assert page.status_code == 200 and "You are signed out" in page.text


async def test_logout_refuses_bad_hints_and_unregistered_redirects_on_its_own_page(
    site: Site,
) -> None:
    client = await make_client(site.runtime)
    other = await make_client(site.runtime)
    signed_in = await signed_in_browser(site.http, client.client_id)
    good = id_token_for(site, client.client_id, signed_in.user_id)
    bad_requests = [
        {"id_token_hint": "not-a-jwt"},
        {"id_token_hint": id_token_for(site, "cl_unknown", signed_in.user_id)},
        {"id_token_hint": id_token_for(site, client.client_id, signed_in.user_id, iss="https://x")},
        {"id_token_hint": good[:-4] + "AAAA"},
        {"id_token_hint": good, "client_id": other.client_id},
        {"client_id": client.client_id, "post_logout_redirect_uri": "https://evil.example/"},
        {"post_logout_redirect_uri": SIGNED_OUT},
        {"client_id": "cl_unknown"},
    ]
    for params in bad_requests:
        answer = await signed_in.browser.get("/oauth/logout?" + urlencode(params))
        assert_error_page(answer)
    # A first-party access token is not an ID token.
    tokens = (
        await site.http.post(
            "/api/v1/auth/login", json={"email": signed_in.email, "password": PASSWORD}
        )
    ).json()["tokens"]
    answer = await signed_in.browser.get(
        "/oauth/logout?" + urlencode({"id_token_hint": tokens["access_token"]})
    )
    assert_error_page(answer)
    # None of that signed anyone out.
    still = await signed_in.browser.get(authorize_url(client.client_id, prompt="none"))
    assert "code" in query_of(still.headers["location"])


async def test_assets_are_served_with_their_types(site: Site) -> None:
    css = await site.http.get("/oauth/assets/janua.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = await site.http.get("/oauth/assets/passkey.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert (await site.http.get("/oauth/assets/..%2Fsettings.py")).status_code == 404
