"""The generated namespaces against the live server, beyond the scenario (test_scenario.py):
admin, OAuth client credentials with `client_auth`, audit, organizations by slug with `body=`,
passkeys, the authorize redirect. Needs the bootstrapped admin of `nox -s e2e`."""

from __future__ import annotations

import itertools
import os
import uuid

import janua
import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin(base_url: str):
    if not (os.environ.get("JANUA_ADMIN_EMAIL") and os.environ.get("JANUA_ADMIN_PASSWORD")):
        pytest.fail("JANUA_ADMIN_EMAIL / JANUA_ADMIN_PASSWORD not set: run `nox -s e2e`")
    with janua.Janua(base_url) as client:
        client.auth.login(
            email=os.environ["JANUA_ADMIN_EMAIL"], password=os.environ["JANUA_ADMIN_PASSWORD"]
        )
        yield client


def test_namespaces_end_to_end(base_url: str, admin: janua.Janua) -> None:
    tag = uuid.uuid4().hex[:10]
    with janua.Janua(base_url) as user:
        me = user.auth.register(email=f"py-ns-{tag}@example.com", password=PASSWORD).user

        # organizations: by slug, with the body whole (its `slug` is also the path's)
        org = user.organizations.create(name="Namespaces", slug=f"ns-{tag}")
        renamed = user.organizations.update_by_slug(org.slug, body={"slug": f"ns2-{tag}"})
        assert renamed.slug == f"ns2-{tag}"
        assert user.organizations.get_by_slug(f"ns2-{tag}").id == org.id
        assert user.organizations.list_roles(str(org.id)).data
        assert [str(o.id) for o in user.organizations.list()] == [str(org.id)]

        # passkeys and MFA: the options and the status answer typed
        options = user.passkeys.start_registration()
        assert options.challenge
        assert list(user.passkeys.list()) == []
        assert user.mfa.status() is not None

        # admin
        assert admin.admin.get_user(me.id).email == me.email
        assert [u.email for u in admin.admin.list_users(q=tag)] == [me.email]
        assert admin.admin.stats().users_total >= 1

        # OAuth: a confidential client's client_credentials token, introspected and revoked
        client = admin.oauth.create_client(
            name=f"py-{tag}", grant_types=["client_credentials"], scopes=["openid"]
        )
        credentials = (client.client_id, client.client_secret)
        token = admin.oauth.token(grant_type="client_credentials", client_auth=credentials)
        assert admin.oauth.introspect(token=token.access_token, client_auth=credentials).active
        admin.oauth.revoke(token=token.access_token, client_auth=credentials)
        assert not admin.oauth.introspect(token=token.access_token, client_auth=credentials).active
        with pytest.raises(janua.AuthenticationError) as caught:
            admin.oauth.token(grant_type="client_credentials", client_auth=(client.client_id, "x"))
        assert caught.value.code == "invalid_client"

        # the browser endpoint answers a redirect (to the sign-in page here): its Location
        web = admin.oauth.create_client(
            name=f"py-web-{tag}",
            grant_types=["authorization_code"],
            redirect_uris=["https://app.example/cb"],
            scopes=["openid"],
        )
        location = user.oauth.authorize(
            client_id=web.client_id,
            redirect_uri="https://app.example/cb",
            response_type="code",
            scope="openid",
            state="s",
            code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            code_challenge_method="S256",
        )
        assert location, location
        # an unregistered redirect_uri is refused with the error page, not redirected
        with pytest.raises(janua.BadRequestError):
            user.oauth.authorize(
                client_id=web.client_id,
                redirect_uri="https://evil.example/cb",
                response_type="code",
                scope="openid",
            )

        # audit: the admin's view of what just happened
        events = list(itertools.islice(admin.audit.list(limit=5), 12))
        assert events
        assert isinstance(admin.audit.export(user_id=me.id), str)

        # disabling ends the user's sessions: their next call is refused
        admin.admin.disable_user(str(me.id))
        with pytest.raises(janua.AuthenticationError):
            user.auth.me()
        assert admin.admin.enable_user(me.id).disabled_at is None


async def test_async_namespaces(base_url: str) -> None:
    tag = uuid.uuid4().hex[:10]
    async with janua.AsyncJanua(base_url) as user:
        await user.auth.register(email=f"py-ns-a-{tag}@example.com", password=PASSWORD)
        org = await user.organizations.create(name="Async", slug=f"nsa-{tag}")
        members = [m async for m in user.organizations.list_members(org.id, limit=1)]
        assert len(members) == 1
        page = await user.organizations.list_members_page(org.id, limit=1)
        assert len(page.data) == 1
        await user.organizations.delete(org.id)
        with pytest.raises(janua.NotFoundError):
            await user.organizations.get(org.id)
