"""The response type: only the authorization code flow (`code`, RFC 6749 section 4.1), answered
in the query string. The implicit and hybrid flows are not offered (RFC 9700 section 2.1.2), and
the client must be registered for the `authorization_code` grant."""

from __future__ import annotations

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError


async def check(ctx: AuthorizationContext) -> None:
    assert ctx.client is not None
    response_type = ctx.one("response_type")
    if response_type is None:
        raise RedirectError("invalid_request", "The response_type parameter is required.")
    if response_type != "code":
        raise RedirectError(
            "unsupported_response_type", "Only the authorization code flow (code) is supported."
        )
    response_mode = ctx.one("response_mode")
    if response_mode not in (None, "query"):
        raise RedirectError("invalid_request", "Only response_mode=query is supported.")
    if "authorization_code" not in ctx.client.grant_types:
        raise RedirectError(
            "unauthorized_client", "This client may not use the authorization code flow."
        )
