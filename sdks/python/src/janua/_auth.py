"""Token storage for the facade: a pluggable `TokenStore` (in memory by default)."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import httpx

#: Refresh this many seconds before the access token expires.
EXPIRY_SKEW = 30.0


@dataclass(frozen=True)
class Tokens:
    """The current token pair; `expires_at` is a `time.time()` instant, None when unknown."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and time.time() >= self.expires_at - EXPIRY_SKEW

    def with_expiry(self, expires_at: float | None) -> Tokens:
        return replace(self, expires_at=expires_at)

    def __repr__(self) -> str:
        # Tokens end up in logs and tracebacks: show only their last characters.
        return (
            f"Tokens(access_token={_redact(self.access_token)}, "
            f"refresh_token={_redact(self.refresh_token)}, expires_at={self.expires_at!r})"
        )


def _redact(token: str | None) -> str:
    if not token:
        return repr(token)
    return f"'...{token[-4:]}'" if len(token) > 16 else "'...'"


@runtime_checkable
class TokenStore(Protocol):
    """Where the facade keeps the token pair (e.g. a keyring or a file, for a CLI)."""

    def get(self) -> Tokens | None: ...

    def set(self, tokens: Tokens | None) -> None: ...


class MemoryTokenStore:
    """The default store: one token pair in memory."""

    def __init__(self, tokens: Tokens | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()

    def get(self) -> Tokens | None:
        with self._lock:
            return self._tokens

    def set(self, tokens: Tokens | None) -> None:
        with self._lock:
            self._tokens = tokens


#: Extra headers of the facade call in progress (a method's `headers=`): set around the call,
#: read when its request is sent. A context variable, so concurrent calls (threads, tasks) each
#: see their own.
CALL_HEADERS: ContextVar[Mapping[str, str] | None] = ContextVar("janua_call_headers", default=None)


class BearerAuth(httpx.Auth):
    """Sends the store's current access token (read when the request is sent), then the call's
    extra headers. With no store (the client of public operations) only the extra headers."""

    def __init__(self, store: TokenStore | None) -> None:
        self.store = store

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self.store.get() if self.store is not None else None
        if tokens is not None:
            request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        extra = CALL_HEADERS.get()
        if extra:
            request.headers.update(extra)
        yield request
