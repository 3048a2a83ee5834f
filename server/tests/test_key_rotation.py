"""Signing-key rotation: `janua keys rotate` publishes a key at once, lets it sign only after
KEY_PUBLISH_AHEAD_SECONDS, and keeps the previous key published until its tokens are dead.

Moments far apart (publish-ahead 600 s, a 15-minute token lifetime) are reached by moving the
key store's wall clock, never by sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from janua_server import cli
from janua_server.core.audit import audit_events
from janua_server.core.jwt import InvalidToken
from janua_server.core.keys import STATE_FILE, KeyStore, rfc7638_thumbprint, rotate
from janua_server.core.runtime import Runtime
from janua_server.settings import Settings
from sqlalchemy import select
from support.users import register


async def rotate_with_cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, ahead: int) -> str:
    """`janua keys rotate` as an operator runs it, with this test's settings in the env."""
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KEY_PUBLISH_AHEAD_SECONDS", str(ahead))
    if settings.jwt_private_key_path is not None:
        monkeypatch.setenv("JWT_PRIVATE_KEY_PATH", str(settings.jwt_private_key_path))
    # The CLI runs its own event loop (for the audit record): give it a thread.
    assert await asyncio.to_thread(cli.main, ["keys", "rotate"]) == 0
    state = json.loads((settings.private_key_path.parent / STATE_FILE).read_text())
    return state["keys"][-1]["kid"]


def runtime_of(http: httpx.AsyncClient) -> Runtime:
    return http._transport.app.state.runtime  # type: ignore[attr-defined]


def keystore_of(http: httpx.AsyncClient) -> KeyStore:
    keys = runtime_of(http).tokens.keys
    assert isinstance(keys, KeyStore)
    return keys


