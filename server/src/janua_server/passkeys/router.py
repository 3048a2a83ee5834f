"""HTTP of passkeys: registration and management for the signed-in user, and the public
sign-in ceremony (a passkey alone, or the second factor with the `mfa_token` of a password
sign-in)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from janua_server.contract.models import (
    AuthResponse,
    PasskeyLoginOptionsRequest,
    PasskeyLoginRequest,
    RegisterPasskeyRequest,
    UpdatePasskeyRequest,
)
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import get_runtime
from janua_server.passkeys import service
from janua_server.sessions import transport
from janua_server.sessions.dependencies import CurrentPrincipal, client_info

router = APIRouter(prefix="/api/v1/auth", tags=["passkeys"])

_BODY_ERRORS = (400, 413, 415, 422)
_NO_STORE = {"Cache-Control": "no-store"}


@router.post("/passkey/register/options", status_code=200, responses=documented(401, 409, 503))
async def start_passkey_registration(request: Request, principal: CurrentPrincipal) -> Response:
    options = await service.start_registration(get_runtime(request), principal)
    return json_response(options, **_NO_STORE)


@router.post(
    "/passkey/register", status_code=201, responses=documented(*_BODY_ERRORS, 401, 409, 503)
)
async def register_passkey(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, RegisterPasskeyRequest)
    created = await service.register(
        get_runtime(request), principal, body.credential, body.name, client_info(request)
    )
    return json_response(created, 201)


@router.get("/passkeys", status_code=200, responses=documented(401, 404, 422, 503))
async def list_passkeys(
    request: Request,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.list_passkeys(get_runtime(request), principal, limit=limit, cursor=cursor)
    return json_response(page)


@router.patch(
    "/passkeys/{passkey_id}", status_code=200, responses=documented(*_BODY_ERRORS, 401, 404, 503)
)
async def update_passkey(
    request: Request, principal: CurrentPrincipal, passkey_id: uuid.UUID
) -> Response:
    body, _ = await read_json(request, UpdatePasskeyRequest)
    renamed = await service.rename(
        get_runtime(request), principal, passkey_id, body.name, client_info(request)
    )
    return json_response(renamed)


@router.delete("/passkeys/{passkey_id}", status_code=204, responses=documented(401, 404, 422, 503))
async def delete_passkey(
    request: Request, principal: CurrentPrincipal, passkey_id: uuid.UUID
) -> Response:
    await service.delete_passkey(get_runtime(request), principal, passkey_id, client_info(request))
    return Response(status_code=204)


@router.post(
    "/passkey/login/options", status_code=200, responses=documented(*_BODY_ERRORS, 401, 429, 503)
)
async def start_passkey_login(request: Request) -> Response:
    # Per address, before the body: anyone may ask, so floods stop here.
    await limit_request(request, "passkey")
    body, _ = await read_json(request, PasskeyLoginOptionsRequest)
    options = await service.start_sign_in(get_runtime(request), body.mfa_token)
    return json_response(options, **_NO_STORE)


@router.post("/passkey/login", status_code=200, responses=documented(*_BODY_ERRORS, 401, 429, 503))
async def login_with_passkey(request: Request) -> Response:
    await limit_request(request, "passkey")
    body, _ = await read_json(request, PasskeyLoginRequest)
    rt = get_runtime(request)
    signed_in = await service.finish_sign_in(
        rt,
        challenge=body.challenge_id,
        credential=body.credential,
        mfa_token=body.mfa_token,
        client=client_info(request, body.device_label),
        token_transport=str(body.token_transport or "body"),
    )
    response = Response()
    tokens = transport.deliver(response, signed_in.tokens, signed_in.token_transport, rt.settings)
    return json_response(
        AuthResponse(user=signed_in.user, tokens=tokens), cookies_from=response, **_NO_STORE
    )
