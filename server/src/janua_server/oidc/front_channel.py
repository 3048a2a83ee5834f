"""The provider's browser-facing endpoints in the contract: `/oauth/authorize` (RFC 6749 section
4.1.1; GET and, per OIDC Core section 3.1.2.1, form POST) and `/oauth/logout` (OpenID Connect
RP-Initiated Logout 1.0; GET and POST). HTTP only: the rules are in `authorize/` and `logout`.
Their answers are pages and redirects for a browser, not JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from janua_server.accounts import service as accounts
from janua_server.core.errors import documented
from janua_server.core.runtime import get_runtime
from janua_server.oidc import authorize as pipeline
from janua_server.oidc import form_body, logout, provider_session
from janua_server.oidc.browser import Browser
from janua_server.sessions.dependencies import client_info
from janua_server.web import oauth_templates as pages

router = APIRouter(prefix="/oauth", tags=["oauth"])


def outcome_response(outcome: pipeline.Outcome, browser: Browser) -> Response:
    """An authorization outcome as the browser gets it: every move a 303, refusals a page."""
    if isinstance(outcome, pipeline.ShowError):
        response: Response = pages.error_page(outcome.description, error=outcome.error)
    elif isinstance(outcome, pipeline.Redirect):
        response = pages.see_other(outcome.location)
    else:
        target = "/oauth/sign-in" if outcome.page == "sign-in" else "/oauth/consent"
        response = pages.see_other(f"{target}?interaction={outcome.interaction_id}")
    return browser.apply(response)


@router.get("/authorize", status_code=303, responses=documented(400, 503))
async def authorize(request: Request) -> Response:
    browser = Browser(request)
    outcome = await pipeline.authorize(get_runtime(request), form_body.query(request), browser)
    return outcome_response(outcome, browser)


@router.post("/authorize", status_code=303, responses=documented(400, 503))
async def authorize_with_form(request: Request) -> Response:
    browser = Browser(request)
    try:
        params = await form_body.read_form(request)
    except form_body.BadForm as bad:
        return pages.error_page(str(bad))
    outcome = await pipeline.authorize(get_runtime(request), params, browser)
    return outcome_response(outcome, browser)


async def _end_session(request: Request, params: dict[str, list[str]]) -> Response:
    rt = get_runtime(request)
    browser = Browser(request)
    try:
        wanted = await logout.validate(rt, params)
    except logout.LogoutRefused as refused:
        return browser.apply(pages.error_page(str(refused)))
    session = await provider_session.current(rt, browser.session_token)
    if session is not None and not wanted.names(session.user_id, session.session_id):
        # No hint, or a hint about someone else: the user decides (RP-Initiated Logout 1.0
        # section 2); the confirmation form carries the validated parameters.
        return browser.apply(await confirmation_page(request, browser, session, wanted))
    if session is not None:
        await provider_session.end(rt, browser.session_token, client_info(request))
    if browser.session_token:
        browser.clear_session()
    location = wanted.redirect_location()
    response = pages.see_other(location) if location else pages.page("signed_out.html")
    return browser.apply(response)


async def confirmation_page(
    request: Request,
    browser: Browser,
    session: provider_session.ProviderSession,
    wanted: logout.LogoutRequest,
) -> Response:
    async with get_runtime(request).db.connection() as conn:
        user = await accounts.get_user(conn, session.user_id)
    return pages.page(
        "sign_out.html",
        user_email=user.email if user else "",
        client_name=wanted.client.name if wanted.client else None,
        csrf_token=browser.csrf_token("sign-out"),
        carry=wanted.as_params(),
    )


@router.get("/logout", status_code=200, responses=documented(303, 400, 503))
async def end_session(request: Request) -> Response:
    return await _end_session(request, form_body.query(request))


@router.post("/logout", status_code=200, responses=documented(303, 400, 503))
async def end_session_with_form(request: Request) -> Response:
    try:
        params = await form_body.read_form(request)
    except form_body.BadForm as bad:
        return pages.error_page(str(bad))
    return await _end_session(request, params)
