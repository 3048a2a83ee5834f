"""Tokens about a user (authorization_code and refresh_token grants): an access token, an ID
token with `openid`, the claims the granted scopes allow, read from the account now."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import directory
from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.clients.service import OAuthClient
from janua_server.oidc.grants.family import Grant
from janua_server.oidc.grants.issued import Issued
from janua_server.oidc.protocol import invalid_grant


async def issue(
    rt: Runtime,
    conn: AsyncConnection,
    client: OAuthClient,
    grant: Grant,
    scopes: tuple[str, ...],
    *,
    nonce: str | None,
    refresh_token: str | None,
) -> Issued:
    if await directory.is_disabled(conn, grant.user_id):
        raise invalid_grant("The user's account is disabled.")
    claims = await tokens.user_claims(conn, grant.user_id, scopes, grant.organization_id)
    if claims is None:
        raise invalid_grant("The user no longer exists.")
    scope = " ".join(scopes)
    subject = grant.subject()
    organization = {k: v for k, v in claims.items() if k in tokens.ORGANIZATION_CLAIMS}
    access_token = tokens.issue_access_token(
        rt, client_id=client.client_id, scope=scope, subject=subject, extra_claims=organization
    )
    id_token = None
    if "openid" in scopes:
        id_token = tokens.issue_id_token(
            rt,
            client_id=client.client_id,
            subject=subject,
            access_token=access_token,
            nonce=nonce,
            claims=claims,
        )
    return Issued(
        access_token=access_token,
        expires_in=tokens.expires_in(rt),
        scope=scope,
        refresh_token=refresh_token,
        id_token=id_token,
    )
