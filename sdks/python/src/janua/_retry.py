"""Retries with exponential backoff and jitter, as an httpx transport wrapper.

Retried: connection failures that never reached the server (any method), other network errors
on idempotent methods (GET, HEAD, OPTIONS, DELETE), and 429 / 503 answers (the server did not
act on the request). `Retry-After` (seconds or an HTTP date) is honoured when present.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
RETRY_STATUSES = frozenset({429, 503})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date), None when absent/bad."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Delay before retry number `attempt` (0-based): Retry-After when sane, else full jitter."""
    if retry_after is not None and retry_after <= MAX_RETRY_AFTER:
        return retry_after
    cap = min(MAX_DELAY, INITIAL_DELAY * 2**attempt)
    return random.uniform(cap / 2, cap)  # noqa: S311 - jitter, not cryptography


def _retryable_error(request: httpx.Request, exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return True  # the request never reached the server
    return request.method.upper() in IDEMPOTENT_METHODS


class RetryTransport(httpx.BaseTransport):
    """Wraps a sync transport; `sleep` is injectable for tests."""

    def __init__(
        self,
        wrapped: httpx.BaseTransport | None = None,
        *,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.wrapped = wrapped or httpx.HTTPTransport()
        self.max_retries = max_retries
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self.wrapped.handle_request(request)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries or not _retryable_error(request, exc):
                    raise
                self.sleep(backoff_delay(attempt))
                attempt += 1
                continue
            if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
                return response
            delay = backoff_delay(attempt, parse_retry_after(response.headers))
            response.read()
            response.close()
            self.sleep(delay)
            attempt += 1

    def close(self) -> None:
        self.wrapped.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport; `sleep` is injectable for tests."""

    def __init__(
        self,
        wrapped: httpx.AsyncBaseTransport | None = None,
        *,
        max_retries: int = 2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.wrapped = wrapped or httpx.AsyncHTTPTransport()
        self.max_retries = max_retries
        self.sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self.wrapped.handle_async_request(request)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries or not _retryable_error(request, exc):
                    raise
                await self.sleep(backoff_delay(attempt))
                attempt += 1
                continue
            if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
                return response
            delay = backoff_delay(attempt, parse_retry_after(response.headers))
            await response.aread()
            await response.aclose()
            await self.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self.wrapped.aclose()
