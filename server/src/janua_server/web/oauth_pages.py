"""The provider's hosted pages: sign-in (password, then a second factor; or a passkey alone),
consent, sign-out, and their assets. HTML for browsers, outside the API contract.

Every form carries the interaction it belongs to and a CSRF token bound to the browser
(`oidc.browser`); every POST answers 303 (a reload never resubmits credentials). Rate limits and
lockout are those of the first-party sign-in (`sessions.service.login`), which these pages call.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from janua_server.accounts import service as accounts
from janua_server.contract.models import ErrorCode, TokenPair
from janua_server.core.errors import ApiError
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import Runtime, get_runtime, request_origin
from janua_server.oidc import authorize as pipeline
from janua_server.oidc import (
    consents,
    form_body,
    interactions,
    logout,
    provider_session,
    second_factor,
)
from janua_server.oidc.browser import Browser
from janua_server.oidc.front_channel import confirmation_page, outcome_response
from janua_server.sessions import service as sessions
from janua_server.sessions.dependencies import client_info
from janua_server.web import oauth_templates as pages

router = APIRouter(prefix="/oauth", include_in_schema=False)

_ASSETS = {"janua.css": "text/css; charset=utf-8", "passkey.js": "text/javascript; charset=utf-8"}
_EXPIRED = (
    "This sign-in request has expired or was started in another browser. Go back to the "
    "application and start again."
)
_FORGED = "The form expired or was not sent from this page. Go back, reload it and try again."

Step = Literal["sign-in", "mfa", "consent"]


def _expired(browser: Browser) -> Response:
    return browser.apply(pages.error_page(_EXPIRED, error="expired"))


def _forged(browser: Browser) -> Response:
    return browser.apply(pages.error_page(_FORGED, error="csrf", status_code=403))


def _params(interaction: interactions.Interaction) -> dict[str, list[str]]:
    return {name: [value] for name, value in interaction.params.items()}


def _at(step: Step, interaction_id: str) -> str:
    path = {"sign-in": "/oauth/sign-in", "mfa": "/oauth/sign-in/mfa", "consent": "/oauth/consent"}
    return f"{path[step]}?interaction={interaction_id}"


class _Post:
    """A hosted form's POST: its browser, interaction and fields, once the CSRF token of
    `purpose` has been checked. `refusal` is set instead when any of that fails."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.rt: Runtime = get_runtime(request)
        self.browser = Browser(request)
        self.form: dict[str, list[str]] = {}
        self.interaction_id = ""
        self.interaction: interactions.Interaction | None = None
        self.refusal: Response | None = None

    async def read(self, purpose: str, *, with_interaction: bool = True) -> _Post:
        try:
            self.form = await form_body.read_form(self.request)
        except form_body.BadForm as bad:
            self.refusal = self.browser.apply(pages.error_page(str(bad)))
            return self
        if with_interaction:
            self.interaction_id = self.field("interaction", 64)
            self.interaction = await interactions.load(
                self.rt, self.interaction_id, self.browser.binding
            )
            if self.interaction is None:
                self.refusal = _expired(self.browser)
                return self
            purpose = f"{purpose}:{self.interaction_id}"
        if not self.browser.csrf_ok(purpose, self.field("csrf_token", 128)):
            self.refusal = _forged(self.browser)
        return self

    def field(self, name: str, max_length: int = 2000) -> str:
        return form_body.first(self.form, name, max_length)

    async def back_to(self, step: Step, flash: str | None = None) -> Response:
        assert self.interaction is not None
        self.interaction.flash = flash
        await interactions.save(self.rt, self.interaction_id, self.interaction)
        return self.browser.apply(pages.see_other(_at(step, self.interaction_id)))


async def _load(request: Request) -> tuple[Runtime, Browser, str, interactions.Interaction | None]:
    rt = get_runtime(request)
    browser = Browser(request)
    interaction_id = request.query_params.get("interaction", "")[:64]
    return rt, browser, interaction_id, await interactions.load(rt, interaction_id, browser.binding)


async def _take_flash(rt: Runtime, interaction_id: str, interaction: interactions.Interaction):
    """The message the last POST left for this page, shown once."""
    flash = interaction.flash
    if flash is not None:
        interaction.flash = None
        await interactions.save(rt, interaction_id, interaction)
    return flash


# ---- sign-in: password ------------------------------------------------------------------------


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    rt, browser, interaction_id, interaction = await _load(request)
    if interaction is None:
        return _expired(browser)
    _, validated, refused = await pipeline.validate(rt, _params(interaction))
    if refused is not None:
        return outcome_response(refused, browser)
    assert validated is not None
    response = pages.page(
        "sign_in.html",
        interaction=interaction_id,
        client_name=validated.client.name,
        email=interaction.email or validated.login_hint,
        flash=await _take_flash(rt, interaction_id, interaction),
        csrf_token=browser.csrf_token(f"sign-in:{interaction_id}"),
        passkey=second_factor.passkeys_available(),
        passkey_csrf_token=browser.csrf_token(f"passkey:{interaction_id}"),
    )
    return browser.apply(response)


