"""Facade behaviour that needs no server: an httpx MockTransport plays the API.

Typed errors (MFA_REQUIRED, RFC 6749 OAuth errors), which operations keep or drop the token
pair, the friendlier argument forms (str for UUIDs and enums, dicts for nested models), extra
headers, OAuth client authentication, redirects and pagination.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import janua
import pytest

PAIR = {
    "access_token": "at-2",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "rt-2",
    "refresh_token_expires_in": 86400,
}
USER = {
    "id": str(uuid.uuid4()),
    "email": "ada@example.com",
    "name": None,
    "email_verified": True,
    "locale": None,
    "timezone": None,
    "picture_url": None,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


class Api:
    """Answers by `METHOD /path`; records every request."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[f"{request.method} {request.url.path}"](request)

    def sync(self, **options: Any) -> janua.Janua:
        return janua.Janua(
            "http://janua.test", transport=httpx.MockTransport(self.handle), **options
        )

    def async_(self, **options: Any) -> janua.AsyncJanua:
        transport = httpx.MockTransport(self.handle)
        return janua.AsyncJanua("http://janua.test", transport=transport, **options)


def answer(
    status: int, body: Any = None, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, headers=headers)


MFA_REQUIRED = {
    "type": "urn:janua:problem:mfa-required",
    "title": "Second factor required",
    "status": 403,
    "code": "MFA_REQUIRED",
    "mfa_token": "mfa-1",
    "mfa_token_expires_in": 300,
    "mfa_methods": ["totp", "recovery_code"],
}


def test_mfa_required_is_typed_and_stores_nothing() -> None:
    api = Api(
        {
            "POST /api/v1/auth/login": answer(403, MFA_REQUIRED),
            "POST /api/v1/auth/mfa/challenge": answer(200, {"user": USER, "tokens": PAIR}),
        }
    )
    client = api.sync()
    with pytest.raises(janua.MfaRequiredError) as caught:
        client.auth.login(email="ada@example.com", password="pw")
    error = caught.value
    assert isinstance(error, janua.AuthorizationError)
    assert (error.status, error.code) == (403, "MFA_REQUIRED")
    assert error.mfa_token == "mfa-1"
    assert error.mfa_methods == error.methods == ["totp", "recovery_code"]
    assert error.mfa_token_expires_in == 300
    assert client.token_store.get() is None

    session = client.mfa.verify_challenge(mfa_token=error.mfa_token, method="totp", code="123456")
    assert session.tokens.access_token == "at-2"
    assert client.token_store.get().access_token == "at-2"
    sent = json.loads(api.requests[-1].content)
    assert sent == {"mfa_token": "mfa-1", "method": "totp", "code": "123456"}


def test_oauth_errors_carry_the_rfc6749_code() -> None:
    api = Api(
        {"POST /oauth/token": answer(400, {"error": "invalid_grant", "error_description": "used"})}
    )
    with pytest.raises(janua.BadRequestError) as caught:
        api.sync().oauth.token(
            grant_type="authorization_code", code="c", client_auth=("app", "s:cr et")
        )
    assert (caught.value.status, caught.value.code, caught.value.detail) == (
        400,
        "invalid_grant",
        "used",
    )
    request = api.requests[0]
    expected = base64.b64encode(b"app:s%3Acr+et").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


SIGNED_IN = {"user": USER, "tokens": PAIR}
ASSERTION = {
    "id": "x",
    "rawId": "x",
    "type": "public-key",
    "response": {"clientDataJSON": "x", "authenticatorData": "x", "signature": "x"},
}
TOKEN_ANSWERS = {
    "POST /api/v1/auth/register": (
        lambda c: c.auth.register(email="a@example.com", password="pw"),
        SIGNED_IN,
    ),
    "POST /api/v1/auth/organization": (
        lambda c: c.organizations.switch(organization_id=str(uuid.uuid4())),
        PAIR,
    ),
    "POST /api/v1/invitations/register": (
        lambda c: c.organizations.register_with_invitation(token="t", password="pw"),
        SIGNED_IN,
    ),
    "POST /api/v1/auth/passkey/login": (
        lambda c: c.passkeys.login(challenge_id="c", credential=ASSERTION),
        SIGNED_IN,
    ),
    "POST /api/v1/auth/token/refresh": (lambda c: c.auth.refresh(), PAIR),
}


