from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from janua_server.contract.models import AuthResponse, LoginRequest, RefreshRequest
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import get_runtime
from janua_server.sessions import service, transport
from janua_server.sessions.dependencies import CurrentPrincipal, client_info, read_rate_limited

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
sessions_router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


@router.post(
    "/login", status_code=200, responses=documented(400, 401, 403, 413, 415, 422, 429, 503)
)
async def login_user(request: Request) -> Response:
    body, _ = await read_rate_limited(request, "login", LoginRequest)
    rt = get_runtime(request)
    user, tokens = await service.login(
        rt,
        email=body.email,
        password=body.password,
        client=client_info(request, body.device_label),
        token_transport=str(body.token_transport or "body"),
    )
    response = Response()
    tokens = transport.deliver(response, tokens, body.token_transport, rt.settings)
    return json_response(AuthResponse(user=user, tokens=tokens), cookies_from=response)


@router.post(
    "/token/refresh",
    status_code=200,
    responses=documented(400, 401, 403, 404, 413, 415, 422, 429, 503),
)
async def refresh_token(
    request: Request,
    # Declared so its length is validated (422); read by transport.refresh_token_of.
    x_csrf_token: Annotated[str | None, Header(max_length=128)] = None,
) -> Response:
    body, raw = await read_json(request, RefreshRequest)
    presented, mode = transport.refresh_token_of(request, body.refresh_token)
    rt = get_runtime(request)
    await limit_request(request, "refresh")
    # Absent keeps the active organization; null clears it.
    organization = body.organization_id if "organization_id" in raw else service.KEEP_ORGANIZATION
    tokens = await service.refresh(rt, presented, client_info(request), organization=organization)
    response = Response()
    tokens = transport.deliver(
        response, tokens, mode, rt.settings, csrf=request.cookies.get(transport.CSRF_COOKIE)
    )
    return json_response(tokens, cookies_from=response)


@router.post("/logout", status_code=204, responses=documented(401, 503))
async def logout_user(request: Request, principal: CurrentPrincipal) -> Response:
    await service.logout(get_runtime(request), principal, client_info(request))
    response = Response(status_code=204)
    transport.clear(response)
    return response


@sessions_router.get("", status_code=200, responses=documented(401, 404, 422, 503))
async def list_sessions(
    request: Request,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.list_sessions(get_runtime(request), principal, limit=limit, cursor=cursor)
    return json_response(page)


@sessions_router.delete("", status_code=204, responses=documented(401, 503))
async def revoke_other_sessions(request: Request, principal: CurrentPrincipal) -> Response:
    await service.revoke_other_sessions(get_runtime(request), principal, client_info(request))
    return Response(status_code=204)


@sessions_router.delete("/{session_id}", status_code=204, responses=documented(401, 404, 422, 503))
async def revoke_session(
    request: Request, principal: CurrentPrincipal, session_id: uuid.UUID
) -> Response:
    await service.revoke_session(get_runtime(request), principal, session_id, client_info(request))
    return Response(status_code=204)
