"""HTTP of the second factors: enrolment and removal for the signed-in user, and the second
step of a password sign-in (`/challenge`, `/sms/send`), where the `mfa_token` is the
credential and no access token exists yet."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.contract.models import (
    AuthResponse,
    DisableTotpRequest,
    MfaChallengeRequest,
    MfaCodeRequest,
    PasswordConfirmation,
    RegenerateRecoveryCodesRequest,
    SendSmsChallengeRequest,
    SmsSetupRequest,
)
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import get_runtime
from janua_server.mfa import service
from janua_server.sessions import transport
from janua_server.sessions.dependencies import CurrentPrincipal, client_info

router = APIRouter(prefix="/api/v1/auth/mfa", tags=["mfa"])

_BODY_ERRORS = (400, 413, 415, 422)


@router.get("", status_code=200, responses=documented(401, 503))
async def get_mfa_status(request: Request, principal: CurrentPrincipal) -> Response:
    return json_response(await service.status(get_runtime(request), principal))


@router.post("/setup", status_code=200, responses=documented(401, 409, 503))
async def start_totp_setup(request: Request, principal: CurrentPrincipal) -> Response:
    setup = await service.start_totp_setup(get_runtime(request), principal)
    return json_response(setup, **{"Cache-Control": "no-store"})


@router.post(
    "/verify-setup", status_code=200, responses=documented(*_BODY_ERRORS, 401, 403, 409, 429, 503)
)
async def confirm_totp_setup(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, MfaCodeRequest)
    codes = await service.confirm_totp_setup(
        get_runtime(request), principal, body.code, client_info(request)
    )
    return json_response(codes, **{"Cache-Control": "no-store"})


@router.post(
    "/disable", status_code=204, responses=documented(*_BODY_ERRORS, 401, 403, 409, 429, 503)
)
async def disable_totp(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, DisableTotpRequest)
    await service.disable_totp(
        get_runtime(request),
        principal,
        password=body.password,
        code=body.code,
        client=client_info(request),
    )
    return Response(status_code=204)


@router.post(
    "/recovery-codes",
    status_code=200,
    responses=documented(*_BODY_ERRORS, 401, 403, 409, 429, 503),
)
async def regenerate_recovery_codes(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, RegenerateRecoveryCodesRequest)
    codes = await service.regenerate_recovery_codes(
        get_runtime(request),
        principal,
        password=body.password,
        code=body.code,
        client=client_info(request),
    )
    return json_response(codes, **{"Cache-Control": "no-store"})


@router.post("/challenge", status_code=200, responses=documented(*_BODY_ERRORS, 401, 429, 503))
async def verify_mfa_challenge(request: Request) -> Response:
    # Per address, before the body: floods of made-up tokens stop here. The account's own
    # guess throttle is in the service.
    await limit_request(request, "mfa")
    body, _ = await read_json(request, MfaChallengeRequest)
    rt = get_runtime(request)
    signed_in = await service.finish_sign_in(
        rt,
        mfa_token=body.mfa_token,
        method=body.method.value,
        code=body.code,
        client=client_info(request),
    )
    response = Response()
    tokens = transport.deliver(response, signed_in.tokens, signed_in.token_transport, rt.settings)
    return json_response(
        AuthResponse(user=signed_in.user, tokens=tokens),
        cookies_from=response,
        **{"Cache-Control": "no-store"},
    )


@router.post("/sms/setup", status_code=200, responses=documented(*_BODY_ERRORS, 401, 409, 429, 503))
async def start_sms_setup(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, SmsSetupRequest)
    sent = await service.start_sms_setup(get_runtime(request), principal, body.phone_number)
    return json_response(sent)


@router.post(
    "/sms/verify-setup",
    status_code=200,
    responses=documented(*_BODY_ERRORS, 401, 403, 409, 429, 503),
)
async def confirm_sms_setup(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, MfaCodeRequest)
    enrolled = await service.confirm_sms_setup(
        get_runtime(request), principal, body.code, client_info(request)
    )
    return json_response(enrolled, **{"Cache-Control": "no-store"})


@router.delete(
    "/sms", status_code=204, responses=documented(*_BODY_ERRORS, 401, 403, 409, 429, 503)
)
async def disable_sms(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, PasswordConfirmation)
    await service.remove_sms(get_runtime(request), principal, body.password, client_info(request))
    return Response(status_code=204)


@router.post("/sms/send", status_code=202, responses=documented(*_BODY_ERRORS, 401, 429, 503))
async def send_sms_challenge(request: Request) -> Response:
    await limit_request(request, "mfa")
    body, _ = await read_json(request, SendSmsChallengeRequest)
    sent = await service.send_sign_in_code(get_runtime(request), body.mfa_token)
    return json_response(sent, 202)
