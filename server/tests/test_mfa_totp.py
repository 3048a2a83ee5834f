"""Authenticator apps (TOTP, RFC 6238), recovery codes, and the MFA step of sign-in."""

from __future__ import annotations

import base64
import re
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import httpx
import pyotp
import pytest
from janua_server.mfa import crypto, totp
from janua_server.mfa.tables import mfa_recovery_codes, mfa_totp
from janua_server.settings import Settings
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from support.mfa import (
    audit_actions,
    away_from_step_edge,
    challenge,
    claims,
    code,
    enrol_totp,
    mfa_step,
)
from support.users import PASSWORD, bearer, register, unique_email

SVG = "{http://www.w3.org/2000/svg}"


async def new_user(http: httpx.AsyncClient) -> tuple[str, dict]:
    email = unique_email("mfa")
    return email, (await register(http, email))["tokens"]


# ---- the time-step window, with explicit times -----------------------------------------------


def test_codes_match_one_step_either_side_and_no_further() -> None:
    secret = pyotp.random_base32(32)
    at = 1_800_000_015.0  # the middle of a step
    now_step = totp.time_step(at)
    for offset in (-1, 0, 1):
        value = pyotp.TOTP(secret).at(at, counter_offset=offset)
        assert totp.matching_step(secret, value, at=at) == now_step + offset
    for offset in (-3, -2, 2, 3):
        value = pyotp.TOTP(secret).at(at, counter_offset=offset)
        assert totp.matching_step(secret, value, at=at) is None
    assert totp.matching_step(secret, "12345", at=at) is None
    assert totp.matching_step(secret, "abcdef", at=at) is None


def test_secrets_have_160_bits_and_ciphertexts_belong_to_their_user() -> None:
    enrolment = totp.new_enrolment(issuer="Janua", account="ada@example.com")
    assert len(base64.b32decode(enrolment.secret)) * 8 >= 160
    keys = crypto.MfaKeys([b"k" * 32])
    alice, bob = uuid.uuid4(), uuid.uuid4()
    sealed = keys.encrypt(enrolment.secret, alice)
    assert enrolment.secret not in sealed
    assert keys.decrypt(sealed, alice) == enrolment.secret
    with pytest.raises(crypto.UndecryptableSecret):
        keys.decrypt(sealed, bob)  # copied onto another user's row
    # A rotated key list still decrypts what the old key sealed.
    assert crypto.MfaKeys([b"n" * 32, b"k" * 32]).decrypt(sealed, alice) == enrolment.secret
    with pytest.raises(crypto.UndecryptableSecret):
        crypto.MfaKeys([b"n" * 32]).decrypt(sealed, alice)


def test_a_configured_key_is_used_and_bad_configuration_refused(tmp_path) -> None:
    old, new = base64.b64encode(b"o" * 32).decode(), base64.urlsafe_b64encode(b"n" * 32).decode()
    user = uuid.uuid4()
    sealed = crypto.keys_of(Settings(DATA_DIR=str(tmp_path), MFA_ENCRYPTION_KEY=old)).encrypt(
        "JBSWY3DPEHPK3PXP", user
    )
    rotated = Settings(DATA_DIR=str(tmp_path), MFA_ENCRYPTION_KEY=f"{new}, {old}")
    assert crypto.keys_of(rotated).decrypt(sealed, user) == "JBSWY3DPEHPK3PXP"
    assert crypto.keys_of(rotated).encrypt("x", user).split(".")[1] != sealed.split(".")[1]
    assert not (tmp_path / "keys" / crypto.KEY_FILE).exists()  # nothing generated
    with pytest.raises(ValidationError, match="MFA_ENCRYPTION_KEY"):
        Settings(DATA_DIR=str(tmp_path), MFA_ENCRYPTION_KEY="c2hvcnQ=")
    with pytest.raises(ValidationError, match="TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"):
        Settings(DATA_DIR=str(tmp_path), SMS_SENDER="twilio", TWILIO_FROM_NUMBER="+15005550006")


# ---- enrolment --------------------------------------------------------------------------------


