from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.contract.models import JWKS, OpenIDConfiguration
from janua_server.core.http import json_response
from janua_server.core.runtime import get_runtime

router = APIRouter(prefix="/.well-known", tags=["discovery"])

# Keys rotate rarely and JWKS is fetched by every relying party: let them cache briefly.
_JWKS_CACHE = "public, max-age=300"


@router.get("/openid-configuration", status_code=200)
async def get_openid_configuration(request: Request) -> Response:
    rt = get_runtime(request)
    # Advertise only what this server implements today (OIDC Discovery section 3).
    metadata = OpenIDConfiguration(
        issuer=rt.settings.jwt_issuer,
        jwks_uri=f"{rt.settings.base_url}/.well-known/jwks.json",
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[rt.settings.jwt_algorithm],
        claims_supported=["iss", "sub", "aud", "exp", "iat", "jti", "sid"],
    )
    return json_response(metadata, **{"Cache-Control": _JWKS_CACHE})


@router.get("/jwks.json", status_code=200)
async def get_jwks(request: Request) -> Response:
    jwks = JWKS.model_validate(get_runtime(request).tokens.keyring.jwks())
    return json_response(jwks, **{"Cache-Control": _JWKS_CACHE})
