"""WebAuthn passkeys against a software authenticator (tests/support/soft_authenticator.py):
registration, management, sign-in alone and as the second factor, and the ways a ceremony
must fail (replay, foreign challenges, other origins and RP IDs, bad signatures, cloned
authenticators, one user's passkey offered for another)."""

from __future__ import annotations

import asyncio
import json
import uuid
from types import SimpleNamespace

import httpx
import pytest
from janua_server.core.errors import ApiError
from janua_server.core.store import MemoryStore
from janua_server.oidc import second_factor
from janua_server.passkeys import challenges
from janua_server.sessions.service import ClientInfo
from support.mfa import audit_actions, claims, enrol_totp, mfa_step
from support.soft_authenticator import InvalidStateError, SoftAuthenticator, b64url
from support.users import PASSWORD, bearer, register, unique_email

OPTIONS = "/api/v1/auth/passkey/register/options"
REGISTER = "/api/v1/auth/passkey/register"
PASSKEYS = "/api/v1/auth/passkeys"
LOGIN_OPTIONS = "/api/v1/auth/passkey/login/options"
LOGIN = "/api/v1/auth/passkey/login"


async def new_user(http: httpx.AsyncClient) -> tuple[str, str]:
    email = unique_email("passkey")
    return email, (await register(http, email))["tokens"]["access_token"]


