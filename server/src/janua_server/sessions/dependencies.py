"""HTTP helpers of the sessions domain for every router: the signed-in caller, the client's
address and agent, and rate-limited reading of credential bodies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from janua_server.accounts.service import canonical_email
from janua_server.core.errors import authentication_error
from janua_server.core.http import M, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import client_ip, get_runtime
from janua_server.sessions import service
from janua_server.sessions.service import ClientInfo, Principal


async def require_principal(request: Request) -> Principal:
    header = request.headers.get("authorization")
    if not header:
        raise authentication_error("An access token is required (Authorization: Bearer <token>).")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise authentication_error("Use the Bearer authorization scheme.")
    return await service.authenticate(get_runtime(request), token.strip())


def client_info(request: Request, device_label: str | None = None) -> ClientInfo:
    return ClientInfo(
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        device_label=device_label,
    )


async def read_rate_limited(request: Request, action: str, model: type[M]) -> tuple[M, dict]:
    """`read_json` of a body with an `email`, rate-limiting `action`: per client address before
    the body is read (floods of malformed bodies count too), then per canonical email."""
    await limit_request(request, action)
    body, raw = await read_json(request, model)
    await limit_request(request, action, by_ip=False, account=canonical_email(raw["email"]))
    return body, raw


# The signed-in caller, for route signatures: `principal: CurrentPrincipal`.
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
