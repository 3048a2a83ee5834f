"""Second-factor helpers for tests: enrol an authenticator app, reach the MFA step of a
sign-in, make TOTP codes for chosen time steps, read access-token claims."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pyotp

from support.users import PASSWORD, bearer

STEP = 30


def code(secret: str, steps: int = 0, *, at: float | None = None) -> str:
    """The TOTP code `steps` time steps away from now (or from `at`)."""
    now = time.time() if at is None else at
    return pyotp.TOTP(secret).at(now, counter_offset=steps)


async def away_from_step_edge(margin: float = 4.0) -> None:
    """Wait out the end of the current 30-second step, for tests that send a code of the
    previous step: it must still be the previous one when the server checks it."""
    left = STEP - time.time() % STEP
    if left < margin:
        await asyncio.sleep(left + 0.2)


async def enrol_totp(http: httpx.AsyncClient, access_token: str) -> tuple[str, list[str]]:
    """Set up and confirm an app (with the current step's code): (secret, recovery codes)."""
    setup = await http.post("/api/v1/auth/mfa/setup", headers=bearer(access_token))
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    confirmed = await http.post(
        "/api/v1/auth/mfa/verify-setup", json={"code": code(secret)}, headers=bearer(access_token)
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


async def mfa_step(http: httpx.AsyncClient, email: str, **extra: str) -> dict:
    """Sign in with the password; the 403 MFA_REQUIRED problem."""
    response = await http.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, **extra}
    )
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["code"] == "MFA_REQUIRED"
    return problem


async def challenge(
    http: httpx.AsyncClient, mfa_token: str, method: str, value: str
) -> httpx.Response:
    return await http.post(
        "/api/v1/auth/mfa/challenge",
        json={"mfa_token": mfa_token, "method": method, "code": value},
    )


def claims(access_token: str) -> dict:
    """The access token's claims, unverified (the server's own tests check signatures)."""
    return jwt.decode(access_token, options={"verify_signature": False})


async def audit_actions(http: httpx.AsyncClient, access_token: str) -> list[dict]:
    events = await http.get(
        "/api/v1/auth/me/audit-events", params={"limit": 100}, headers=bearer(access_token)
    )
    assert events.status_code == 200, events.text
    return events.json()["data"]
