"""The refresh_token grant (RFC 6749 section 6) with rotation and reuse detection (RFC 9700
section 4.14.2): every use retires the token and issues its successor; presenting a retired one
means two parties hold the family, so the whole grant is revoked.

`scope` may narrow the new access token (never widen it); the new refresh token keeps the
grant's full scope (section 6), less any scope the client is no longer registered for. The
grant lives OAUTH_REFRESH_TOKEN_EXPIRE_DAYS from the sign-in, however often it is refreshed.
An ID token comes again with `openid` (OIDC Core section 12.2), without `nonce`. A token issued
to another client is `invalid_grant` and burns nothing.
"""

from __future__ import annotations

from janua_server.contract.models import Action
from janua_server.core import audit
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.runtime import Runtime
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.grants import family, user_tokens
from janua_server.oidc.grants.issued import Issued, narrowed, requested_scopes
from janua_server.oidc.protocol import Params, invalid_grant

_INVALID = "The refresh token is invalid, expired or revoked."


async def _reused(rt: Runtime, grant: family.Grant, origin: Origin) -> None:
    async with rt.db.transaction() as conn:
        await family.revoke(rt, conn, grant.id)
        await audit.record(
            conn,
            Action.oauth_grant_refresh_token_reused,
            user_id=grant.user_id,
            origin=origin,
            outcome="failure",
            target=f"oauth_grant:{grant.id}",
            details={"client_id": grant.client_id},
        )


async def exchange(
    rt: Runtime, client: AuthenticatedClient, params: Params, origin: Origin
) -> Issued:
    presented = params.require("refresh_token", 200)
    requested = requested_scopes(params.get("scope", 1000))
    now = utcnow()
    async with rt.db.transaction() as conn:
        found = await family.find_refresh_token(conn, presented)
        if found is None or found.grant.client_id != client.client.client_id:
            raise invalid_grant(_INVALID)
        grant = found.grant
        if grant.revoked or found.expired:
            raise invalid_grant(_INVALID)
        reused = found.rotated or not await family.retire(conn, found.id, now)
        if not reused:
            # An admin who takes a scope away from the client takes it from existing grants.
            registered = set(client.client.scopes)
            scopes = narrowed(requested, tuple(s for s in grant.scopes if s in registered))
            successor = await family.add_refresh_token(rt, conn, grant.id, now)
            return await user_tokens.issue(
                rt, conn, client.client, grant, scopes, nonce=None, refresh_token=successor
            )
    await _reused(rt, grant, origin)
    raise invalid_grant(_INVALID)
