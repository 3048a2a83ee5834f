"""The tokens Janua issues to OAuth clients, and what makes one active.

- Access tokens are JWTs per RFC 9068: header `typ: at+jwt`; claims `iss`, `sub` (the user, or
  the client itself for client_credentials), `aud` (OAUTH_ACCESS_TOKEN_AUDIENCE, never the
  first-party JWT_AUDIENCE, so they cannot pass as first-party tokens), `client_id`, `scope`,
  `exp`, `iat`, `jti`, and with a user `auth_time`, `amr`, `sid` (the sign-in session at
  Janua) and `gid` (the grant they belong to, so revoking the grant makes them inactive).
  Organization claims (`org_id`, `org_role`, `org_permissions`) come with the `organization`
  scope.
- ID tokens (OpenID Connect Core section 2): `aud` = `azp` = client_id, `nonce`, `at_hash`
  (section 3.1.3.6), `auth_time`, `amr`, `sid`, plus the claims of the granted scopes.

A JWT stays verifiable until it expires; what Janua can still say about it (introspection,
userinfo) also checks revocation marks in the store: one per revoked access token (`jti`) and
one per revoked grant (`gid`), kept as long as such a token may live.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import service as accounts
from janua_server.contract.models import User
from janua_server.core.keys import VERIFY_LEEWAY_SECONDS, KeyStore, SigningKey
from janua_server.core.runtime import Runtime
from janua_server.organizations import service as organizations

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - the RFC 9068 section 2.1 JWT type
USER_SCOPES = frozenset({"openid", "profile", "email", "offline_access", "organization"})
PROFILE_CLAIMS = ("name", "locale", "zoneinfo", "picture", "updated_at")
EMAIL_CLAIMS = ("email", "email_verified")
ORGANIZATION_CLAIMS = ("org_id", "org_role", "org_permissions")
# Claims a client cannot have overridden by domain claims.
_REGISTERED = frozenset(
    {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "gid", "sid"}
)


def _now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Subject:
    """Who a user-bound token is about, and how they signed in."""

    user_id: uuid.UUID
    auth_time: int
    amr: tuple[str, ...]
    session_id: uuid.UUID | None  # the Janua sign-in session (`sid`)
    grant_id: uuid.UUID


def _sign(rt: Runtime, claims: Mapping[str, Any], typ: str) -> str:
    key = rt.tokens.keyring.current
    return pyjwt.encode(
        dict(claims), key.private_key, algorithm=key.alg, headers={"kid": key.kid, "typ": typ}
    )


def issue_access_token(
    rt: Runtime,
    *,
    client_id: str,
    scope: str,
    subject: Subject | None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """An RFC 9068 access token; `subject` None is a token for the client itself."""
    now = _now()
    claims: dict[str, Any] = {
        key: value for key, value in (extra_claims or {}).items() if key not in _REGISTERED
    }
    claims |= {
        "iss": rt.settings.jwt_issuer,
        "sub": str(subject.user_id) if subject else client_id,
        "aud": rt.settings.oauth_access_token_audience,
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + rt.settings.oauth_access_token_ttl_seconds,
        "jti": secrets.token_urlsafe(16),
    }
    if subject is not None:
        claims["auth_time"] = subject.auth_time
        claims["amr"] = list(subject.amr)
        claims["gid"] = str(subject.grant_id)
        if subject.session_id is not None:
            claims["sid"] = str(subject.session_id)
    return _sign(rt, claims, ACCESS_TOKEN_TYPE)


def at_hash(access_token: str) -> str:
    """OIDC Core section 3.1.3.6: the left half of the SHA-256 of the token (RS256), base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def issue_id_token(
    rt: Runtime,
    *,
    client_id: str,
    subject: Subject,
    access_token: str,
    nonce: str | None,
    claims: Mapping[str, Any],
) -> str:
    """An ID token for `client_id` (OIDC Core section 2), with the scope claims in `claims`."""
    now = _now()
    body: dict[str, Any] = {k: v for k, v in claims.items() if k not in _REGISTERED}
    body |= {
        "iss": rt.settings.jwt_issuer,
        "sub": str(subject.user_id),
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + rt.settings.oauth_id_token_ttl_seconds,
        "auth_time": subject.auth_time,
        "amr": list(subject.amr),
        "at_hash": at_hash(access_token),
    }
    if subject.session_id is not None:
        body["sid"] = str(subject.session_id)
    if nonce is not None:
        body["nonce"] = nonce
    return _sign(rt, body, "JWT")


