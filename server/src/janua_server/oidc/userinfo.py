"""The UserInfo endpoint (OpenID Connect Core section 5.3): the signed-in user's claims for an
active access token issued to an OAuth client with `openid`; `profile`, `email` and
`organization` add theirs (section 5.4). A client_credentials token has no user: invalid.

One store round trip at most (revocation marks and the cached profile together), usually none:
the profile is kept in-process for PROFILE_SECONDS, revocation absence as `tokens` explains.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from janua_server.accounts import directory
from janua_server.accounts import service as accounts
from janua_server.contract.models import User
from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.clients import service as clients

# A profile change shows at userinfo within this long (plus the shared store's user cache).
PROFILE_SECONDS = 1.0
_profiles: dict[uuid.UUID, tuple[float, User]] = {}
_PROFILE_CAPACITY = 10_000


class InvalidToken(Exception):
    """RFC 6750 `invalid_token`."""


class InsufficientScope(Exception):
    """RFC 6750 `insufficient_scope`: the token lacks `openid`."""


def _recent_profile(user_id: uuid.UUID) -> User | None:
    entry = _profiles.get(user_id)
    return entry[1] if entry is not None and entry[0] > time.monotonic() else None


def _keep_profile(user: User) -> None:
    if len(_profiles) >= _PROFILE_CAPACITY:
        _profiles.clear()
    _profiles[user.id] = (time.monotonic() + PROFILE_SECONDS, user)


def _verified_user_claims(rt: Runtime, access_token: str) -> tuple[dict[str, Any], uuid.UUID]:
    try:
        claims = tokens.verify_access_token(rt, access_token)
    except tokens.NotActive:
        raise InvalidToken from None
    if "gid" not in claims:
        raise InvalidToken  # a client's own token (client_credentials): no user
    if "openid" not in claims["scope"].split():
        raise InsufficientScope
    try:
        return claims, uuid.UUID(claims["sub"])
    except ValueError:
        raise InvalidToken from None


async def _store_lookups(
    rt: Runtime, claims: dict[str, Any], user_id: uuid.UUID, profile: User | None
) -> User | None:
    """Revocation marks (unless fresh) and the shared profile cache (unless held), in one
    round trip; InvalidToken when revoked."""
    marks = (
        tokens.revocation_keys(claims) if tokens.unchecked(tokens.revocation_keys(claims)) else []
    )
    shared = profile is None and accounts.profiles_cached(rt.store)
    keys = marks + ([accounts.user_cache_key(user_id)] if shared else [])
    if not keys:
        return profile
    values = await rt.store.get_many(keys)
    if any(value is not None for value in values[: len(marks)]):
        raise InvalidToken
    tokens.remember_absent(marks)
    if shared and values[-1] is not None:
        return User.model_validate_json(values[-1])
    return profile


async def claims_for(rt: Runtime, access_token: str) -> dict[str, Any]:
    claims, user_id = _verified_user_claims(rt, access_token)
    scopes = claims["scope"].split()
    user = await _store_lookups(rt, claims, user_id, _recent_profile(user_id))
    if await clients.find_registered_in(rt, claims["client_id"]) is None:
        raise InvalidToken
    organization_id = claims.get("org_id")
    organization: dict[str, Any] = {}
    if user is None or ("organization" in scopes and isinstance(organization_id, str)):
        async with rt.db.connection() as conn:
            if user is None:
                user = await accounts.get_user(conn, user_id)
                if user is None or await directory.is_disabled(conn, user_id):
                    raise InvalidToken
                await accounts.cache_user(rt.store, user)
            if isinstance(organization_id, str):
                organization = await tokens.organization_claims(
                    conn, scopes, uuid.UUID(organization_id), user_id
                )
    _keep_profile(user)
    return {"sub": str(user_id)} | tokens.profile_claims(user, scopes) | organization
