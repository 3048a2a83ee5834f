"""Email verification, password reset and change, and profile edits, end to end: mails go to a
real SMTP server (aiosmtpd), the tests read them (text and HTML parts), take the link and
"click" it."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from janua_server.core.audit import audit_events
from janua_server.core.mailer import ConsoleMailer
from janua_server.core.runtime import Runtime
from janua_server.settings import Settings
from janua_server.tables import account_tokens
from sqlalchemy import select, update
from support import smtp
from support.services import free_port
from support.smtp import PUBLIC_APP_URL
from support.users import PASSWORD, bearer, register, unique_email

NEW_PASSWORD = "a completely new passphrase"


@pytest.fixture
def settings(mail_settings: Settings) -> Settings:
    return mail_settings


@pytest.fixture
async def app(settings: Settings, open_client) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The client and the app's runtime, for looking at its database."""
    opened = open_client(settings)
    async with opened as http:
        yield http, opened.app.state.runtime


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def link_in_mail(mailbox: smtp.Mailbox, to: str, page: str, count: int = 1) -> str:
    message = await mailbox.wait_for(to=to, containing=f"/{page}?token=", count=count)
    link = smtp.find_link(message, f"/{page}?token=")
    assert link.startswith(f"{PUBLIC_APP_URL}/{page}?token=")
    return link


async def audit_actions(rt: Runtime, user_id: str) -> list[tuple[str, str]]:
    async with rt.db.connection() as conn:
        rows = (
            await conn.execute(
                select(audit_events.c.action, audit_events.c.outcome)
                .where(audit_events.c.user_id == uuid.UUID(user_id))
                .order_by(audit_events.c.created_at)
            )
        ).all()
    return [(row.action, row.outcome) for row in rows]


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict:
    response = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["tokens"]


async def refresh_status(http: httpx.AsyncClient, tokens: dict) -> int:
    response = await http.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    return response.status_code


# --- email verification -----------------------------------------------------------------------


