"""Invitations by email, end to end: the mail goes to a real SMTP server (aiosmtpd), the test
reads the link from it and uses it, as the invitee (signed in, or signing up with it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from janua_server.core.audit import audit_events
from janua_server.organizations.tables import organization_invitations
from janua_server.settings import Settings
from sqlalchemy import select, update
from support import smtp
from support.orgs import Person, add_member, claims, organization, person
from support.smtp import PUBLIC_APP_URL
from support.users import PASSWORD, unique_email

PAGE = "/accept-invitation?token="


@pytest.fixture
def settings(mail_settings: Settings) -> Settings:
    return mail_settings


@pytest.fixture
async def app(settings: Settings, open_client):
    opened = open_client(settings)
    async with opened as http:
        yield http, opened.app.state.runtime


async def invite(
    http: httpx.AsyncClient, org: dict, by: Person, email: str, role: str = "member"
) -> httpx.Response:
    return await http.post(
        f"/api/v1/organizations/{org['id']}/invitations",
        json={"email": email, "role": role},
        headers=by.auth,
    )


async def token_in_mail(mailbox: smtp.Mailbox, to: str, count: int = 1) -> str:
    message = await mailbox.wait_for(to=to, containing=PAGE, count=count)
    link = smtp.find_link(message, PAGE)
    assert link.startswith(PUBLIC_APP_URL + PAGE)
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_a_signed_in_invitee_with_the_invited_address_joins(app, mailbox) -> None:
    http, rt = app
    owner = await person(http, "owner")
    org = await organization(http, owner, name='<b>Acme</b> & "Co"')
    grace, mallory = await person(http, "grace"), await person(http, "mallory")

    created = await invite(http, org, owner, grace.email.upper(), "admin")
    assert created.status_code == 201
    invitation = created.json()
    assert (invitation["status"], invitation["role"], invitation["invited_by"]) == (
        "pending",
        "admin",
        owner.id,
    )
    expires = dt.datetime.fromisoformat(invitation["expires_at"])
    created_at = dt.datetime.fromisoformat(invitation["created_at"])
    assert expires - created_at == dt.timedelta(days=7)

    message = await mailbox.wait_for(to=grace.email.upper(), containing=PAGE)
    text, html = smtp.bodies(message)
    assert '<b>Acme</b> & "Co"' in text and "&lt;b&gt;Acme&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert "<b>Acme</b>" not in html
    token = await token_in_mail(mailbox, grace.email.upper())
    async with rt.db.connection() as conn:
        stored = (
            await conn.execute(
                select(organization_invitations.c.token_hash).where(
                    organization_invitations.c.id == uuid.UUID(invitation["id"])
                )
            )
        ).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()

    preview = await http.post("/api/v1/invitations/preview", json={"token": token})
    assert preview.status_code == 200
    assert (preview.json()["organization"]["id"], preview.json()["account_exists"]) == (
        org["id"],
        True,
    )

    wrong = await http.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=mallory.auth
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "AUTHORIZATION_ERROR")
    accepted = await http.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=grace.auth
    )
    assert accepted.status_code == 200
    assert (accepted.json()["id"], accepted.json()["role"]) == (org["id"], "admin")
    again = await http.post("/api/v1/invitations/accept", json={"token": token}, headers=grace.auth)
    assert (again.status_code, again.json()["code"]) == (401, "TOKEN_ERROR")

    settled = (
        await http.get(
            f"/api/v1/organizations/{org['id']}/invitations/{invitation['id']}", headers=owner.auth
        )
    ).json()
    assert settled["status"] == "accepted" and settled["accepted_at"] is not None
    switched = await http.post(
        "/api/v1/auth/organization", json={"organization_id": org["id"]}, headers=grace.auth
    )
    assert claims(switched.json()["access_token"])["org_role"] == "admin"

    async with rt.db.connection() as conn:
        events = (
            await conn.execute(
                select(audit_events).where(audit_events.c.organization_id == uuid.UUID(org["id"]))
            )
        ).all()
    by_action = {row.action: row for row in events}
    assert by_action["invitation.created"].actor_id == uuid.UUID(owner.id)
    assert by_action["invitation.accepted"].actor_id == uuid.UUID(grace.id)
    assert by_action["member.added"].target == f"user:{grace.id}"
    # Neither the token nor the address is in any event.
    assert not any(token in str(row.details) or "grace" in str(row.details) for row in events)


async def test_a_new_person_signs_up_with_the_link(app, mailbox) -> None:
    http, _ = app
    owner = await person(http, "owner")
    org = await organization(http, owner)
    email = unique_email("newcomer")
    assert (await invite(http, org, owner, email)).status_code == 201
    token = await token_in_mail(mailbox, email)

    preview = (await http.post("/api/v1/invitations/preview", json={"token": token})).json()
    assert (preview["email"], preview["account_exists"]) == (email, False)
    weak = await http.post(
        "/api/v1/invitations/register", json={"token": token, "password": "password1234"}
    )
    assert weak.status_code == 422
    joined = await http.post(
        "/api/v1/invitations/register",
        json={"token": token, "password": PASSWORD, "name": "New Comer"},
    )
    assert joined.status_code == 201
    user, tokens = joined.json()["user"], joined.json()["tokens"]
    assert (user["email"], user["name"], user["email_verified"]) == (email, "New Comer", True)
    newcomer = Person(user["id"], email, tokens)
    mine = (await http.get("/api/v1/organizations", headers=newcomer.auth)).json()["data"]
    assert [(o["id"], o["role"]) for o in mine] == [(org["id"], "member")]
    signed_in = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200

    used = await http.post(
        "/api/v1/invitations/register", json={"token": token, "password": PASSWORD}
    )
    assert (used.status_code, used.json()["code"]) == (401, "TOKEN_ERROR")
    # An address with an account signs in and accepts instead.
    existing = await person(http, "existing")
    assert (await invite(http, org, owner, existing.email)).status_code == 201
    other_token = await token_in_mail(mailbox, existing.email)
    taken = await http.post(
        "/api/v1/invitations/register", json={"token": other_token, "password": PASSWORD}
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "CONFLICT_ERROR")
    unknown = await http.post("/api/v1/invitations/preview", json={"token": "x" * 43})
    assert unknown.status_code == 401


async def test_resend_revoke_expiry_and_who_may_invite(app, mailbox) -> None:
    http, rt = app
    owner, admin, member = [await person(http, p) for p in ("o", "a", "m")]
    org = await organization(http, owner)
    await add_member(http, org, owner, admin, "admin")
    await add_member(http, org, owner, member)
    base = f"/api/v1/organizations/{org['id']}/invitations"
    email = unique_email("invitee")

    assert (await invite(http, org, member, email)).status_code == 403
    assert (await invite(http, org, admin, email, "owner")).status_code == 403
    assert (await invite(http, org, admin, member.email)).status_code == 409
    first = (await invite(http, org, admin, email)).json()
    assert (await invite(http, org, admin, email)).status_code == 409
    old_token = await token_in_mail(mailbox, email)

    resent = await http.post(f"{base}/{first['id']}/resend", headers=admin.auth)
    assert resent.status_code == 200
    new_token = await token_in_mail(mailbox, email, count=2)
    assert new_token != old_token
    stale = await http.post("/api/v1/invitations/preview", json={"token": old_token})
    assert stale.status_code == 401
    assert (await http.post("/api/v1/invitations/preview", json={"token": new_token})).is_success

    assert (await http.delete(f"{base}/{first['id']}", headers=admin.auth)).status_code == 204
    assert (await http.delete(f"{base}/{first['id']}", headers=admin.auth)).status_code == 409
    assert (await http.post(f"{base}/{first['id']}/resend", headers=admin.auth)).status_code == 409
    revoked = await http.post("/api/v1/invitations/preview", json={"token": new_token})
    assert revoked.status_code == 401

    second = (await invite(http, org, owner, email)).json()
    expiring = await token_in_mail(mailbox, email, count=3)
    async with rt.db.transaction() as conn:
        await conn.execute(
            update(organization_invitations)
            .where(organization_invitations.c.id == uuid.UUID(second["id"]))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    expired = await http.post("/api/v1/invitations/preview", json={"token": expiring})
    assert expired.status_code == 401

    assert (await http.get(base, headers=member.auth)).status_code == 403
    listed = {}
    for status in ("pending", "revoked", "expired", "accepted"):
        page = await http.get(base, params={"status": status}, headers=admin.auth)
        listed[status] = [i["id"] for i in page.json()["data"]]
    assert listed == {
        "pending": [],
        "revoked": [first["id"]],
        "expired": [second["id"]],
        "accepted": [],
    }
    # A custom role still offered by a pending invitation cannot be deleted.
    await http.post(
        f"/api/v1/organizations/{org['id']}/roles",
        json={"key": "viewer", "name": "Viewer", "permissions": ["members:read"]},
        headers=owner.auth,
    )
    assert (await invite(http, org, owner, unique_email("v"), "viewer")).status_code == 201
    in_use = await http.delete(
        f"/api/v1/organizations/{org['id']}/roles/viewer", headers=owner.auth
    )
    assert in_use.status_code == 409
