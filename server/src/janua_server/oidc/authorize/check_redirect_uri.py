"""The redirect URI: required, and equal character for character to one the client registered
(RFC 9700 section 4.1.3, OAuth 2.1 section 2.3.1: exact string matching, no normalisation, no
wildcards, no prefix matching). A missing or mismatched URI is refused on our own page: sending
the user there would make Janua an open redirector (RFC 6749 section 4.1.2.1).

`state` is read here too: from now on every refusal goes back to the client and carries it.
"""

from __future__ import annotations

import contextlib

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
    if (
        len(redirect_uri) > MAX_LENGTHS["redirect_uri"]
        or redirect_uri not in ctx.client.redirect_uris
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
