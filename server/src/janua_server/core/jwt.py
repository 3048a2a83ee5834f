"""Access tokens: RS256 JWTs carrying iss, sub, aud, exp, iat, jti and sid."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import jwt as pyjwt

from janua_server.core.keys import KeyRing

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
    def __init__(self, keyring: KeyRing, *, issuer: str, audience: str, ttl: dt.timedelta) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def issue_access_token(self, *, subject: str, session_id: str) -> str:
        now = int(dt.datetime.now(dt.UTC).timestamp())
        key = self.keyring.current
        claims = {
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
            key = self.keyring.verification.get(header.get("kid", ""))
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
                leeway=5,
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
