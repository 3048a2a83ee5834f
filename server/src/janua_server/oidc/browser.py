"""The browser's cookies at the provider, and the CSRF tokens of the hosted forms.

Two `__Host-` cookies (Secure, Path=/, no Domain: no sibling subdomain and no plain-HTTP page can
set or overwrite them), both HttpOnly and SameSite=Lax, so that the top-level redirect back from
a relying party carries them while a cross-site POST does not:

- `__Host-janua_browser`: 256 random bits naming this browser. Authorization interactions are
  bound to it, and every form's CSRF token is an HMAC keyed with it.
- `__Host-janua_session`: the provider sign-in session (see `provider_session`).

A form's CSRF token is HMAC-SHA256(browser secret, purpose), with a purpose naming the form and
the interaction it belongs to: a per-form token bound to the browser, which a page on another
site can neither read nor compute, and which needs no server-side state.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import Response

from janua_server.core import secret_tokens

BROWSER_COOKIE = "__Host-janua_browser"
SESSION_COOKIE = "__Host-janua_session"
# A browser id outlives any one sign-in; a year, renewed whenever a new one is made.
BROWSER_MAX_AGE = 365 * 24 * 3600
_MAX_COOKIE_CHARS = 128


def _cookie(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    # Our values are 43 url-safe characters; anything else was not set by us.
    return value if value and len(value) <= _MAX_COOKIE_CHARS else None


class Browser:
    """What one request tells about its browser; `apply` writes any cookie it had to create."""

    def __init__(self, request: Request) -> None:
        existing = _cookie(request, BROWSER_COOKIE)
        self.is_new = existing is None
        self.secret = existing or secret_tokens.new_token()
        self.session_token = _cookie(request, SESSION_COOKIE)
        self._set_session: tuple[str, int] | None = None
        self._clear_session = False

    @property
    def binding(self) -> str:
        """What server-side records store to bind themselves to this browser (a digest: a store
        leak does not give away the cookie)."""
        return secret_tokens.digest(self.secret)

    def csrf_token(self, purpose: str) -> str:
        return hmac.new(self.secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, purpose: str, presented: str | None) -> bool:
        if self.is_new or not presented:
            return False
        return hmac.compare_digest(self.csrf_token(purpose).encode(), presented.encode())

    def set_session(self, token: str, max_age: int) -> None:
        self.session_token = token
        self._set_session = (token, max_age)

    def clear_session(self) -> None:
        self.session_token = None
        self._clear_session = True

    def apply(self, response: Response) -> Response:
        if self.is_new:
            _set(response, BROWSER_COOKIE, self.secret, BROWSER_MAX_AGE)
        if self._set_session is not None:
            _set(response, SESSION_COOKIE, *self._set_session)
        elif self._clear_session:
            response.delete_cookie(
                SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax"
            )
        return response


def _set(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )
