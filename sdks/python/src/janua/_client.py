"""`Janua` and `AsyncJanua`: the facade over the generated client.

The namespaces and their methods (`client.auth.login(email=..., password=...)`, one per spec
operation, sync and async) are generated into `janua/_generated_facade/` from the spec and
`sdks/python/operations.txt`. This module is the machinery every one of them goes through:
typed errors (`janua.JanuaError` and subclasses), the token pair kept in a `TokenStore` and
refreshed before expiry or once after a 401 TOKEN_ERROR (one refresh shared by concurrent
callers; a refresh the server refuses clears the store, as the TypeScript client does),
retries with backoff (`janua._retry`), extra per-call headers and auto-paginating lists.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import httpx

from janua._auth import CALL_HEADERS, BearerAuth, MemoryTokenStore, Tokens, TokenStore
from janua._errors import TokenError, error_from_response, network_error
from janua._generated import models
from janua._generated.api.auth import refresh_token as refresh_token_op
from janua._generated.client import AuthenticatedClient, Client
from janua._generated.types import UNSET, Response, Unset
from janua._generated_facade import AsyncJanuaNamespaces, JanuaNamespaces
from janua._retry import AsyncRetryTransport, RetryTransport

_OK = range(200, 300)
_REDIRECT = range(300, 400)


def _tokens_from(pair: models.TokenPair, previous_refresh: str | None = None) -> Tokens:
    refresh = pair.refresh_token if isinstance(pair.refresh_token, str) else previous_refresh
    return Tokens(pair.access_token, refresh, time.time() + pair.expires_in)


def _token_pair(result: Any) -> models.TokenPair | None:
    """The token pair of a sign-in answer (`AuthResponse.tokens`) or a bare `TokenPair`."""
    if isinstance(result, models.TokenPair):
        return result
    tokens = getattr(result, "tokens", None)
    return tokens if isinstance(tokens, models.TokenPair) else None


def _problem_code(response: Response[Any]) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _unwrap(response: Response[Any], also_ok: tuple[int, ...] = (), redirect: bool = False) -> Any:
    status = int(response.status_code)
    if redirect and status in _REDIRECT:
        return response.headers.get("location", "")
    if status in _OK or status in also_ok:
        return response.parsed
    raise error_from_response(status, httpx.Headers(response.headers), response.content)


def _refused(exc: TokenError) -> bool:
    """The server refused the refresh token itself (revoked, reused or expired): a 401/400
    TOKEN_ERROR answer. Not a network error, 429 or 5xx, after which the tokens may still work,
    nor the local "no refresh token" error (status None)."""
    return exc.status in (400, 401)


def _is_ours(presented: str | None, stored: Tokens | None) -> bool:
    """Whether a refresh presented the stored sign-in's refresh token (None: the stored one, or
    the cookie in cookie mode), so that its refusal ends that sign-in."""
    return presented is None or (stored is not None and presented == stored.refresh_token)


def _same_sign_in(now: Tokens | None, used: Tokens | None) -> bool:
    """Whether the store still holds the pair a refresh started from (a custom store may not
    round-trip `expires_at` exactly, so only the tokens count)."""
    return (
        now is not None
        and used is not None
        and (now.access_token, now.refresh_token) == (used.access_token, used.refresh_token)
    )


def _initial_tokens(access_token: str | None, refresh_token: str | None) -> Tokens | None:
    if access_token:
        return Tokens(access_token, refresh_token)
    if refresh_token:  # no access token yet: expired, so the first call refreshes
        return Tokens("", refresh_token, expires_at=0.0)
    return None


def _next_cursor(page: Any) -> Any:
    cursor = getattr(page, "next_cursor", None)
    return None if isinstance(cursor, Unset) else cursor


def _refresh_body(body: Any, stored: Tokens | None, kw: Mapping[str, Any]) -> str | None:
    """Fill the refresh request's token from the store; None when there is none to send."""
    given = body.refresh_token if isinstance(body.refresh_token, str) else None
    token = given or (stored.refresh_token if stored else None)
    if token:
        body.refresh_token = token
    elif not isinstance(kw.get("x_csrf_token"), str):  # cookie mode sends no token in the body
        raise TokenError("no refresh token to refresh with", status=None, code="TOKEN_ERROR")
    return token


# --------------------------------------------------------------------------------------------
# Sync


