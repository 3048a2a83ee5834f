"""Test users: unique addresses and a password the policy accepts."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "correct horse battery staple"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


async def register(
    http: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD
) -> dict:
    response = await http.post(
        "/api/v1/auth/register", json={"email": email or unique_email(), "password": password}
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
