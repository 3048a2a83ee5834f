"""`/oauth/authorize` as a pipeline of small named checks, in the manner of panva's
node-oidc-provider (`lib/actions/authorization/`): each module below checks one thing and either
records what it established on the context or refuses.

    check_client           client_id names a registered client              (error page)
    check_redirect_uri     exact match with a registered URI; reads state   (error page)
    check_params           every parameter once, within its length          (from here: redirect)
    check_response_type    code only, query response mode, grant allowed
    check_request_object   request / request_uri / registration unsupported
    check_scope            scopes the client may ask for
    check_pkce             S256; required for public clients
    check_prompt           none / login / consent / select_account
    check_max_age          max_age; login_hint
    check_id_token_hint    an ID token we issued to this client; who it names

Then the browser's sign-in decides what happens: sign in (no session, `prompt=login`, a sign-in
older than `max_age`, an `id_token_hint` naming someone else), consent (a third-party client
without remembered consent, or `prompt=consent`), or a code. With `prompt=none` the first two
become `login_required` and `consent_required`. Every answer to the client carries `iss`
(RFC 9207) and the request's `state`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from janua_server.core.runtime import Runtime
from janua_server.oidc import codes, consents, interactions, provider_session
from janua_server.oidc.authorize import (
    check_client,
    check_id_token_hint,
    check_max_age,
    check_params,
    check_pkce,
    check_prompt,
    check_redirect_uri,
    check_request_object,
    check_response_type,
    check_scope,
)
from janua_server.oidc.authorize.context import (
    MAX_LENGTHS,
    AuthorizationContext,
    Duplicate,
    ErrorPage,
    RedirectError,
)
from janua_server.oidc.browser import Browser
from janua_server.oidc.clients.service import OAuthClient

CHECKS = (
    check_client.check,
    check_redirect_uri.check,
    check_params.check,
    check_response_type.check,
    check_request_object.check,
    check_scope.check,
    check_pkce.check,
    check_prompt.check,
    check_max_age.check,
    check_id_token_hint.check,
)


@dataclass(frozen=True)
class Redirect:
    """Send the browser back to the client (a code or an error)."""

    location: str


@dataclass(frozen=True)
class ShowError:
    """Refuse on Janua's own page: the redirect URI is not to be trusted."""

    error: str
    description: str


@dataclass(frozen=True)
class Interact:
    """Show a hosted page for the stored request `interaction_id`."""

    page: Literal["sign-in", "consent"]
    interaction_id: str


Outcome = Redirect | ShowError | Interact


@dataclass(frozen=True)
class Validated:
    """A request that passed every check: what the hosted pages show and the code carries."""

    client: OAuthClient
    scopes: tuple[str, ...]
    login_hint: str | None
    params: dict[str, str]


async def validate(
    rt: Runtime, params: Mapping[str, Sequence[str]]
) -> tuple[AuthorizationContext, Validated | None, Outcome | None]:
    """Run the checks. Returns the context and either the validated request or the refusal."""
    async with rt.db.connection() as conn:
        ctx = AuthorizationContext(rt, conn, params)
        try:
            for check in CHECKS:
                await check(ctx)
        except ErrorPage as refused:
            return ctx, None, ShowError(refused.error, refused.description)
        except RedirectError as refused:
            return ctx, None, Redirect(error_location(ctx, refused.error, refused.description))
        except Duplicate as duplicate:
            description = f"The {duplicate} parameter was sent more than once."
            return ctx, None, Redirect(error_location(ctx, "invalid_request", description))
    assert ctx.client is not None
    kept = {name: values[0] for name, values in params.items() if name in MAX_LENGTHS and values}
    return ctx, Validated(ctx.client, ctx.scopes, ctx.login_hint, kept), None


async def authorize(
    rt: Runtime,
    params: Mapping[str, Sequence[str]],
    browser: Browser,
    *,
    interaction_id: str | None = None,
    interaction: interactions.Interaction | None = None,
) -> Outcome:
    """Answer an authorization request, or resume one after a hosted page (`interaction`)."""
    ctx, request, refused = await validate(rt, params)
    if refused is not None:
        return refused
    assert request is not None
    session = await provider_session.current(rt, browser.session_token)
    signed_in_here = (
        interaction is not None
        and session is not None
        and interaction.signed_in_session == str(session.session_id)
    )
    if session is None or (
        not signed_in_here
        and (
            check_prompt.forces_login(ctx)
            or check_max_age.sign_in_too_old(ctx, session.age_seconds())
            or check_id_token_hint.names_someone_else(ctx, session.user_id)
        )
    ):
        if check_prompt.forbids_pages(ctx):
            return Redirect(error_location(ctx, "login_required", "The user is not signed in."))
        return Interact("sign-in", interaction_id or await _start(rt, request, browser))
    if await _needs_consent(ctx, request.client, session.user_id, interaction):
        if check_prompt.forbids_pages(ctx):
            return Redirect(
                error_location(ctx, "consent_required", "The user has not consented yet.")
            )
        return Interact("consent", interaction_id or await _start(rt, request, browser))
    code = await codes.issue_code(
        rt,
        codes.CodeGrant(
            client_id=request.client.client_id,
            redirect_uri=ctx.redirect_uri or "",
            user_id=session.user_id,
            provider_session_id=session.session_id,
            scope=" ".join(request.scopes),
            nonce=ctx.nonce,
            code_challenge=ctx.code_challenge,
            auth_time=int(session.auth_time.timestamp()),
            amr=session.amr,
            organization_id=session.organization_id,
        ),
    )
    if interaction_id is not None:
        await interactions.finish(rt, interaction_id)
    return Redirect(_location(ctx, {"code": code}))


async def refuse(
    rt: Runtime, params: Mapping[str, Sequence[str]], error: str, description: str
) -> Outcome:
    """Send a stored request back with an error (the user denied consent, gave up signing
    in), after checking it again: the client may have changed since."""
    ctx, _, refused = await validate(rt, params)
    return refused or Redirect(error_location(ctx, error, description))


async def _needs_consent(
    ctx: AuthorizationContext,
    client: OAuthClient,
    user_id,
    interaction: interactions.Interaction | None,
) -> bool:
    if client.first_party or (interaction is not None and interaction.consented):
        return False
    if check_prompt.forces_consent(ctx):
        return True
    async with ctx.rt.db.connection() as conn:
        return not await consents.covers(conn, user_id, client.client_id, ctx.scopes)


async def _start(rt: Runtime, request: Validated, browser: Browser) -> str:
    return await interactions.start(rt, request.params, browser.binding)


# RFC 6749 section 4.1.2.1: error_description is limited to printable ASCII without `"` and `\`.
_UNSAFE = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def error_location(ctx: AuthorizationContext, error: str, description: str) -> str:
    return _location(ctx, {"error": error, "error_description": _UNSAFE.sub("?", description)})


def _location(ctx: AuthorizationContext, values: dict[str, str]) -> str:
    """The redirect URI with the response parameters, `state` and `iss` (RFC 9207) added to
    its query; a query the URI already has is kept (RFC 6749 section 3.1.2)."""
    assert ctx.redirect_uri is not None
    if ctx.state is not None:
        values["state"] = ctx.state
    values["iss"] = ctx.rt.settings.jwt_issuer
    parts = urlsplit(ctx.redirect_uri)
    query = "&".join(part for part in (parts.query, urlencode(values)) if part)
    return urlunsplit(parts._replace(query=query))