async def test_the_emailed_link_verifies_the_address_once(
    app, mailbox: smtp.Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    http, rt = app
    email = unique_email()
    created = await register(http, email)
    me = bearer(created["tokens"]["access_token"])
    assert created["user"]["email_verified"] is False

    message = await mailbox.wait_for(to=email)
    text, html = smtp.bodies(message)
    link = smtp.find_link(message, "/verify-email?token=")
    assert link.startswith(f"{PUBLIC_APP_URL}/verify-email?token=")
    token = token_of(link)
    assert len(token) >= 43  # 32 random bytes, base64url
    assert link in text and link in html

    # Only the token's SHA-256 is stored.
    async with rt.db.connection() as conn:
        stored = (
            await conn.execute(
                select(account_tokens.c.token_hash).where(
                    account_tokens.c.user_id == uuid.UUID(created["user"]["id"])
                )
            )
        ).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()

    assert (await http.get("/api/v1/auth/me", headers=me)).json()["email_verified"] is False
    verified = await http.post("/api/v1/auth/email/verify", json={"token": token})
    assert verified.status_code == 204, verified.text
    assert (await http.get("/api/v1/auth/me", headers=me)).json()["email_verified"] is True

    again = await http.post("/api/v1/auth/email/verify", json={"token": token})
    assert again.status_code == 401
    assert again.json()["code"] == "TOKEN_ERROR"

    # Verified: nothing to resend.
    resend = await http.post("/api/v1/auth/email/verify/resend", headers=me)
    assert resend.status_code == 409
    assert resend.json()["code"] == "CONFLICT_ERROR"

    actions = await audit_actions(rt, created["user"]["id"])
    assert ("email.verification_sent", "success") in actions
    assert ("email.verified", "success") in actions
    assert token not in caplog.text


async def test_unknown_and_expired_links_are_refused(app, mailbox: smtp.Mailbox) -> None:
    http, rt = app
    email = unique_email()
    created = await register(http, email)
    token = token_of(await link_in_mail(mailbox, email, "verify-email"))

    unknown = await http.post("/api/v1/auth/email/verify", json={"token": "x" * 43})
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "TOKEN_ERROR"

    async with rt.db.transaction() as conn:
        await conn.execute(
            update(account_tokens)
            .where(account_tokens.c.user_id == uuid.UUID(created["user"]["id"]))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    expired = await http.post("/api/v1/auth/email/verify", json={"token": token})
    assert expired.status_code == 401
    assert expired.json()["code"] == "TOKEN_ERROR"
    me = bearer(created["tokens"]["access_token"])
    assert (await http.get("/api/v1/auth/me", headers=me)).json()["email_verified"] is False


async def test_a_link_works_once_even_when_clicked_twice_at_once(
    app, mailbox: smtp.Mailbox
) -> None:
    http, _ = app
    email = unique_email()
    await register(http, email)
    token = token_of(await link_in_mail(mailbox, email, "verify-email"))
    answers = await asyncio.gather(
        *(http.post("/api/v1/auth/email/verify", json={"token": token}) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [204, 401, 401, 401]


async def test_resend_sends_a_new_link_and_retires_the_old_one(app, mailbox: smtp.Mailbox) -> None:
    http, _ = app
    email = unique_email()
    created = await register(http, email)
    first = token_of(await link_in_mail(mailbox, email, "verify-email"))

    resend = await http.post(
        "/api/v1/auth/email/verify/resend", headers=bearer(created["tokens"]["access_token"])
    )
    assert resend.status_code == 202
    second = token_of(await link_in_mail(mailbox, email, "verify-email", count=2))
    assert second != first

    old = await http.post("/api/v1/auth/email/verify", json={"token": first})
    assert old.status_code == 401
    new = await http.post("/api/v1/auth/email/verify", json={"token": second})
    assert new.status_code == 204


async def test_links_point_at_public_app_url_whatever_the_host_header(
    app, mailbox: smtp.Mailbox
) -> None:
    http, _ = app
    evil = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    email = unique_email()
    response = await http.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}, headers=evil
    )
    assert response.status_code == 201
    assert (await link_in_mail(mailbox, email, "verify-email")).startswith(PUBLIC_APP_URL + "/")

    forgot = await http.post("/api/v1/auth/password/forgot", json={"email": email}, headers=evil)
    assert forgot.status_code == 202
    assert (await link_in_mail(mailbox, email, "reset-password")).startswith(PUBLIC_APP_URL + "/")
    for message in mailbox.to(email):
        assert "attacker.example" not in message.as_string()


async def test_user_data_in_the_html_part_is_escaped(app, mailbox: smtp.Mailbox) -> None:
    http, _ = app
    email = unique_email()
    response = await http.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": '<img src=x onerror="alert(1)">'},
    )
    assert response.status_code == 201
    text, html = smtp.bodies(await mailbox.wait_for(to=email, containing="/verify-email"))
    assert '<img src=x onerror="alert(1)">' in text
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


async def test_resend_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/email/verify/resend")
    assert response.status_code == 401


# --- password reset ---------------------------------------------------------------------------


async def test_forgot_is_202_for_unknown_addresses_and_sends_nothing(
    app, mailbox: smtp.Mailbox
) -> None:
    http, rt = app
    known, unknown = unique_email("known"), unique_email("nobody")
    created = await register(http, known)

    for email in (unknown, known):
        response = await http.post("/api/v1/auth/password/forgot", json={"email": email})
        assert response.status_code == 202
        assert response.content == b""
    await link_in_mail(mailbox, known, "reset-password")
    await mailbox.wait_for(to=known, containing="/verify-email?token=")
    await asyncio.sleep(0.3)  # the unknown address's request came first; give it time anyway
    assert mailbox.to(unknown) == []

    actions = await audit_actions(rt, created["user"]["id"])
    assert ("password.reset_requested", "success") in actions


async def test_reset_sets_the_password_and_ends_every_session(app, mailbox: smtp.Mailbox) -> None:
    http, rt = app
    email = unique_email()
    created = await register(http, email)
    sessions = [created["tokens"], await sign_in(http, email)]

    # The address as typed differently still finds the account.
    forgot = await http.post("/api/v1/auth/password/forgot", json={"email": email.upper()})
    assert forgot.status_code == 202
    token = token_of(await link_in_mail(mailbox, email, "reset-password"))

    # A password the policy refuses leaves the link usable.
    weak = await http.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "password1234"}
    )
    assert weak.status_code == 422
    assert [e["pointer"] for e in weak.json()["errors"]] == ["#/password"]

    reset = await http.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert reset.status_code == 204, reset.text

    for tokens in sessions:
        me = await http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401
        assert await refresh_status(http, tokens) == 401

    old = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    await sign_in(http, email, NEW_PASSWORD)

    used = await http.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "yet another passphrase"}
    )
    assert used.status_code == 401
    assert used.json()["code"] == "TOKEN_ERROR"
    assert ("password.reset", "success") in await audit_actions(rt, created["user"]["id"])


