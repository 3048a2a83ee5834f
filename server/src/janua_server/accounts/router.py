from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.contract.models import AuthResponse, RegisterRequest
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.runtime import get_runtime
from janua_server.sessions import service as sessions
from janua_server.sessions.dependencies import CurrentPrincipal
from janua_server.sessions.router import client_info

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", status_code=201, responses=documented(400, 409, 413, 415, 422, 503))
async def register_user(request: Request) -> Response:
    body, raw = await read_json(request, RegisterRequest)
    # The model normalises the address; the account keeps it exactly as the user typed it.
    user, tokens = await sessions.register(
        get_runtime(request),
        email=raw["email"],
        password=body.password,
        name=body.name,
        client=client_info(request),
    )
    return json_response(AuthResponse(user=user, tokens=tokens), status_code=201)


@router.get("/me", status_code=200, responses=documented(401, 503))
async def get_current_user(request: Request, principal: CurrentPrincipal) -> Response:
    return json_response(await sessions.current_user(get_runtime(request), principal))
