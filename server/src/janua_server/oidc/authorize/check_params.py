"""Well-formed parameters: each at most once (RFC 6749 section 3.1) and within its length."""

from __future__ import annotations

from janua_server.oidc.authorize.context import MAX_LENGTHS, AuthorizationContext, RedirectError


async def check(ctx: AuthorizationContext) -> None:
    for name, values in ctx.params.items():
        if len(values) > 1:
            raise RedirectError("invalid_request", f"The {name} parameter was sent more than once.")
        limit = MAX_LENGTHS.get(name)
        if limit is not None and values and len(values[0]) > limit:
            raise RedirectError("invalid_request", f"The {name} parameter is too long.")
