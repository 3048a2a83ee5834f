"""SMS codes as a second factor, sent through a local fake of Twilio's Messages API."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from janua_server.core.errors import ApiError
from janua_server.core.store import MemoryStore
from janua_server.mfa import sms, throttle
from support import fake_twilio
from support.mfa import audit_actions, challenge, claims, code, enrol_totp, mfa_step
from support.services import free_port
from support.users import PASSWORD, bearer, register, unique_email

PHONE = "+447911123456"
MASKED = "+44********56"


@pytest.fixture
def twilio() -> Iterator[fake_twilio.FakeTwilio]:
    with fake_twilio.serve() as fake:
        yield fake


@pytest.fixture
async def http(make_settings, open_client, twilio) -> AsyncIterator[httpx.AsyncClient]:
    async with open_client(make_settings(**twilio.env())) as client:
        yield client


async def new_user(http: httpx.AsyncClient) -> tuple[str, dict]:
    email = unique_email("sms")
    return email, (await register(http, email))["tokens"]


async def enrol_sms(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio, access_token: str, phone: str = PHONE
) -> dict:
    me = bearer(access_token)
    sent = await http.post("/api/v1/auth/mfa/sms/setup", json={"phone_number": phone}, headers=me)
    assert sent.status_code == 200, sent.text
    confirmed = await http.post(
        "/api/v1/auth/mfa/sms/verify-setup", json={"code": twilio.last_code(phone)}, headers=me
    )
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


# ---- pure rules -------------------------------------------------------------------------------


def test_numbers_are_checked_and_masked() -> None:
    assert sms.parse_e164(PHONE) == PHONE
    assert sms.mask(PHONE) == MASKED
    assert sms.mask("+14155550123") == "+1********23"
    # Ofcom's drama range (07700 900xxx) is reserved for fiction: not a valid number.
    for bad in ("+4477", "+447700900123", "+999123456789", "+1415555012345678"):
        with pytest.raises(ApiError) as refused:
            sms.parse_e164(bad)
        assert refused.value.status == 422


async def test_sms_sends_are_spaced_and_capped_per_hour() -> None:
    store = MemoryStore()
    user, other = "u1", "u2"
    hour = 1_800_000_000 - 1_800_000_000 % 3600
    await throttle.count_sms(store, user, "sign_in", now=hour + 10)
    with pytest.raises(ApiError) as too_soon:
        await throttle.count_sms(store, user, "sign_in", now=hour + 25)
    assert too_soon.value.status == 429
    assert too_soon.value.headers["Retry-After"] == "15"
    # Another purpose has its own spacing but shares the hourly cap.
    await throttle.count_sms(store, user, "setup", now=hour + 25)
    store = MemoryStore(clock=lambda: 0.0)  # spacing keys never expire: use fresh purposes
    for i in range(5):
        await throttle.count_sms(store, user, f"p{i}", now=hour + 100 + i)
    with pytest.raises(ApiError) as capped:
        await throttle.count_sms(store, user, "p5", now=hour + 200)
    assert capped.value.status == 429
    assert capped.value.headers["Retry-After"] == str(3600 - 200)
    # The next hour starts afresh, and other accounts never shared the count.
    await throttle.count_sms(store, user, "p6", now=hour + 3600 + 1)
    await throttle.count_sms(store, other, "p5", now=hour + 200)


# ---- enrolment and sign-in through Twilio ----------------------------------------------------


async def test_enrol_and_sign_in_by_sms_through_twilio(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio
) -> None:
    email, tokens = await new_user(http)
    me = bearer(tokens["access_token"])
    sent = await http.post("/api/v1/auth/mfa/sms/setup", json={"phone_number": PHONE}, headers=me)
    assert sent.status_code == 200
    assert sent.json() == {"phone_number": MASKED, "expires_in": 300, "resend_after": 30}
    [setup_text] = twilio.to(PHONE)
    assert setup_text.from_ == twilio.from_number
    assert "Janua" in setup_text.body and "@testserver #" in setup_text.body
    # Not enrolled until confirmed.
    assert (await http.get("/api/v1/auth/mfa", headers=me)).json()["sms_enabled"] is False
    wrong = f"{(int(twilio.last_code(PHONE)) + 1) % 10**6:06d}"
    refused = await http.post("/api/v1/auth/mfa/sms/verify-setup", json={"code": wrong}, headers=me)
    assert refused.status_code == 403
    confirmed = await http.post(
        "/api/v1/auth/mfa/sms/verify-setup", json={"code": twilio.last_code(PHONE)}, headers=me
    )
    assert confirmed.status_code == 200
    enrolled = confirmed.json()
    assert enrolled["phone_number"] == MASKED
    assert len(enrolled["recovery_codes"]) == 10  # SMS was the first factor
    status = (await http.get("/api/v1/auth/mfa", headers=me)).json()
    assert status["methods"] == ["sms", "recovery_code"]
    assert status["sms_enabled"] and status["sms_phone_number"] == MASKED

    problem = await mfa_step(http, email)
    assert problem["mfa_methods"] == ["sms", "recovery_code"]
    queued = await http.post("/api/v1/auth/mfa/sms/send", json={"mfa_token": problem["mfa_token"]})
    assert queued.status_code == 202
    assert queued.json()["phone_number"] == MASKED
    assert len(twilio.to(PHONE)) == 2
    sign_in_code = twilio.last_code(PHONE)
    signed_in = await challenge(http, problem["mfa_token"], "sms", sign_in_code)
    assert signed_in.status_code == 200, signed_in.text
    token_claims = claims(signed_in.json()["tokens"]["access_token"])
    assert token_claims["amr"] == ["pwd", "sms", "mfa"]
    assert isinstance(token_claims["auth_time"], int)

    # Single use: the same code does not finish the next sign-in.
    again = (await mfa_step(http, email))["mfa_token"]
    assert (await challenge(http, again, "sms", sign_in_code)).status_code == 401
    actions = [e["action"] for e in await audit_actions(http, tokens["access_token"])]
    assert "mfa.sms_enrolled" in actions and "mfa.challenge_failed" in actions
    enrolled_event = next(
        e
        for e in await audit_actions(http, tokens["access_token"])
        if e["action"] == "mfa.sms_enrolled"
    )
    assert enrolled_event["details"] == {"phone_number": MASKED}


async def test_a_code_belongs_to_its_sign_in_and_resends_are_throttled(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio
) -> None:
    email, tokens = await new_user(http)
    await enrol_sms(http, twilio, tokens["access_token"])
    first = (await mfa_step(http, email))["mfa_token"]
    assert (
        await http.post("/api/v1/auth/mfa/sms/send", json={"mfa_token": first})
    ).status_code == 202
    code_of_first = twilio.last_code(PHONE)
    second = (await mfa_step(http, email))["mfa_token"]
    assert (await challenge(http, second, "sms", code_of_first)).status_code == 401

    too_soon = await http.post("/api/v1/auth/mfa/sms/send", json={"mfa_token": second})
    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == "RATE_LIMIT_ERROR"
    assert 1 <= int(too_soon.headers["retry-after"]) <= 30
    assert len(twilio.to(PHONE)) == 2  # the setup's and the first sign-in's
    assert (await challenge(http, first, "sms", code_of_first)).status_code == 200


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_sms_codes_expire_after_five_minutes(
    make_settings, open_client, twilio: fake_twilio.FakeTwilio
) -> None:
    app_client = open_client(make_settings(**twilio.env()))
    async with app_client as http:
        email, tokens = await new_user(http)
        await enrol_sms(http, twilio, tokens["access_token"])
        mfa_token = (await mfa_step(http, email))["mfa_token"]
        await http.post("/api/v1/auth/mfa/sms/send", json={"mfa_token": mfa_token})
        store = app_client.app.state.runtime.store
        assert isinstance(store, MemoryStore)
        real_clock = store._clock
        # 301 seconds later the code is gone (the mfa_token itself lives 300 s too: keep it).
        key = next(k for k in store._data if k.startswith("mfa-sms-code:sign_in:"))
        value, expires = store._data[key]
        assert 299 <= expires - real_clock() <= 300
        store._data[key] = (value, real_clock() - 1)
        expired = await challenge(http, mfa_token, "sms", twilio.last_code(PHONE))
        assert expired.status_code == 401
        assert expired.json()["code"] == "AUTHENTICATION_ERROR"


async def test_removing_the_number_needs_the_password(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio
) -> None:
    email, tokens = await new_user(http)
    me = bearer(tokens["access_token"])
    await enrol_sms(http, twilio, tokens["access_token"])
    again = await http.post("/api/v1/auth/mfa/sms/setup", json={"phone_number": PHONE}, headers=me)
    assert again.status_code == 409

    async def remove(body: dict) -> httpx.Response:
        return await http.request("DELETE", "/api/v1/auth/mfa/sms", json=body, headers=me)

    assert (await remove({"password": "not the password"})).status_code == 403
    assert (await remove({})).status_code == 422
    assert (await remove({"password": PASSWORD})).status_code == 204
    status = (await http.get("/api/v1/auth/mfa", headers=me)).json()
    assert status["methods"] == [] and status["recovery_codes_remaining"] == 0
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    assert (await remove({"password": PASSWORD})).status_code == 409
    actions = [e["action"] for e in await audit_actions(http, tokens["access_token"])]
    assert "mfa.sms_removed" in actions


async def test_sms_next_to_an_authenticator_app(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio
) -> None:
    email, tokens = await new_user(http)
    me = bearer(tokens["access_token"])
    secret, _ = await enrol_totp(http, tokens["access_token"])
    enrolled = await enrol_sms(http, twilio, tokens["access_token"])
    assert "recovery_codes" not in enrolled  # the app's codes stay
    problem = await mfa_step(http, email)
    assert problem["mfa_methods"] == ["totp", "sms", "recovery_code"]
    # Removing SMS keeps the app and its recovery codes.
    removed = await http.request(
        "DELETE", "/api/v1/auth/mfa/sms", json={"password": PASSWORD}, headers=me
    )
    assert removed.status_code == 204
    status = (await http.get("/api/v1/auth/mfa", headers=me)).json()
    assert status["methods"] == ["totp", "recovery_code"]
    assert status["recovery_codes_remaining"] == 10
    assert (await challenge(http, problem["mfa_token"], "sms", "123456")).status_code == 401
    assert (await challenge(http, problem["mfa_token"], "totp", code(secret, 1))).status_code == 200


# ---- failures and bad input ------------------------------------------------------------------


async def test_twilio_refusing_is_a_503_and_logs_no_code(
    make_settings, open_client, twilio: fake_twilio.FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_token = twilio.env() | {"TWILIO_AUTH_TOKEN": "not-the-token"}
    async with open_client(make_settings(**wrong_token)) as http:
        _, tokens = await new_user(http)
        refused = await http.post(
            "/api/v1/auth/mfa/sms/setup",
            json={"phone_number": PHONE},
            headers=bearer(tokens["access_token"]),
        )
    assert refused.status_code == 503
    assert refused.json()["code"] == "INTERNAL_ERROR"
    assert "retry-after" in refused.headers
    assert twilio.requests == 1 and twilio.messages == []
    assert "20003" in caplog.text  # Twilio's error code, for the operator
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("janua", "httpx"))]
    assert ours and not re.search(r"\b\d{6}\b", "\n".join(ours))

    twilio.fail_with = (503, 20500)
    async with open_client(make_settings(**twilio.env())) as http:
        _, tokens = await new_user(http)
        down = await http.post(
            "/api/v1/auth/mfa/sms/setup",
            json={"phone_number": PHONE},
            headers=bearer(tokens["access_token"]),
        )
    assert down.status_code == 503
    unreachable = twilio.env() | {"TWILIO_API_BASE": f"http://127.0.0.1:{free_port()}"}
    async with open_client(make_settings(**unreachable)) as http:
        _, tokens = await new_user(http)
        gone = await http.post(
            "/api/v1/auth/mfa/sms/setup",
            json={"phone_number": PHONE},
            headers=bearer(tokens["access_token"]),
        )
    assert gone.status_code == 503


async def test_bad_sms_inputs_are_documented_4xx(
    http: httpx.AsyncClient, twilio: fake_twilio.FakeTwilio
) -> None:
    email, tokens = await new_user(http)
    me = bearer(tokens["access_token"])
    setup = "/api/v1/auth/mfa/sms/setup"
    for body, pointer in (
        ({"phone_number": "+4477"}, "#/phone_number"),  # the pattern's, but no real number
        ({"phone_number": "07700900123"}, "#/phone_number"),
        ({"phone_number": "+44 7700 900123"}, "#/phone_number"),
        ({}, "#/phone_number"),
        ({"phone_number": PHONE, "carrier": "x"}, "#/carrier"),
    ):
        answer = await http.post(setup, json=body, headers=me)
        assert answer.status_code == 422, body
        assert pointer in [e["pointer"] for e in answer.json()["errors"]]
    assert twilio.messages == []
    assert (await http.post(setup, json={"phone_number": PHONE})).status_code == 401
    no_setup = await http.post(
        "/api/v1/auth/mfa/sms/verify-setup", json={"code": "123456"}, headers=me
    )
    assert no_setup.status_code == 409
    assert (
        await http.request(
            "DELETE", "/api/v1/auth/mfa/sms", json={"password": PASSWORD}, headers=me
        )
    ).status_code == 409
    # A sign-in without SMS among its methods cannot have a code sent.
    await enrol_totp(http, tokens["access_token"])
    mfa_token = (await mfa_step(http, email))["mfa_token"]
    send = "/api/v1/auth/mfa/sms/send"
    assert (await http.post(send, json={"mfa_token": mfa_token})).status_code == 422
    assert (await http.post(send, json={"mfa_token": "made-up"})).status_code == 401
    assert (await http.post(send, json={})).status_code == 422
    assert twilio.messages == []


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_the_console_sender_prints_the_text(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    _, tokens = await new_user(client)
    me = bearer(tokens["access_token"])
    sent = await client.post("/api/v1/auth/mfa/sms/setup", json={"phone_number": PHONE}, headers=me)
    assert sent.status_code == 200
    printed = capsys.readouterr().out
    found = re.search(rf"SMS to \{PHONE} .*code is (\d{{6}})", printed)
    assert found, printed
    confirmed = await client.post(
        "/api/v1/auth/mfa/sms/verify-setup", json={"code": found.group(1)}, headers=me
    )
    assert confirmed.status_code == 200
