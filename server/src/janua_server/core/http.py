"""HTTP plumbing shared by every router: strict JSON bodies, request ids, body-size limit."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import secrets
from importlib.resources import files
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from janua_server.contract.models import FieldError
from janua_server.core.errors import (
    bad_request,
    field_errors,
    problem_response,
    unexpected_error_response,
    validation_error,
)
from janua_server.settings import MAX_BODY_BYTES

M = TypeVar("M", bound=BaseModel)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _too_large() -> Exception:
    return bad_request(
        f"The request body exceeds {MAX_BODY_BYTES} bytes.", status=413, title="Payload too large"
    )


async def read_json(request: Request, model: type[M]) -> tuple[M, dict]:
    """Parse the body as the contract model: 415 unless JSON, 413 past 1 MiB, 400 unless valid
    JSON, 422 with field errors unless the model accepts it. Returns the model and the raw dict
    (for values that must be kept exactly as sent)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise bad_request(
            "The request body must be application/json.", status=415, title="Unsupported media type"
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _too_large()
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON.") from None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(field_errors(exc)) from None
    # pydantic types an optional field as `X | None`, so it would accept an explicit null the
    # contract forbids; the spec says which fields are nullable.
    nulls = [key for key, value in data.items() if value is None and key not in _nullable(model)]
    if nulls:
        raise validation_error(
            [FieldError(pointer=f"#/{key}", detail="Input should not be null") for key in nulls]
        )
    return parsed, data


@functools.cache
def _nullable(model: type[BaseModel]) -> frozenset[str]:
    schema = _contract_schemas().get(model.__name__, {})
    return frozenset(
        name for name, prop in schema.get("properties", {}).items() if prop.get("nullable")
    )


def _contract_schemas() -> dict:
    return load_contract()["components"]["schemas"]


@functools.cache
def load_contract() -> dict:
    """The hand-written spec, bundled by codegen into the package: what /openapi.json serves
    and what says which fields are nullable. Read once; treat as read-only."""
    return json.loads(files("janua_server.contract").joinpath("openapi.json").read_text("utf-8"))


def json_response(
    model: BaseModel,
    status_code: int = 200,
    *,
    cookies_from: Response | None = None,
    **headers: str,
) -> Response:
    # exclude_unset: optional fields nobody set stay absent (the spec does not allow null
    # there), while nullable fields set to None are sent as null.
    response = Response(
        model.model_dump_json(exclude_unset=True),
        status_code=status_code,
        media_type="application/json",
        headers=headers or None,
    )
    if cookies_from is not None:
        for name, value in cookies_from.raw_headers:
            if name == b"set-cookie":
                response.raw_headers.append((name, value))
    return response


class RequestContextMiddleware:
    """Gives every request an id (kept from `X-Request-ID` when it looks sane), echoes it, adds
    the headers every API answer wants, and refuses oversized bodies before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        is_api = scope["path"].startswith(("/api/", "/.well-known/", "/health"))

        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                ]
                if is_api and not any(k.lower() == b"cache-control" for k, _ in message["headers"]):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message["headers"]) + extra
            await send(message)

        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            # Answer before reading a byte of an oversized body.
            request = Request(scope)
            error = _too_large() if length.isdigit() else bad_request("Invalid Content-Length.")
            await problem_response(request, error)(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            # Handled here rather than by Starlette's outermost error middleware, so that a 500
            # carries the request id and the security headers like every other answer.
            if response_started:
                raise
            response = unexpected_error_response(Request(scope), exc)
            await response(scope, receive, send_with_headers)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339_only(value: object) -> object:
    # pydantic also takes Unix timestamps (`0.5`) and offset-less forms; the contract says
    # `format: date-time` (RFC 3339 section 5.6), so nothing else gets through.
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-11-29T10:00:00Z")
    return value


def _in_utc(value: dt.datetime) -> dt.datetime:
    # An instant UTC cannot hold (year 1 at +01:00, year 9999 at -01:00) is a 422 naming the
    # parameter, not a 500 from the database driver.
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("instant out of range") from None


# A `format: date-time` query parameter, as an instant in UTC (what filters compare with).
Rfc3339 = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_in_utc)]