async def test_setup_returns_a_secret_its_uri_and_an_svg_qr_code(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    setup = await client.post("/api/v1/auth/mfa/setup", headers=me)
    assert setup.status_code == 200
    assert setup.headers["cache-control"] == "no-store"
    body = setup.json()
    uri = urllib.parse.urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert urllib.parse.unquote(uri.path) == f"/Janua:{email}"
    query = urllib.parse.parse_qs(uri.query)
    assert query["secret"] == [body["secret"]] and query["issuer"] == ["Janua"]
    assert len(base64.b32decode(body["secret"])) >= 20  # 160 bits

    svg = ET.fromstring(body["qr_code_svg"])  # noqa: S314 - the server's own output
    assert svg.tag == f"{SVG}svg"
    assert svg.attrib["width"] == svg.attrib["height"]
    assert svg.find(f"{SVG}path").attrib["d"]
    assert body["qr_code_data_uri"].startswith("data:image/svg+xml")
    inline = urllib.parse.unquote(body["qr_code_data_uri"].partition(",")[2])
    assert ET.fromstring(inline).tag == f"{SVG}svg"  # noqa: S314

    status = (await client.get("/api/v1/auth/mfa", headers=me)).json()
    assert status == {
        "methods": [],
        "totp_enabled": False,
        "totp_pending": True,
        "recovery_codes_remaining": 0,
        "sms_enabled": False,
        "sms_phone_number": None,
    }
    # Starting again replaces the pending secret: the first one's codes no longer confirm.
    again = (await client.post("/api/v1/auth/mfa/setup", headers=me)).json()
    assert again["secret"] != body["secret"]
    stale = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": code(body["secret"])}, headers=me
    )
    assert stale.status_code == 403
    assert stale.json()["code"] == "AUTHORIZATION_ERROR"
    # Still no second factor at sign-in until confirmed.
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


async def test_confirming_turns_mfa_on_with_ten_recovery_codes(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    secret, codes = await enrol_totp(client, tokens["access_token"])
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    status = (await client.get("/api/v1/auth/mfa", headers=me)).json()
    assert status["methods"] == ["totp", "recovery_code"]
    assert status["totp_enabled"] and not status["totp_pending"]
    assert status["recovery_codes_remaining"] == 10

    assert (await client.post("/api/v1/auth/mfa/setup", headers=me)).status_code == 409
    again = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": code(secret, 1)}, headers=me
    )
    assert again.status_code == 409

    problem = await mfa_step(client, email)
    assert problem["mfa_methods"] == ["totp", "recovery_code"]
    assert problem["mfa_token_expires_in"] > 0
    actions = [e["action"] for e in await audit_actions(client, tokens["access_token"])]
    assert "mfa.enabled" in actions


async def test_totp_sign_in_carries_amr_and_auth_time(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    secret, _ = await enrol_totp(client, tokens["access_token"])
    problem = await mfa_step(client, email, device_label="Ada's phone")
    before = int(time.time())
    # The enrolment used this step's code; the next step's is accepted (one step of drift).
    signed_in = await challenge(client, problem["mfa_token"], "totp", code(secret, 1))
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["cache-control"] == "no-store"
    body = signed_in.json()
    assert body["user"]["email"] == email
    token_claims = claims(body["tokens"]["access_token"])
    assert token_claims["amr"] == ["pwd", "otp", "mfa"]
    assert before - 5 <= token_claims["auth_time"] <= int(time.time()) + 1
    me = bearer(body["tokens"]["access_token"])
    assert (await client.get("/api/v1/auth/me", headers=me)).status_code == 200
    sessions = (await client.get("/api/v1/sessions", headers=me)).json()["data"]
    assert sessions[0]["current"] and sessions[0]["device_label"] == "Ada's phone"
    refreshed = await client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": body["tokens"]["refresh_token"]}
    )
    assert claims(refreshed.json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]


