"""The client_credentials grant (RFC 6749 section 4.4): a confidential client asks for a token
for itself. Only the client's own API scopes can be granted: the user scopes (`openid`,
`profile`, ...) have no user to be about. No refresh token (section 4.4.3), no ID token.

The hot path of machine-to-machine traffic: the client look-up is cached in-process and nothing
else touches the database or the store.
"""

from __future__ import annotations

from janua_server.core.audit import Origin
from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.grants.issued import Issued, narrowed, requested_scopes
from janua_server.oidc.protocol import OAuthError, Params


async def exchange(
    rt: Runtime, client: AuthenticatedClient, params: Params, origin: Origin
) -> Issued:
    if client.client.is_public:
        # Registration forbids it; kept here as the rule's home (RFC 6749 section 4.4).
        raise OAuthError("unauthorized_client", "A public client cannot use client_credentials.")
    requested = requested_scopes(params.get("scope", 1000))
    if requested is not None:
        for scope in requested:
            if scope in tokens.USER_SCOPES:
                raise OAuthError(
                    "invalid_scope", f"The {scope} scope needs a user; client_credentials has none."
                )
    allowed = tuple(s for s in client.client.scopes if s not in tokens.USER_SCOPES)
    scope = " ".join(narrowed(requested, allowed))
    token = tokens.issue_access_token(
        rt, client_id=client.client.client_id, scope=scope, subject=None
    )
    return Issued(access_token=token, expires_in=tokens.expires_in(rt), scope=scope)