async def test_a_new_reset_link_retires_the_earlier_one(app, mailbox: smtp.Mailbox) -> None:
    http, _ = app
    email = unique_email()
    await register(http, email)
    tokens = []
    for count in (1, 2):
        response = await http.post("/api/v1/auth/password/forgot", json={"email": email})
        assert response.status_code == 202
        tokens.append(token_of(await link_in_mail(mailbox, email, "reset-password", count)))
    first, second = tokens
    refused = await http.post(
        "/api/v1/auth/password/reset", json={"token": first, "password": NEW_PASSWORD}
    )
    assert refused.status_code == 401
    # A verification token is no reset token.
    verification = token_of(await link_in_mail(mailbox, email, "verify-email"))
    wrong_kind = await http.post(
        "/api/v1/auth/password/reset", json={"token": verification, "password": NEW_PASSWORD}
    )
    assert wrong_kind.status_code == 401
    accepted = await http.post(
        "/api/v1/auth/password/reset", json={"token": second, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 204


async def test_forgot_is_rate_limited_per_address(make_settings, open_client) -> None:
    settings = make_settings(RATE_LIMIT_ENABLED="true")
    async with open_client(settings) as http:
        email = unique_email("limited")
        answers = [
            (await http.post("/api/v1/auth/password/forgot", json={"email": email})).status_code
            for _ in range(4)
        ]
    assert answers == [202, 202, 202, 429]


# --- password change --------------------------------------------------------------------------


async def test_change_password_keeps_this_session_and_ends_the_others(app) -> None:
    http, rt = app
    email = unique_email()
    created = await register(http, email)
    here, elsewhere = created["tokens"], await sign_in(http, email)
    url = "/api/v1/auth/password/change"

    wrong = await http.post(
        url,
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "AUTHORIZATION_ERROR"

    weak = await http.post(
        url,
        json={"current_password": PASSWORD, "new_password": "password1234"},
        headers=bearer(here["access_token"]),
    )
    assert weak.status_code == 422
    assert [e["pointer"] for e in weak.json()["errors"]] == ["#/new_password"]

    # Nothing changed so far: the other session still works.
    assert (
        await http.get("/api/v1/auth/me", headers=bearer(elsewhere["access_token"]))
    ).status_code == 200

    changed = await http.post(
        url,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )
    assert changed.status_code == 204, changed.text

    assert (
        await http.get("/api/v1/auth/me", headers=bearer(here["access_token"]))
    ).status_code == 200
    assert (
        await http.get("/api/v1/auth/me", headers=bearer(elsewhere["access_token"]))
    ).status_code == 401
    assert await refresh_status(http, elsewhere) == 401
    assert await refresh_status(http, here) == 200

    old = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    await sign_in(http, email, NEW_PASSWORD)

    actions = await audit_actions(rt, created["user"]["id"])
    assert ("password.changed", "failure") in actions
    assert ("password.changed", "success") in actions


async def test_change_password_kills_pending_reset_links(app, mailbox: smtp.Mailbox) -> None:
    http, _ = app
    email = unique_email()
    created = await register(http, email)
    await http.post("/api/v1/auth/password/forgot", json={"email": email})
    token = token_of(await link_in_mail(mailbox, email, "reset-password"))
    changed = await http.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(created["tokens"]["access_token"]),
    )
    assert changed.status_code == 204
    stale = await http.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "an attacker's choice!"}
    )
    assert stale.status_code == 401