@pytest.mark.parametrize("route", sorted(TOKEN_ANSWERS))
def test_operations_answering_tokens_store_them(route: str) -> None:
    call, body = TOKEN_ANSWERS[route]
    api = Api({route: answer(201 if "register" in route else 200, body)})
    client = api.sync(access_token="at-1", refresh_token="rt-1")
    call(client)
    held = client.token_store.get()
    assert (held.access_token, held.refresh_token) == ("at-2", "rt-2")
    assert held.expires_at is not None


def test_refresh_sends_the_stored_refresh_token_and_switch_keeps_it() -> None:
    pair_without_refresh = {k: v for k, v in PAIR.items() if k != "refresh_token"}
    api = Api(
        {
            "POST /api/v1/auth/token/refresh": answer(200, PAIR),
            "POST /api/v1/auth/organization": answer(200, pair_without_refresh),
        }
    )
    client = api.sync(access_token="at-1", refresh_token="rt-1")
    client.auth.refresh()
    assert json.loads(api.requests[0].content) == {"refresh_token": "rt-1"}
    client.organizations.switch(organization_id=None)
    assert client.token_store.get().refresh_token == "rt-2"  # an answer without one keeps it


def test_logout_clears_the_tokens() -> None:
    api = Api({"POST /api/v1/auth/logout": lambda r: httpx.Response(204)})
    client = api.sync(access_token="at-1", refresh_token="rt-1")
    assert client.auth.logout() is None
    assert client.token_store.get() is None
    assert api.requests[0].headers["authorization"] == "Bearer at-1"


def test_friendly_arguments_and_extra_headers() -> None:
    org = str(uuid.uuid4())
    api = Api(
        {
            f"POST /api/v1/organizations/{org}/members": answer(201, {}),
            "PATCH /api/v1/organizations-by-slug/acme": answer(200, {}),
        }
    )
    client = api.sync(access_token="at-1")
    user = str(uuid.uuid4())
    with pytest.raises(Exception):  # noqa: B017 - the made-up answer does not parse
        client.organizations.add_member(org, user_id=user, headers={"X-Trace": "t-1"})
    request = api.requests[0]
    assert request.url.path == f"/api/v1/organizations/{org}/members"
    assert json.loads(request.content) == {"user_id": user}
    assert request.headers["x-trace"] == "t-1"
    # `slug` is both the path parameter and a body field: the body goes whole as `body=`.
    with pytest.raises(Exception):  # noqa: B017
        client.organizations.update_by_slug("acme", body={"slug": "acme-2"})
    assert json.loads(api.requests[1].content) == {"slug": "acme-2"}


def test_redirects_return_the_location() -> None:
    api = Api(
        {"GET /oauth/authorize": lambda r: httpx.Response(303, headers={"Location": "/login?x=1"})}
    )
    location = api.sync().oauth.authorize(
        client_id="app", redirect_uri="https://app.example/cb", response_type="code", scope="openid"
    )
    assert location == "/login?x=1"


def test_user_info_sends_the_oauth_access_token_not_the_session_token() -> None:
    api = Api({"GET /oauth/userinfo": answer(200, {"sub": "u"})})
    api.sync(access_token="session").oauth.user_info(access_token="oauth-token")
    assert api.requests[0].headers["authorization"] == "Bearer oauth-token"


async def test_async_pagination_and_pages() -> None:
    first = str(uuid.uuid4())
    session = {
        "id": first,
        "current": True,
        "device_label": None,
        "created_at": "2026-01-01T00:00:00Z",
        "last_seen_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-02-01T00:00:00Z",
        "ip": None,
        "user_agent": None,
    }

    def sessions(request: httpx.Request) -> httpx.Response:
        if "cursor" in request.url.params:
            return httpx.Response(200, json={"data": [session], "next_cursor": None})
        return httpx.Response(200, json={"data": [session], "next_cursor": first})

    api = Api({"GET /api/v1/sessions": sessions})
    async with api.async_(access_token="at-1") as client:
        items = [s async for s in client.sessions.list(limit=1)]
        assert len(items) == 2
        page = await client.sessions.list_page(limit=1)
        assert str(page.next_cursor) == first
    assert [r.url.params.get("limit") for r in api.requests] == ["1", "1", "1"]


# -- a refused refresh ends the sign-in (as in the TypeScript client) ----------------------------

