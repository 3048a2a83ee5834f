"""Token introspection (RFC 7662): may a resource server accept this token now?

Only confidential clients may ask (section 4: the endpoint must not become a token-scanning
oracle for anyone). An access token is active while its signature and claims verify, it has not
expired, neither it nor its grant was revoked, and the client it was issued to is still
registered; any confidential client may introspect it (resource servers are clients too). A
refresh token is described only to the client it was issued to. Anything else is
`{"active": false}` and nothing more (section 2.2).
"""

from __future__ import annotations

from typing import Any

from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.clients import service as clients
from janua_server.oidc.grants import family
from janua_server.oidc.protocol import OAuthError

INACTIVE: dict[str, Any] = {"active": False}
_ANSWERED = ("scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "auth_time", "amr")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


async def active_access_token(rt: Runtime, token: str) -> dict[str, Any] | None:
    """The claims of an active access token, or None."""
    try:
        claims = tokens.verify_access_token(rt, token)
    except tokens.NotActive:
        return None
    if await tokens.is_revoked(rt, claims):
        return None
    if await clients.find_registered_in(rt, claims["client_id"]) is None:
        return None
    return claims


async def _access_token_answer(rt: Runtime, token: str) -> dict[str, Any] | None:
    claims = await active_access_token(rt, token)
    if claims is None:
        return None
    answer: dict[str, Any] = {"active": True, "token_type": "Bearer"}
    answer |= {name: claims[name] for name in _ANSWERED if name in claims}
    if isinstance(answer.get("aud"), list):
        answer["aud"] = " ".join(answer["aud"])
    return answer


async def _refresh_token_answer(
    rt: Runtime, client: AuthenticatedClient, token: str
) -> dict[str, Any] | None:
    async with rt.db.connection() as conn:
        found = await family.find_refresh_token(conn, token)
    if (
        found is None
        or found.grant.client_id != client.client.client_id
        or found.grant.revoked
        or found.expired
        or found.rotated
    ):
        return None
    return {
        "active": True,
        "token_type": "refresh_token",
        "scope": found.grant.scope,
        "client_id": found.grant.client_id,
        "sub": str(found.grant.user_id),
        "iss": rt.settings.jwt_issuer,
        "auth_time": int(found.grant.auth_time.timestamp()),
    }


async def introspect(
    rt: Runtime, client: AuthenticatedClient, token: str, hint: str | None
) -> dict[str, Any]:
    if client.client.is_public:
        raise OAuthError(
            "invalid_client",
            "Only confidential clients may introspect tokens.",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="janua"'},
        )
    # The hint orders the search; it never limits it (RFC 7662 section 2.1).
    if looks_like_jwt(token):
        return await _access_token_answer(rt, token) or INACTIVE
    if len(token) > 200:
        return INACTIVE
    return await _refresh_token_answer(rt, client, token) or INACTIVE