async def creation_options(http: httpx.AsyncClient, token: str) -> dict:
    response = await http.post(OPTIONS, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


async def add_passkey(
    http: httpx.AsyncClient, token: str, authenticator: SoftAuthenticator, **body: str
) -> dict:
    credential = authenticator.create(await creation_options(http, token))
    response = await http.post(
        REGISTER, json={"credential": credential, **body}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def request_options(http: httpx.AsyncClient, mfa_token: str | None = None) -> dict:
    body = {"mfa_token": mfa_token} if mfa_token else {}
    response = await http.post(LOGIN_OPTIONS, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def sign_in(
    http: httpx.AsyncClient, challenge_id: str, credential: dict, **extra: str
) -> httpx.Response:
    return await http.post(
        LOGIN, json={"challenge_id": challenge_id, "credential": credential, **extra}
    )


def refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "AUTHENTICATION_ERROR"


# ---- registration and management ----------------------------------------------------------------


async def test_register_list_rename_and_delete(client: httpx.AsyncClient) -> None:
    email, token = await new_user(client)
    me = (await client.get("/api/v1/auth/me", headers=bearer(token))).json()
    options = await creation_options(client, token)
    assert options["rp"] == {"id": "testserver", "name": "Janua"}
    assert options["user"]["id"] == b64url(uuid.UUID(me["id"]).bytes)
    assert options["user"]["name"] == email
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []

    key = SoftAuthenticator()
    credential = key.create(options)
    created = await client.post(
        REGISTER, json={"credential": credential, "name": " Yubikey "}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["name"] == "Yubikey"
    assert first["device_type"] == "single_device"
    assert first["backed_up"] is False
    assert first["transports"] == ["usb", "nfc"]
    assert first["last_used_at"] is None
    assert first["aaguid"] == str(uuid.UUID(int=0))

    # The same authenticator is excluded from now on, and a replayed registration conflicts.
    again = await creation_options(client, token)
    assert [c["id"] for c in again["excludeCredentials"]] == [credential["id"]]
    with pytest.raises(InvalidStateError):
        key.create(again)

    synced = await add_passkey(client, token, SoftAuthenticator(synced=True, counter=False))
    assert synced["name"] == "Synced passkey"
    assert synced["device_type"] == "multi_device"
    assert synced["backed_up"] is True

    listed = await client.get(PASSKEYS, params={"limit": 1}, headers=bearer(token))
    assert [p["id"] for p in listed.json()["data"]] == [synced["id"]]
    rest = await client.get(
        PASSKEYS, params={"cursor": listed.json()["next_cursor"]}, headers=bearer(token)
    )
    assert [p["id"] for p in rest.json()["data"]] == [first["id"]]
    assert rest.json()["next_cursor"] is None

    renamed = await client.patch(
        f"{PASSKEYS}/{first['id']}", json={"name": "Desk key"}, headers=bearer(token)
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Desk key"

    # Someone else's passkey ids are unknown ids, for every verb and as a cursor.
    _, other = await new_user(client)
    theirs = f"{PASSKEYS}/{first['id']}"
    assert (
        await client.patch(theirs, json={"name": "x"}, headers=bearer(other))
    ).status_code == 404
    assert (await client.delete(theirs, headers=bearer(other))).status_code == 404
    foreign_cursor = await client.get(
        PASSKEYS, params={"cursor": first["id"]}, headers=bearer(other)
    )
    assert foreign_cursor.status_code == 404

    assert (await client.delete(theirs, headers=bearer(token))).status_code == 204
    assert (await client.delete(theirs, headers=bearer(token))).status_code == 404
    remaining = (await client.get(PASSKEYS, headers=bearer(token))).json()["data"]
    assert [p["id"] for p in remaining] == [synced["id"]]

    events = await audit_actions(client, token)
    actions = [e["action"] for e in events]
    assert actions.count("passkey.registered") == 2
    assert "passkey.renamed" in actions and "passkey.deleted" in actions
    deleted = next(e for e in events if e["action"] == "passkey.deleted")
    assert deleted["target"] == f"passkey:{first['id']}"


async def test_replayed_registration_conflicts_or_fails(client: httpx.AsyncClient) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator()
    credential = key.create(await creation_options(client, token))
    body = {"credential": credential}
    assert (await client.post(REGISTER, json=body, headers=bearer(token))).status_code == 201
    # The challenge is used up: the very same response again does not verify.
    refused(await client.post(REGISTER, json=body, headers=bearer(token)))
    # Another account's registration challenge cannot carry this credential either.
    _, other = await new_user(client)
    refused(await client.post(REGISTER, json=body, headers=bearer(other)))


# ---- sign-in ----------------------------------------------------------------------------------


async def test_usernameless_sign_in_and_its_amr(client: httpx.AsyncClient) -> None:
    email, token = await new_user(client)
    key = SoftAuthenticator()  # a security key that checks a PIN
    passkey = await add_passkey(client, token, key)
    started = await request_options(client)
    assert started["public_key"]["allowCredentials"] == []
    assert started["public_key"]["rpId"] == "testserver"
    assert started["expires_in"] == 300

    signed_in = await sign_in(
        client, started["challenge_id"], key.get(started["public_key"]), device_label="Desk"
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["cache-control"] == "no-store"
    assert signed_in.json()["user"]["email"] == email
    access = signed_in.json()["tokens"]["access_token"]
    assert claims(access)["amr"] == ["hwk", "mfa"]
    me = await client.get("/api/v1/auth/me", headers=bearer(access))
    assert me.json()["email"] == email
    events = await audit_actions(client, access)
    login = next(e for e in events if e["action"] == "login.succeeded")
    assert login["details"] == {"method": "passkey"}
    listed = (await client.get(PASSKEYS, headers=bearer(access))).json()["data"]
    assert listed[0]["id"] == passkey["id"] and listed[0]["last_used_at"] is not None

    # A synced passkey without user verification: a software-held key, one factor.
    _, token2 = await new_user(client)
    synced = SoftAuthenticator(synced=True, counter=False, verifies_user=False)
    await add_passkey(client, token2, synced)
    for _ in range(2):  # no counter (always 0) is not a regression
        started = await request_options(client)
        ok = await sign_in(client, started["challenge_id"], synced.get(started["public_key"]))
        assert ok.status_code == 200, ok.text
        assert claims(ok.json()["tokens"]["access_token"])["amr"] == ["swk"]


async def test_passkey_as_the_second_factor(client: httpx.AsyncClient) -> None:
    email, token = await new_user(client)
    key = SoftAuthenticator()
    await add_passkey(client, token, key)
    other_key = SoftAuthenticator()
    await add_passkey(client, token, other_key)

    problem = await mfa_step(client, email, token_transport="cookie")
    assert problem["mfa_methods"] == ["passkey"]
    mfa_token = problem["mfa_token"]
    started = await request_options(client, mfa_token)
    allowed = {c["id"] for c in started["public_key"]["allowCredentials"]}
    assert len(allowed) == 2
    assert b64url(key.credentials[0].credential_id) in allowed
    assertion = key.get(started["public_key"], omit_user_handle=True)

    # The challenge belongs to this mfa_token: without it, the assertion is not accepted.
    refused(await sign_in(client, started["challenge_id"], assertion))
    done = await sign_in(client, started["challenge_id"], assertion, mfa_token=mfa_token)
    assert done.status_code == 200, done.text
    # Delivered as the password step asked (cookie), with amr [pwd, hwk, mfa].
    assert "__Host-janua_refresh" in done.headers.get("set-cookie", "")
    assert claims(done.json()["tokens"]["access_token"])["amr"] == ["pwd", "hwk", "mfa"]
    events = await audit_actions(client, done.json()["tokens"]["access_token"])
    finished = next(e for e in events if e["action"] == "login.succeeded")
    assert finished["details"] == {"second_factor": "passkey"}

    # The pending sign-in is finished: its mfa_token opens nothing more.
    used = await client.post(LOGIN_OPTIONS, json={"mfa_token": mfa_token})
    assert used.status_code == 401 and used.json()["code"] == "TOKEN_ERROR"

    # Deleting the passkeys makes the password enough again.
    for key_id in [
        p["id"] for p in (await client.get(PASSKEYS, headers=bearer(token))).json()["data"]
    ]:
        assert (
            await client.delete(f"{PASSKEYS}/{key_id}", headers=bearer(token))
        ).status_code == 204
    again = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert again.status_code == 200, again.text


async def test_replayed_assertions_and_foreign_challenges_are_refused(
    client: httpx.AsyncClient,
) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator()
    await add_passkey(client, token, key)

    started = await request_options(client)
    assertion = key.get(started["public_key"])
    assert (await sign_in(client, started["challenge_id"], assertion)).status_code == 200
    refused(await sign_in(client, started["challenge_id"], assertion))  # the same, twice

    # Signed over one ceremony's challenge, presented with another's id.
    first, second = await request_options(client), await request_options(client)
    refused(await sign_in(client, second["challenge_id"], key.get(first["public_key"])))
    # ... and the challenge presented was used up by that attempt, whatever its outcome.
    refused(await sign_in(client, second["challenge_id"], key.get(second["public_key"])))

    # A registration challenge is no sign-in challenge, neither as the id nor as the value.
    registration = await creation_options(client, token)
    refused(
        await sign_in(
            client,
            registration["challenge"],
            key.get(first["public_key"], challenge=registration["challenge"]),
        )
    )
    fresh = await request_options(client)
    refused(
        await sign_in(
            client,
            fresh["challenge_id"],
            key.get(fresh["public_key"], challenge=registration["challenge"]),
        )
    )
    # A sign-in challenge is no registration challenge.
    login_challenge = (await request_options(client))["public_key"]["challenge"]
    forged = SoftAuthenticator().create(registration, challenge=login_challenge)
    refused(await client.post(REGISTER, json={"credential": forged}, headers=bearer(token)))

    # Another user's registration challenge is refused, and stays theirs to use.
    _, other = await new_user(client)
    theirs = await creation_options(client, other)
    stolen = SoftAuthenticator().create(theirs)
    refused(await client.post(REGISTER, json={"credential": stolen}, headers=bearer(token)))
    own = await client.post(REGISTER, json={"credential": stolen}, headers=bearer(other))
    assert own.status_code == 201, own.text


async def test_other_origins_and_rp_ids_are_refused(client: httpx.AsyncClient) -> None:
    _, token = await new_user(client)
    for bad in ({"origin": "https://evil.example"}, {"rp_id": "evil.example"}):
        credential = SoftAuthenticator().create(await creation_options(client, token), **bad)
        refused(await client.post(REGISTER, json={"credential": credential}, headers=bearer(token)))
    # Without user presence there is no registration either.
    credential = SoftAuthenticator().create(
        await creation_options(client, token), user_present=False
    )
    refused(await client.post(REGISTER, json={"credential": credential}, headers=bearer(token)))

    key = SoftAuthenticator()
    await add_passkey(client, token, key)
    for bad in (
        {"origin": "https://evil.example"},
        {"origin": "http://testserver:8080"},
        {"rp_id": "evil.example"},
    ):
        started = await request_options(client)
        refused(
            await sign_in(client, started["challenge_id"], key.get(started["public_key"], **bad))
        )
    # The failures did not break the passkey.
    started = await request_options(client)
    assert (
        await sign_in(client, started["challenge_id"], key.get(started["public_key"]))
    ).status_code == 200


async def test_a_flipped_signature_byte_is_refused_and_audited(client: httpx.AsyncClient) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator()
    passkey = await add_passkey(client, token, key)
    started = await request_options(client)
    refused(
        await sign_in(
            client, started["challenge_id"], key.get(started["public_key"], flip_signature=True)
        )
    )
    failed = [e for e in await audit_actions(client, token) if e["action"] == "login.failed"]
    assert failed[0]["details"] == {"method": "passkey", "reason": "not_verified"}
    assert failed[0]["target"] == f"passkey:{passkey['id']}"


async def test_a_sign_count_regression_is_refused_and_audited(client: httpx.AsyncClient) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator()
    passkey = await add_passkey(client, token, key)
    for _ in range(3):  # the counter grows: 1, 2, 3
        started = await request_options(client)
        ok = await sign_in(client, started["challenge_id"], key.get(started["public_key"]))
        assert ok.status_code == 200, ok.text
    # A clone of the authenticator at its state two sign-ins ago.
    for stale in (3, 2):
        started = await request_options(client)
        refused(
            await sign_in(
                client, started["challenge_id"], key.get(started["public_key"], sign_count=stale)
            )
        )
    events = [
        e
        for e in await audit_actions(client, token)
        if e["action"] == "passkey.sign_count_regressed"
    ]
    assert len(events) == 2
    assert events[0]["outcome"] == "failure"
    assert events[0]["target"] == f"passkey:{passkey['id']}"
    assert events[-1]["details"] == {"stored_sign_count": 3, "presented_sign_count": 3}
    # The genuine authenticator moves on.
    started = await request_options(client)
    ok = await sign_in(client, started["challenge_id"], key.get(started["public_key"]))
    assert ok.status_code == 200, ok.text


async def test_one_users_passkey_never_signs_in_another(client: httpx.AsyncClient) -> None:
    _, token_a = await new_user(client)
    key_a = SoftAuthenticator()
    await add_passkey(client, token_a, key_a)
    email_b, token_b = await new_user(client)
    await add_passkey(client, token_b, SoftAuthenticator())

    # B's password, then A's passkey for B's second factor.
    mfa_token = (await mfa_step(client, email_b))["mfa_token"]
    started = await request_options(client, mfa_token)
    credential = key_a.get(started["public_key"], credential=key_a.credentials[0])
    refused(await sign_in(client, started["challenge_id"], credential, mfa_token=mfa_token))
    failed = [e for e in await audit_actions(client, token_b) if e["action"] == "login.failed"]
    assert failed[0]["details"]["reason"] == "passkey_of_another_user"
    assert failed[0]["target"] is None  # A's passkey is not named in B's log

    # Usernameless, A's passkey claiming to be B's (B's user handle): refused too.
    me_b = (await client.get("/api/v1/auth/me", headers=bearer(token_b))).json()
    started = await request_options(client)
    claimed = key_a.get(started["public_key"], user_handle=uuid.UUID(me_b["id"]).bytes)
    refused(await sign_in(client, started["challenge_id"], claimed))
    # And a usernameless assertion must name its user at all.
    started = await request_options(client)
    refused(
        await sign_in(
            client, started["challenge_id"], key_a.get(started["public_key"], omit_user_handle=True)
        )
    )


async def test_bad_input_is_a_documented_4xx(client: httpx.AsyncClient) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator()
    await add_passkey(client, token, key)
    started = await request_options(client)
    good = key.get(started["public_key"])

    def with_response(**members: str) -> dict:
        return {**good, "response": {**good["response"], **members}}

    cases = [
        (with_response(signature="abcde"), 400),  # not base64url (5 characters)
        (with_response(clientDataJSON=b64url(b"not json")), 400),
        ({**good, "extra": 1}, 422),
        ({**good, "type": "password"}, 422),
        (with_response(authenticatorData=b64url(b"\x00" * 10)), 401),  # too short to parse
    ]
    for credential, status in cases:
        response = await sign_in(client, started["challenge_id"], credential)
        assert response.status_code == status, (credential, response.text)
    # The malformed ones (400, 422) did not use up the challenge; the 401 did.
    refused(await sign_in(client, started["challenge_id"], good))

    refused(await sign_in(client, "no-such-challenge", good))
    not_json = await client.post(LOGIN, content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    garbage = SoftAuthenticator().create(await creation_options(client, token))
    garbage["response"]["attestationObject"] = b64url(b"\xff\x00garbage")
    refused(await client.post(REGISTER, json={"credential": garbage}, headers=bearer(token)))
    unauthenticated = await client.post(OPTIONS)
    assert unauthenticated.status_code == 401

    unknown = await client.post(LOGIN_OPTIONS, json={"mfa_token": "x" * 43})
    assert unknown.status_code == 401 and unknown.json()["code"] == "TOKEN_ERROR"
    # A sign-in whose user has no passkey cannot be finished with one.
    email_totp, token_totp = await new_user(client)
    await enrol_totp(client, token_totp)
    waiting = (await mfa_step(client, email_totp))["mfa_token"]
    unavailable = await client.post(LOGIN_OPTIONS, json={"mfa_token": waiting})
    assert unavailable.status_code == 422
    assert unavailable.json()["errors"][0]["pointer"] == "#/mfa_token"


# ---- the challenge store ------------------------------------------------------------------------


async def test_challenges_expire_and_are_claimed_once() -> None:
    now = [1000.0]
    rt = SimpleNamespace(store=MemoryStore(clock=lambda: now[0]))
    await challenges.remember(rt, "id-1", ceremony="authentication", challenge="c1")
    await challenges.remember(rt, "id-2", ceremony="authentication", challenge="c2")
    assert await challenges.peek(rt, "id-1", "registration") is None  # other ceremony
    found = await challenges.peek(rt, "id-1", "authentication")
    assert found is not None and found.challenge == "c1"
    assert await challenges.claim(rt, found) is True
    assert await challenges.claim(rt, found) is False
    assert await challenges.peek(rt, "id-1", "authentication") is None
    now[0] += challenges.CHALLENGE_TTL_SECONDS
    assert await challenges.peek(rt, "id-2", "authentication") is None


async def test_concurrent_uses_of_one_assertion_open_one_session(
    client: httpx.AsyncClient,
) -> None:
    _, token = await new_user(client)
    key = SoftAuthenticator(synced=True, counter=False)  # no counter to stop the second one
    await add_passkey(client, token, key)
    started = await request_options(client)
    assertion = key.get(started["public_key"])
    answers = await asyncio.gather(
        *(sign_in(client, started["challenge_id"], assertion) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]


async def test_the_hosted_sign_in_pages_interface(settings, open_client) -> None:
    """`oidc.second_factor` drives the ceremony through the service with a form field's JSON
    text: `authentication_options` -> {challenge, publicKey}, `finish_sign_in(credential=str)`."""
    opened = open_client(settings)
    async with opened as http:
        rt = opened.app.state.runtime
        assert second_factor.passkeys_available()
        _, token = await new_user(http)
        key = SoftAuthenticator()
        await add_passkey(http, token, key)
        client = ClientInfo(ip="203.0.113.7", user_agent="pytest")
        options = await second_factor.passkey_options(rt, None, client)
        assert set(options) == {"challenge", "publicKey"}
        assertion = json.dumps(key.get(options["publicKey"]))
        tokens = await second_factor.finish_with_passkey(
            rt, None, challenge=options["challenge"], credential=assertion, client=client
        )
        assert claims(tokens.access_token)["amr"] == ["hwk", "mfa"]
        with pytest.raises(ApiError) as malformed:
            await second_factor.finish_with_passkey(
                rt, None, challenge=options["challenge"], credential="{", client=client
            )
        assert malformed.value.status == 400
