"""HTTP of the provider's back channel: `/oauth/token` (RFC 6749 section 3.2),
`/oauth/introspect` (RFC 7662), `/oauth/revoke` (RFC 7009) and `/oauth/userinfo` (OIDC Core
section 5.3). HTTP only: the rules live in `grants/`, `introspection`, `revocation`, `userinfo`.
Errors are RFC 6749 / RFC 6750 JSON, never problem+json, and no answer is cached."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.core.errors import documented
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.oidc import client_auth, grants, introspection, revocation, userinfo
from janua_server.oidc.protocol import (
    CORS,
    NO_STORE,
    OAuthError,
    Params,
    error_answer,
    json_answer,
    read_params,
)

router = APIRouter(prefix="/oauth", tags=["oauth"])

BACK_CHANNEL = documented(400, 401, 413, 503)


@router.post("/token", status_code=200, responses=BACK_CHANNEL)
async def request_token(request: Request) -> Response:
    rt = get_runtime(request)
    try:
        params = await read_params(request)
        issued = await grants.issue(rt, request, params, request_origin(request))
    except OAuthError as error:
        return error_answer(error)
    return json_answer(issued.body())


@router.post("/introspect", status_code=200, responses=BACK_CHANNEL)
async def introspect_token(request: Request) -> Response:
    rt = get_runtime(request)
    try:
        params = await read_params(request)
        client = await client_auth.authenticate(rt, request, params)
        token = params.require("token", 8192)
        answer = await introspection.introspect(
            rt, client, token, params.get("token_type_hint", 100)
        )
    except OAuthError as error:
        return error_answer(error)
    return json_answer(answer)


@router.post("/revoke", status_code=200, responses=BACK_CHANNEL)
async def revoke_token(request: Request) -> Response:
    rt = get_runtime(request)
    try:
        params = await read_params(request)
        client = await client_auth.authenticate(rt, request, params)
        token = params.require("token", 8192)
        params.get("token_type_hint", 100)
        await revocation.revoke(rt, client, token)
    except OAuthError as error:
        return error_answer(error)
    return Response(status_code=200, headers=NO_STORE | CORS)


def _bearer_error(status: int, error: str, description: str, **extra: str) -> Response:
    challenge = ", ".join(
        ['Bearer realm="janua"', f'error="{error}"']
        + [f'{key}="{value}"' for key, value in extra.items()]
    )
    return json_answer(
        {"error": error, "error_description": description},
        status,
        **{"WWW-Authenticate": challenge},
    )


def _no_token() -> Response:
    # RFC 6750 section 3.1: no error code when the request carried no credentials at all.
    return json_answer(
        {"error": "invalid_token", "error_description": "An access token is required."},
        401,
        **{"WWW-Authenticate": 'Bearer realm="janua"'},
    )


def _header_token(request: Request) -> str | None:
    """The Bearer token of the Authorization header; another scheme carries none for us."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def _userinfo(request: Request, params: Params | None) -> Response:
    token = _header_token(request)
    try:
        in_body = params.get("access_token", 8192) if params is not None else None
    except OAuthError as error:
        return _bearer_error(400, "invalid_request", error.description)
    if token is not None and in_body is not None:
        return _bearer_error(400, "invalid_request", "Send the access token once (RFC 6750).")
    token = token or in_body
    if token is None:
        return _no_token()
    try:
        claims = await userinfo.claims_for(get_runtime(request), token)
    except userinfo.InvalidToken:
        return _bearer_error(401, "invalid_token", "The access token is invalid or expired.")
    except userinfo.InsufficientScope:
        return _bearer_error(
            403,
            "insufficient_scope",
            "The access token was not granted the openid scope.",
            scope="openid",
        )
    return json_answer(claims)


@router.get("/userinfo", status_code=200, responses=documented(401, 403, 503))
async def get_user_info(request: Request) -> Response:
    return await _userinfo(request, None)


@router.post("/userinfo", status_code=200, responses=documented(400, 401, 403, 413, 503))
async def post_user_info(request: Request) -> Response:
    params = None
    if request.headers.get("content-type") or request.headers.get("content-length", "0") != "0":
        try:
            params = await read_params(request)
        except OAuthError as error:
            return _bearer_error(400, "invalid_request", error.description)
    return await _userinfo(request, params)
