"""The second step of a hosted sign-in, and passkey sign-in, through the factor domains' service
modules (`mfa`, `passkeys`): the hosted pages never touch their tables."""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

from starlette.responses import Response

from janua_server.contract.models import TokenPair
from janua_server.core.errors import bad_request
from janua_server.core.runtime import Runtime
from janua_server.mfa import service as mfa
from janua_server.sessions.service import ClientInfo

PASSKEY_METHODS = ("passkey", "webauthn")

METHOD_LABELS = {
    "totp": "Authenticator app",
    "sms": "Text message",
    "recovery_code": "Recovery code",
}


def code_methods(methods: list[str]) -> list[str]:
    """The enrolled methods proved by typing a code, in the order to offer them."""
    return [method for method in METHOD_LABELS if method in methods]


def code_help(methods: list[str]) -> str:
    parts = []
    if "totp" in methods:
        parts.append("the 6-digit code from your authenticator app")
    if "sms" in methods:
        parts.append("the code we texted you")
    if "recovery_code" in methods:
        parts.append("one of your recovery codes")
    return "Enter " + " or ".join(parts) + "." if parts else ""


def options_response(options: dict[str, Any]) -> Response:
    return Response(
        json.dumps(options), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


async def finish_with_code(
    rt: Runtime, mfa_token: str, method: str, code: str, client: ClientInfo
) -> TokenPair:
    """Verify a TOTP, SMS or recovery code for the pending sign-in and open its session
    (`mfa.service.finish_sign_in`: guess throttle, audit, `amr` [pwd, otp|sms, mfa])."""
    signed_in = await mfa.finish_sign_in(
        rt, mfa_token=mfa_token, method=method, code=code, client=client
    )
    return signed_in.tokens


async def send_sms(rt: Runtime, mfa_token: str, client: ClientInfo) -> None:
    await mfa.send_sign_in_code(rt, mfa_token)


def _passkeys() -> ModuleType | None:
    """The passkeys domain's service, once it offers sign-in (`authentication_options`,
    `finish_sign_in`); until then the hosted pages offer no passkey button."""
    try:
        module = importlib.import_module("janua_server.passkeys.service")
    except ImportError:
        return None
    needed = ("authentication_options", "finish_sign_in")
    return module if all(hasattr(module, name) for name in needed) else None


def passkeys_available() -> bool:
    return _passkeys() is not None


async def passkey_options(rt: Runtime, mfa_token: str | None, client: ClientInfo) -> dict:
    module = _passkeys()
    if module is None:
        raise bad_request("Passkey sign-in is not available on this server.")
    return await module.authentication_options(rt, mfa_token=mfa_token)


async def finish_with_passkey(
    rt: Runtime,
    mfa_token: str | None,
    *,
    challenge: str,
    credential: str,
    client: ClientInfo,
) -> TokenPair:
    module = _passkeys()
    if module is None:
        raise bad_request("Passkey sign-in is not available on this server.")
    signed_in = await module.finish_sign_in(
        rt, mfa_token=mfa_token, challenge=challenge, credential=credential, client=client
    )
    return signed_in.tokens
