"""`max_age` (OIDC Core section 3.1.2.1): the longest time in seconds since the user last signed
in actively; an older sign-in must be repeated. `login_hint` pre-fills the sign-in form."""

from __future__ import annotations

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError


async def check(ctx: AuthorizationContext) -> None:
    max_age = ctx.one("max_age")
    if max_age is not None:
        if not max_age.isascii() or not max_age.isdigit():
            raise RedirectError("invalid_request", "max_age must be a non-negative integer.")
        ctx.max_age = int(max_age)
    ctx.login_hint = ctx.one("login_hint")


def sign_in_too_old(ctx: AuthorizationContext, age_seconds: float) -> bool:
    return ctx.max_age is not None and age_seconds > ctx.max_age
