"""The scope (RFC 6749 section 3.3): required, and every value must be one the client may ask
for. `offline_access` (OIDC Core section 11) is dropped, not refused, for a client that may not
use refresh tokens: the authorization server may narrow what it grants."""

from __future__ import annotations

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError


async def check(ctx: AuthorizationContext) -> None:
    assert ctx.client is not None
    requested = (ctx.one("scope") or "").split(" ")
    scopes = tuple(dict.fromkeys(value for value in requested if value))
    if not scopes:
        raise RedirectError("invalid_scope", "The scope parameter is required.")
    for scope in scopes:
        if scope not in ctx.client.scopes:
            raise RedirectError("invalid_scope", f"This client may not ask for the {scope} scope.")
    if "refresh_token" not in ctx.client.grant_types:
        scopes = tuple(scope for scope in scopes if scope != "offline_access")
    ctx.scopes = scopes
    ctx.nonce = ctx.one("nonce")
