"""`Janua` and `AsyncJanua`: a hand-written facade over the generated client.

Keyword-argument methods grouped by tag (`client.auth.login(email=..., password=...)`), the
generated models as results, typed errors (`janua.JanuaError` and subclasses), the token pair
kept in a `TokenStore` and refreshed before expiry or once after a 401 TOKEN_ERROR (one refresh
shared by concurrent callers), retries with backoff (`janua._retry`) and auto-paginating lists.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar
from uuid import UUID

import httpx

from janua._auth import BearerAuth, MemoryTokenStore, Tokens, TokenStore
from janua._errors import NetworkError, TokenError, error_from_response
from janua._generated import models
from janua._generated.api.auth import (
    change_password,
    get_current_user,
    list_my_audit_events,
    login_user,
    logout_user,
    refresh_token,
    register_user,
    request_password_reset,
    resend_verification_email,
    reset_password,
    update_current_user,
    verify_email,
)
from janua._generated.api.discovery import get_jwks, get_openid_configuration
from janua._generated.api.health import get_health, get_health_detailed
from janua._generated.api.sessions import list_sessions, revoke_other_sessions, revoke_session
from janua._generated.client import AuthenticatedClient, Client
from janua._generated.types import UNSET, Response, Unset
from janua._retry import AsyncRetryTransport, RetryTransport

T = TypeVar("T")
_OK = range(200, 300)


def _tokens_from(pair: models.TokenPair, previous_refresh: str | None = None) -> Tokens:
    refresh = pair.refresh_token if isinstance(pair.refresh_token, str) else previous_refresh
    return Tokens(pair.access_token, refresh, time.time() + pair.expires_in)


def _problem_code(response: Response[Any]) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _unwrap(response: Response[Any], also_ok: tuple[int, ...] = ()) -> Any:
    status = int(response.status_code)
    if status in _OK or status in also_ok:
        return response.parsed
    raise error_from_response(status, httpx.Headers(response.headers), response.content)


def _initial_tokens(access_token: str | None, refresh_token: str | None) -> Tokens | None:
    if access_token:
        return Tokens(access_token, refresh_token)
    if refresh_token:  # no access token yet: expired, so the first call refreshes
        return Tokens("", refresh_token, expires_at=0.0)
    return None


def _opt(value: Any) -> Any:
    return UNSET if value is None else value


# --------------------------------------------------------------------------------------------
# Sync


class Janua:
    """Synchronous Janua client.

    >>> client = Janua("http://localhost:4100")
    >>> client.auth.login(email="ada@example.com", password="...")
    >>> client.auth.me().email
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 2,
        access_token: str | None = None,
        refresh_token: str | None = None,
        token_store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        initial = _initial_tokens(access_token, refresh_token)
        if initial is not None:
            self.token_store.set(initial)
        self._refresh_lock = threading.Lock()

        def http(auth: httpx.Auth | None) -> httpx.Client:
            wrapped = RetryTransport(transport or httpx.HTTPTransport(), max_retries=max_retries)
            return httpx.Client(base_url=base_url, timeout=timeout, transport=wrapped, auth=auth)

        self._public = Client(base_url=base_url).set_httpx_client(http(None))
        self._authed = AuthenticatedClient(base_url=base_url, token="").set_httpx_client(
            http(BearerAuth(self.token_store))
        )
        self.auth = AuthResource(self)
        self.sessions = SessionsResource(self)
        self.health = HealthResource(self)
        self.discovery = DiscoveryResource(self)

    def close(self) -> None:
        self._public.get_httpx_client().close()
        self._authed.get_httpx_client().close()

    def __enter__(self) -> Janua:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _send(self, op: Any, client: Client | AuthenticatedClient, kw: dict[str, Any]) -> Any:
        try:
            return op.sync_detailed(client=client, **kw)
        except httpx.TransportError as exc:
            raise NetworkError(f"network error: {exc!r}") from exc

    def _call(self, op: Any, *, authed: bool = False, also_ok: tuple[int, ...] = (), **kw: Any):
        if not authed:
            return _unwrap(self._send(op, self._public, kw), also_ok)
        tokens = self.token_store.get()
        if tokens is not None and tokens.expired and tokens.refresh_token:
            self._refresh_if(lambda cur: cur is not None and cur.expired)
        used = self.token_store.get()
        response = self._send(op, self._authed, kw)
        if (
            int(response.status_code) == 401
            and used is not None
            and used.refresh_token
            and _problem_code(response) == "TOKEN_ERROR"
        ):
            self._refresh_if(lambda cur: cur is not None and cur.access_token == used.access_token)
            response = self._send(op, self._authed, kw)
        return _unwrap(response, also_ok)

    def _refresh_if(self, needed: Callable[[Tokens | None], bool]) -> None:
        """Refresh unless another caller already did while this one waited for the lock."""
        with self._refresh_lock:
            if needed(self.token_store.get()):
                self._refresh_locked(None)

    def _refresh_locked(self, refresh_token: str | None) -> models.TokenPair:
        current = self.token_store.get()
        token = refresh_token or (current.refresh_token if current else None)
        if not token:
            raise TokenError("no refresh token to refresh with", status=None, code="TOKEN_ERROR")
        pair = self._call(refresh_token_op, body=models.RefreshRequest(refresh_token=token))
        self.token_store.set(_tokens_from(pair, token))
        return pair

    def _paginate(self, op: Any, limit: int | None) -> Iterator[Any]:
        cursor: UUID | Unset = UNSET
        while True:
            page = self._call(op, authed=True, limit=_opt(limit), cursor=cursor)
            yield from page.data
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


