from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.accounts import flows
from janua_server.contract.models import (
    AuthResponse,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LinkTokenRequest,
    RegisterRequest,
    ResetPasswordRequest,
    UpdateUserRequest,
)
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.sessions import service as sessions
from janua_server.sessions import transport
from janua_server.sessions.dependencies import CurrentPrincipal, client_info, read_rate_limited

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", status_code=201, responses=documented(400, 409, 413, 415, 422, 429, 503))
async def register_user(request: Request) -> Response:
    body, raw = await read_rate_limited(request, "register", RegisterRequest)
    rt = get_runtime(request)
    # The model normalises the address; the account keeps it exactly as the user typed it.
    user, tokens = await sessions.register(
        rt,
        email=raw["email"],
        password=body.password,
        name=body.name,
        client=client_info(request, body.device_label),
    )
    response = Response()
    tokens = transport.deliver(response, tokens, body.token_transport, rt.settings)
    return json_response(AuthResponse(user=user, tokens=tokens), 201, cookies_from=response)


@router.get("/me", status_code=200, responses=documented(401, 503))
async def get_current_user(request: Request, principal: CurrentPrincipal) -> Response:
    return json_response(await sessions.current_user(get_runtime(request), principal))


# Account flows: profile, email verification, password reset and change.


@router.patch("/me", status_code=200, responses=documented(400, 401, 413, 415, 422, 503))
async def update_current_user(request: Request, principal: CurrentPrincipal) -> Response:
    _, raw = await read_json(request, UpdateUserRequest)
    # The raw body says which fields were sent: an explicit null clears, an absent one stays.
    user = await flows.update_profile(get_runtime(request), principal, raw, request_origin(request))
    return json_response(user)


@router.post(
    "/email/verify", status_code=204, responses=documented(400, 401, 413, 415, 422, 429, 503)
)
async def verify_email(request: Request) -> Response:
    await limit_request(request, "email_verify")
    body, _ = await read_json(request, LinkTokenRequest)
    await flows.verify_email(get_runtime(request), body.token, request_origin(request))
    return Response(status_code=204)


@router.post("/email/verify/resend", status_code=202, responses=documented(401, 409, 429, 503))
async def resend_verification_email(request: Request, principal: CurrentPrincipal) -> Response:
    await limit_request(request, "email_resend", account=str(principal.user_id))
    await flows.resend_verification(get_runtime(request), principal, request_origin(request))
    return Response(status_code=202)


@router.post(
    "/password/forgot", status_code=202, responses=documented(400, 413, 415, 422, 429, 503)
)
async def request_password_reset(request: Request) -> Response:
    # Counted per email whether or not an account has it: the answer reveals nothing.
    body, _ = await read_rate_limited(request, "password_forgot", ForgotPasswordRequest)
    await flows.request_password_reset(get_runtime(request), body.email, request_origin(request))
    return Response(status_code=202)


@router.post(
    "/password/reset", status_code=204, responses=documented(400, 401, 413, 415, 422, 429, 503)
)
async def reset_password(request: Request) -> Response:
    await limit_request(request, "password_reset")
    body, _ = await read_json(request, ResetPasswordRequest)
    await flows.reset_password(
        get_runtime(request), body.token, body.password, request_origin(request)
    )
    return Response(status_code=204)


@router.post(
    "/password/change",
    status_code=204,
    responses=documented(400, 401, 403, 413, 415, 422, 429, 503),
)
async def change_password(request: Request, principal: CurrentPrincipal) -> Response:
    await limit_request(request, "password_change", account=str(principal.user_id))
    body, _ = await read_json(request, ChangePasswordRequest)
    await flows.change_password(
        get_runtime(request),
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        origin=request_origin(request),
    )
    return Response(status_code=204)
