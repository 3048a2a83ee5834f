"""The redirect URI: required, and equal character for character to one the client registered
(RFC 9700 section 4.1.3, OAuth 2.1 section 2.3.1: exact string matching, no normalisation, no
wildcards, no prefix matching). A missing or mismatched URI is refused on our own page: sending
the user there would make Janua an open redirector (RFC 6749 section 4.1.2.1).

One exception, which RFC 8252 section 7.3 makes a MUST: for a registered loopback IP redirect
URI (`http://127.0.0.1/...`, `http://[::1]/...`) any port is accepted, because a native app
listens on whatever port the OS gives it at the time. Everything else (scheme, host, path,
query) still matches exactly, and `localhost`, which RFC 8252 section 8.3 advises against, gets
no such exception.

`state` is read here too: from now on every refusal goes back to the client and carries it.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from janua_server.oidc.authorize.context import (
    MAX_LENGTHS,
    AuthorizationContext,
    Duplicate,
    ErrorPage,
)


async def check(ctx: AuthorizationContext) -> None:
    assert ctx.client is not None
    try:
        redirect_uri = ctx.one("redirect_uri")
    except Duplicate:
        raise ErrorPage("invalid_request", "The redirect_uri parameter was sent twice.") from None
    if redirect_uri is None:
        raise ErrorPage("invalid_request", "The request has no redirect_uri.")
    if len(redirect_uri) > MAX_LENGTHS["redirect_uri"] or not any(
        registered_for(redirect_uri, registered) for registered in ctx.client.redirect_uris
    ):
        raise ErrorPage(
            "invalid_request",
            f"The redirect_uri is not registered for {ctx.client.name}; Janua will not send "
            "you there.",
        )
    ctx.redirect_uri = redirect_uri
    # A duplicated or oversized state is refused by check_params; until then there is none.
    with contextlib.suppress(Duplicate):
        state = ctx.one("state")
        if state is not None and len(state) <= MAX_LENGTHS["state"]:
            ctx.state = state


_LOOPBACK_IPS = ("127.0.0.1", "[::1]")


def registered_for(requested: str, registered: str) -> bool:
    """Whether `requested` may stand for the registered redirect URI `registered`."""
    if requested == registered:
        return True
    return _without_loopback_port(registered) is not None and _without_loopback_port(
        requested
    ) == _without_loopback_port(registered)


def _without_loopback_port(uri: str) -> str | None:
    """`http://127.0.0.1:8123/cb?x` -> `http://127.0.0.1/cb?x`; None unless an http URI on a
    loopback IP literal, written as such (a port that is not all digits is not a port)."""
    if not uri.startswith("http://"):
        return None
    authority, slash, rest = uri[len("http://") :].partition("/")
    for host in _LOOPBACK_IPS:
        if authority == host or (
            authority.startswith(host + ":") and authority[len(host) + 1 :].isdigit()
        ):
            # urlsplit agrees on the host: no user info or other tricks in the authority.
            if urlsplit(uri).hostname not in ("127.0.0.1", "::1"):
                return None
            return f"http://{host}{slash}{rest}"
    return None
