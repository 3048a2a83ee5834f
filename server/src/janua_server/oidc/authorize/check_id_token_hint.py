"""`id_token_hint` (OIDC Core section 3.1.2.1): an ID token Janua issued to this client, naming
the user the client believes is signed in. A hint that is not one (another key or issuer, an
access token, another client's) is refused. A sign-in of someone else does not answer the
request: the user signs in again, and with `prompt=none` the answer is `login_required`, so a
client checking silently that its user is still signed in never gets a code for another one.
Expired hints are fine: a client's last ID token has usually expired by the time it asks."""

from __future__ import annotations

import uuid

from janua_server.oidc import tokens
from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError


async def check(ctx: AuthorizationContext) -> None:
    assert ctx.client is not None
    hint = ctx.one("id_token_hint")
    if hint is None:
        return
    try:
        claims = tokens.verify_id_token_hint(ctx.rt, hint)
    except tokens.NotActive:
        raise RedirectError(
            "invalid_request", "The id_token_hint is not a valid ID token issued by Janua."
        ) from None
    if ctx.client.client_id not in tokens.audiences(claims):
        raise RedirectError("invalid_request", "The id_token_hint was issued to another client.")
    ctx.hint_subject = claims["sub"]


def names_someone_else(ctx: AuthorizationContext, user_id: uuid.UUID) -> bool:
    """Whether the hint is about a user other than `user_id` (the one signed in)."""
    return ctx.hint_subject is not None and ctx.hint_subject != str(user_id)
