"""Typed errors raised by the `Janua` / `AsyncJanua` facade, one per problem+json `code`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from janua._retry import parse_retry_after


@dataclass(frozen=True)
class FieldError:
    """One invalid field of a VALIDATION_ERROR: a JSON pointer (`#/body/email`) and a message."""

    pointer: str
    detail: str


class JanuaError(Exception):
    """Base of every error the facade raises. `status` is None for network errors."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, {str(self)!r})"


class AuthenticationError(JanuaError):
    """401 AUTHENTICATION_ERROR: wrong credentials."""


class TokenError(AuthenticationError):
    """401 TOKEN_ERROR: the access or refresh token is missing, expired or revoked."""


class AuthorizationError(JanuaError):
    """403 AUTHORIZATION_ERROR."""


class MfaRequiredError(AuthorizationError):
    """403 MFA_REQUIRED: the password was right and the account has a second factor.

    Finish the sign-in with `client.mfa.verify_challenge(mfa_token=..., method=..., code=...)`
    (or a passkey, `client.passkeys.login(..., mfa_token=...)`) using one of `mfa_methods`
    before `mfa_token_expires_in` seconds have passed.
    """

    def __init__(
        self,
        message: str,
        *,
        mfa_token: str,
        mfa_methods: list[str] | None = None,
        mfa_token_expires_in: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.mfa_token = mfa_token
        self.mfa_methods: list[str] = mfa_methods or []
        self.mfa_token_expires_in = mfa_token_expires_in

    @property
    def methods(self) -> list[str]:
        """Alias of `mfa_methods`."""
        return self.mfa_methods


class NotFoundError(JanuaError):
    """404 NOT_FOUND_ERROR."""


class ConflictError(JanuaError):
    """409 CONFLICT_ERROR (e.g. the email is already registered)."""


class BadRequestError(JanuaError):
    """400 BAD_REQUEST (and other 4xx without a more specific class)."""


class ValidationError(JanuaError):
    """422 VALIDATION_ERROR; `errors` lists the invalid fields."""

    def __init__(self, message: str, *, errors: list[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.errors: list[FieldError] = errors or []


class RateLimitError(JanuaError):
    """429 RATE_LIMIT_ERROR; `retry_after` is the server's hint in seconds (or None)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(JanuaError):
    """5xx: INTERNAL_ERROR, or 503 when a backing service is down."""


class NetworkError(JanuaError):
    """The request did not get an answer (connection refused, timeout, ...)."""


def network_error(exc: httpx.TransportError) -> NetworkError:
    """A NetworkError naming the request that failed (`GET http://...: ConnectError(...)`);
    without the query string, which may carry a token (`id_token_hint`)."""
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:  # raised before the request was built
        request = None
    where = ""
    if request is not None:
        where = f"{request.method} {request.url.copy_with(query=None)}: "
    return NetworkError(f"network error: {where}{exc!r}")


_BY_CODE: dict[str, type[JanuaError]] = {
    "AUTHENTICATION_ERROR": AuthenticationError,
    "TOKEN_ERROR": TokenError,
    "AUTHORIZATION_ERROR": AuthorizationError,
    "NOT_FOUND_ERROR": NotFoundError,
    "CONFLICT_ERROR": ConflictError,
    "VALIDATION_ERROR": ValidationError,
    "RATE_LIMIT_ERROR": RateLimitError,
    "INTERNAL_ERROR": ServerError,
    "BAD_REQUEST": BadRequestError,
}

_BY_STATUS: dict[int, type[JanuaError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthorizationError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_from_response(status: int, headers: httpx.Headers, content: bytes) -> JanuaError:
    """The typed error for a non-2xx answer, from its problem+json body when it has one."""
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    problem = body if isinstance(body, dict) else {}

    def text(key: str) -> str | None:
        value = problem.get(key)
        return value if isinstance(value, str) else None

    # RFC 6749 answers (the OAuth endpoints) carry `error` / `error_description` instead.
    code = text("code") or text("error")
    detail = text("detail") or text("error_description")
    title = text("title")
    request_id = problem.get("request_id") or headers.get("x-request-id")

    cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else JanuaError
    message = f"{status} {code or 'HTTP_ERROR'}: {detail or title or 'request failed'}"
    kw: dict[str, Any] = {
        "status": status,
        "code": code,
        "detail": detail,
        "request_id": request_id,
        "body": body,
    }
    if code == "MFA_REQUIRED":
        methods = problem.get("mfa_methods")
        expires_in = problem.get("mfa_token_expires_in")
        return MfaRequiredError(
            message,
            mfa_token=text("mfa_token") or "",
            mfa_methods=[str(m) for m in methods] if isinstance(methods, list) else [],
            mfa_token_expires_in=expires_in if isinstance(expires_in, int) else None,
            **kw,
        )
    if cls is ValidationError:
        errors = [
            FieldError(pointer=str(e.get("pointer", "")), detail=str(e.get("detail", "")))
            for e in problem.get("errors") or []
            if isinstance(e, dict)
        ]
        return ValidationError(message, errors=errors, **kw)
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(headers), **kw)
    return cls(message, **kw)
