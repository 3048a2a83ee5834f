"""FastAPI dependencies of the sessions domain, for every router that needs a signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from janua_server.core.errors import authentication_error
from janua_server.core.runtime import get_runtime
from janua_server.sessions import service
from janua_server.sessions.service import Principal


async def require_principal(request: Request) -> Principal:
    header = request.headers.get("authorization")
    if not header:
        raise authentication_error("An access token is required (Authorization: Bearer <token>).")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise authentication_error("Use the Bearer authorization scheme.")
    return await service.authenticate(get_runtime(request), token.strip())


# The signed-in caller, for route signatures: `principal: CurrentPrincipal`.
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
