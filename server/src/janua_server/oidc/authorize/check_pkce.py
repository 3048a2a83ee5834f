"""PKCE (RFC 7636), as RFC 9700 section 2.1.1 wants it: required of public clients, accepted from
every client, and only with the `S256` method. `plain` is refused (it protects nothing once the
authorization request leaks), and so is a challenge without a method, since RFC 7636 section
4.3 makes that mean `plain`."""

from __future__ import annotations

import re

from janua_server.oidc.authorize.context import AuthorizationContext, RedirectError

# BASE64URL(SHA256(verifier)) without padding is always 43 characters (RFC 7636 section 4.2).
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


async def check(ctx: AuthorizationContext) -> None:
    assert ctx.client is not None
    challenge = ctx.one("code_challenge")
    method = ctx.one("code_challenge_method")
    if challenge is None:
        if method is not None:
            raise RedirectError(
                "invalid_request", "code_challenge_method was sent without a code_challenge."
            )
        if ctx.client.is_public:
            raise RedirectError(
                "invalid_request", "Public clients must use PKCE (code_challenge with S256)."
            )
        return
    if method != "S256":
        raise RedirectError(
            "invalid_request", "code_challenge_method must be S256 (plain is not allowed)."
        )
    if not _S256_CHALLENGE.fullmatch(challenge):
        raise RedirectError(
            "invalid_request", "code_challenge must be 43 base64url characters (S256)."
        )
    ctx.code_challenge = challenge
