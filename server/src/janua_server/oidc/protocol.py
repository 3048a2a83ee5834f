"""The wire rules shared by the back-channel OAuth endpoints (token, introspection, revocation,
userinfo): RFC 6749 section 5.2 error answers (JSON, not problem+json), single-valued form
parameters (section 3.2), and answers that are never cached (section 5.1)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from janua_server.oidc import form_body

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Browser apps (public clients) call these endpoints from their own origin. They carry no
# cookies or other ambient credentials, so any origin may read the answers; a form POST
# without an Authorization header needs no preflight.
CORS = {"Access-Control-Allow-Origin": "*"}


class OAuthError(Exception):
    """An RFC 6749 error answer: `error`, `error_description`, status and extra headers."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client(description: str = "Client authentication failed.") -> OAuthError:
    # RFC 6749 section 5.2: 401 with the scheme the client may use.
    return OAuthError(
        "invalid_client",
        description,
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="janua"'},
    )


def json_answer(body: Mapping[str, object], status: int = 200, **headers: str) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type="application/json",
        headers={**NO_STORE, **CORS, **headers},
    )


def error_answer(error: OAuthError) -> Response:
    return json_answer(
        {"error": error.error, "error_description": error.description},
        error.status,
        **error.headers,
    )


class Params:
    """Form parameters of a back-channel request, each at most once (RFC 6749 section 3.2)."""

    def __init__(self, values: Mapping[str, list[str]]) -> None:
        self._values = values

    def get(self, name: str, max_length: int = 2000) -> str | None:
        """The parameter, or None when absent or empty (RFC 6749 section 3.1: a parameter sent
        without a value is treated as omitted)."""
        values = self._values.get(name, [])
        if len(values) > 1:
            raise invalid_request(f"The {name} parameter was sent more than once.")
        if not values or values[0] == "":
            return None
        if len(values[0]) > max_length:
            raise invalid_request(f"The {name} parameter is too long.")
        return values[0]

    def require(self, name: str, max_length: int = 2000) -> str:
        value = self.get(name, max_length)
        if value is None:
            raise invalid_request(f"The {name} parameter is missing.")
        return value


async def read_params(request: Request) -> Params:
    try:
        return Params(await form_body.read_form(request))
    except form_body.BadForm as bad:
        raise invalid_request(str(bad)) from None
