"""Verify Janua access tokens in a service: `janua.verify_token` and `janua.TokenVerifier`.

    verifier = janua.TokenVerifier(issuer="https://id.example.com", audience="janua")
    claims = verifier.verify(bearer)          # or `await verifier.verify_async(bearer)`

The signing keys come from the issuer's JWKS (`<issuer>/.well-known/jwks.json` unless
`jwks_url` says otherwise), fetched with httpx and cached. A token whose `kid` the cache lacks
makes one re-fetch, at most one per `refetch_interval` seconds, so a key rotation needs no
restart while a flood of made-up `kid`s cannot turn the service into a JWKS hammer.

The algorithm is the key's, not the token's: a key of type RSA verifies RS256, an EC P-256 key
ES256 (or the key's own `alg` when the JWKS names one), and only those two are ever accepted.
`none` and the HMAC family are refused whatever the header says, so a token "signed" with the
public key as an HMAC secret cannot pass (RFC 8725 section 3.1). `iss`, `aud`, `exp` and `sub`
must be present and right; `nbf` and `iat` are checked when present.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx
import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from janua._errors import TokenError

#: Signature algorithms a Janua key can use; nothing else is ever accepted.
ALGORITHMS = ("RS256", "ES256")
_KEY_ALGORITHM = {"RSA": "RS256", "EC": "ES256"}
REQUIRED_CLAIMS = ("iss", "aud", "exp", "sub")


class InvalidTokenError(TokenError):
    """The token is not acceptable. `reason` says why, one of: `malformed`, `algorithm`,
    `unknown_kid`, `signature`, `expired`, `not_yet_valid`, `issuer`, `audience`,
    `missing_claim`, `jwks` (the keys could not be fetched)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, status=401, code="TOKEN_ERROR", detail=message)
        self.reason = reason


class TokenVerifier:
    """Checks Janua access tokens against the issuer's published keys; thread- and task-safe.

    - `issuer`: the expected `iss` (the server's public base URL unless JWT_ISSUER says otherwise).
    - `audience`: the expected `aud` (JWT_AUDIENCE, `janua` by default), or any of a list.
    - `jwks_url`: default `<issuer>/.well-known/jwks.json`.
    - `algorithms`: a subset of RS256 / ES256 (default both).
    - `leeway`: accepted clock skew in seconds for `exp` / `nbf` / `iat`.
    - `cache_ttl`: seconds fetched keys are trusted before a routine re-fetch.
    - `refetch_interval`: least seconds between two fetches caused by an unknown `kid`.
    - `transport` / `async_transport`: httpx transports for the JWKS download (tests, proxies).
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str | Sequence[str],
        jwks_url: str | None = None,
        algorithms: Sequence[str] = ALGORITHMS,
        leeway: float = 0.0,
        cache_ttl: float = 600.0,
        refetch_interval: float = 30.0,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        refused = [a for a in algorithms if a not in ALGORITHMS]
        if refused or not algorithms:
            raise ValueError(f"algorithms must be a subset of {ALGORITHMS}, not {refused}")
        self.issuer = issuer
        self.audience = [audience] if isinstance(audience, str) else list(audience)
        self.jwks_url = jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json"
        self.algorithms = tuple(algorithms)
        self.leeway = leeway
        self.cache_ttl = cache_ttl
        self.refetch_interval = refetch_interval
        self.timeout = timeout
        self._transport = transport
        self._async_transport = async_transport
        self._keys: dict[str, tuple[str, Any]] = {}  # kid -> (algorithm, public key)
        self._fetched_at: float | None = None  # monotonic time of the last good fetch
        self._failed_at: float | None = None  # ... and of the last failed one
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        #: How many times the JWKS was downloaded (for monitoring and tests).
        self.fetch_count = 0

    # -- public -----------------------------------------------------------------------------------

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or `InvalidTokenError`. May download the JWKS (blocking)."""
        kid = self._kid(token)
        if self._needs_fetch(kid):
            with self._lock:
                if self._needs_fetch(kid):
                    self._fetch(self._download)
        return self._decode(token, kid)

    async def verify_async(self, token: str) -> dict[str, Any]:
        """`verify` for asyncio code: the JWKS download does not block the event loop."""
        kid = self._kid(token)
        if self._needs_fetch(kid):
            if self._async_lock is None:
                self._async_lock = asyncio.Lock()
            async with self._async_lock:
                if self._needs_fetch(kid):
                    try:
                        content = await self._download_async()
                    except InvalidTokenError:
                        if not self._keys:
                            raise  # nothing to fall back on
                    else:
                        self._install(content)
        return self._decode(token, kid)

    # -- keys -------------------------------------------------------------------------------------

    def _kid(self, token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"malformed token: {exc}", "malformed") from exc
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise InvalidTokenError(f"algorithm {alg!r} is not accepted", "algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("the token names no key (`kid`)", "unknown_kid")
        return kid

    def _needs_fetch(self, kid: str) -> bool:
        now = time.monotonic()
        if self._failed_at is not None and now - self._failed_at < self.refetch_interval:
            return False  # the JWKS was unreachable a moment ago: keep the keys we have
        if self._fetched_at is None or now - self._fetched_at >= self.cache_ttl:
            return True
        # An unknown kid (a rotated key?) re-fetches, but not more often than refetch_interval.
        return kid not in self._keys and now - self._fetched_at >= self.refetch_interval

    def _fetch(self, download: Any) -> None:
        try:
            content = download()
        except InvalidTokenError:
            if not self._keys:
                raise  # nothing to fall back on; with keys, a known kid still verifies
        else:
            self._install(content)

    def _download(self) -> bytes:
        try:
            with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
                response = client.get(self.jwks_url)
                response.raise_for_status()
                return response.content
        except httpx.HTTPError as exc:
            raise self._jwks_error(exc) from exc

    async def _download_async(self) -> bytes:
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, transport=self._async_transport
            ) as client:
                response = await client.get(self.jwks_url)
                response.raise_for_status()
                return response.content
        except httpx.HTTPError as exc:
            raise self._jwks_error(exc) from exc

    def _jwks_error(self, exc: Exception) -> InvalidTokenError:
        # Not again at once: the next attempt waits refetch_interval; the old keys stay usable.
        self._failed_at = time.monotonic()
        return InvalidTokenError(f"cannot fetch the JWKS from {self.jwks_url}: {exc}", "jwks")

    def _install(self, content: bytes) -> None:
        self.fetch_count += 1
        try:
            document = json.loads(content)
            entries = document["keys"]
        except (ValueError, KeyError, TypeError) as exc:
            self._failed_at = time.monotonic()
            raise InvalidTokenError(f"the JWKS at {self.jwks_url} is malformed", "jwks") from exc
        keys: dict[str, tuple[str, Any]] = {}
        for entry in entries if isinstance(entries, list) else []:
            parsed = _public_key(entry, self.algorithms)
            if parsed is not None:
                keys[entry["kid"]] = parsed
        self._keys = keys
        self._fetched_at = time.monotonic()
        self._failed_at = None

    # -- claims -----------------------------------------------------------------------------------

    def _decode(self, token: str, kid: str) -> dict[str, Any]:
        found = self._keys.get(kid)
        if found is None:
            raise InvalidTokenError(f"no published key has kid {kid!r}", "unknown_kid")
        algorithm, key = found
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],  # the key's algorithm, whatever the header claims
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_signature": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("the token has expired", "expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise InvalidTokenError("the token is not valid yet", "not_yet_valid") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidTokenError("the token has another issuer", "issuer") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidTokenError("the token is for another audience", "audience") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidTokenError(str(exc), "missing_claim") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise InvalidTokenError(f"algorithm mismatch: {exc}", "algorithm") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidTokenError("the signature does not verify", "signature") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"malformed token: {exc}", "malformed") from exc
        return claims


