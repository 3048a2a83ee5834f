"""RFC 9457 problem details with Janua's stable `code`, and the handlers that make every failure
one of them: the client always gets a documented 4xx (or a 5xx without internals), never a
framework default page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from janua_server.contract.models import ErrorCode, FieldError, Problem
from janua_server.core.store import StoreUnavailable

log = logging.getLogger("janua.errors")

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    ErrorCode.BAD_REQUEST: "Bad request",
    ErrorCode.AUTHENTICATION_ERROR: "Authentication failed",
    ErrorCode.TOKEN_ERROR: "Invalid token",
    ErrorCode.AUTHORIZATION_ERROR: "Forbidden",
    ErrorCode.NOT_FOUND_ERROR: "Not found",
    ErrorCode.CONFLICT_ERROR: "Conflict",
    ErrorCode.VALIDATION_ERROR: "Validation failed",
    ErrorCode.RATE_LIMIT_ERROR: "Too many requests",
    ErrorCode.INTERNAL_ERROR: "Internal error",
    ErrorCode.MFA_REQUIRED: "Second factor required",
}


class ApiError(Exception):
    """An answer other than success. Services raise it; the handler below renders it."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        detail: str,
        *,
        title: str | None = None,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or _TITLES[code]
        self.errors = errors
        self.headers = dict(headers or {})
        # RFC 9457 section 3.2 extension members, documented per problem type in the spec.
        self.extensions = dict(extensions or {})


def bad_request(detail: str, *, status: int = 400, title: str | None = None) -> ApiError:
    return ApiError(status, ErrorCode.BAD_REQUEST, detail, title=title)


def authentication_error(detail: str) -> ApiError:
    return ApiError(
        401, ErrorCode.AUTHENTICATION_ERROR, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def token_error(detail: str, *, bearer: bool = True) -> ApiError:
    # RFC 6750 section 3: a rejected bearer token gets a challenge naming the error.
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if bearer else {}
    return ApiError(401, ErrorCode.TOKEN_ERROR, detail, headers=headers)


def authorization_error(detail: str) -> ApiError:
    return ApiError(403, ErrorCode.AUTHORIZATION_ERROR, detail)


def mfa_required(mfa_token: str, expires_in: int, methods: list[str]) -> ApiError:
    return ApiError(
        403,
        ErrorCode.MFA_REQUIRED,
        "Finish signing in with a second factor.",
        headers={"Cache-Control": "no-store"},
        extensions={
            "mfa_token": mfa_token,
            "mfa_token_expires_in": expires_in,
            "mfa_methods": methods,
        },
    )


def not_found(detail: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND_ERROR, detail)


def conflict(detail: str) -> ApiError:
    return ApiError(409, ErrorCode.CONFLICT_ERROR, detail)


def validation_error(errors: list[FieldError], *, in_parameters: bool = False) -> ApiError:
    count = len(errors)
    if in_parameters:
        detail = f"The request has {count} invalid parameter{'' if count == 1 else 's'}."
    else:
        detail = f"The request body has {count} invalid field{'' if count == 1 else 's'}."
    return ApiError(422, ErrorCode.VALIDATION_ERROR, detail, errors=errors)


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic errors as RFC 6901 pointers into the request body."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        pointer = "#/" + "/".join(
            str(part).replace("~", "~0").replace("/", "~1") for part in err["loc"]
        )
        out.append(FieldError(pointer=pointer if err["loc"] else "#", detail=err["msg"]))
    return out


def problem_response(request: Request, error: ApiError) -> Response:
    problem = Problem(
        type=f"urn:janua:problem:{error.code.value.lower().replace('_', '-')}",
        title=error.title,
        status=error.status,
        detail=error.detail,
        code=error.code,
        request_id=getattr(request.state, "request_id", None),
        errors=error.errors,
    )
    body = problem.model_dump_json(exclude_none=True)
    if error.extensions:
        body = json.dumps(json.loads(body) | error.extensions, separators=(",", ":"))
    return Response(
        body,
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


def _allowed_methods(request: Request) -> Iterable[str]:
    path = request.url.path
    for route in api_routes(request.app):
        if route.path_regex.match(path):
            yield from route.methods or ()


def api_routes(app: FastAPI) -> list[APIRoute]:
    """The operations the app serves (set by create_app from its routers)."""
    return app.state.api_routes


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        # Only parameters reach here: bodies are parsed by core.http.read_json.
        errors = [
            FieldError(pointer="#/" + "/".join(map(str, e["loc"])), detail=e["msg"])
            for e in exc.errors()
        ]
        return problem_response(request, validation_error(errors, in_parameters=True))

    @app.exception_handler(StarletteHTTPException)
    async def _http_exception(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            error = ApiError(404, ErrorCode.NOT_FOUND_ERROR, "No such resource.")
        elif exc.status_code == 405:
            # Starlette's own Allow names only the first route matching the path; RFC 9110
            # section 15.5.6 wants every method the resource supports.
            allow = ", ".join(sorted(set(_allowed_methods(request))))
            error = bad_request(
                f"{request.method} is not supported here.",
                status=405,
                title="Method not allowed",
            )
            error.headers["Allow"] = allow
        else:
            error = bad_request(str(exc.detail), status=exc.status_code)
        return problem_response(request, error)

    async def _unavailable(request: Request, exc: Exception) -> Response:
        log.warning("backing service unavailable: %s", type(exc).__name__)
        error = ApiError(
            503,
            ErrorCode.INTERNAL_ERROR,
            "A backing service is unavailable; retry shortly.",
            title="Service unavailable",
            headers={"Retry-After": "1"},
        )
        return problem_response(request, error)

    # Lost connections to PostgreSQL or Redis are an outage to wait out, not a bug: 503.
    app.add_exception_handler(StoreUnavailable, _unavailable)
    app.add_exception_handler(ConnectionError, _unavailable)
    app.add_exception_handler(TimeoutError, _unavailable)
    # Every pooled connection busy for pool_timeout: overload, also worth a retry.
    app.add_exception_handler(PoolTimeout, _unavailable)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated or _is_connection_failure(exc):
            return await _unavailable(request, exc)
        return unexpected_error_response(request, exc)


def unexpected_error_response(request: Request, exc: BaseException) -> Response:
    """A bug: log the type and where (never the request: bodies and headers carry secrets) and
    answer a bare 500 problem. Called by core.http's middleware, inside the request-id scope."""
    log.error(
        "unhandled %s on %s %s (request %s)",
        type(exc).__name__,
        request.method,
        request.url.path,
        getattr(request.state, "request_id", "-"),
        exc_info=exc,
    )
    error = ApiError(500, ErrorCode.INTERNAL_ERROR, "An unexpected error occurred.")
    return problem_response(request, error)


def _is_connection_failure(exc: DBAPIError) -> bool:
    original = exc.orig
    name = type(original).__name__ if original is not None else ""
    return isinstance(original, OSError) or name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "InterfaceError",
        "ConnectionFailureError",
        "AdminShutdownError",
        "TooManyConnectionsError",
        "OperationalError",
    }


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error statuses a route documents, for FastAPI's `responses=`; the route-table test
    holds them against the spec."""
    return {status: {"description": "problem"} for status in statuses}
