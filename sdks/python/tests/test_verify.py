"""`janua.TokenVerifier`, `janua.verify_token` and `janua.fastapi.require_token`.

Real access tokens from the live server (JANUA_BASE_URL) against its real JWKS, and the ways a
token must be refused: expired, another audience or issuer, tampered, `alg: none`, HS256 keyed
with the public key, an unknown `kid`. Key rotation and the JWKS cache use a JWKS served by an
httpx MockTransport with keys made here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import janua
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PASSWORD = "correct horse battery staple"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Any = None) -> str:
    """A compact JWS with any header (even `alg: none`), signed by `sign(signing_input)`."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64(signature)}"


# -- against the live server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(base_url: str) -> dict[str, Any]:
    """A registered user's access token, the server's issuer, JWKS URL and signing key."""
    import uuid

    with janua.Janua(base_url) as client:
        issuer = client.discovery.openid_configuration().issuer
        created = client.auth.register(
            email=f"py-verify-{uuid.uuid4().hex[:12]}@example.com", password=PASSWORD
        )
        jwks = httpx.get(f"{base_url}/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(created.tokens.access_token)
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    return {
        "token": created.tokens.access_token,
        "user_id": str(created.user.id),
        "issuer": issuer,
        "jwks_url": f"{base_url}/.well-known/jwks.json",
        "kid": header["kid"],
        "jwk": jwk,
    }


@pytest.fixture
def verifier(live: dict[str, Any]) -> janua.TokenVerifier:
    return janua.TokenVerifier(issuer=live["issuer"], audience="janua", jwks_url=live["jwks_url"])


def refused(verifier: janua.TokenVerifier, token: str, reason: str) -> janua.InvalidTokenError:
    with pytest.raises(janua.InvalidTokenError) as caught:
        verifier.verify(token)
    assert caught.value.reason == reason, repr(caught.value)
    assert isinstance(caught.value, janua.TokenError)
    assert (caught.value.status, caught.value.code) == (401, "TOKEN_ERROR")
    return caught.value


def test_a_real_token_verifies(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    claims = verifier.verify(live["token"])
    assert claims["sub"] == live["user_id"]
    assert claims["iss"] == live["issuer"]
    assert claims["exp"] > time.time()
    assert verifier.fetch_count == 1
    verifier.verify(live["token"])
    assert verifier.fetch_count == 1  # cached


def test_verify_token_function_caches_its_verifier(live: dict[str, Any]) -> None:
    for _ in range(2):
        claims = janua.verify_token(
            live["token"], issuer=live["issuer"], audience="janua", jwks_url=live["jwks_url"]
        )
        assert claims["sub"] == live["user_id"]
    # Audience as a list, JWKS URL derived from the issuer is not the live one here: explicit.
    claims = janua.verify_token(
        live["token"], issuer=live["issuer"], audience=["other", "janua"], jwks_url=live["jwks_url"]
    )
    assert claims["sub"] == live["user_id"]


async def test_verify_async(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    claims = await verifier.verify_async(live["token"])
    assert claims["sub"] == live["user_id"]


def test_wrong_audience_or_issuer(live: dict[str, Any]) -> None:
    other_audience = janua.TokenVerifier(
        issuer=live["issuer"], audience="billing", jwks_url=live["jwks_url"]
    )
    refused(other_audience, live["token"], "audience")
    other_issuer = janua.TokenVerifier(
        issuer="https://evil.example.com", audience="janua", jwks_url=live["jwks_url"]
    )
    refused(other_issuer, live["token"], "issuer")


def test_tampered_token(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    header, payload, signature = live["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "00000000-0000-0000-0000-000000000000"
    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    refused(verifier, tampered, "signature")
    # A flipped signature byte too.
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    refused(verifier, f"{header}.{payload}.{flipped}", "signature")


def test_alg_none_is_refused(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    claims = jwt.decode(live["token"], options={"verify_signature": False})
    for alg in ("none", "None", "NONE"):
        refused(
            verifier, forge({"alg": alg, "kid": live["kid"], "typ": "JWT"}, claims), "algorithm"
        )


def test_hs256_keyed_with_the_public_key_is_refused(
    verifier: janua.TokenVerifier, live: dict[str, Any]
) -> None:
    """The classic key-confusion attack: HMAC with the published RSA key as the secret."""
    claims = jwt.decode(live["token"], options={"verify_signature": False})
    public = RSAAlgorithm.from_jwk(live["jwk"])
    for encoding in (serialization.Encoding.PEM, serialization.Encoding.DER):
        secret = public.public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)
        for alg, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
            token = forge(
                {"alg": alg, "kid": live["kid"], "typ": "JWT"},
                claims,
                lambda data, secret=secret, digest=digest: hmac.new(secret, data, digest).digest(),
            )
            refused(verifier, token, "algorithm")
    # And if the header lies "RS256" over an HMAC signature, the RSA check fails.
    token = forge(
        {"alg": "RS256", "kid": live["kid"]},
        claims,
        lambda data: hmac.new(b"whatever", data, hashlib.sha256).digest(),
    )
    refused(verifier, token, "signature")


def test_unknown_kid_refetches_once(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    verifier.verify(live["token"])
    assert verifier.fetch_count == 1
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(live["token"], options={"verify_signature": False})
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "not-published"})
    # Within refetch_interval of the first fetch: no download for an unknown kid.
    refused(verifier, token, "unknown_kid")
    assert verifier.fetch_count == 1
    # Past it: exactly one re-fetch, and the next unknown kid waits again.
    verifier._fetched_at = time.monotonic() - verifier.refetch_interval - 1
    refused(verifier, token, "unknown_kid")
    refused(verifier, token, "unknown_kid")
    assert verifier.fetch_count == 2
    # The real token still verifies from the cache.
    assert verifier.verify(live["token"])["sub"] == live["user_id"]
    assert verifier.fetch_count == 2


# -- with keys made here ---------------------------------------------------------------------------

ISSUER = "https://id.example.com"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"


class Keys:
    """A JWKS endpoint on an httpx MockTransport whose key set the test changes."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.requests = 0
        self.down = False

    def publish(self, kid: str, key: Any) -> None:
        algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(key.public_key()))
        jwk.update(kid=kid, use="sig")
        self.published.append(jwk)

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert str(request.url) == JWKS_URL
        self.requests += 1
        if self.down:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": self.published})

    def verifier(self, **options: Any) -> janua.TokenVerifier:
        return janua.TokenVerifier(
            issuer=ISSUER,
            audience="janua",
            transport=httpx.MockTransport(self.handle),
            async_transport=httpx.MockTransport(self.handle),
            **options,
        )


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": "janua",
        "sub": "user-1",
        "iat": now,
        "exp": now + 300,
    } | overrides


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_expired_and_not_yet_valid(rsa_key: rsa.RSAPrivateKey) -> None:
    keys = Keys()
    keys.publish("k1", rsa_key)
    verifier = keys.verifier()
    sign = lambda c: jwt.encode(c, rsa_key, algorithm="RS256", headers={"kid": "k1"})  # noqa: E731
    assert verifier.verify(sign(claims()))["sub"] == "user-1"
    refused(verifier, sign(claims(exp=int(time.time()) - 5)), "expired")
    refused(verifier, sign(claims(nbf=int(time.time()) + 600)), "not_yet_valid")
    lenient = keys.verifier(leeway=60)
    assert lenient.verify(sign(claims(exp=int(time.time()) - 5)))["sub"] == "user-1"
    for missing in ("exp", "aud", "iss", "sub"):
        token = sign({k: v for k, v in claims().items() if k != missing})
        with pytest.raises(janua.InvalidTokenError):
            verifier.verify(token)


def test_key_rotation_without_restart(rsa_key: rsa.RSAPrivateKey) -> None:
    keys = Keys()
    keys.publish("old", rsa_key)
    verifier = keys.verifier(refetch_interval=0)
    old = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "old"})
    assert verifier.verify(old)["sub"] == "user-1"
    new_key = ec.generate_private_key(ec.SECP256R1())
    keys.publish("new", new_key)  # rotation: the server now signs ES256 with "new"
    new = jwt.encode(claims(sub="user-2"), new_key, algorithm="ES256", headers={"kid": "new"})
    assert verifier.verify(new)["sub"] == "user-2"
    assert keys.requests == 2
    assert verifier.verify(old)["sub"] == "user-1"  # both published: no fetch
    assert keys.requests == 2


def test_the_algorithm_is_the_keys(rsa_key: rsa.RSAPrivateKey) -> None:
    """An ES256 token naming an RSA key's kid fails, whatever it says in its header."""
    keys = Keys()
    keys.publish("rsa", rsa_key)
    verifier = keys.verifier()
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "rsa"})
    refused(verifier, token, "algorithm")
    with pytest.raises(ValueError):
        keys.verifier(algorithms=["HS256"])
    with pytest.raises(ValueError):
        keys.verifier(algorithms=["none"])


def test_jwks_unreachable(rsa_key: rsa.RSAPrivateKey) -> None:
    keys = Keys()
    keys.publish("k1", rsa_key)
    keys.down = True
    verifier = keys.verifier()
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
    refused(verifier, token, "jwks")
    assert keys.requests == 1
    refused(verifier, token, "unknown_kid")  # no hammering: waits refetch_interval
    assert keys.requests == 1
    # Once keys are cached, an outage at the routine re-fetch keeps the old keys in use.
    keys.down = False
    verifier._failed_at = None
    assert verifier.verify(token)["sub"] == "user-1"
    keys.down = True
    verifier._fetched_at = time.monotonic() - verifier.cache_ttl - 1
    assert verifier.verify(token)["sub"] == "user-1"


# -- FastAPI --------------------------------------------------------------------------------------


def test_fastapi_dependency(verifier: janua.TokenVerifier, live: dict[str, Any]) -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient
    from janua.fastapi import require_token

    app = FastAPI()

    @app.get("/whoami")
    async def whoami(claims: dict = Depends(require_token(verifier))) -> dict:  # noqa: B008
        return {"sub": claims["sub"]}

    @app.get("/admin")
    async def admin(
        claims: dict = Depends(require_token(verifier, permissions=["members:manage"])),  # noqa: B008
    ) -> dict:
        return {"sub": claims["sub"]}

    with TestClient(app) as http:
        ok = http.get("/whoami", headers={"Authorization": f"Bearer {live['token']}"})
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"sub": live["user_id"]}

        missing = http.get("/whoami")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")

        bad = http.get("/whoami", headers={"Authorization": f"Bearer {live['token']}x"})
        assert bad.status_code == 401
        assert 'error="invalid_token"' in bad.headers["www-authenticate"]

        basic = http.get("/whoami", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert basic.status_code == 401

        forbidden = http.get("/admin", headers={"Authorization": f"Bearer {live['token']}"})
        assert forbidden.status_code == 403
        assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]

        schema = http.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["janua"]["scheme"] == "bearer"
