"""Request objects and dynamic registration are not supported: OIDC Core section 6 names the
errors to answer (`request_not_supported`, `request_uri_not_supported`,
`registration_not_supported`), which is better than silently ignoring signed parameters."""

from __future__ import annotations

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError

_UNSUPPORTED = {
    "request": "request_not_supported",
    "request_uri": "request_uri_not_supported",
    "registration": "registration_not_supported",
}


async def check(ctx: AuthorizationContext) -> None:
    for parameter, error in _UNSUPPORTED.items():
        if ctx.one(parameter) is not None:
            raise RedirectError(error, f"The {parameter} parameter is not supported.")
