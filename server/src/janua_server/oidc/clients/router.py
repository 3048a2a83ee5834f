"""HTTP of the OAuth clients admin API (`/api/v1/oauth/clients`): platform admins register,
read, change, delete clients and rotate their secrets. HTTP only: the rules are in `service`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from janua_server.admin import service as admin
from janua_server.contract.models import (
    CreateOAuthClientRequest,
    RotateOAuthClientSecretRequest,
    UpdateOAuthClientRequest,
)
from janua_server.core.errors import documented, not_found
from janua_server.core.http import json_response, read_json
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.oidc.clients import service
from janua_server.sessions.dependencies import CurrentPrincipal
from janua_server.sessions.service import Principal

router = APIRouter(prefix="/api/v1/oauth/clients", tags=["oauth"])


async def require_platform_admin(request: Request, principal: CurrentPrincipal) -> Principal:
    """Clients are platform configuration: only an enabled platform admin may manage them."""
    await admin.require_admin(get_runtime(request), principal)
    return principal


Admin = Annotated[Principal, Depends(require_platform_admin)]
ClientId = Annotated[str, Path(min_length=1, max_length=100)]
Limit = Annotated[int, Query(ge=1, le=100)]

WRITE = documented(400, 401, 403, 404, 413, 415, 422, 503)


@router.get("", status_code=200, responses=documented(401, 403, 404, 422, 503))
async def list_o_auth_clients(
    request: Request, _admin: Admin, limit: Limit = 20, cursor: uuid.UUID | None = None
) -> Response:
    page = await service.list_clients(get_runtime(request), limit=limit, cursor=cursor)
    if page is None:
        raise not_found("The cursor names no OAuth client.")
    return json_response(page)


@router.post("", status_code=201, responses=documented(400, 401, 403, 413, 415, 422, 503))
async def create_o_auth_client(request: Request, admin_user: Admin) -> Response:
    body, _ = await read_json(request, CreateOAuthClientRequest)
    created = await service.create_client(
        get_runtime(request), body, actor_id=admin_user.user_id, origin=request_origin(request)
    )
    return json_response(created, 201)


@router.get("/{client_id}", status_code=200, responses=documented(401, 403, 404, 422, 503))
async def get_o_auth_client(request: Request, _admin: Admin, client_id: ClientId) -> Response:
    return json_response(await service.get_client(get_runtime(request), client_id))


@router.patch(
    "/{client_id}",
    status_code=200,
    responses=documented(400, 401, 403, 404, 409, 413, 415, 422, 503),
)
async def update_o_auth_client(
    request: Request, admin_user: Admin, client_id: ClientId
) -> Response:
    body, _ = await read_json(request, UpdateOAuthClientRequest)
    updated = await service.update_client(
        get_runtime(request),
        client_id,
        body,
        actor_id=admin_user.user_id,
        origin=request_origin(request),
    )
    return json_response(updated)


@router.delete("/{client_id}", status_code=204, responses=documented(401, 403, 404, 422, 503))
async def delete_o_auth_client(
    request: Request, admin_user: Admin, client_id: ClientId
) -> Response:
    await service.delete_client(
        get_runtime(request), client_id, actor_id=admin_user.user_id, origin=request_origin(request)
    )
    return Response(status_code=204)


@router.post("/{client_id}/rotate-secret", status_code=200, responses=WRITE)
async def rotate_o_auth_client_secret(
    request: Request, admin_user: Admin, client_id: ClientId
) -> Response:
    body, _ = await read_json(request, RotateOAuthClientSecretRequest)
    rotated = await service.rotate_secret(
        get_runtime(request),
        client_id,
        body.overlap_seconds,
        actor_id=admin_user.user_id,
        origin=request_origin(request),
    )
    return json_response(rotated)
