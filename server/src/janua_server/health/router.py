from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server import __version__
from janua_server.contract.models import Health
from janua_server.core.http import json_response
from janua_server.core.runtime import get_runtime
from janua_server.health import service

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", status_code=200)
async def get_health() -> Response:
    return json_response(Health(status="ok", version=__version__))


@router.get("/detailed", status_code=200, responses={503: {"description": "degraded"}})
async def get_health_detailed(request: Request) -> Response:
    report = await service.detailed(get_runtime(request))
    return json_response(report, status_code=200 if report.status == "ok" else 503)
