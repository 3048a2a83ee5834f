"""HTTP for platform administration: the user directory (`/api/v1/users` for SDKs' `users`
namespace, `/api/v1/admin/users` for `admin`; one service function), account changes,
organizations and statistics. Every route needs an enabled platform admin."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from janua_server.accounts.directory import UserFilter
from janua_server.admin import service
from janua_server.contract.models import UpdateAdminUserRequest
from janua_server.core.errors import documented
from janua_server.core.http import Rfc3339, json_response, read_json
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.sessions.dependencies import CurrentPrincipal
from janua_server.sessions.service import Principal

users_router = APIRouter(prefix="/api/v1/users", tags=["users"])
router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

ROUTERS = [users_router, router]


async def require_admin(request: Request, principal: CurrentPrincipal) -> Principal:
    await service.require_admin(get_runtime(request), principal)
    return principal


# The signed-in caller, if an enabled platform admin (401 without a token, 403 otherwise).
CurrentAdmin = Annotated[Principal, Depends(require_admin)]

Limit = Annotated[int, Query(ge=1, le=100)]
NoControl = r"^[^\x00-\x1f\x7f]+$"


async def _user_filter(
    q: Annotated[str | None, Query(min_length=1, max_length=254, pattern=NoControl)] = None,
    status: Literal["active", "disabled"] | None = None,
    email_verified: bool | None = None,
    is_admin: bool | None = None,
    created_after: Rfc3339 | None = None,
    created_before: Rfc3339 | None = None,
) -> UserFilter:
    return UserFilter(
        query=q,
        status=status,
        email_verified=email_verified,
        is_admin=is_admin,
        created_after=created_after,
        created_before=created_before,
    )


UserSearch = Annotated[UserFilter, Depends(_user_filter)]

LIST = documented(401, 403, 404, 422, 503)
ONE = documented(401, 403, 404, 422, 503)


async def _list_users(
    request: Request, found: UserFilter, limit: int, cursor: uuid.UUID | None
) -> Response:
    page = await service.list_users(get_runtime(request), found, limit=limit, cursor=cursor)
    return json_response(page)


@users_router.get("", status_code=200, responses=LIST)
async def list_users(
    request: Request,
    _admin: CurrentAdmin,
    found: UserSearch,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    return await _list_users(request, found, limit, cursor)


@router.get("/users", status_code=200, responses=LIST)
async def list_admin_users(
    request: Request,
    _admin: CurrentAdmin,
    found: UserSearch,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    return await _list_users(request, found, limit, cursor)


@router.get("/users/{user_id}", status_code=200, responses=ONE)
async def get_admin_user(request: Request, _admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    return json_response(await service.get_user(get_runtime(request), user_id))


@router.patch(
    "/users/{user_id}",
    status_code=200,
    responses=documented(400, 401, 403, 404, 409, 413, 415, 422, 503),
)
async def update_admin_user(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    # The raw body says which fields were sent: an explicit null clears, an absent one stays.
    _, raw = await read_json(request, UpdateAdminUserRequest)
    user = await service.update_user(
        get_runtime(request), admin, user_id, raw, request_origin(request)
    )
    return json_response(user)


@router.delete(
    "/users/{user_id}", status_code=204, responses=documented(401, 403, 404, 409, 422, 503)
)
async def delete_admin_user(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    await service.delete_user(get_runtime(request), admin, user_id, request_origin(request))
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/disable", status_code=200, responses=documented(401, 403, 404, 409, 422, 503)
)
async def disable_user(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    user = await service.disable_user(get_runtime(request), admin, user_id, request_origin(request))
    return json_response(user)


@router.post("/users/{user_id}/enable", status_code=200, responses=ONE)
async def enable_user(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    user = await service.enable_user(get_runtime(request), admin, user_id, request_origin(request))
    return json_response(user)


@router.post("/users/{user_id}/unlock", status_code=204, responses=ONE)
async def unlock_user(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    await service.unlock_user(get_runtime(request), admin, user_id, request_origin(request))
    return Response(status_code=204)


@router.post("/users/{user_id}/verify-email", status_code=200, responses=ONE)
async def verify_user_email(request: Request, admin: CurrentAdmin, user_id: uuid.UUID) -> Response:
    user = await service.verify_email(get_runtime(request), admin, user_id, request_origin(request))
    return json_response(user)


@router.delete("/users/{user_id}/sessions", status_code=204, responses=ONE)
async def revoke_user_sessions(
    request: Request, admin: CurrentAdmin, user_id: uuid.UUID
) -> Response:
    await service.revoke_sessions(get_runtime(request), admin, user_id, request_origin(request))
    return Response(status_code=204)


@router.get("/organizations", status_code=200, responses=LIST)
async def list_admin_organizations(
    request: Request,
    _admin: CurrentAdmin,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=NoControl)] = None,
) -> Response:
    page = await service.list_organizations(
        get_runtime(request), limit=limit, cursor=cursor, query=q
    )
    return json_response(page)


@router.get("/stats", status_code=200, responses=documented(401, 403, 503))
async def get_admin_stats(request: Request, _admin: CurrentAdmin) -> Response:
    return json_response(await service.stats(get_runtime(request)))