def _ts(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def jwks_kids(http: httpx.AsyncClient) -> list[str]:
    return [key["kid"] for key in (await http.get("/.well-known/jwks.json")).json()["keys"]]


async def me(http: httpx.AsyncClient, token: str) -> int:
    response = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_rotation_publishes_first_signs_later_and_retires_the_old_key(
    settings, open_client, monkeypatch
) -> None:
    async with open_client(settings) as http:
        before = (await register(http))["tokens"]["access_token"]
        old = kid_of(before)
        keys = keystore_of(http)
        keys.check_interval = 0  # the periodic re-read is due at every request from here

        rotated_at = time.time()
        new = await rotate_with_cli(monkeypatch, settings, ahead=600)
        assert new != old
        # Published at once, still not signing: relying parties' caches get it first.
        assert set(await jwks_kids(http)) == {old, new}
        assert kid_of((await register(http))["tokens"]["access_token"]) == old

        # Past the publish-ahead window the new key signs; the old one stays published.
        keys.clock = lambda: time.time() + 601
        after = (await register(http))["tokens"]["access_token"]
        assert kid_of(after) == new
        assert (await jwks_kids(http))[0] == new
        assert set(await jwks_kids(http)) == {old, new}
        assert await me(http, before) == 200
        assert await me(http, after) == 200

        # The old key's last token dies at retired_at + lifetime + leeway (the longest-lived
        # token it signs: first-party or OAuth access token, or ID token); it leaves JWKS then.
        retired_at = rotated_at + 600
        lifetime = keys.token_lifetime
        keys.clock = lambda: retired_at + lifetime - 30
        assert set(await jwks_kids(http)) == {old, new}
        keys.clock = lambda: time.time() + 600 + lifetime + 30
        assert await jwks_kids(http) == [new]
        with pytest.raises(InvalidToken, match="unknown signing key"):
            runtime_of(http).tokens.verify_access_token(before)

        # The rotation is audited as a server event (no user).
        async with runtime_of(http).db.connection() as conn:
            rows = (
                await conn.execute(
                    select(audit_events).where(audit_events.c.action == "signing_key.rotated")
                )
            ).all()
        assert [(row.user_id, row.details["kid"], row.details["previous_kid"]) for row in rows] == [
            (None, new, old)
        ]


async def test_the_new_key_signs_once_publish_ahead_has_passed(
    settings, open_client, monkeypatch
) -> None:
    async with open_client(settings) as http:
        old = kid_of((await register(http))["tokens"]["access_token"])
        keystore_of(http).check_interval = 0
        new = await rotate_with_cli(monkeypatch, settings, ahead=1)
        record = json.loads((settings.private_key_path.parent / STATE_FILE).read_text())["keys"]
        signs_from = _ts(record[-1]["signs_from"])
        assert signs_from - _ts(record[-1]["created_at"]) == pytest.approx(1)
        assert _ts(record[0]["retired_at"]) == signs_from

        # Real time: poll (bounded) until the new key signs; every token on the way is signed
        # by the key its issue time calls for.
        for _ in range(40):
            token = (await register(http))["tokens"]["access_token"]
            claims = jwt.decode(token, options={"verify_signature": False})
            if kid_of(token) == new:
                assert claims["iat"] >= int(signs_from)
                break
            assert kid_of(token) == old
            assert claims["iat"] <= signs_from
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the new key never started signing")
        assert await me(http, token) == 200


async def test_two_instances_on_one_data_dir_agree(settings, open_client, monkeypatch) -> None:
    async with open_client(settings) as first, open_client(settings) as second:
        old_token = (await register(second))["tokens"]["access_token"]
        keystore_of(first).check_interval = 0
        keystore_of(second).check_interval = 3600  # `second` never polls in this test

        new = await rotate_with_cli(monkeypatch, settings, ahead=0)
        assert new in await jwks_kids(first)
        # No re-read on every request: `second` has not looked at the directory yet...
        assert new not in await jwks_kids(second)
        token = (await register(first))["tokens"]["access_token"]
        assert kid_of(token) == new
        # ...until a token names a kid it does not know: it re-reads and accepts it.
        assert await me(second, token) == 200
        assert await jwks_kids(second) == await jwks_kids(first)
        assert kid_of((await register(second))["tokens"]["access_token"]) == new
        assert await me(first, old_token) == 200


async def test_restart_keeps_every_key_and_state(
    settings, make_settings, open_client, monkeypatch
) -> None:
    async with open_client(settings) as http:
        legacy_token = (await register(http))["tokens"]["access_token"]
    new = await rotate_with_cli(monkeypatch, settings, ahead=0)
    async with open_client(make_settings()) as http:
        rotated_token = (await register(http))["tokens"]["access_token"]
        assert kid_of(rotated_token) == new
        kids = await jwks_kids(http)
    async with open_client(make_settings()) as http:
        assert await jwks_kids(http) == kids == [new, kid_of(legacy_token)]
        assert await me(http, legacy_token) == 200
        assert await me(http, rotated_token) == 200
    key_file = settings.private_key_path.parent / f"{new}.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((key_file.parent / STATE_FILE).stat().st_mode) == 0o600


async def test_a_configured_single_key_file_is_adopted(
    settings, make_settings, open_client, monkeypatch, tmp_path
) -> None:
    key_path = tmp_path / "operator-keys" / "janua.pem"
    key_path.parent.mkdir()
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    legacy_kid = rfc7638_thumbprint(private_key.public_key())
    settings = make_settings(JWT_PRIVATE_KEY_PATH=str(key_path))
    async with open_client(settings) as http:
        token = (await register(http))["tokens"]["access_token"]
        assert kid_of(token) == legacy_kid

    new = await rotate_with_cli(monkeypatch, settings, ahead=0)
    state = json.loads((key_path.parent / STATE_FILE).read_text())["keys"]
    assert [(k["kid"], k["file"]) for k in state] == [
        (legacy_kid, "janua.pem"),
        (new, f"{new}.pem"),
    ]
    assert (key_path.parent / f"{new}.pem").exists()
    async with open_client(make_settings(JWT_PRIVATE_KEY_PATH=str(key_path))) as http:
        assert await me(http, token) == 200
        assert set(await jwks_kids(http)) == {legacy_kid, new}
        assert kid_of((await register(http))["tokens"]["access_token"]) == new


def test_concurrent_rotations_both_land(tmp_path: Path) -> None:
    legacy = tmp_path / "keys" / "signing-key.pem"
    KeyStore(legacy)  # first start: the legacy key
    with ThreadPoolExecutor(2) as pool:
        rotations = list(pool.map(lambda _: rotate(legacy, publish_ahead_seconds=0), range(2)))
    state = json.loads((legacy.parent / STATE_FILE).read_text())["keys"]
    assert {k["kid"] for k in state} >= {r.new.kid for r in rotations}
    assert len(state) == 3
    # Exactly one key signs; every other is retired by a later key's start.
    assert sum(k["retired_at"] is None for k in state) == 1


def test_long_retired_keys_are_pruned(tmp_path: Path) -> None:
    legacy = tmp_path / "keys" / "signing-key.pem"
    day = 24 * 3600
    start = time.time()
    KeyStore(legacy)
    first = rotate(legacy, publish_ahead_seconds=0, clock=lambda: start).new
    rotate(legacy, publish_ahead_seconds=0, clock=lambda: start + 1)
    third = rotate(legacy, publish_ahead_seconds=0, clock=lambda: start + 3 * day)
    assert set(third.pruned) >= {first.kid}
    assert not (legacy.parent / first.file).exists()
    assert legacy.exists()  # the legacy file may be operator-managed: never deleted
    store = KeyStore(legacy, clock=lambda: start + 3 * day)
    assert list(store.ring().verification) == [third.new.kid, third.previous.kid]


def test_a_broken_state_file_keeps_the_keys_in_use(tmp_path: Path) -> None:
    legacy = tmp_path / "keys" / "signing-key.pem"
    store = KeyStore(legacy, check_interval=0)
    rotate(legacy, publish_ahead_seconds=0)
    ring = store.ring()
    (legacy.parent / STATE_FILE).write_text("{not json")
    assert store.ring() == ring
    assert store.ring_with("unknown-kid") == ring
