"""Schemathesis hooks for `nox -s contract`: real accounts, signed in for real.

Tokens come from fresh sign-ups, because the fuzzer also calls `logoutUser`, `revokeSession`
and `changePassword`, which (correctly) end sessions and lock accounts.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
import zoneinfo

import httpx
import phonenumbers
import schemathesis
from janua_server.accounts import policy
from janua_server.contract import models as contract
from janua_server.core.errors import ApiError
from janua_server.oidc.clients import service as clients
from janua_server.organizations import permissions

BASE_URL = os.environ["JANUA_BASE_URL"]
_ZONES = zoneinfo.available_timezones()


# Operations only platform admins may call: fuzzed with an admin's token (the server is started
# with ADMIN_BOOTSTRAP_* by `nox -s contract`), so their real logic runs, not just the 403.
ADMIN_TAGS = "^(admin|users|audit)$"
ADMIN_PATHS = "^/api/v1/oauth/clients"


@(
    schemathesis.auth(refresh_interval=20)
    .apply_to(tag_regex=ADMIN_TAGS)
    .apply_to(path_regex=ADMIN_PATHS)
)
class PlatformAdmin:
    """The bootstrapped admin, signed in again every 20 cases. The fuzzer cannot lock it out or
    end its sessions: an admin cannot disable, demote or delete itself (409), and random ids
    name no one."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        response = httpx.post(
            f"{BASE_URL}/api/v1/auth/login",
            json={
                "email": os.environ["JANUA_ADMIN_EMAIL"],
                "password": os.environ["JANUA_ADMIN_PASSWORD"],
            },
        )
        response.raise_for_status()
        return response.json()["tokens"]["access_token"]

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@(
    schemathesis.auth(refresh_interval=1)
    .skip_for(tag_regex=ADMIN_TAGS)
    .skip_for(path_regex=ADMIN_PATHS)
)
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
        _FRESH_TOKENS.add(case.headers["Authorization"])


# Stateful scenarios chain calls on what earlier calls created, but FreshAccount hands out a new
# account every second, so a chain that crosses a second boundary would ask as a stranger and
# get the (correct) 404 of organization isolation, which schemathesis reports as "created
# resource not found". So a stateful call about a resource goes out as the account that
# created it: resource id or slug -> the Authorization header that created it.
_CREATORS: dict[str, str] = {}
# The Authorization values FreshAccount handed out. Only such a header is swapped for the
# creator's: the auth checks (ST401) send cases without or with broken credentials on purpose.
_FRESH_TOKENS: set[str] = set()


def _fresh_account_case(case: schemathesis.Case) -> bool:
    tags = case.operation.definition.raw.get("tags", [])
    admin = any(re.match(ADMIN_TAGS, tag) for tag in tags)
    return not admin and not re.match(ADMIN_PATHS, case.operation.path)


@schemathesis.hook
def after_call(
    ctx: schemathesis.HookContext, case: schemathesis.Case, response: schemathesis.Response
) -> None:
    authorization = (case.headers or {}).get("Authorization")
    if response.status_code != 201 or authorization is None or not _fresh_account_case(case):
        return
    with contextlib.suppress(ValueError):
        created = response.json()
        if isinstance(created, dict):
            for key in ("id", "slug"):
                if isinstance(created.get(key), str):
                    _CREATORS[created[key]] = authorization


@schemathesis.hook
def before_call(ctx: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict) -> None:
    meta = case.meta
    if meta is None or meta.phase.name != "stateful" or not _fresh_account_case(case):
        return
    if (case.headers or {}).get("Authorization") not in _FRESH_TOKENS:
        return
    for value in (case.path_parameters or {}).values():
        creator = _CREATORS.get(str(value))
        if creator is not None:
            case.headers = {**(case.headers or {}), "Authorization": creator}
            return


@schemathesis.hook
def filter_case(ctx: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """Drop positive cases the contract cannot tell apart from invalid ones.

    The schema can say "at least 12 characters", "looks like Area/City" and "+ and up to 15
    digits" (E.164), but not "not among 4.2 million known passwords", "a zone in the IANA
    database", "a number some country's numbering plan assigns" or "a role this organization
    defined", and OpenAPI 3.0 has no "if this grant type, then that field". Without this, the
    positive-data check would flag the server's correct 422 for a schema-valid `000000000000`,
    `A0`, `+10000000000000`, role `gdv15-` or an authorization-code client without a redirect
    URI. Only positive cases with such a value are dropped; negative cases all run, and the
    refusals are tested in server/tests (test_password_policy.py, test_account_flows.py,
    test_mfa_sms.py, test_oauth_clients.py, test_organizations.py).

    Also dropped: stateful steps whose inferred link carried a null into a path parameter
    (`organization_id` of an audit event about no organization becomes `/organizations/None`);
    the server's 422 for those is right, the link is not.
    """
    if any(value is None for value in (case.path_parameters or {}).values()):
        return False
    meta = case.meta
    if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return True
    body = case.body
    if not isinstance(body, dict):
        return True
    zone = body.get("timezone")
    if isinstance(zone, str) and zone not in _ZONES:
        return False
    phone = body.get("phone_number")
    if isinstance(phone, str) and not _is_real_phone_number(phone):
        return False
    if case.operation.path.startswith("/api/v1/oauth/clients") and _unregistrable(case, body):
        return False
    role = body.get("role")
    if isinstance(role, str) and role not in permissions.BUILT_IN_ROLES:
        return False
    email = body.get("email") if isinstance(body.get("email"), str) else None
    return not any(
        isinstance(body.get(field), str)
        and policy.problems(body[field], email=email, min_length=12)
        for field in ("password", "new_password")
    )


def _is_real_phone_number(value: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


def _unregistrable(case: schemathesis.Case, body: dict) -> bool:
    """The server's own rules for client metadata that OpenAPI 3.0 cannot state: redirect URIs
    (RFC 6749 section 3.1.2, RFC 8252, RFC 9700 section 2.1: https, http on loopback only, or
    a reverse-domain private-use scheme) and, for a new client, the rules across fields."""
    for field in ("redirect_uris", "post_logout_redirect_uris"):
        for uri in body.get(field) or []:
            try:
                clients.check_redirect_uri(uri, "#")
            except (ApiError, TypeError, ValueError):
                return True
    return case.method.upper() == "POST" and _inconsistent_client(body)


def _inconsistent_client(body: dict) -> bool:
    """What each grant needs and what a public client may do, across a new client's fields."""
    try:
        request = contract.CreateOAuthClientRequest.model_validate(body)
    except ValueError:
        return False  # not ours to judge: the server's 422 names the field
    try:
        # Duplicates are the server's 422 with a pointer, as schema-invalid data.
        settings = clients.settings_of(request)
    except ApiError:
        return False
    return settings.inconsistency() is not None