# --- claims per scope -------------------------------------------------------------------------


def profile_claims(user: User, scopes: Iterable[str]) -> dict[str, Any]:
    """OIDC Core section 5.4: `profile` and `email` claims. Claims without a value are left out
    (section 5.3.2), never sent as null."""
    granted = set(scopes)
    claims: dict[str, Any] = {}
    if "profile" in granted:
        values = {
            "name": user.name,
            "locale": user.locale,
            "zoneinfo": user.timezone,
            "picture": user.picture_url,
            "updated_at": int(user.updated_at.timestamp()),
        }
        claims |= {key: value for key, value in values.items() if value is not None}
    if "email" in granted:
        claims["email"] = user.email
        claims["email_verified"] = user.email_verified
    return claims


async def organization_claims(
    conn: AsyncConnection,
    scopes: Iterable[str],
    organization_id: uuid.UUID | None,
    user_id: uuid.UUID,
) -> dict[str, Any]:
    """`org_id`, `org_role`, `org_permissions` with the `organization` scope, read from the
    membership now (a removed member's next token has none)."""
    if "organization" not in set(scopes) or organization_id is None:
        return {}
    return await organizations.token_claims(conn, organization_id, user_id) or {}


async def user_claims(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    scopes: Sequence[str],
    organization_id: uuid.UUID | None,
) -> dict[str, Any] | None:
    """Every claim the scopes allow about the user; None if the user is gone."""
    user = await accounts.get_user(conn, user_id)
    if user is None:
        return None
    claims = profile_claims(user, scopes)
    claims |= await organization_claims(conn, scopes, organization_id, user_id)
    return claims


# --- verification and revocation ---------------------------------------------------------------


class NotActive(Exception):
    """Not an access token Janua issued to an OAuth client, or no longer valid."""


# token -> verified claims. A cache of a pure function (signature and claims do not change),
# so nothing another process needs; expiry is re-checked at every use.
_verified: dict[str, dict[str, Any]] = {}
_VERIFIED_CAPACITY = 10_000


_ACCESS_TOKEN_TYPES = frozenset({ACCESS_TOKEN_TYPE, "application/at+jwt"})
_ID_TOKEN_TYPES = frozenset({"jwt"})


def _key_for(rt: Runtime, token: str, types: frozenset[str], missing_type: str) -> SigningKey:
    """The published key that signed `token` (its `kid`), if its `typ` (`missing_type` when
    absent) is one of `types`; else NotActive. Nothing is verified yet."""
    try:
        header = pyjwt.get_unverified_header(token)
    except pyjwt.PyJWTError:
        raise NotActive("malformed") from None
    kid = header.get("kid")
    if not isinstance(kid, str) or str(header.get("typ", missing_type)).lower() not in types:
        raise NotActive("not this kind of token")
    keys = rt.tokens.keys
    ring = keys.ring_with(kid) if isinstance(keys, KeyStore) else keys
    key = ring.verification.get(kid)
    if key is None:
        raise NotActive("unknown key")
    return key


def verify_access_token(rt: Runtime, token: str) -> dict[str, Any]:
    """The claims of a valid, unexpired RFC 9068 token of ours, or NotActive. The algorithm is
    pinned to the key's; `typ` must be `at+jwt` (an ID token is not an access token, RFC 9068
    section 4) and `aud` the OAuth audience."""
    cached = _verified.get(token)
    if cached is not None:
        if cached["exp"] + VERIFY_LEEWAY_SECONDS <= time.time():
            raise NotActive("expired")
        return cached
    key = _key_for(rt, token, _ACCESS_TOKEN_TYPES, "")
    try:
        claims: dict[str, Any] = pyjwt.decode(
            token,
            key.public_key,
            algorithms=[key.alg],
            audience=rt.settings.oauth_access_token_audience,
            issuer=rt.settings.jwt_issuer,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"]},
            leeway=VERIFY_LEEWAY_SECONDS,
        )
    except pyjwt.PyJWTError:
        raise NotActive("invalid") from None
    if not all(isinstance(claims[n], str) for n in ("sub", "jti", "client_id", "scope")):
        raise NotActive("malformed claims")
    if len(_verified) >= _VERIFIED_CAPACITY:
        _verified.clear()
    _verified[token] = claims
    return claims


