"""Access tokens: RS256 JWTs carrying iss, sub, aud, exp, iat, jti and sid, plus amr and
auth_time (how and when the user signed in) and any domain claims."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt

from janua_server.core.keys import VERIFY_LEEWAY_SECONDS, KeyRing, KeyStore

REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "sid"]


class InvalidToken(Exception):
    """The token is malformed, badly signed, expired, or not meant for us."""


@dataclass(frozen=True)
class AccessTokenClaims:
    sub: str
    sid: str
    jti: str
    exp: int
    iat: int


class TokenCodec:
    """Signs with the key ring's current key; verifies with any published key. Given a
    `KeyStore`, it follows rotations; given a `KeyRing`, its keys are fixed."""

    def __init__(
        self, keys: KeyStore | KeyRing, *, issuer: str, audience: str, ttl: dt.timedelta
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    @property
    def keyring(self) -> KeyRing:
        return self.keys.ring() if isinstance(self.keys, KeyStore) else self.keys

    def _ring_with(self, kid: str) -> KeyRing:
        return self.keys.ring_with(kid) if isinstance(self.keys, KeyStore) else self.keys

    def issue_access_token(
        self,
        *,
        subject: str,
        session_id: str,
        amr: Sequence[str] = (),
        auth_time: int | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """`amr` (RFC 8176 method references) and `auth_time` say how and when the user signed
        in; `extra_claims` carry domain claims (the active organization) and never override the
        registered ones."""
        now = int(dt.datetime.now(dt.UTC).timestamp())
        key = self.keyring.current
        claims: dict[str, Any] = dict(extra_claims or {})
        if amr:
            claims["amr"] = list(amr)
        if auth_time is not None:
            claims["auth_time"] = auth_time
        claims |= {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "iat": now,
            "exp": now + int(self.ttl.total_seconds()),
            "jti": secrets.token_urlsafe(16),
            "sid": session_id,
        }
        return pyjwt.encode(claims, key.private_key, algorithm=key.alg, headers={"kid": key.kid})

    def verify_access_token(self, token: str) -> AccessTokenClaims:
        try:
            header = pyjwt.get_unverified_header(token)
            kid = header.get("kid")
            if not isinstance(kid, str):
                raise InvalidToken("no key id")
            key = self._ring_with(kid).verification.get(kid)
            if key is None:
                raise InvalidToken("unknown signing key")
            # The algorithm is pinned to the key's, never taken from the token header.
            claims: dict[str, Any] = pyjwt.decode(
                token,
                key.public_key,
                algorithms=[key.alg],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
                leeway=VERIFY_LEEWAY_SECONDS,
            )
        except pyjwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if not all(isinstance(claims[name], str) for name in ("sub", "sid", "jti")):
            raise InvalidToken("malformed claims")
        return AccessTokenClaims(
            sub=claims["sub"],
            sid=claims["sid"],
            jti=claims["jti"],
            exp=claims["exp"],
            iat=claims["iat"],
        )