refresh_token_op = refresh_token


class AuthResource:
    def __init__(self, client: Janua) -> None:
        self._c = client

    def register(
        self,
        *,
        email: str,
        password: str,
        name: str | None = None,
        device_label: str | None = None,
        token_transport: models.TokenTransport | None = None,
    ) -> models.AuthResponse:
        body = models.RegisterRequest(
            email=email,
            password=password,
            name=_opt(name),
            device_label=_opt(device_label),
            token_transport=_opt(token_transport),
        )
        result: models.AuthResponse = self._c._call(register_user, body=body)
        self._c.token_store.set(_tokens_from(result.tokens))
        return result

    def login(
        self,
        *,
        email: str,
        password: str,
        device_label: str | None = None,
        token_transport: models.TokenTransport | None = None,
    ) -> models.AuthResponse:
        body = models.LoginRequest(
            email=email,
            password=password,
            device_label=_opt(device_label),
            token_transport=_opt(token_transport),
        )
        result: models.AuthResponse = self._c._call(login_user, body=body)
        self._c.token_store.set(_tokens_from(result.tokens))
        return result

    def refresh(self, *, refresh_token: str | None = None) -> models.TokenPair:
        """Rotate the token pair (the stored refresh token unless one is given)."""
        with self._c._refresh_lock:
            return self._c._refresh_locked(refresh_token)

    def logout(self) -> None:
        self._c._call(logout_user, authed=True)
        self._c.token_store.set(None)

    def me(self) -> models.User:
        return self._c._call(get_current_user, authed=True)

    def update_me(
        self,
        *,
        name: str | Unset | None = UNSET,
        locale: str | Unset | None = UNSET,
        timezone: str | Unset | None = UNSET,
        picture_url: str | Unset | None = UNSET,
    ) -> models.User:
        body = models.UpdateUserRequest(
            name=name, locale=locale, timezone=timezone, picture_url=picture_url
        )
        return self._c._call(update_current_user, authed=True, body=body)

    def verify_email(self, *, token: str) -> None:
        self._c._call(verify_email, body=models.LinkTokenRequest(token=token))

    def resend_verification_email(self) -> None:
        self._c._call(resend_verification_email, authed=True)

    def request_password_reset(self, *, email: str) -> None:
        self._c._call(request_password_reset, body=models.ForgotPasswordRequest(email=email))

    def reset_password(self, *, token: str, password: str) -> None:
        body = models.ResetPasswordRequest(token=token, password=password)
        self._c._call(reset_password, body=body)

    def change_password(self, *, current_password: str, new_password: str) -> None:
        body = models.ChangePasswordRequest(
            current_password=current_password, new_password=new_password
        )
        self._c._call(change_password, authed=True, body=body)

    def audit_events(self, *, limit: int | None = None) -> Iterator[models.AuditEvent]:
        """Every audit event of the signed-in user, newest first, fetching pages as needed."""
        return self._c._paginate(list_my_audit_events, limit)