async def test_a_code_works_once_and_older_ones_never(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    secret, codes = await enrol_totp(client, tokens["access_token"])
    fresh = code(secret, 1)
    first = await challenge(client, (await mfa_step(client, email))["mfa_token"], "totp", fresh)
    assert first.status_code == 200
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    replay = await challenge(client, mfa_token, "totp", fresh)
    assert replay.status_code == 401
    assert replay.json()["code"] == "AUTHENTICATION_ERROR"
    # The enrolment's own code (an earlier step, still inside the window) is refused too.
    older = await challenge(client, mfa_token, "totp", code(secret, 0))
    assert older.status_code == 401
    # The refusals did not spend the mfa_token.
    assert (await challenge(client, mfa_token, "recovery_code", codes[0])).status_code == 200


async def test_previous_step_accepted_two_steps_refused(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    await away_from_step_edge()
    setup = (await client.post("/api/v1/auth/mfa/setup", headers=me)).json()
    secret = setup["secret"]
    too_old = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": code(secret, -2)}, headers=me
    )
    assert too_old.status_code == 403
    too_new = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": code(secret, 2)}, headers=me
    )
    assert too_new.status_code == 403
    # The previous step's code confirms (a slow phone clock), spaced as users type it.
    late = code(secret, -1)
    confirmed = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": f"{late[:3]} {late[3:]}"}, headers=me
    )
    assert confirmed.status_code == 200
    # The next step's code (a fast phone clock) signs in.
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    assert (await challenge(client, mfa_token, "totp", code(secret, 1))).status_code == 200


# ---- recovery codes ---------------------------------------------------------------------------


