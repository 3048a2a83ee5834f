"""Token revocation (RFC 7009). A client revokes a token issued to it:

- a refresh token: its whole grant ends (section 2.1: the server may, and for a rotation family
  should, revoke the related tokens): refresh tokens fail, access tokens turn inactive;
- an access token: it turns inactive at introspection and userinfo (a JWT stays verifiable
  elsewhere until it expires: keep access tokens short-lived).

Unknown, expired, malformed tokens, and tokens of other clients, are answered 200 and left
alone (section 2.2): the answer never tells whether a token exists.
"""

from __future__ import annotations

from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.grants import family
from janua_server.oidc.introspection import looks_like_jwt


async def revoke(rt: Runtime, client: AuthenticatedClient, token: str) -> None:
    if looks_like_jwt(token):
        try:
            claims = tokens.verify_access_token(rt, token)
        except tokens.NotActive:
            return
        if claims["client_id"] == client.client.client_id:
            await tokens.mark_token_revoked(rt, claims)
        return
    if len(token) > 200:
        return
    async with rt.db.transaction() as conn:
        found = await family.find_refresh_token(conn, token)
        if found is not None and found.grant.client_id == client.client.client_id:
            await family.revoke(rt, conn, found.grant.id)
