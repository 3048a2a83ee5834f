"""The provider's back channel: `/oauth/token` (three grants, three client-authentication
methods), introspection (RFC 7662), revocation (RFC 7009), userinfo, and discovery metadata.
Codes are issued with `codes.issue_code`, as `/oauth/authorize` does after the user approved."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import jwt as pyjwt
import pytest
from janua_server.oidc import tokens
from support.admins import Site, admin
from support.oauth_clients import (
    CALLBACK,
    auth_for,
    basic,
    code_for,
    introspect,
    pkce,
    redeem,
    register_client,
    revoke,
    token,
)
from support.orgs import claims, organization, person
from support.users import bearer, register


@pytest.fixture
async def site(settings, open_client) -> AsyncIterator[Site]:
    app = open_client(settings)
    async with app as http:
        yield Site(app.app, http)


async def new_user(site: Site, **profile) -> str:
    created = await register(site.http)
    if profile:
        changed = await site.http.patch(
            "/api/v1/auth/me", json=profile, headers=bearer(created["tokens"]["access_token"])
        )
        assert changed.status_code == 200, changed.text
    return created["user"]["id"]


def verified(site: Site, jwt: str, audience: str) -> dict:
    """The claims after a full verification against the published JWKS, as a relying party."""
    header = pyjwt.get_unverified_header(jwt)
    keys = {key["kid"]: key for key in site.runtime.tokens.keyring.jwks()["keys"]}
    key = pyjwt.PyJWK(keys[header["kid"]])
    return pyjwt.decode(
        jwt, key.key, algorithms=["RS256"], audience=audience, issuer="http://testserver"
    )


# --- client authentication and client_credentials ----------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_client_credentials_issues_an_rfc9068_token(site: Site, method: str) -> None:
    client = await register_client(site.runtime, method=method)
    answer = await token(site.http, client, grant_type="client_credentials")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["pragma"] == "no-cache"
    # Browser apps read it from their own origin; no cookies are involved.
    assert answer.headers["access-control-allow-origin"] == "*"
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    # Only the client's own API scopes: the user scopes have no user here.
    assert body["scope"] == "orders:read"
    assert "refresh_token" not in body and "id_token" not in body
    access = body["access_token"]
    assert pyjwt.get_unverified_header(access)["typ"] == "at+jwt"
    payload = verified(site, access, "http://testserver")
    assert payload["sub"] == payload["client_id"] == client.client_id
    assert payload["scope"] == "orders:read"
    assert {"iat", "exp", "jti"} <= set(payload)
    assert "gid" not in payload and "auth_time" not in payload


async def test_client_credentials_scope_rules(site: Site) -> None:
    client = await register_client(site.runtime)
    narrowed = await token(site.http, client, grant_type="client_credentials", scope="orders:read")
    assert narrowed.json()["scope"] == "orders:read"
    for scope in ("orders:write", "openid"):
        refused = await token(site.http, client, grant_type="client_credentials", scope=scope)
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_scope"


async def test_failed_client_authentication_is_invalid_client(site: Site) -> None:
    client = await register_client(site.runtime)
    post_client = await register_client(site.runtime, method="client_secret_post")
    cases = [
        {"headers": basic(client.client_id, "wrong-secret")},
        {"headers": basic("no-such-client", client.client_secret)},
        {"headers": {"Authorization": "Basic !!!notbase64"}},
        {"headers": {"Authorization": "Bearer abc"}},
        {"headers": {}},
        # A client must use the method it registered.
        {
            "headers": {},
            "form": {"client_id": client.client_id, "client_secret": client.client_secret},
        },
        {"headers": basic(post_client.client_id, post_client.client_secret)},
        # A confidential client cannot pass as public.
        {"headers": {}, "form": {"client_id": client.client_id}},
    ]
    for case in cases:
        answer = await site.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"} | case.get("form", {}),
            headers=case["headers"],
        )
        assert answer.status_code == 401, (case, answer.text)
        assert answer.json()["error"] == "invalid_client"
        assert answer.headers["www-authenticate"] == 'Basic realm="janua"'
        assert answer.headers["cache-control"] == "no-store"
        assert client.client_secret not in answer.text


async def test_protocol_errors(site: Site) -> None:
    client = await register_client(site.runtime)
    headers, _ = auth_for(client)
    two_methods = await site.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": client.client_secret},
        headers=headers,
    )
    assert two_methods.json()["error"] == "invalid_request"
    unknown = await token(site.http, client, grant_type="password")
    assert unknown.json()["error"] == "unsupported_grant_type"
    twice = await site.http.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers=headers | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.json()["error"] == "invalid_request"
    json_body = await site.http.post(
        "/oauth/token", json={"grant_type": "client_credentials"}, headers=headers
    )
    assert json_body.status_code == 400 and json_body.json()["error"] == "invalid_request"
    no_grant = await token(site.http, client)
    assert no_grant.json()["error"] == "invalid_request"
    code_only = await register_client(site.runtime, grant_types=["authorization_code"])
    refused = await token(site.http, code_only, grant_type="client_credentials")
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"


# --- authorization_code --------------------------------------------------------------------


async def test_code_exchange_issues_access_id_and_refresh_tokens(site: Site) -> None:
    client = await register_client(site.runtime)
    user_id = await new_user(site, name="Ada Lovelace")
    session_id = uuid.uuid4()
    verifier, challenge = pkce()
    code = await code_for(
        site.runtime, client.client_id, user_id, challenge=challenge, session_id=session_id
    )
    answer = await redeem(site.http, client, code, verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["scope"] == "openid profile email offline_access"
    assert body["refresh_token"]
    access = verified(site, body["access_token"], "http://testserver")
    assert pyjwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    assert access["sub"] == user_id and access["client_id"] == client.client_id
    assert access["amr"] == ["pwd"] and access["sid"] == str(session_id)
    assert isinstance(access["auth_time"], int)
    id_token = verified(site, body["id_token"], client.client_id)
    assert pyjwt.get_unverified_header(body["id_token"])["typ"] == "JWT"
    assert id_token["sub"] == user_id and id_token["azp"] == client.client_id
    assert id_token["nonce"] == "n-123"
    assert id_token["at_hash"] == tokens.at_hash(body["access_token"])
    assert id_token["auth_time"] == access["auth_time"]
    assert id_token["amr"] == ["pwd"] and id_token["sid"] == str(session_id)
    assert id_token["name"] == "Ada Lovelace" and id_token["email_verified"] is False


async def test_no_refresh_token_without_offline_access_and_no_id_token_without_openid(
    site: Site,
) -> None:
    client = await register_client(site.runtime)
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(
        site.runtime, client.client_id, user_id, scope="orders:read", challenge=challenge
    )
    body = (await redeem(site.http, client, code, verifier)).json()
    assert body["scope"] == "orders:read"
    assert "refresh_token" not in body and "id_token" not in body


async def test_public_client_uses_pkce_and_no_secret(site: Site) -> None:
    client = await register_client(site.runtime, method="none")
    assert client.client_secret is None
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client.client_id, user_id, challenge=challenge)
    assert (await redeem(site.http, client, code, verifier)).status_code == 200
    # Without PKCE a public client's code is worthless.
    bare = await code_for(site.runtime, client.client_id, user_id)
    refused = await redeem(site.http, client, bare)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    # Public clients have no client_credentials.
    cc = await token(site.http, client, grant_type="client_credentials")
    assert cc.json()["error"] == "unauthorized_client"


async def test_pkce_wrong_verifier_and_downgrade_are_refused(site: Site) -> None:
    client = await register_client(site.runtime)
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client.client_id, user_id, challenge=challenge)
    for wrong in (None, pkce()[0], "short"):
        refused = await redeem(site.http, client, code, wrong)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    # RFC 9700 4.8.2: a verifier for a code issued without a challenge is refused.
    plain_code = await code_for(site.runtime, client.client_id, user_id)
    downgrade = await redeem(site.http, client, plain_code, verifier)
    assert downgrade.json()["error"] == "invalid_grant"
    # The failures did not burn the code: the right verifier still redeems it.
    assert (await redeem(site.http, client, code, verifier)).status_code == 200


async def test_code_is_bound_to_client_and_redirect_uri(site: Site) -> None:
    client = await register_client(site.runtime)
    other = await register_client(site.runtime)
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client.client_id, user_id, challenge=challenge)
    stolen = await redeem(site.http, other, code, verifier)
    assert stolen.json()["error"] == "invalid_grant"
    for uri in (None, CALLBACK + "/", CALLBACK.upper(), CALLBACK + "?x=1"):
        form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
        if uri is not None:
            form["redirect_uri"] = uri
        mismatch = await token(site.http, client, **form)
        assert mismatch.json()["error"] == "invalid_grant", uri
    assert (await redeem(site.http, client, code, verifier)).status_code == 200


async def test_code_reuse_fails_and_revokes_what_the_first_redemption_produced(
    site: Site,
) -> None:
    client = await register_client(site.runtime)
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client.client_id, user_id, challenge=challenge)
    first = (await redeem(site.http, client, code, verifier)).json()
    assert (await introspect(site.http, client, first["access_token"]))["active"] is True
    again = await redeem(site.http, client, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert await introspect(site.http, client, first["access_token"]) == {"active": False}
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert refreshed.json()["error"] == "invalid_grant"


async def test_unknown_and_expired_codes_are_invalid_grant(make_settings, open_client) -> None:
    app = open_client(make_settings(OAUTH_CODE_TTL_SECONDS="1"))
    async with app as http:
        site = Site(app.app, http)
        client = await register_client(site.runtime)
        user_id = await new_user(site)
        verifier, challenge = pkce()
        code = await code_for(site.runtime, client.client_id, user_id, challenge=challenge)
        unknown = await redeem(http, client, "not-a-code", verifier)
        assert unknown.json()["error"] == "invalid_grant"
        await asyncio.sleep(1.2)
        expired = await redeem(http, client, code, verifier)
        assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


# --- refresh_token -----------------------------------------------------------------------------


async def _user_tokens(site: Site, client, scope: str = "openid profile email offline_access"):
    user_id = await new_user(site)
    verifier, challenge = pkce()
    code = await code_for(site.runtime, client.client_id, user_id, scope=scope, challenge=challenge)
    answer = await redeem(site.http, client, code, verifier)
    assert answer.status_code == 200, answer.text
    return user_id, answer.json()


async def test_refresh_rotates_and_reuse_revokes_the_family(site: Site) -> None:
    client = await register_client(site.runtime)
    user_id, first = await _user_tokens(site, client)
    second = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"]
    id_token = verified(site, body["id_token"], client.client_id)
    assert id_token["sub"] == user_id and "nonce" not in id_token
    # The first refresh token again: reuse. The whole family ends.
    reused = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert reused.json()["error"] == "invalid_grant"
    successor = await token(
        site.http, client, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert successor.json()["error"] == "invalid_grant"
    assert await introspect(site.http, client, body["access_token"]) == {"active": False}


async def test_refresh_scope_may_narrow_but_not_widen(site: Site) -> None:
    client = await register_client(site.runtime)
    _, first = await _user_tokens(site, client, "openid email offline_access")
    wider = await token(
        site.http,
        client,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        scope="openid profile",
    )
    assert wider.json()["error"] == "invalid_scope"
    narrower = await token(
        site.http,
        client,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        scope="openid",
    )
    assert narrower.status_code == 200 and narrower.json()["scope"] == "openid"
    # The new refresh token keeps the grant's full scope (RFC 6749 section 6).
    full = await token(
        site.http,
        client,
        grant_type="refresh_token",
        refresh_token=narrower.json()["refresh_token"],
    )
    assert full.json()["scope"] == "openid email offline_access"


async def test_refresh_token_of_another_client_is_refused_and_not_burned(site: Site) -> None:
    client = await register_client(site.runtime)
    other = await register_client(site.runtime)
    _, first = await _user_tokens(site, client)
    stolen = await token(
        site.http, other, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert stolen.json()["error"] == "invalid_grant"
    mine = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert mine.status_code == 200


# --- introspection and revocation --------------------------------------------------------------


async def test_introspection_describes_active_tokens_only(site: Site) -> None:
    client = await register_client(site.runtime)
    resource_server = await register_client(site.runtime, method="client_secret_post")
    user_id, issued = await _user_tokens(site, client)
    answer = await introspect(site.http, resource_server, issued["access_token"])
    assert answer["active"] is True
    assert answer["sub"] == user_id and answer["client_id"] == client.client_id
    assert answer["scope"] == "openid profile email offline_access"
    assert answer["token_type"] == "Bearer" and answer["iss"] == "http://testserver"
    assert answer["exp"] > answer["iat"]
    # A refresh token is described to its own client only.
    mine = await introspect(site.http, client, issued["refresh_token"])
    assert mine["active"] is True and mine["token_type"] == "refresh_token"
    assert await introspect(site.http, resource_server, issued["refresh_token"]) == {
        "active": False
    }
    first_party = (await register(site.http))["tokens"]["access_token"]
    for value in (issued["id_token"], first_party, "garbage", "a.b.c"):
        assert await introspect(site.http, client, value) == {"active": False}
    machine = (await token(site.http, client, grant_type="client_credentials")).json()
    assert (await introspect(site.http, resource_server, machine["access_token"]))["active"]


async def test_introspection_needs_a_confidential_client(site: Site) -> None:
    client = await register_client(site.runtime)
    public = await register_client(site.runtime, method="none")
    _, issued = await _user_tokens(site, client)
    anonymous = await site.http.post("/oauth/introspect", data={"token": issued["access_token"]})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_client"
    as_public = await site.http.post(
        "/oauth/introspect", data={"token": issued["access_token"], "client_id": public.client_id}
    )
    assert as_public.status_code == 401
    headers, _ = auth_for(client)
    missing = await site.http.post("/oauth/introspect", data={}, headers=headers)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


async def test_revoking_a_refresh_token_ends_its_grant(site: Site) -> None:
    client = await register_client(site.runtime)
    _, issued = await _user_tokens(site, client)
    revoked = await revoke(site.http, client, issued["refresh_token"])
    assert revoked.status_code == 200 and revoked.content == b""
    assert await introspect(site.http, client, issued["access_token"]) == {"active": False}
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert refreshed.json()["error"] == "invalid_grant"
    userinfo = await site.http.get("/oauth/userinfo", headers=bearer(issued["access_token"]))
    assert userinfo.status_code == 401


async def test_revoking_an_access_token_and_unknown_or_foreign_tokens(site: Site) -> None:
    client = await register_client(site.runtime)
    other = await register_client(site.runtime)
    _, issued = await _user_tokens(site, client)
    # Another client's tokens, unknown ones, garbage: 200, and nothing happens.
    for value in (issued["access_token"], issued["refresh_token"], "unknown", "x.y.z"):
        assert (await revoke(site.http, other, value)).status_code == 200
    assert (await introspect(site.http, client, issued["access_token"]))["active"] is True
    assert (await revoke(site.http, client, issued["access_token"])).status_code == 200
    assert await introspect(site.http, client, issued["access_token"]) == {"active": False}
    # The grant lives on: the refresh token still works.
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert refreshed.status_code == 200
    wrong = await site.http.post("/oauth/revoke", data={"token": "x"}, headers=basic("a", "b"))
    assert wrong.status_code == 401
    # A public client revokes its own tokens with its client_id (RFC 7009 section 2.1).
    public = await register_client(site.runtime, method="none")
    _, public_tokens = await _user_tokens(site, public)
    assert (await revoke(site.http, public, public_tokens["refresh_token"])).status_code == 200
    assert await introspect(site.http, client, public_tokens["access_token"]) == {"active": False}


# --- userinfo ----------------------------------------------------------------------------------


async def test_userinfo_claims_follow_the_scopes(site: Site) -> None:
    client = await register_client(site.runtime)
    user_id = await new_user(site, name="Ada Lovelace", locale="en-GB", timezone="Europe/London")
    expected = {
        "openid": {"sub"},
        "openid profile": {"sub", "name", "locale", "zoneinfo", "updated_at"},
        "openid email": {"sub", "email", "email_verified"},
    }
    for scope, names in expected.items():
        verifier, challenge = pkce()
        code = await code_for(
            site.runtime, client.client_id, user_id, scope=scope, challenge=challenge
        )
        access = (await redeem(site.http, client, code, verifier)).json()["access_token"]
        by_get = await site.http.get("/oauth/userinfo", headers=bearer(access))
        assert by_get.status_code == 200, by_get.text
        assert by_get.headers["cache-control"] == "no-store"
        assert set(by_get.json()) == names, scope
        assert by_get.json()["sub"] == user_id
        by_post = await site.http.post("/oauth/userinfo", data={"access_token": access})
        assert by_post.json() == by_get.json()
    assert by_get.json()["email_verified"] is False


async def test_userinfo_refuses_what_is_not_a_user_token_with_openid(site: Site) -> None:
    client = await register_client(site.runtime)
    _, no_openid = await _user_tokens(site, client, "profile")
    insufficient = await site.http.get("/oauth/userinfo", headers=bearer(no_openid["access_token"]))
    assert insufficient.status_code == 403
    assert 'error="insufficient_scope"' in insufficient.headers["www-authenticate"]
    machine = (await token(site.http, client, grant_type="client_credentials")).json()
    first_party = (await register(site.http))["tokens"]["access_token"]
    _, issued = await _user_tokens(site, client)
    for value in (machine["access_token"], first_party, issued["id_token"], "garbage"):
        refused = await site.http.get("/oauth/userinfo", headers=bearer(value))
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Bearer realm="janua", error=')
    missing = await site.http.get("/oauth/userinfo")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="janua"'
    twice = await site.http.post(
        "/oauth/userinfo",
        data={"access_token": issued["access_token"]},
        headers=bearer(issued["access_token"]),
    )
    assert twice.status_code == 400


async def test_oauth_access_tokens_are_not_first_party_tokens(site: Site) -> None:
    client = await register_client(site.runtime)
    _, issued = await _user_tokens(site, client)
    me = await site.http.get("/api/v1/auth/me", headers=bearer(issued["access_token"]))
    assert me.status_code == 401


async def test_organization_scope_adds_membership_claims(site: Site) -> None:
    client = await register_client(site.runtime)
    owner = await person(site.http)
    org = await organization(site.http, owner)
    for scope, present in (("openid organization", True), ("openid", False)):
        verifier, challenge = pkce()
        code = await code_for(
            site.runtime,
            client.client_id,
            owner.id,
            scope=scope,
            challenge=challenge,
            organization_id=uuid.UUID(org["id"]),
        )
        body = (await redeem(site.http, client, code, verifier)).json()
        access = claims(body["access_token"])
        info = (await site.http.get("/oauth/userinfo", headers=bearer(body["access_token"]))).json()
        for bag in (access, claims(body["id_token"]), info):
            assert (bag.get("org_id") == org["id"]) is present, (scope, bag)
            assert (bag.get("org_role") == "owner") is present


# --- discovery ---------------------------------------------------------------------------------


async def test_discovery_metadata_is_complete_and_truthful(site: Site) -> None:
    answer = await site.http.get("/.well-known/openid-configuration")
    assert answer.headers["access-control-allow-origin"] == "*"
    meta = answer.json()
    base = "http://testserver"
    assert meta["issuer"] == base
    assert meta["token_endpoint"] == f"{base}/oauth/token"
    assert meta["authorization_endpoint"] == f"{base}/oauth/authorize"
    assert meta["userinfo_endpoint"] == f"{base}/oauth/userinfo"
    assert meta["introspection_endpoint"] == f"{base}/oauth/introspect"
    assert meta["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert meta["end_session_endpoint"] == f"{base}/oauth/logout"
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert set(meta["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "none",
    }
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["request_parameter_supported"] is False
    assert "registration_endpoint" not in meta
    assert {"openid", "profile", "email", "offline_access"} <= set(meta["scopes_supported"])
    # Every advertised endpoint exists.
    for name in ("token_endpoint", "introspection_endpoint", "revocation_endpoint"):
        path = meta[name].removeprefix(base)
        assert (await site.http.post(path, data={})).status_code in (400, 401), name
    for name in ("userinfo_endpoint", "jwks_uri"):
        assert (await site.http.get(meta[name].removeprefix(base))).status_code in (200, 401)


async def test_disabling_a_user_ends_what_oauth_clients_hold_for_them(site: Site) -> None:
    client = await register_client(site.runtime)
    user_id, issued = await _user_tokens(site, client)
    assert (await introspect(site.http, client, issued["access_token"]))["active"] is True

    boss = await admin(site)
    disabled = await site.http.post(f"/api/v1/admin/users/{user_id}/disable", headers=boss.auth)
    assert disabled.status_code == 200, disabled.text

    assert await introspect(site.http, client, issued["access_token"]) == {"active": False}
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


async def test_deleting_a_user_ends_what_oauth_clients_hold_for_them(site: Site) -> None:
    # The cascade deletes the grant rows, so the revocation marks must be set before it.
    client = await register_client(site.runtime)
    user_id, issued = await _user_tokens(site, client)
    assert (await introspect(site.http, client, issued["access_token"]))["active"] is True

    boss = await admin(site)
    deleted = await site.http.delete(f"/api/v1/admin/users/{user_id}", headers=boss.auth)
    assert deleted.status_code == 204, deleted.text

    assert await introspect(site.http, client, issued["access_token"]) == {"active": False}
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


async def test_a_grant_lives_its_lifetime_from_the_sign_in_however_often_refreshed(
    site: Site,
) -> None:
    from janua_server.oidc.clients.tables import oauth_grants
    from sqlalchemy import update

    client = await register_client(site.runtime)
    _, first = await _user_tokens(site, client)
    second = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert second.status_code == 200, second.text
    # The grant reaches the end of its lifetime (set at the sign-in, never moved by rotation).
    grant_id = uuid.UUID(
        pyjwt.decode(first["access_token"], options={"verify_signature": False})["gid"]
    )
    async with site.runtime.db.transaction() as conn:
        await conn.execute(
            update(oauth_grants)
            .where(oauth_grants.c.id == grant_id)
            .values(expires_at=tokens.utc(0))
        )
    third = await token(
        site.http, client, grant_type="refresh_token", refresh_token=second.json()["refresh_token"]
    )
    assert third.status_code == 400 and third.json()["error"] == "invalid_grant", third.text


async def test_a_scope_taken_from_the_client_leaves_its_existing_grants(site: Site) -> None:
    client = await register_client(site.runtime)
    _, first = await _user_tokens(site, client)
    assert "email" in first["scope"].split()
    boss = await admin(site)
    kept = [scope for scope in client.scopes if scope != "email"]
    changed = await site.http.patch(
        f"/api/v1/oauth/clients/{client.client_id}", json={"scopes": kept}, headers=boss.auth
    )
    assert changed.status_code == 200, changed.text
    refreshed = await token(
        site.http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    assert "email" not in refreshed.json()["scope"].split()
    claims = pyjwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert "email" not in claims["scope"].split()
