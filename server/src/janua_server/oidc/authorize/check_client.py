"""The client: `client_id` must name a registered client (RFC 6749 section 4.1.1). An unknown
client has no trustworthy redirect URI, so the refusal is shown on our page."""

from __future__ import annotations

from janua_server.oidc.authorize.context import (
    MAX_LENGTHS,
    AuthorizationContext,
    Duplicate,
    ErrorPage,
)
from janua_server.oidc.clients import service as clients


async def check(ctx: AuthorizationContext) -> None:
    try:
        client_id = ctx.one("client_id")
    except Duplicate:
        raise ErrorPage("invalid_request", "The client_id parameter was sent twice.") from None
    if client_id is None:
        raise ErrorPage("invalid_request", "The request names no client (client_id is missing).")
    if len(client_id) > MAX_LENGTHS["client_id"]:
        raise ErrorPage("invalid_client", "No application is registered with this client_id.")
    client = await clients.find_client(ctx.conn, client_id)
    if client is None:
        raise ErrorPage("invalid_client", "No application is registered with this client_id.")
    ctx.client = client
