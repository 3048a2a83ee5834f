"""The `prompt` parameter (OIDC Core section 3.1.2.1): `none` (never show a page; fail with
`login_required` or `consent_required` instead), `login` (sign in again even with a session),
`consent` (ask for consent even if remembered), `select_account` (let the user sign in as
someone else: the sign-in page). `none` with any other value is invalid."""

from __future__ import annotations

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError

SUPPORTED = frozenset({"none", "login", "consent", "select_account"})


async def check(ctx: AuthorizationContext) -> None:
    values = frozenset(value for value in (ctx.one("prompt") or "").split(" ") if value)
    unknown = values - SUPPORTED
    if unknown:
        raise RedirectError("invalid_request", f"Unsupported prompt value: {sorted(unknown)[0]}.")
    if "none" in values and len(values) > 1:
        raise RedirectError("invalid_request", "prompt=none cannot be combined with other values.")
    ctx.prompt = values


def forces_login(ctx: AuthorizationContext) -> bool:
    return bool(ctx.prompt & {"login", "select_account"})


def forces_consent(ctx: AuthorizationContext) -> bool:
    return "consent" in ctx.prompt


def forbids_pages(ctx: AuthorizationContext) -> bool:
    return "none" in ctx.prompt
