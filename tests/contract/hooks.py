"""Schemathesis hooks for `nox -s contract`: real accounts, signed in for real.

Tokens come from fresh sign-ups, because the fuzzer also calls `logoutUser`, `revokeSession`
and `changePassword`, which (correctly) end sessions and lock accounts.
"""

from __future__ import annotations

import os
import uuid
import zoneinfo

import httpx
import schemathesis
from janua_server.accounts import policy

BASE_URL = os.environ["JANUA_BASE_URL"]
_ZONES = zoneinfo.available_timezones()


@schemathesis.auth(refresh_interval=1)
class FreshAccount:
    """A new account (signed in by its registration) for every token: the fuzzer also calls
    `changePassword` with wrong current passwords, which (correctly) locks an account out."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        email = f"contract-{uuid.uuid4().hex[:16]}@example.com"
        password = "contract-tests-password-" + uuid.uuid4().hex
        response = httpx.post(
            f"{BASE_URL}/api/v1/auth/register", json={"email": email, "password": password}
        )
        if response.status_code != 201:
            # schemathesis reports only "token fetch failed"; keep the reason where it can be read.
            reason = f"signing up for the fuzzer failed: {response.status_code} {response.text}"
            with open(os.environ.get("CONTRACT_HOOK_LOG", os.devnull), "a") as log:
                log.write(reason + "\n")
            raise RuntimeError(reason)
        return response.json()["tokens"]["access_token"]

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def filter_case(ctx: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """Drop positive cases the contract cannot tell apart from invalid ones.

    The schema can say "at least 12 characters" and "looks like Area/City", but not "not among
    4.2 million known passwords" or "a zone in the IANA database". Without this, the
    positive-data check would flag the server's correct 422 for a schema-valid
    `000000000000` or `A0`. Only positive cases with such a value are dropped; negative cases
    all run, and the refusals are tested in server/tests (test_password_policy.py,
    test_account_flows.py).
    """
    meta = case.meta
    if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return True
    body = case.body
    if not isinstance(body, dict):
        return True
    zone = body.get("timezone")
    if isinstance(zone, str) and zone not in _ZONES:
        return False
    email = body.get("email") if isinstance(body.get("email"), str) else None
    return not any(
        isinstance(body.get(field), str)
        and policy.problems(body[field], email=email, min_length=12)
        for field in ("password", "new_password")
    )