@router.post("/sign-in")
async def submit_sign_in(request: Request) -> Response:
    post = await _Post(request).read("sign-in")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    email, password = post.field("email", 254).strip(), post.field("password", 1024)
    post.interaction.email = email or None
    if not email or not password:
        return await post.back_to("sign-in", "Enter your email address and password.")
    try:
        await limit_request(request, "login")
        await limit_request(request, "login", by_ip=False, account=accounts.canonical_email(email))
        _, tokens = await sessions.login(
            post.rt, email=email, password=password, client=client_info(request)
        )
    except ApiError as refused:
        if refused.code == ErrorCode.MFA_REQUIRED:
            post.interaction.mfa_token = str(refused.extensions["mfa_token"])
            post.interaction.mfa_methods = list(refused.extensions["mfa_methods"])
            return await post.back_to("mfa")
        if refused.status in (401, 429):
            return await post.back_to("sign-in", refused.detail)
        raise
    return await signed_in(post, tokens)


async def signed_in(post: _Post, tokens: TokenPair) -> Response:
    """A sign-in step opened a first-party session: make it this browser's provider session
    (replacing any earlier one here) and carry on with the authorization request."""
    assert post.interaction is not None
    rt, browser = post.rt, post.browser
    if browser.session_token:
        await provider_session.end(rt, browser.session_token, client_info(post.request))
    token, max_age, session_id = await provider_session.open_for(rt, tokens)
    browser.set_session(token, max_age)
    post.interaction.signed_in_session = str(session_id)
    post.interaction.mfa_token = None
    post.interaction.mfa_methods = []
    post.interaction.flash = None
    await interactions.save(rt, post.interaction_id, post.interaction)
    outcome = await pipeline.authorize(
        rt,
        _params(post.interaction),
        browser,
        interaction_id=post.interaction_id,
        interaction=post.interaction,
    )
    return outcome_response(outcome, browser)


# ---- sign-in: second factor and passkeys ------------------------------------------------------


@router.get("/sign-in/mfa")
async def second_factor_page(request: Request) -> Response:
    rt, browser, interaction_id, interaction = await _load(request)
    if interaction is None:
        return _expired(browser)
    if interaction.mfa_token is None:
        return browser.apply(pages.see_other(_at("sign-in", interaction_id)))
    methods = set(interaction.mfa_methods)
    code_methods = second_factor.code_methods(interaction.mfa_methods)
    response = pages.page(
        "mfa.html",
        interaction=interaction_id,
        flash=await _take_flash(rt, interaction_id, interaction),
        code_methods=code_methods,
        method_labels=second_factor.METHOD_LABELS,
        code_help=second_factor.code_help(code_methods),
        sms="sms" in methods,
        passkey=second_factor.passkeys_available()
        and bool(methods & set(second_factor.PASSKEY_METHODS)),
        csrf_token=browser.csrf_token(f"mfa:{interaction_id}"),
        sms_csrf_token=browser.csrf_token(f"sms:{interaction_id}"),
        passkey_csrf_token=browser.csrf_token(f"passkey:{interaction_id}"),
    )
    return browser.apply(response)


@router.post("/sign-in/mfa")
async def submit_second_factor(request: Request) -> Response:
    post = await _Post(request).read("mfa")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    if post.interaction.mfa_token is None:
        return await post.back_to("sign-in")
    code = post.field("code", 64).strip()
    offered = second_factor.code_methods(post.interaction.mfa_methods)
    method = post.field("method", 20) or (offered[0] if offered else "")
    if method not in offered:
        return await post.back_to("mfa", "Choose how to verify.")
    if not code:
        return await post.back_to("mfa", "Enter the code.")
    try:
        await limit_request(request, "mfa")
        tokens = await second_factor.finish_with_code(
            post.rt, post.interaction.mfa_token, method, code, client_info(request)
        )
    except ApiError as refused:
        if refused.code == ErrorCode.TOKEN_ERROR:
            # The pending sign-in expired or was used up: the password step again.
            post.interaction.mfa_token = None
            return await post.back_to("sign-in", "That took too long; sign in again.")
        if 400 <= refused.status < 500:
            return await post.back_to("mfa", refused.detail)
        raise
    return await signed_in(post, tokens)


@router.post("/sign-in/mfa/sms")
async def send_sms_code(request: Request) -> Response:
    post = await _Post(request).read("sms")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    if post.interaction.mfa_token is None:
        return await post.back_to("sign-in")
    try:
        await second_factor.send_sms(post.rt, post.interaction.mfa_token, client_info(request))
    except ApiError as refused:
        if 400 <= refused.status < 500:
            return await post.back_to("mfa", refused.detail)
        raise
    return await post.back_to("mfa", "We sent a code to your phone.")


@router.post("/sign-in/passkey/options")
async def passkey_options(request: Request) -> Response:
    """A WebAuthn challenge for this interaction (JSON, for passkey.js)."""
    post = await _Post(request).read("passkey")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    try:
        options = await second_factor.passkey_options(
            post.rt, post.interaction.mfa_token, client_info(request)
        )
    except ApiError as refused:
        if 400 <= refused.status < 500:
            return post.browser.apply(pages.error_page(refused.detail))
        raise
    return post.browser.apply(second_factor.options_response(options))


