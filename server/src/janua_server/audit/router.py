"""HTTP for the audit log: a user's own events (`/auth/me/audit-events`), and the log for
platform admins and organizations' auditors (`/audit-logs`, NDJSON `/audit-logs/export`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from janua_server.admin import service as admin
from janua_server.audit import service
from janua_server.audit.service import EventFilter, Scope
from janua_server.contract.models import Outcome
from janua_server.core.errors import documented
from janua_server.core.http import Rfc3339, json_response
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.sessions.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
audit_logs_router = APIRouter(prefix="/api/v1/audit-logs", tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=100)]
NDJSON = "application/x-ndjson"


@router.get("/me/audit-events", status_code=200, responses=documented(401, 404, 422, 503))
async def list_my_audit_events(
    request: Request,
    principal: CurrentPrincipal,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.list_my_events(get_runtime(request), principal, limit=limit, cursor=cursor)
    return json_response(page)


def _event_filter(
    organization_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    action: Annotated[
        str | None,
        Query(min_length=3, max_length=64, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"),
    ] = None,
    target: Annotated[
        str | None, Query(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None,
    outcome: Outcome | None = None,
    created_after: Rfc3339 | None = None,
    created_before: Rfc3339 | None = None,
) -> EventFilter:
    return EventFilter(
        organization_id=organization_id,
        actor_id=actor_id,
        user_id=user_id,
        action=action,
        target=target,
        outcome=outcome,
        created_after=created_after,
        created_before=created_before,
    )


EventSearch = Annotated[EventFilter, Depends(_event_filter)]


async def _scope(request: Request, principal: CurrentPrincipal, found: EventSearch) -> Scope:
    rt = get_runtime(request)
    async with rt.db.connection() as conn:
        is_admin = await admin.is_platform_admin(conn, principal)
        return await service.scope_of(conn, principal, found.organization_id, admin=is_admin)


# The part of the log the caller may read (403/404 otherwise), resolved before any answer
# starts: an export must fail as a problem, not halfway through a stream.
ReadableScope = Annotated[Scope, Depends(_scope)]


@audit_logs_router.get("", status_code=200, responses=documented(401, 403, 404, 422, 503))
async def list_audit_logs(
    request: Request,
    scope: ReadableScope,
    found: EventSearch,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.search(get_runtime(request), scope, found, limit=limit, cursor=cursor)
    return json_response(page)


@audit_logs_router.get(
    "/export",
    status_code=200,
    responses=documented(401, 403, 404, 422, 503),
    response_class=StreamingResponse,
)
async def export_audit_logs(
    request: Request, principal: CurrentPrincipal, scope: ReadableScope, found: EventSearch
) -> Response:
    rt = get_runtime(request)
    origin = request_origin(request)
    await service.record_export(rt, principal, scope, found, origin)
    return StreamingResponse(
        service.export_lines(rt, scope, found),
        media_type=NDJSON,
        headers={"Content-Disposition": 'attachment; filename="audit-logs.ndjson"'},
    )
