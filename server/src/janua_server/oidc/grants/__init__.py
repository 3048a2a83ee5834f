"""The token endpoint's grants (RFC 6749 section 4), one module each, in the manner of panva's
node-oidc-provider (`lib/actions/grants/`): `authorization_code`, `refresh_token`,
`client_credentials`. Each takes the authenticated client and the form parameters and answers
an `Issued` (RFC 6749 section 5.1) or raises an OAuthError (section 5.2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from janua_server.core.audit import Origin
from janua_server.core.runtime import Runtime
from janua_server.oidc import client_auth
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.grants import authorization_code, client_credentials, refresh_token
from janua_server.oidc.grants.issued import Issued
from janua_server.oidc.protocol import OAuthError, Params

Grant = Callable[[Runtime, AuthenticatedClient, Params, Origin], Awaitable[Issued]]

GRANTS: dict[str, Grant] = {
    "authorization_code": authorization_code.exchange,
    "refresh_token": refresh_token.exchange,
    "client_credentials": client_credentials.exchange,
}


async def issue(rt: Runtime, request: Request, params: Params, origin: Origin) -> Issued:
    grant_type = params.require("grant_type", 100)
    client = await client_auth.authenticate(rt, request, params)
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthError("unsupported_grant_type", f"The {grant_type} grant is not supported.")
    if grant_type not in client.client.grant_types:
        raise OAuthError(
            "unauthorized_client", f"This client is not allowed the {grant_type} grant."
        )
    return await grant(rt, client, params, origin)
