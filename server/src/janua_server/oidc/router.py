from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.contract.models import JWKS
from janua_server.core.http import json_response
from janua_server.core.runtime import get_runtime
from janua_server.oidc import discovery

router = APIRouter(prefix="/.well-known", tags=["discovery"])

# Keys rotate rarely and JWKS is fetched by every relying party: let them cache briefly.
_JWKS_CACHE = "public, max-age=300"
# Public metadata: browser apps (SPAs using PKCE) fetch it from their own origin.
_PUBLIC = {"Cache-Control": _JWKS_CACHE, "Access-Control-Allow-Origin": "*"}


@router.get("/openid-configuration", status_code=200)
async def get_openid_configuration(request: Request) -> Response:
    rt = get_runtime(request)
    return json_response(discovery.metadata(rt.settings), **_PUBLIC)


@router.get("/jwks.json", status_code=200)
async def get_jwks(request: Request) -> Response:
    jwks = JWKS.model_validate(get_runtime(request).tokens.keyring.jwks())
    return json_response(jwks, **_PUBLIC)