class Janua(JanuaNamespaces):
    """Synchronous Janua client: one namespace per spec tag, one method per operation.

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

        def http(auth: httpx.Auth) -> httpx.Client:
            wrapped = RetryTransport(transport or httpx.HTTPTransport(), max_retries=max_retries)
            return httpx.Client(base_url=base_url, timeout=timeout, transport=wrapped, auth=auth)

        self._public = Client(base_url=base_url).set_httpx_client(http(BearerAuth(None)))
        self._authed = AuthenticatedClient(base_url=base_url, token="").set_httpx_client(
            http(BearerAuth(self.token_store))
        )
        self._init_namespaces()

    def close(self) -> None:
        self._public.get_httpx_client().close()
        self._authed.get_httpx_client().close()

    def __enter__(self) -> Janua:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    # -- the machinery of the generated namespaces ----------------------------------------------

    def _send(
        self,
        op: Any,
        client: Client | AuthenticatedClient,
        headers: Mapping[str, str] | None,
        kw: dict[str, Any],
    ) -> Any:
        context = CALL_HEADERS.set(headers)
        try:
            return op.sync_detailed(client=client, **kw)
        except httpx.TransportError as exc:
            raise network_error(exc) from exc
        finally:
            CALL_HEADERS.reset(context)

    def _call(
        self,
        op: Any,
        *,
        public: bool = False,
        headers: Mapping[str, str] | None = None,
        also_ok: tuple[int, ...] = (),
        redirect: bool = False,
        **kw: Any,
    ) -> Any:
        """Send one operation; its success body, or a typed `JanuaError`."""
        if public:
            return _unwrap(self._send(op, self._public, headers, kw), also_ok, redirect)
        tokens = self.token_store.get()
        if tokens is not None and tokens.expired and tokens.refresh_token:
            self._refresh_if(lambda cur: cur is not None and cur.expired)
        used = self.token_store.get()
        response = self._send(op, self._authed, headers, kw)
        if (
            int(response.status_code) == 401
            and used is not None
            and used.refresh_token
            and _problem_code(response) == "TOKEN_ERROR"
        ):
            self._refresh_if(lambda cur: cur is not None and cur.access_token == used.access_token)
            if self.token_store.get() is None:  # signed out meanwhile (e.g. a refused refresh)
                return _unwrap(response, also_ok, redirect)
            response = self._send(op, self._authed, headers, kw)
        return _unwrap(response, also_ok, redirect)

    def _items(self, op: Any, **kw: Any) -> Iterator[Any]:
        """Every item of a cursor-paginated list, fetching the next page when needed."""
        cursor: Any = UNSET
        while True:
            page = self._call(op, cursor=cursor, **kw)
            yield from page.data
            cursor = _next_cursor(page)
            if cursor is None:
                return

    def _store_tokens(self, result: Any) -> None:
        pair = _token_pair(result)
        if pair is not None:
            current = self.token_store.get()
            self.token_store.set(_tokens_from(pair, current.refresh_token if current else None))

    def _clear_tokens(self) -> None:
        self.token_store.set(None)

    def _refresh_call(self, op: Any, *, body: Any, **kw: Any) -> models.TokenPair:
        """`auth.refresh`: the stored refresh token unless one is given, under the refresh lock."""
        with self._refresh_lock:
            stored = self.token_store.get()
            given = body.refresh_token if isinstance(body.refresh_token, str) else None
            token = _refresh_body(body, stored, kw)
            try:
                pair: models.TokenPair = self._call(op, body=body, **kw)
            except TokenError as exc:
                if _is_ours(given, stored):
                    self._forget_refused(exc, stored)
                raise
            self.token_store.set(_tokens_from(pair, token))
            return pair

    def _refresh_if(self, needed: Callable[[Tokens | None], bool]) -> None:
        """Refresh unless another caller already did while this one waited for the lock."""
        with self._refresh_lock:
            if needed(self.token_store.get()):
                self._refresh_locked()

    def _refresh_locked(self) -> models.TokenPair:
        current = self.token_store.get()
        token = current.refresh_token if current else None
        if not token:
            raise TokenError("no refresh token to refresh with", status=None, code="TOKEN_ERROR")
        body = models.RefreshRequest(refresh_token=token)
        try:
            pair: models.TokenPair = self._call(refresh_token_op, public=True, body=body)
        except TokenError as exc:
            self._forget_refused(exc, current)
            raise
        self.token_store.set(_tokens_from(pair, token))
        return pair

    def _forget_refused(self, exc: TokenError, used: Tokens | None) -> None:
        """A refused refresh token will not get better: forget the dead sign-in (if the store
        still holds it), so later calls fail at once instead of refreshing again."""
        if _refused(exc) and _same_sign_in(self.token_store.get(), used):
            self.token_store.set(None)


# --------------------------------------------------------------------------------------------
# Async


class AsyncJanua(AsyncJanuaNamespaces):
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

        def http(auth: httpx.Auth) -> httpx.AsyncClient:
            inner = transport or httpx.AsyncHTTPTransport()
            wrapped = AsyncRetryTransport(inner, max_retries=max_retries)
            return httpx.AsyncClient(
                base_url=base_url, timeout=timeout, transport=wrapped, auth=auth
            )

        self._public = Client(base_url=base_url).set_async_httpx_client(http(BearerAuth(None)))
        self._authed = AuthenticatedClient(base_url=base_url, token="").set_async_httpx_client(
            http(BearerAuth(self.token_store))
        )
        self._init_namespaces()

    async def close(self) -> None:
        await self._public.get_async_httpx_client().aclose()
        await self._authed.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncJanua:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()

    # -- the machinery of the generated namespaces ----------------------------------------------

    async def _send(
        self,
        op: Any,
        client: Client | AuthenticatedClient,
        headers: Mapping[str, str] | None,
        kw: dict[str, Any],
    ) -> Any:
        context = CALL_HEADERS.set(headers)
        try:
            return await op.asyncio_detailed(client=client, **kw)
        except httpx.TransportError as exc:
            raise network_error(exc) from exc
        finally:
            CALL_HEADERS.reset(context)

    async def _call(
        self,
        op: Any,
        *,
        public: bool = False,
        headers: Mapping[str, str] | None = None,
        also_ok: tuple[int, ...] = (),
        redirect: bool = False,
        **kw: Any,
    ) -> Any:
        if public:
            return _unwrap(await self._send(op, self._public, headers, kw), also_ok, redirect)
        tokens = self.token_store.get()
        if tokens is not None and tokens.expired and tokens.refresh_token:
            await self._refresh_if(lambda cur: cur is not None and cur.expired)
        used = self.token_store.get()
        response = await self._send(op, self._authed, headers, kw)
        if (
            int(response.status_code) == 401
            and used is not None
            and used.refresh_token
            and _problem_code(response) == "TOKEN_ERROR"
        ):
            await self._refresh_if(
                lambda cur: cur is not None and cur.access_token == used.access_token
            )
            if self.token_store.get() is None:  # signed out meanwhile (e.g. a refused refresh)
                return _unwrap(response, also_ok, redirect)
            response = await self._send(op, self._authed, headers, kw)
        return _unwrap(response, also_ok, redirect)

    async def _items(self, op: Any, **kw: Any) -> AsyncIterator[Any]:
        cursor: Any = UNSET
        while True:
            page = await self._call(op, cursor=cursor, **kw)
            for item in page.data:
                yield item
            cursor = _next_cursor(page)
            if cursor is None:
                return

    def _store_tokens(self, result: Any) -> None:
        pair = _token_pair(result)
        if pair is not None:
            current = self.token_store.get()
            self.token_store.set(_tokens_from(pair, current.refresh_token if current else None))

    def _clear_tokens(self) -> None:
        self.token_store.set(None)

    async def _refresh_call(self, op: Any, *, body: Any, **kw: Any) -> models.TokenPair:
        async with self._refresh_lock:
            stored = self.token_store.get()
            given = body.refresh_token if isinstance(body.refresh_token, str) else None
            token = _refresh_body(body, stored, kw)
            try:
                pair: models.TokenPair = await self._call(op, body=body, **kw)
            except TokenError as exc:
                if _is_ours(given, stored):
                    self._forget_refused(exc, stored)
                raise
            self.token_store.set(_tokens_from(pair, token))
            return pair

    async def _refresh_if(self, needed: Callable[[Tokens | None], bool]) -> None:
        async with self._refresh_lock:
            if needed(self.token_store.get()):
                await self._refresh_locked()

    async def _refresh_locked(self) -> models.TokenPair:
        current = self.token_store.get()
        token = current.refresh_token if current else None
        if not token:
            raise TokenError("no refresh token to refresh with", status=None, code="TOKEN_ERROR")
        body = models.RefreshRequest(refresh_token=token)
        try:
            pair: models.TokenPair = await self._call(refresh_token_op, public=True, body=body)
        except TokenError as exc:
            self._forget_refused(exc, current)
            raise
        self.token_store.set(_tokens_from(pair, token))
        return pair

    def _forget_refused(self, exc: TokenError, used: Tokens | None) -> None:
        """See `Janua._forget_refused`."""
        if _refused(exc) and _same_sign_in(self.token_store.get(), used):
            self.token_store.set(None)
