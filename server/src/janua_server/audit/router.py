from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from janua_server.audit import service
from janua_server.core.errors import documented
from janua_server.core.http import json_response
from janua_server.core.runtime import get_runtime
from janua_server.sessions.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.get("/me/audit-events", status_code=200, responses=documented(401, 404, 422, 503))
async def list_my_audit_events(
    request: Request,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.list_my_events(get_runtime(request), principal, limit=limit, cursor=cursor)
    return json_response(page)
