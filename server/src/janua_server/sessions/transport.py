"""How the refresh token travels: in the JSON body (default), or for browsers in an HttpOnly
`__Host-` cookie with a double-submit CSRF token.

The cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so neither a sibling subdomain
nor plain HTTP can set or overwrite it. A cookie-authenticated refresh must carry
`X-CSRF-Token` equal to the readable `__Host-janua_csrf` cookie: a cross-site page can make the
browser send the cookies but cannot read them to forge the header.
"""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from janua_server.contract.models import ErrorCode, TokenPair
from janua_server.core import secret_tokens
from janua_server.core.errors import ApiError, token_error
from janua_server.settings import Settings

REFRESH_COOKIE = "__Host-janua_refresh"
CSRF_COOKIE = "__Host-janua_csrf"
CSRF_HEADER = "x-csrf-token"


def deliver(
    response: Response,
    tokens: TokenPair,
    transport: str,
    settings: Settings,
    *,
    csrf: str | None = None,
) -> TokenPair:
    """The token pair as the client should see it; in cookie mode, also set the cookies."""
    if transport != "cookie":
        return tokens
    csrf_token = csrf or secret_tokens.new_token()
    max_age = tokens.refresh_token_expires_in
    response.set_cookie(
        REFRESH_COOKIE, tokens.refresh_token or "", max_age=max_age, path="/", secure=True,
        httponly=True, samesite=settings.cookie_samesite,
    )  # fmt: skip
    response.set_cookie(
        CSRF_COOKIE, csrf_token, max_age=max_age, path="/", secure=True, httponly=False,
        samesite=settings.cookie_samesite,
    )  # fmt: skip
    return TokenPair(
        access_token=tokens.access_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
        csrf_token=csrf_token,
        refresh_token_expires_in=tokens.refresh_token_expires_in,
    )


def refresh_token_of(request: Request, body_token: str | None) -> tuple[str, str]:
    """The presented refresh token and its transport. A cookie counts only with a matching
    CSRF header; the body token, when sent, wins (it is not ambient, so needs no CSRF check)."""
    if body_token is not None:
        return body_token, "body"
    cookie = request.cookies.get(REFRESH_COOKIE)
    if not cookie:
        raise token_error("A refresh token is required.", bearer=False)
    expected = request.cookies.get(CSRF_COOKIE, "")
    presented = request.headers.get(CSRF_HEADER, "")
    if not expected or not hmac.compare_digest(expected.encode(), presented.encode()):
        raise ApiError(
            403, ErrorCode.AUTHORIZATION_ERROR, "The CSRF token is missing or does not match."
        )
    return cookie, "cookie"


def clear(response: Response) -> None:
    for name in (REFRESH_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=True, httponly=name == REFRESH_COOKIE)
