"""Schemathesis hooks for `nox -s contract`: a real user, signed in for real.

Every case that needs a bearer token gets one from a fresh login, because the fuzzer also calls
`logoutUser`, `revokeSession` and `changePassword`, which (correctly) end sessions.
"""

from __future__ import annotations

import os
import re
import uuid
import zoneinfo

import httpx
import schemathesis
from janua_server.accounts import policy

BASE_URL = os.environ["JANUA_BASE_URL"]
_ZONES = zoneinfo.available_timezones()
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


@schemathesis.hook
def filter_body(ctx: schemathesis.HookContext, body: object) -> bool:
    """Keep generated passwords off the breached-password list, and time zones in the IANA list.

    The contract can say "at least 12 characters" but not "not among 4.2 million known
    passwords", so without this the positive-data check would flag the server's (correct) 422
    for a schema-valid `000000000000`. Only passwords the policy refuses are dropped; the
    refusal itself is tested in server/tests/test_password_policy.py.
    """
    if not isinstance(body, dict):
        return True
    # Same for time zones: the pattern admits `A`, only the IANA database says it is no zone.
    zone = body.get("timezone")
    if isinstance(zone, str) and len(zone) <= 64 and zone not in _ZONES:
        return not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}", zone)
    email = body.get("email") if isinstance(body.get("email"), str) else None
    for field in ("password", "new_password"):
        value = body.get(field)
        if isinstance(value, str) and policy.problems(value, email=email, min_length=12):
            # Only drop cases that are otherwise schema-valid: a negative case stays.
            return len(value) < 12
    return True