class SessionsResource:
    def __init__(self, client: Janua) -> None:
        self._c = client

    def list(self, *, limit: int | None = None) -> Iterator[models.Session]:
        """Every open session of the signed-in user, fetching pages (of `limit`) as needed."""
        return self._c._paginate(list_sessions, limit)

    def revoke(self, session_id: UUID | str) -> None:
        self._c._call(revoke_session, authed=True, session_id=UUID(str(session_id)))

    def revoke_others(self) -> None:
        self._c._call(revoke_other_sessions, authed=True)


class HealthResource:
    def __init__(self, client: Janua) -> None:
        self._c = client

    def check(self) -> models.Health:
        return self._c._call(get_health)

    def detailed(self) -> models.HealthDetailed:
        """The per-component report; returned (not raised) when the server answers 503."""
        return self._c._call(get_health_detailed, also_ok=(503,))


class DiscoveryResource:
    def __init__(self, client: Janua) -> None:
        self._c = client

    def openid_configuration(self) -> models.OpenIDConfiguration:
        return self._c._call(get_openid_configuration)

    def jwks(self) -> models.JWKS:
        return self._c._call(get_jwks)


# --------------------------------------------------------------------------------------------
# Async


class AsyncJanua:
    """Asynchronous Janua client; same surface as `Janua`, with `await` (lists: `async for`)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 2,
        access_token: str | None = None,
        refresh_token: str | None = None,
        token_store: TokenStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        initial = _initial_tokens(access_token, refresh_token)
        if initial is not None:
            self.token_store.set(initial)
        self._refresh_lock = asyncio.Lock()

        def http(auth: httpx.Auth | None) -> httpx.AsyncClient:
            inner = transport or httpx.AsyncHTTPTransport()
            wrapped = AsyncRetryTransport(inner, max_retries=max_retries)
            return httpx.AsyncClient(
                base_url=base_url, timeout=timeout, transport=wrapped, auth=auth
            )

        self._public = Client(base_url=base_url).set_async_httpx_client(http(None))
        self._authed = AuthenticatedClient(base_url=base_url, token="").set_async_httpx_client(
            http(BearerAuth(self.token_store))
        )
        self.auth = AsyncAuthResource(self)
        self.sessions = AsyncSessionsResource(self)
        self.health = AsyncHealthResource(self)
        self.discovery = AsyncDiscoveryResource(self)

    async def close(self) -> None:
        await self._public.get_async_httpx_client().aclose()
        await self._authed.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncJanua:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()

    async def _send(self, op: Any, client: Client | AuthenticatedClient, kw: dict[str, Any]) -> Any:
        try:
            return await op.asyncio_detailed(client=client, **kw)
        except httpx.TransportError as exc:
            raise NetworkError(f"network error: {exc!r}") from exc

    async def _call(
        self, op: Any, *, authed: bool = False, also_ok: tuple[int, ...] = (), **kw: Any
    ) -> Any:
        if not authed:
            return _unwrap(await self._send(op, self._public, kw), also_ok)
        tokens = self.token_store.get()
        if tokens is not None and tokens.expired and tokens.refresh_token:
            await self._refresh_if(lambda cur: cur is not None and cur.expired)
        used = self.token_store.get()
        response = await self._send(op, self._authed, kw)
        if (
            int(response.status_code) == 401
            and used is not None
            and used.refresh_token
            and _problem_code(response) == "TOKEN_ERROR"
        ):
            await self._refresh_if(
                lambda cur: cur is not None and cur.access_token == used.access_token
            )
            response = await self._send(op, self._authed, kw)
        return _unwrap(response, also_ok)

    async def _refresh_if(self, needed: Callable[[Tokens | None], bool]) -> None:
        async with self._refresh_lock:
            if needed(self.token_store.get()):
                await self._refresh_locked(None)

    async def _refresh_locked(self, refresh_token: str | None) -> models.TokenPair:
        current = self.token_store.get()
        token = refresh_token or (current.refresh_token if current else None)
        if not token:
            raise TokenError("no refresh token to refresh with", status=None, code="TOKEN_ERROR")
        pair = await self._call(refresh_token_op, body=models.RefreshRequest(refresh_token=token))
        self.token_store.set(_tokens_from(pair, token))
        return pair

    async def _paginate(self, op: Any, limit: int | None) -> AsyncIterator[Any]:
        cursor: UUID | Unset = UNSET
        while True:
            page = await self._call(op, authed=True, limit=_opt(limit), cursor=cursor)
            for item in page.data:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


class AsyncAuthResource:
    def __init__(self, client: AsyncJanua) -> None:
        self._c = client

    async def register(
        self,
        *,
        email: str,
        password: str,
        name: str | None = None,
        device_label: str | None = None,
        token_transport: models.TokenTransport | None = None,
    ) -> models.AuthResponse:
        body = models.RegisterRequest(
            email=email,
            password=password,
            name=_opt(name),
            device_label=_opt(device_label),
            token_transport=_opt(token_transport),
        )
        result: models.AuthResponse = await self._c._call(register_user, body=body)
        self._c.token_store.set(_tokens_from(result.tokens))
        return result

    async def login(
        self,
        *,
        email: str,
        password: str,
        device_label: str | None = None,
        token_transport: models.TokenTransport | None = None,
    ) -> models.AuthResponse:
        body = models.LoginRequest(
            email=email,
            password=password,
            device_label=_opt(device_label),
            token_transport=_opt(token_transport),
        )
        result: models.AuthResponse = await self._c._call(login_user, body=body)
        self._c.token_store.set(_tokens_from(result.tokens))
        return result

    async def refresh(self, *, refresh_token: str | None = None) -> models.TokenPair:
        async with self._c._refresh_lock:
            return await self._c._refresh_locked(refresh_token)

    async def logout(self) -> None:
        await self._c._call(logout_user, authed=True)
        self._c.token_store.set(None)

    async def me(self) -> models.User:
        return await self._c._call(get_current_user, authed=True)

    async def update_me(
        self,
        *,
        name: str | Unset | None = UNSET,
        locale: str | Unset | None = UNSET,
        timezone: str | Unset | None = UNSET,
        picture_url: str | Unset | None = UNSET,
    ) -> models.User:
        body = models.UpdateUserRequest(
            name=name, locale=locale, timezone=timezone, picture_url=picture_url
        )
        return await self._c._call(update_current_user, authed=True, body=body)

    async def verify_email(self, *, token: str) -> None:
        await self._c._call(verify_email, body=models.LinkTokenRequest(token=token))

    async def resend_verification_email(self) -> None:
        await self._c._call(resend_verification_email, authed=True)

    async def request_password_reset(self, *, email: str) -> None:
        body = models.ForgotPasswordRequest(email=email)
        await self._c._call(request_password_reset, body=body)

    async def reset_password(self, *, token: str, password: str) -> None:
        body = models.ResetPasswordRequest(token=token, password=password)
        await self._c._call(reset_password, body=body)

    async def change_password(self, *, current_password: str, new_password: str) -> None:
        body = models.ChangePasswordRequest(
            current_password=current_password, new_password=new_password
        )
        await self._c._call(change_password, authed=True, body=body)

    def audit_events(self, *, limit: int | None = None) -> AsyncIterator[models.AuditEvent]:
        return self._c._paginate(list_my_audit_events, limit)


class AsyncSessionsResource:
    def __init__(self, client: AsyncJanua) -> None:
        self._c = client

    def list(self, *, limit: int | None = None) -> AsyncIterator[models.Session]:
        return self._c._paginate(list_sessions, limit)

    async def revoke(self, session_id: UUID | str) -> None:
        await self._c._call(revoke_session, authed=True, session_id=UUID(str(session_id)))

    async def revoke_others(self) -> None:
        await self._c._call(revoke_other_sessions, authed=True)


class AsyncHealthResource:
    def __init__(self, client: AsyncJanua) -> None:
        self._c = client

    async def check(self) -> models.Health:
        return await self._c._call(get_health)

    async def detailed(self) -> models.HealthDetailed:
        return await self._c._call(get_health_detailed, also_ok=(503,))


class AsyncDiscoveryResource:
    def __init__(self, client: AsyncJanua) -> None:
        self._c = client

    async def openid_configuration(self) -> models.OpenIDConfiguration:
        return await self._c._call(get_openid_configuration)

    async def jwks(self) -> models.JWKS:
        return await self._c._call(get_jwks)