def verify_id_token_hint(rt: Runtime, token: str) -> dict[str, Any]:
    """The claims of an ID token we signed, used as an `id_token_hint` (OIDC Core section
    3.1.2.1, RP-Initiated Logout 1.0 section 2), or NotActive. Signature, algorithm (pinned to
    the key's), issuer and type are checked; expiry is not (a hint is often an old ID token) and
    neither is the audience (the caller compares it with the client)."""
    # An RFC 9068 access token (typ at+jwt) is not an ID token.
    key = _key_for(rt, token, _ID_TOKEN_TYPES, "JWT")
    try:
        claims: dict[str, Any] = pyjwt.decode(
            token,
            key.public_key,
            algorithms=[key.alg],
            issuer=rt.settings.jwt_issuer,
            options={"verify_aud": False, "verify_exp": False, "require": ["iss", "sub", "aud"]},
        )
    except pyjwt.PyJWTError:
        raise NotActive("invalid") from None
    if not isinstance(claims["sub"], str):
        raise NotActive("malformed claims")
    return claims


def audiences(claims: Mapping[str, Any]) -> list[str]:
    """The `aud` claim as a list (a JWT may carry one audience as a string)."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [value for value in aud if isinstance(value, str)] if isinstance(aud, list) else []


def revoked_token_key(jti: str) -> str:
    return f"oauth-at-revoked:{jti}"


def revoked_grant_key(grant_id: uuid.UUID | str) -> str:
    return f"oauth-grant-revoked:{grant_id}"


def revocation_keys(claims: Mapping[str, Any]) -> list[str]:
    """The store keys whose presence makes these claims' token inactive."""
    keys = [revoked_token_key(claims["jti"])]
    if isinstance(claims.get("gid"), str):
        keys.append(revoked_grant_key(claims["gid"]))
    return keys


# Store key -> monotonic deadline until which its absence (not revoked) is trusted without
# asking the store again. Introspection and userinfo are the hot path of resource servers; a
# revocation made through this process is seen here at once (the entry is dropped), one made
# through another process within REVOCATION_RECHECK_SECONDS.
REVOCATION_RECHECK_SECONDS = 1.0
_absent_until: dict[str, float] = {}
_ABSENT_CAPACITY = 100_000


def unchecked(keys: Sequence[str]) -> bool:
    """Whether the store must be asked about `keys` (some absence is not fresh)."""
    now = time.monotonic()
    return any(_absent_until.get(key, 0.0) <= now for key in keys)


def remember_absent(keys: Sequence[str]) -> None:
    if len(_absent_until) >= _ABSENT_CAPACITY:
        _absent_until.clear()
    deadline = time.monotonic() + REVOCATION_RECHECK_SECONDS
    for key in keys:
        _absent_until[key] = deadline


async def is_revoked(rt: Runtime, claims: Mapping[str, Any]) -> bool:
    keys = revocation_keys(claims)
    if not unchecked(keys):
        return False
    if any(mark is not None for mark in await rt.store.get_many(keys)):
        return True
    remember_absent(keys)
    return False


def _mark_seconds(rt: Runtime) -> int:
    # As long as any access token issued before the mark may be accepted.
    return rt.settings.oauth_access_token_ttl_seconds + VERIFY_LEEWAY_SECONDS


async def mark_token_revoked(rt: Runtime, claims: Mapping[str, Any]) -> None:
    remaining = int(claims["exp"]) - _now() + VERIFY_LEEWAY_SECONDS
    if remaining > 0:
        key = revoked_token_key(claims["jti"])
        await rt.store.set(key, b"1", remaining)
        _absent_until.pop(key, None)


async def mark_grant_revoked(rt: Runtime, grant_id: uuid.UUID) -> None:
    key = revoked_grant_key(grant_id)
    await rt.store.set(key, b"1", _mark_seconds(rt))
    _absent_until.pop(key, None)


def expires_in(rt: Runtime) -> int:
    return rt.settings.oauth_access_token_ttl_seconds


def utc(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)
