"""The accounts scenario through the generated client: verify email from the real mail, edit
the profile, list sessions, change and reset the password, read one's own audit trail."""

from __future__ import annotations

from http import HTTPStatus

from janua import AuthenticatedClient, Client, auth, models, sessions

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase for e2e"
RESET_PASSWORD = "reset passphrase from the mail link"


def test_accounts_scenario(base_url: str, email: str, mailbox) -> None:
    client = Client(base_url=base_url, raise_on_unexpected_status=True)
    created = auth.register_user.sync(
        client=client,
        body=models.RegisterRequest(email=email, password=PASSWORD, device_label="e2e laptop"),
    )
    assert isinstance(created, models.AuthResponse)
    assert created.user.email_verified is False
    user = AuthenticatedClient(base_url=base_url, token=created.tokens.access_token)

    # The verification link arrives by real SMTP; clicking it verifies the address.
    token = mailbox(email, "/verify-email")
    assert (
        auth.verify_email.sync_detailed(
            client=client, body=models.LinkTokenRequest(token=token)
        ).status_code
        == HTTPStatus.NO_CONTENT
    )
    assert auth.get_current_user.sync(client=user).email_verified is True
    again = auth.verify_email.sync_detailed(
        client=client, body=models.LinkTokenRequest(token=token)
    )
    assert again.status_code == HTTPStatus.UNAUTHORIZED
    assert again.parsed.code == models.ErrorCode.TOKEN_ERROR

    updated = auth.update_current_user.sync(
        client=user,
        body=models.UpdateUserRequest(name="Ada E2E", locale="en-GB", timezone="Europe/London"),
    )
    assert isinstance(updated, models.User)
    assert (updated.name, updated.locale, updated.timezone) == ("Ada E2E", "en-GB", "Europe/London")
    assert auth.get_current_user.sync(client=user).name == "Ada E2E"

    page = sessions.list_sessions.sync(client=user)
    assert isinstance(page, models.SessionList)
    assert [s.device_label for s in page.data if s.current] == ["e2e laptop"]

    wrong = auth.change_password.sync_detailed(
        client=user,
        body=models.ChangePasswordRequest(
            current_password="not it at all", new_password=NEW_PASSWORD
        ),
    )
    assert wrong.status_code == HTTPStatus.FORBIDDEN
    assert (
        auth.change_password.sync_detailed(
            client=user,
            body=models.ChangePasswordRequest(current_password=PASSWORD, new_password=NEW_PASSWORD),
        ).status_code
        == HTTPStatus.NO_CONTENT
    )
    assert isinstance(
        auth.login_user.sync(
            client=client, body=models.LoginRequest(email=email, password=NEW_PASSWORD)
        ),
        models.AuthResponse,
    )

    # Forgot -> the reset link by mail -> reset ends every session -> the new password works.
    before = mailbox.count()
    assert (
        auth.request_password_reset.sync_detailed(
            client=client, body=models.ForgotPasswordRequest(email=email)
        ).status_code
        == HTTPStatus.ACCEPTED
    )
    reset_token = mailbox(email, "/reset-password", after=before)
    assert (
        auth.reset_password.sync_detailed(
            client=client,
            body=models.ResetPasswordRequest(token=reset_token, password=RESET_PASSWORD),
        ).status_code
        == HTTPStatus.NO_CONTENT
    )
    assert auth.get_current_user.sync_detailed(client=user).status_code == HTTPStatus.UNAUTHORIZED
    fresh = auth.login_user.sync(
        client=client, body=models.LoginRequest(email=email, password=RESET_PASSWORD)
    )
    assert isinstance(fresh, models.AuthResponse)

    events = auth.list_my_audit_events.sync(
        client=AuthenticatedClient(base_url=base_url, token=fresh.tokens.access_token), limit=100
    )
    assert isinstance(events, models.AuditEventList)
    actions = {str(event.action) for event in events.data}
    assert {
        "user.registered",
        "email.verified",
        "profile.updated",
        "password.changed",
        "password.reset",
        "login.succeeded",
    } <= actions
