"""register -> login -> me -> refresh -> logout through the generated client, sync and async."""

from __future__ import annotations

from http import HTTPStatus

from janua import AuthenticatedClient, Client, auth, models

PASSWORD = "correct horse battery staple"


def bearer(base_url: str, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)


def test_sync_scenario(base_url: str, email: str) -> None:
    client = Client(base_url=base_url, raise_on_unexpected_status=True)

    created = auth.register_user.sync(
        client=client, body=models.RegisterRequest(email=email, password=PASSWORD, name="Py Sync")
    )
    assert isinstance(created, models.AuthResponse)
    assert created.user.email == email
    assert created.user.name == "Py Sync"

    duplicate = auth.register_user.sync_detailed(
        client=client, body=models.RegisterRequest(email=email.upper(), password=PASSWORD)
    )
    assert duplicate.status_code == HTTPStatus.CONFLICT
    assert isinstance(duplicate.parsed, models.Problem)
    assert duplicate.parsed.code == models.ErrorCode.CONFLICT_ERROR

    wrong = auth.login_user.sync_detailed(
        client=client, body=models.LoginRequest(email=email, password="not the password")
    )
    assert wrong.status_code == HTTPStatus.UNAUTHORIZED
    assert wrong.parsed.code == models.ErrorCode.AUTHENTICATION_ERROR

    session = auth.login_user.sync(
        client=client, body=models.LoginRequest(email=email, password=PASSWORD)
    )
    assert isinstance(session, models.AuthResponse)

    me = auth.get_current_user.sync(client=bearer(base_url, session.tokens.access_token))
    assert isinstance(me, models.User)
    assert me.id == created.user.id

    rotated = auth.refresh_token.sync(
        client=client, body=models.RefreshRequest(refresh_token=session.tokens.refresh_token)
    )
    assert isinstance(rotated, models.TokenPair)
    assert rotated.refresh_token != session.tokens.refresh_token

    user_client = bearer(base_url, rotated.access_token)
    assert auth.logout_user.sync_detailed(client=user_client).status_code == HTTPStatus.NO_CONTENT

    after = auth.get_current_user.sync_detailed(client=user_client)
    assert after.status_code == HTTPStatus.UNAUTHORIZED
    assert after.parsed.code == models.ErrorCode.TOKEN_ERROR
    dead = auth.refresh_token.sync_detailed(
        client=client, body=models.RefreshRequest(refresh_token=rotated.refresh_token)
    )
    assert dead.status_code == HTTPStatus.UNAUTHORIZED


async def test_async_scenario(base_url: str, email: str) -> None:
    async with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        created = await auth.register_user.asyncio(
            client=client, body=models.RegisterRequest(email=email, password=PASSWORD)
        )
        assert isinstance(created, models.AuthResponse)
        session = await auth.login_user.asyncio(
            client=client, body=models.LoginRequest(email=email, password=PASSWORD)
        )
        assert isinstance(session, models.AuthResponse)

        async with bearer(base_url, session.tokens.access_token) as user_client:
            me = await auth.get_current_user.asyncio(client=user_client)
            assert isinstance(me, models.User)
            assert me.email == email

        rotated = await auth.refresh_token.asyncio(
            client=client, body=models.RefreshRequest(refresh_token=session.tokens.refresh_token)
        )
        assert isinstance(rotated, models.TokenPair)

        # Presenting the retired refresh token again ends the session (reuse detection).
        replay = await auth.refresh_token.asyncio_detailed(
            client=client, body=models.RefreshRequest(refresh_token=session.tokens.refresh_token)
        )
        assert replay.status_code == HTTPStatus.UNAUTHORIZED
        assert replay.parsed.code == models.ErrorCode.TOKEN_ERROR

        async with bearer(base_url, rotated.access_token) as user_client:
            revoked = await auth.get_current_user.asyncio_detailed(client=user_client)
            assert revoked.status_code == HTTPStatus.UNAUTHORIZED
            logout = await auth.logout_user.asyncio_detailed(client=user_client)
            assert logout.status_code == HTTPStatus.UNAUTHORIZED