REFRESH = "POST /api/v1/auth/token/refresh"
ME = "GET /api/v1/auth/me"


def problem(status: int, code: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": code, "status": status, "code": code}


def me_with(access_token: str) -> Callable[[httpx.Request], httpx.Response]:
    """`auth.me`: the user for `access_token`, else 401 TOKEN_ERROR (as the server answers)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") == f"Bearer {access_token}":
            return httpx.Response(200, json=USER)
        return httpx.Response(401, json=problem(401, "TOKEN_ERROR"))

    return handle


def paths(api: Api) -> list[str]:
    return [f"{r.method} {r.url.path}" for r in api.requests]


@pytest.mark.parametrize("status", [401, 400])
@pytest.mark.parametrize("expired", [True, False], ids=["expired", "refused-access-token"])
def test_refused_refresh_clears_the_tokens_and_is_not_retried(status: int, expired: bool) -> None:
    api = Api({REFRESH: answer(status, problem(status, "TOKEN_ERROR")), ME: me_with("at-2")})
    # expired: only a refresh token (the first call refreshes); else an access token the server
    # refuses (401 TOKEN_ERROR, then a refresh).
    client = (
        api.sync(refresh_token="rt-1")
        if expired
        else api.sync(access_token="at-1", refresh_token="rt-1")
    )
    with pytest.raises(janua.TokenError) as refused:
        client.auth.me()
    assert refused.value.status == status
    assert client.token_store.get() is None
    assert paths(api).count(REFRESH) == 1

    with pytest.raises(janua.AuthenticationError):
        client.auth.me()
    assert paths(api).count(REFRESH) == 1  # no second refresh of the dead sign-in
    assert "authorization" not in api.requests[-1].headers


@pytest.mark.parametrize(
    "refresh_answer",
    [
        answer(503, problem(503, "INTERNAL_ERROR")),
        answer(429, problem(429, "RATE_LIMIT_ERROR"), **{"Retry-After": "0"}),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")),
    ],
    ids=["503", "429", "network"],
)
def test_refresh_failing_otherwise_keeps_the_tokens(refresh_answer: Any) -> None:
    api = Api({REFRESH: refresh_answer, ME: me_with("at-2")})
    client = api.sync(refresh_token="rt-1", max_retries=0)
    with pytest.raises((janua.ServerError, janua.RateLimitError, janua.NetworkError)):
        client.auth.me()
    assert client.token_store.get() == janua.Tokens("", "rt-1", expires_at=0.0)

    api.routes[REFRESH] = answer(200, PAIR)  # the server is back: the same tokens still work
    assert client.auth.me().email == USER["email"]
    assert paths(api).count(REFRESH) == 2
    assert client.token_store.get().refresh_token == "rt-2"


def test_explicit_refresh_refused_clears_only_the_stored_sign_in() -> None:
    api = Api({REFRESH: answer(401, problem(401, "TOKEN_ERROR"))})
    client = api.sync(access_token="at-1", refresh_token="rt-1")
    with pytest.raises(janua.TokenError):
        client.auth.refresh(refresh_token="someone-elses")  # not the stored one: kept
    assert client.token_store.get().refresh_token == "rt-1"
    with pytest.raises(janua.TokenError):
        client.auth.refresh()  # the stored one: refused, so forgotten
    assert client.token_store.get() is None


def test_refused_refresh_keeps_tokens_stored_meanwhile() -> None:
    """A sign-in that replaced the refreshed tokens while the refresh ran is not cleared."""
    client: janua.Janua

    def refuse(request: httpx.Request) -> httpx.Response:
        client.token_store.set(janua.Tokens("at-new", "rt-new"))
        return httpx.Response(401, json=problem(401, "TOKEN_ERROR"))

    api = Api({REFRESH: refuse})
    client = api.sync(refresh_token="rt-1")
    with pytest.raises(janua.TokenError):
        client.auth.me()
    assert client.token_store.get() == janua.Tokens("at-new", "rt-new")


def test_concurrent_threads_share_one_refused_refresh() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    started = threading.Event()

    def refuse(request: httpx.Request) -> httpx.Response:
        started.set()
        threading.Event().wait(0.1)  # let the other callers queue on the refresh lock
        return httpx.Response(401, json=problem(401, "TOKEN_ERROR"))

    api = Api({REFRESH: refuse, ME: me_with("at-2")})
    client = api.sync(refresh_token="rt-1")

    def me() -> BaseException | None:
        try:
            client.auth.me()
        except janua.JanuaError as exc:
            return exc
        return None

    with ThreadPoolExecutor(5) as pool:
        errors = list(pool.map(lambda _: me(), range(5)))
    assert all(isinstance(e, janua.AuthenticationError) for e in errors), errors
    assert paths(api).count(REFRESH) == 1
    assert client.token_store.get() is None


async def test_async_refused_refresh_is_shared_cleared_and_not_retried() -> None:
    import asyncio

    async def refuse(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)  # the other callers wait for this one refresh
        return httpx.Response(401, json=problem(401, "TOKEN_ERROR"))

    api = Api({REFRESH: refuse, ME: me_with("at-2")})  # type: ignore[dict-item]
    async with api.async_(refresh_token="rt-1") as client:
        results = await asyncio.gather(
            *(client.auth.me() for _ in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, janua.AuthenticationError) for r in results), results
        assert any(isinstance(r, janua.TokenError) for r in results)
        assert paths(api).count(REFRESH) == 1
        assert client.token_store.get() is None

        with pytest.raises(janua.AuthenticationError):
            await client.auth.me()
        with pytest.raises(janua.TokenError):  # nothing left to refresh with: no request
            await client.auth.refresh()
        assert paths(api).count(REFRESH) == 1


async def test_async_refresh_503_keeps_the_tokens() -> None:
    api = Api({REFRESH: answer(503, problem(503, "INTERNAL_ERROR")), ME: me_with("at-2")})
    async with api.async_(access_token="at-1", refresh_token="rt-1", max_retries=0) as client:
        with pytest.raises(janua.ServerError):
            await client.auth.me()
        assert client.token_store.get() == janua.Tokens("at-1", "rt-1")
        api.routes[REFRESH] = answer(200, PAIR)
        assert (await client.auth.me()).email == USER["email"]
        assert paths(api).count(REFRESH) == 2


def test_tokens_repr_hides_the_tokens() -> None:
    access, refresh = "eyJhbGciOiJSUzI1NiJ9.payload.signature-abcd", "refresh-secret-value-wxyz"
    client = janua.Janua("http://janua.test", access_token=access, refresh_token=refresh)
    shown = f"{client.token_store.get()!r} {client.token_store.get()}"
    assert access not in shown and refresh not in shown
    assert "...abcd" in shown and "...wxyz" in shown  # still tells two pairs apart
    assert "refresh_token=None" in repr(janua.Tokens("short"))


def test_generated_models_keep_credentials_out_of_their_repr() -> None:
    from janua._generated.models import TokenPair, TotpSetup

    pair = TokenPair.from_dict(
        {
            "access_token": "eyJ.access-secret.sig",
            "token_type": "Bearer",
            "expires_in": 900,
            "refresh_token_expires_in": 2592000,
            "refresh_token": "refresh-secret",
        }
    )
    setup = TotpSetup.from_dict(
        {
            "secret": "JBSWY3DPEHPK3PXP",
            "otpauth_uri": "otpauth://totp/Janua:ada?secret=JBSWY3DPEHPK3PXP",
            "qr_code_svg": "<svg>JBSWY3DPEHPK3PXP</svg>",
            "qr_code_data_uri": "data:image/svg+xml;base64,AAAA",
        }
    )
    shown = f"{pair!r} {setup!r}"
    for secret in ("access-secret", "refresh-secret", "JBSWY3DPEHPK3PXP", "AAAA"):
        assert secret not in shown, shown
    assert "expires_in=900" in shown  # the rest still shows
    assert pair.access_token == "eyJ.access-secret.sig"  # and the values are all there


def test_network_errors_name_the_request_but_not_its_query() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    api = Api({"GET /oauth/logout": refuse, "GET /api/v1/auth/me": refuse})
    with api.sync(max_retries=0, access_token="at") as client:
        with pytest.raises(janua.NetworkError) as caught:
            client.auth.me()
        assert str(caught.value).startswith("network error: GET http://janua.test/api/v1/auth/me: ")
        assert "Connection refused" in str(caught.value)
        with pytest.raises(janua.NetworkError) as caught:
            client.oauth.end_session(id_token_hint="eyJ.secret.jwt")
        assert "/oauth/logout" in str(caught.value) and "secret" not in str(caught.value)