@router.post("/sign-in/passkey")
async def submit_passkey(request: Request) -> Response:
    """A signed WebAuthn assertion: a passkey-only sign-in, or the second factor after a
    password (when the interaction holds a pending sign-in)."""
    post = await _Post(request).read("passkey")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    step: Step = "mfa" if post.interaction.mfa_token else "sign-in"
    credential = post.field("credential", 16384)
    challenge = post.field("challenge", 256)
    if not credential or not challenge:
        return await post.back_to(step, "The passkey was not used; try again.")
    try:
        tokens = await second_factor.finish_with_passkey(
            post.rt,
            post.interaction.mfa_token,
            challenge=challenge,
            credential=credential,
            client=client_info(request),
        )
    except ApiError as refused:
        if 400 <= refused.status < 500:
            return await post.back_to(step, refused.detail)
        raise
    return await signed_in(post, tokens)


# ---- consent ----------------------------------------------------------------------------------


@router.get("/consent")
async def consent_page(request: Request) -> Response:
    rt, browser, interaction_id, interaction = await _load(request)
    if interaction is None:
        return _expired(browser)
    session = await provider_session.current(rt, browser.session_token)
    if session is None:
        return browser.apply(pages.see_other(_at("sign-in", interaction_id)))
    _, validated, refused = await pipeline.validate(rt, _params(interaction))
    if refused is not None:
        return outcome_response(refused, browser)
    assert validated is not None
    async with rt.db.connection() as conn:
        user = await accounts.get_user(conn, session.user_id)
    response = pages.page(
        "consent.html",
        interaction=interaction_id,
        client_name=validated.client.name,
        user_email=user.email if user else "",
        scopes=consents.describe(validated.scopes),
        flash=await _take_flash(rt, interaction_id, interaction),
        csrf_token=browser.csrf_token(f"consent:{interaction_id}"),
    )
    return browser.apply(response)


@router.post("/consent")
async def submit_consent(request: Request) -> Response:
    post = await _Post(request).read("consent")
    if post.refusal is not None:
        return post.refusal
    assert post.interaction is not None
    rt, browser = post.rt, post.browser
    params = _params(post.interaction)
    decision = post.field("decision", 10)
    if decision == "deny":
        outcome = await pipeline.refuse(rt, params, "access_denied", "The user denied access.")
        await interactions.finish(rt, post.interaction_id)
        return outcome_response(outcome, browser)
    if decision != "allow":
        return await post.back_to("consent", "Choose Allow or Deny.")
    session = await provider_session.current(rt, browser.session_token)
    if session is None:
        return await post.back_to("sign-in")
    _, validated, refused = await pipeline.validate(rt, params)
    if refused is not None:
        return outcome_response(refused, browser)
    assert validated is not None
    async with rt.db.transaction() as conn:
        await consents.remember(
            conn,
            session.user_id,
            validated.client.client_id,
            validated.scopes,
            origin=request_origin(request),
        )
    post.interaction.consented = True
    await interactions.save(rt, post.interaction_id, post.interaction)
    outcome = await pipeline.authorize(
        rt, params, browser, interaction_id=post.interaction_id, interaction=post.interaction
    )
    return outcome_response(outcome, browser)


# ---- sign-out ---------------------------------------------------------------------------------


@router.get("/sign-out")
async def sign_out_page(request: Request) -> Response:
    rt = get_runtime(request)
    browser = Browser(request)
    session = await provider_session.current(rt, browser.session_token)
    if session is None:
        return browser.apply(pages.page("signed_out.html"))
    nobody = logout.LogoutRequest(None, None, None, None, None)
    return browser.apply(await confirmation_page(request, browser, session, nobody))


@router.post("/sign-out")
async def submit_sign_out(request: Request) -> Response:
    post = await _Post(request).read("sign-out", with_interaction=False)
    if post.refusal is not None:
        return post.refusal
    carried = {
        name: post.form[name]
        for name in ("client_id", "post_logout_redirect_uri", "state")
        if name in post.form
    }
    try:
        wanted = await logout.validate(post.rt, carried)
    except logout.LogoutRefused as refused:
        return post.browser.apply(pages.error_page(str(refused)))
    browser = post.browser
    stay = post.field("decision", 10) == "stay"
    if not stay:
        await provider_session.end(post.rt, browser.session_token, client_info(request))
        if browser.session_token:
            browser.clear_session()
    location = wanted.redirect_location() or (
        "/oauth/signed-out?stayed=1" if stay else "/oauth/signed-out"
    )
    return browser.apply(pages.see_other(location))


@router.get("/signed-out")
async def signed_out_page(request: Request) -> Response:
    return pages.page("signed_out.html", stayed=request.query_params.get("stayed") == "1")


# ---- assets -----------------------------------------------------------------------------------


@router.get("/assets/{name}")
async def asset(name: str) -> Response:
    media_type = _ASSETS.get(name)
    if media_type is None:
        return pages.error_page("No such file.", error="not_found", status_code=404)
    return FileResponse(
        pages.STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )
