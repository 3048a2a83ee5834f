"""Schemathesis hooks for `nox -s contract`: a real user, signed in for real.

Every case that needs a bearer token gets one from a fresh login, because the fuzzer also calls
`logoutUser`, which (correctly) kills the session its token belongs to.
"""

from __future__ import annotations

import os
import uuid

import httpx
import schemathesis

BASE_URL = os.environ["JANUA_BASE_URL"]
EMAIL = f"contract-{uuid.uuid4().hex[:12]}@example.com"
PASSWORD = "contract-tests-password-" + uuid.uuid4().hex

httpx.post(
    f"{BASE_URL}/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}
).raise_for_status()


@schemathesis.auth(refresh_interval=1)
class FreshSession:
    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        response = httpx.post(
            f"{BASE_URL}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        )
        response.raise_for_status()
        return response.json()["tokens"]["access_token"]

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