# --- profile ----------------------------------------------------------------------------------


async def test_patch_me_updates_the_profile_and_null_clears(app) -> None:
    http, rt = app
    created = await register(http)
    me = bearer(created["tokens"]["access_token"])
    before = created["user"]["updated_at"]
    await asyncio.sleep(0.01)

    changes = {
        "name": "Ada King",
        "locale": "en-GB",
        "timezone": "Europe/London",
        "picture_url": "https://images.example.com/ada.png",
    }
    updated = await http.patch("/api/v1/auth/me", json=changes, headers=me)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert {key: body[key] for key in changes} == changes
    assert dt.datetime.fromisoformat(body["updated_at"]) > dt.datetime.fromisoformat(before)
    assert (await http.get("/api/v1/auth/me", headers=me)).json() == body

    cleared = await http.patch("/api/v1/auth/me", json={"name": None}, headers=me)
    assert cleared.status_code == 200
    assert cleared.json()["name"] is None
    assert cleared.json()["timezone"] == "Europe/London"  # absent fields stay
    assert (await http.get("/api/v1/auth/me", headers=me)).json()["name"] is None

    actions = await audit_actions(rt, created["user"]["id"])
    assert actions.count(("profile.updated", "success")) == 2


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "#/timezone"),
        ({}, "#"),
        ({"email_verified": True}, "#/email_verified"),
        ({"id": str(uuid.uuid4())}, "#/id"),
        ({"is_admin": True}, "#/is_admin"),
        ({"name": "Ada", "email": "other@example.com"}, "#/email"),
        ({"picture_url": "http://insecure.example.com/a.png"}, "#/picture_url"),
        ({"locale": "not a locale"}, "#/locale"),
    ],
)
async def test_patch_me_refuses_what_it_cannot_set(
    client: httpx.AsyncClient, body: dict, pointer: str
) -> None:
    created = await register(client)
    me = bearer(created["tokens"]["access_token"])
    response = await client.patch("/api/v1/auth/me", json=body, headers=me)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert (await client.get("/api/v1/auth/me", headers=me)).json() == created["user"]


async def test_patch_me_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.patch("/api/v1/auth/me", json={"name": "Ada"})
    assert response.status_code == 401


# --- mail delivery ----------------------------------------------------------------------------


async def test_a_mail_server_that_is_down_fails_resend_but_not_sign_up(
    make_settings, open_client
) -> None:
    settings = make_settings(SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    async with open_client(settings) as http:
        created = await register(http)  # the mail is sent in the background; sign-up succeeds
        response = await http.post(
            "/api/v1/auth/email/verify/resend", headers=bearer(created["tokens"]["access_token"])
        )
    assert response.status_code == 503
    assert response.json()["code"] == "INTERNAL_ERROR"


async def test_the_console_mailer_prints_the_text_part(app, mailbox: smtp.Mailbox) -> None:
    http, _ = app
    email = unique_email()
    await register(http, email)
    message = await mailbox.wait_for(to=email)
    out = io.StringIO()
    await ConsoleMailer("Janua <no-reply@janua.test>", stream=out).send(message)
    printed = out.getvalue()
    assert f"To: {email}" in printed
    assert smtp.find_link(message, "/verify-email?token=") in printed