async def test_recovery_codes_are_single_use_and_regeneration_kills_the_old(
    client: httpx.AsyncClient,
) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    _, codes = await enrol_totp(client, tokens["access_token"])
    # Case, spaces and hyphens do not matter.
    typed = codes[0].replace("-", " ").upper()
    signed_in = await challenge(
        client, (await mfa_step(client, email))["mfa_token"], "recovery_code", typed
    )
    assert signed_in.status_code == 200, signed_in.text
    assert claims(signed_in.json()["tokens"]["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    assert (await client.get("/api/v1/auth/mfa", headers=me)).json()[
        "recovery_codes_remaining"
    ] == 9
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    reused = await challenge(client, mfa_token, "recovery_code", codes[0])
    assert reused.status_code == 401

    wrong = await client.post(
        "/api/v1/auth/mfa/recovery-codes", json={"password": "not the password"}, headers=me
    )
    assert wrong.status_code == 403
    empty = await client.post("/api/v1/auth/mfa/recovery-codes", json={}, headers=me)
    assert empty.status_code == 422
    regenerated = await client.post(
        "/api/v1/auth/mfa/recovery-codes", json={"password": PASSWORD}, headers=me
    )
    assert regenerated.status_code == 200
    new_codes = regenerated.json()["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    # An old code that was never used is dead too; a new one works on the same mfa_token.
    assert (await challenge(client, mfa_token, "recovery_code", codes[1])).status_code == 401
    assert (await challenge(client, mfa_token, "recovery_code", new_codes[0])).status_code == 200
    # A recovery code is also step-up proof for a new set.
    by_code = await client.post(
        "/api/v1/auth/mfa/recovery-codes", json={"code": new_codes[1]}, headers=me
    )
    assert by_code.status_code == 200

    actions = [e["action"] for e in await audit_actions(client, tokens["access_token"])]
    assert actions.count("mfa.recovery_code_used") == 3
    assert actions.count("mfa.recovery_codes_regenerated") == 2
    used = next(
        e
        for e in await audit_actions(client, tokens["access_token"])
        if e["action"] == "mfa.recovery_code_used"
    )
    assert set(used["details"]) == {"remaining"}


async def test_the_stored_secret_and_codes_are_not_readable(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    _, tokens = await new_user(client)
    secret, codes = await enrol_totp(client, tokens["access_token"])
    user_id = uuid.UUID(claims(tokens["access_token"])["sub"])
    engine = create_async_engine(settings.database_url)
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                select(mfa_totp.c.secret_ciphertext).where(mfa_totp.c.user_id == user_id)
            )
        ).scalar_one()
        hashes = (
            (
                await conn.execute(
                    select(mfa_recovery_codes.c.code_hash).where(
                        mfa_recovery_codes.c.user_id == user_id
                    )
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    assert secret not in stored and secret.lower() not in stored.lower()
    assert stored.startswith("v1.")
    assert crypto.keys_of(settings).decrypt(stored, user_id) == secret
    assert len(hashes) == 10
    for recovery_code in codes:
        plain = recovery_code.replace("-", "")
        assert not any(plain in h or recovery_code in h for h in hashes)
    # The generated key is the embedded default's: private to the server's user.
    key_file = settings.data_dir / "keys" / crypto.KEY_FILE
    assert key_file.stat().st_mode & 0o077 == 0


# ---- throttling, disabling ------------------------------------------------------------------


async def test_wrong_codes_are_throttled_per_account_not_per_mfa_token(
    client: httpx.AsyncClient,
) -> None:
    email, tokens = await new_user(client)
    secret, _ = await enrol_totp(client, tokens["access_token"])
    wrong = f"{(int(code(secret, 1)) + 1) % 10**6:06d}"
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    for _ in range(5):
        refused = await challenge(client, mfa_token, "totp", wrong)
        assert refused.status_code == 401
    throttled = await challenge(client, mfa_token, "totp", code(secret, 1))
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "RATE_LIMIT_ERROR"
    assert 1 <= int(throttled.headers["retry-after"]) <= 900
    # A new password sign-in buys no new guesses.
    again = (await mfa_step(client, email))["mfa_token"]
    assert (await challenge(client, again, "totp", code(secret, 1))).status_code == 429
    events = await audit_actions(client, tokens["access_token"])
    failures = [e for e in events if e["action"] == "mfa.challenge_failed"]
    assert len(failures) == 5
    assert failures[0]["outcome"] == "failure"
    assert failures[0]["details"] == {"method": "totp", "purpose": "sign_in"}


async def test_disabling_needs_the_password_and_a_code(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    secret, codes = await enrol_totp(client, tokens["access_token"])
    good = code(secret, 1)

    async def disable(body: dict) -> httpx.Response:
        return await client.post("/api/v1/auth/mfa/disable", json=body, headers=me)

    assert (await disable({"password": "wrong password", "code": good})).status_code == 403
    assert (await disable({"password": PASSWORD, "code": "000000"})).status_code == 403
    assert (await disable({"password": PASSWORD})).status_code == 422
    assert (await disable({"code": good})).status_code == 422
    # The wrong password did not spend the code.
    assert (await disable({"password": PASSWORD, "code": good})).status_code == 204

    status = (await client.get("/api/v1/auth/mfa", headers=me)).json()
    assert status["methods"] == [] and not status["totp_enabled"]
    assert status["recovery_codes_remaining"] == 0
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    assert claims(login.json()["tokens"]["access_token"])["amr"] == ["pwd"]
    assert (await disable({"password": PASSWORD, "code": codes[0]})).status_code == 409
    actions = [e["action"] for e in await audit_actions(client, tokens["access_token"])]
    assert "mfa.disabled" in actions


async def test_a_recovery_code_can_stand_in_for_the_app_when_disabling(
    client: httpx.AsyncClient,
) -> None:
    _, tokens = await new_user(client)
    _, codes = await enrol_totp(client, tokens["access_token"])
    disabled = await client.post(
        "/api/v1/auth/mfa/disable",
        json={"password": PASSWORD, "code": codes[3]},
        headers=bearer(tokens["access_token"]),
    )
    assert disabled.status_code == 204


# ---- the half-signed-in state ---------------------------------------------------------------


async def test_the_mfa_token_is_no_bearer_token_and_works_once(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    secret, codes = await enrol_totp(client, tokens["access_token"])
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    half = bearer(mfa_token)
    for method, path in (
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/auth/mfa"),
        ("POST", "/api/v1/auth/mfa/setup"),
        ("GET", "/api/v1/sessions"),
    ):
        refused = await client.request(method, path, headers=half)
        assert refused.status_code == 401, path
        assert refused.json()["code"] == "TOKEN_ERROR"
    as_refresh = await client.post("/api/v1/auth/token/refresh", json={"refresh_token": mfa_token})
    assert as_refresh.status_code == 401

    assert (await challenge(client, mfa_token, "totp", code(secret, 1))).status_code == 200
    spent = await challenge(client, mfa_token, "recovery_code", codes[0])
    assert spent.status_code == 401
    assert spent.json()["code"] == "TOKEN_ERROR"
    sms = await client.post("/api/v1/auth/mfa/sms/send", json={"mfa_token": mfa_token})
    assert sms.status_code == 401
    # The refused recovery code was not spent.
    status = await client.get("/api/v1/auth/mfa", headers=bearer(tokens["access_token"]))
    assert status.json()["recovery_codes_remaining"] == 10


async def test_cookie_transport_survives_the_challenge(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    secret, _ = await enrol_totp(client, tokens["access_token"])
    problem = await mfa_step(client, email, token_transport="cookie")
    signed_in = await challenge(client, problem["mfa_token"], "totp", code(secret, 1))
    assert signed_in.status_code == 200
    body_tokens = signed_in.json()["tokens"]
    assert "refresh_token" not in body_tokens
    cookies = signed_in.headers.get_list("set-cookie")
    refresh_cookie = next(c for c in cookies if c.startswith("__Host-janua_refresh="))
    assert "HttpOnly" in refresh_cookie and "Secure" in refresh_cookie
    jar = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in cookies}
    assert jar["__Host-janua_csrf"] == body_tokens["csrf_token"]
    refreshed = await client.post(
        "/api/v1/auth/token/refresh",
        json={},
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "X-CSRF-Token": body_tokens["csrf_token"],
        },
    )
    assert refreshed.status_code == 200
    assert claims(refreshed.json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]


async def test_bad_inputs_are_documented_4xx(client: httpx.AsyncClient) -> None:
    email, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    assert (await client.get("/api/v1/auth/mfa")).status_code == 401
    no_setup = await client.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": "123456"}, headers=me
    )
    assert no_setup.status_code == 409
    assert (
        await client.post(
            "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": "123456"}, headers=me
        )
    ).status_code == 409
    assert (
        await client.post(
            "/api/v1/auth/mfa/recovery-codes", json={"password": PASSWORD}, headers=me
        )
    ).status_code == 409

    secret, _ = await enrol_totp(client, tokens["access_token"])
    mfa_token = (await mfa_step(client, email))["mfa_token"]
    url = "/api/v1/auth/mfa/challenge"
    cases = [
        ({"mfa_token": mfa_token, "method": "passkey", "code": "123456"}, 422),
        ({"mfa_token": mfa_token, "method": "totp", "code": "123"}, 422),
        ({"mfa_token": mfa_token, "method": "totp", "code": "12345<"}, 422),
        ({"mfa_token": mfa_token, "method": "totp", "code": "123456", "extra": 1}, 422),
        ({"mfa_token": mfa_token, "method": "totp"}, 422),
        ({"mfa_token": "", "method": "totp", "code": "123456"}, 422),
        # Not enrolled for this account.
        ({"mfa_token": mfa_token, "method": "sms", "code": "123456"}, 422),
        ({"mfa_token": "made-up", "method": "totp", "code": "123456"}, 401),
    ]
    for body, expected in cases:
        answer = await client.post(url, json=body)
        assert answer.status_code == expected, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    made_up = await client.post(url, json={"mfa_token": "x", "method": "totp", "code": "123456"})
    assert made_up.json()["code"] == "TOKEN_ERROR"
    assert (
        await client.post(url, content=b"{", headers={"Content-Type": "application/json"})
    ).status_code == 400
    assert (
        await client.post(url, content=b"{}", headers={"Content-Type": "text/plain"})
    ).status_code == 415
    # None of that spent the mfa_token or counted as a guess.
    assert (await challenge(client, mfa_token, "totp", code(secret, 1))).status_code == 200
