"""Driving live `janua serve` processes over HTTP with plain httpx: users, and bounded polls
(the reliability suite never asserts on timing)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from support.services import migrate
from support.users import PASSWORD, bearer, unique_email

__all__ = ["PASSWORD", "bearer", "migrate", "unique_email"]


def register(http: httpx.Client, email: str | None = None) -> dict:
    response = http.post(
        "/api/v1/auth/register", json={"email": email or unique_email(), "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return response.json()


def login(http: httpx.Client, email: str) -> httpx.Response:
    return http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


def poll(
    request: Callable[[], httpx.Response],
    until: Callable[[httpx.Response], bool],
    *,
    attempts: int = 50,
    pause: float = 0.2,
) -> httpx.Response:
    """Repeat `request` until `until` holds, at most `attempts` times; return the last answer.
    Connection errors (a server between states) count as attempts."""
    response: httpx.Response | None = None
    for _ in range(attempts):
        try:
            response = request()
        except httpx.TransportError:
            response = None
        if response is not None and until(response):
            return response
        time.sleep(pause)
    assert response is not None, "no answer at all"
    return response


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert response.headers.get("retry-after")