def _public_key(entry: Any, allowed: Sequence[str]) -> tuple[str, Any] | None:
    """(algorithm, key) of one JWK usable for signatures, or None to skip it."""
    if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
        return None
    if entry.get("use", "sig") != "sig" or any(k in entry for k in ("d", "k")):
        return None  # an encryption key, a private key or a symmetric secret: never for this
    algorithm = entry.get("alg") or _KEY_ALGORITHM.get(entry.get("kty", ""))
    if algorithm not in allowed:
        return None
    try:
        if algorithm == "RS256" and entry.get("kty") == "RSA":
            return algorithm, RSAAlgorithm.from_jwk(entry)
        if algorithm == "ES256" and entry.get("kty") == "EC" and entry.get("crv") == "P-256":
            return algorithm, ECAlgorithm.from_jwk(entry)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return None
    return None


_VERIFIERS: dict[tuple[str, tuple[str, ...], str | None, tuple[str, ...]], TokenVerifier] = {}
_VERIFIERS_LOCK = threading.Lock()


def verify_token(
    token: str,
    *,
    issuer: str,
    audience: str | Sequence[str],
    jwks_url: str | None = None,
    algorithms: Sequence[str] = ALGORITHMS,
) -> dict[str, Any]:
    """The claims of a Janua access token, or `InvalidTokenError`.

    Keeps one `TokenVerifier` (and so one JWKS cache) per issuer / audience / JWKS URL, so
    calling it for every request fetches the keys once, not every time.
    """
    audiences = (audience,) if isinstance(audience, str) else tuple(audience)
    key = (issuer, audiences, jwks_url, tuple(algorithms))
    with _VERIFIERS_LOCK:
        verifier = _VERIFIERS.get(key)
        if verifier is None:
            verifier = _VERIFIERS[key] = TokenVerifier(
                issuer=issuer, audience=audiences, jwks_url=jwks_url, algorithms=algorithms
            )
    return verifier.verify(token)
