"""Signing keys persist in the data dir; access tokens carry the promised claims."""

from __future__ import annotations

import stat

import httpx
import jwt
from janua_server.core.keys import rfc7638_thumbprint
from janua_server.settings import Settings
from support.users import register


async def test_access_token_claims_and_jwks(client: httpx.AsyncClient, settings: Settings) -> None:
    created = await register(client)
    token = created["tokens"]["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"

    jwks = (await client.get("/.well-known/jwks.json")).json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public_key = jwt.PyJWK(key).key
    assert rfc7638_thumbprint(public_key) == header["kid"]

    claims = jwt.decode(
        token, public_key, algorithms=["RS256"], audience="janua", issuer="http://testserver"
    )
    assert set(claims) >= {"iss", "sub", "aud", "exp", "iat", "jti", "sid"}
    assert claims["sub"] == created["user"]["id"]
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_discovery_points_at_the_jwks(client: httpx.AsyncClient) -> None:
    metadata = (await client.get("/.well-known/openid-configuration")).json()
    assert metadata["issuer"] == "http://testserver"
    assert metadata["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]


async def test_keys_are_generated_once_and_survive_a_restart(make_settings, open_client) -> None:
    settings = make_settings()
    async with open_client(settings) as first:
        created = await register(first)
        kid = (await first.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    key_file = settings.private_key_path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    async with open_client(make_settings()) as second:
        assert (await second.get("/.well-known/jwks.json")).json()["keys"][0]["kid"] == kid
        me = await second.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {created['tokens']['access_token']}"},
        )
        assert me.status_code == 200


async def test_a_token_signed_by_another_key_is_refused(
    make_settings, open_client, tmp_path
) -> None:
    async with open_client(make_settings(DATA_DIR=str(tmp_path / "other"))) as other:
        foreign = (await register(other))["tokens"]["access_token"]
    async with open_client(make_settings()) as ours:
        me = await ours.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {foreign}"})
        assert me.status_code == 401
        assert me.json()["code"] == "TOKEN_ERROR"


async def test_expired_access_tokens_are_refused(make_settings, open_client) -> None:
    import datetime as dt

    settings = make_settings()
    async with open_client(settings) as http:
        created = await register(http)
        codec = http._transport.app.state.runtime.tokens  # type: ignore[attr-defined]
        codec_ttl, codec.ttl = codec.ttl, dt.timedelta(seconds=-60)
        try:
            stale = codec.issue_access_token(
                subject=created["user"]["id"],
                session_id=jwt.decode(
                    created["tokens"]["access_token"], options={"verify_signature": False}
                )["sid"],
            )
        finally:
            codec.ttl = codec_ttl
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {stale}"})
        assert me.status_code == 401
        assert me.json()["code"] == "TOKEN_ERROR"
