from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from janua_server.contract.models import AuthResponse, LoginRequest, RefreshRequest
from janua_server.core.errors import documented, token_error
from janua_server.core.http import json_response, read_json
from janua_server.core.runtime import client_ip, get_runtime
from janua_server.sessions import service
from janua_server.sessions.dependencies import CurrentPrincipal
from janua_server.sessions.service import ClientInfo

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
sessions_router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


def client_info(request: Request) -> ClientInfo:
    return ClientInfo(ip=client_ip(request), user_agent=request.headers.get("user-agent"))


@router.post("/login", status_code=200, responses=documented(400, 401, 413, 415, 422, 503))
async def login_user(request: Request) -> Response:
    body, _ = await read_json(request, LoginRequest)
    user, tokens = await service.login(
        get_runtime(request), email=body.email, password=body.password, client=client_info(request)
    )
    return json_response(AuthResponse(user=user, tokens=tokens))


@router.post(
    "/token/refresh", status_code=200, responses=documented(400, 401, 403, 413, 415, 422, 503)
)
async def refresh_token(request: Request) -> Response:
    body, _ = await read_json(request, RefreshRequest)
    if body.refresh_token is None:
        raise token_error("A refresh token is required.", bearer=False)
    return json_response(await service.refresh(get_runtime(request), body.refresh_token))


@router.post("/logout", status_code=204, responses=documented(401, 503))
async def logout_user(request: Request, principal: CurrentPrincipal) -> Response:
    await service.logout(get_runtime(request), principal)
    return Response(status_code=204)


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
    await service.revoke_other_sessions(get_runtime(request), principal)
    return Response(status_code=204)


@sessions_router.delete("/{session_id}", status_code=204, responses=documented(401, 404, 422, 503))
async def revoke_session(
    request: Request, principal: CurrentPrincipal, session_id: uuid.UUID
) -> Response:
    await service.revoke_session(get_runtime(request), principal, session_id)
    return Response(status_code=204)
