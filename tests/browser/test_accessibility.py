"""The hosted pages against WCAG 2.0 / 2.1, levels A and AA, checked by axe-core in Debian's
headless Chromium, against the live server of conftest.py.

axe-core (pinned in tests/browser/package.json; `scripts/bootstrap.sh all` installs it) is
evaluated in each page as the page is (its Content-Security-Policy stays on: the pages must work
under it), then `axe.run` with the WCAG A/AA tags must find nothing. A failure lists each
violation: rule id, impact, the elements (CSS selectors) and what to do.

One browser walks through every state of the pages, one load and one full axe run each: the
sign-in page empty (and used with the keyboard alone: Tab reaches the email, the password and the
submit button in that order, Enter submits), then with the error of a wrong password; the second
factor of an account with an authenticator app; consent for a third-party client; the sign-out
confirmation and the signed-out page; the error page of an unregistered redirect URI;
/account/passkeys signed out and signed in. The pages declare `color-scheme: light dark`, so
each state's colour contrast is checked again under `prefers-color-scheme: dark` (that rule
alone, same page).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from support import services
from support.users import PASSWORD, bearer, unique_email

CHROMIUM = shutil.which("chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Never opened: the walk stops at the consent page, before any redirect to the client.
CALLBACK = "http://localhost:9/callback"


def expect_accessible(page: Page, label: str) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules find nothing on `page` as it is now, in the light
    scheme (every rule) and in the dark one (colour contrast)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not as a <script>: the page's CSP stays on.
        page.evaluate(AXE.read_text())
    found = []
    for scheme, rules in (("light", None), ("dark", ["color-contrast"])):
        page.emulate_media(color_scheme=scheme)
        only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_A_AA}
        results = page.evaluate(
            "only => axe.run(document, { runOnly: only, resultTypes: ['violations'] })", only
        )
        found += [(scheme, violation) for violation in results["violations"]]
    page.emulate_media(color_scheme="light")
    report = [
        f"{label} ({scheme}): {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
        for scheme, v in found
    ]
    assert not report, "axe-core found WCAG A/AA violations:\n" + "\n".join(report)


@pytest.fixture(scope="module")
def third_party_client(live: services.LiveServer, admin_headers: dict[str, str]) -> str:
    """A public third-party client (PKCE; it gets the consent page)."""
    with httpx.Client(base_url=live.base_url, timeout=30) as api:
        created = api.post(
            "/api/v1/oauth/clients",
            json={
                "name": "Acme Notes",
                "redirect_uris": [CALLBACK],
                "scopes": ["openid", "profile", "email"],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"],
                "first_party": False,
            },
            headers=admin_headers,
        )
        assert created.status_code == 201, created.text
        return created.json()["client_id"]


def register(api: httpx.Client) -> tuple[str, str]:
    """A new user: (email, access token)."""
    email = unique_email("a11y")
    created = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    return email, created.json()["tokens"]["access_token"]


def with_authenticator_app(api: httpx.Client, access_token: str) -> str:
    """Enrol and confirm a TOTP authenticator; one of its recovery codes (the app's code of
    this time step is used up by the confirmation)."""
    setup = api.post("/api/v1/auth/mfa/setup", headers=bearer(access_token))
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    confirmed = api.post(
        "/api/v1/auth/mfa/verify-setup",
        json={"code": pyotp.TOTP(secret).now()},
        headers=bearer(access_token),
    )
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()["recovery_codes"][0]


def authorize_url(base_url: str, client_id: str, redirect_uri: str = CALLBACK) -> str:
    digest = hashlib.sha256(secrets.token_urlsafe(48).encode()).digest()
    query = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid profile email",
        "state": secrets.token_hex(8),
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    return f"{base_url}/oauth/authorize?{urlencode(query)}"


@pytest.fixture
def page() -> Iterator[Page]:
    assert CHROMIUM, "install Debian's chromium package (apt-get install -y chromium)"
    assert AXE.exists(), "npm ci --prefix tests/browser (scripts/bootstrap.sh all does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser.new_context().new_page()
        finally:
            browser.close()


def focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? `${e.tagName.toLowerCase()}#${e.id}[${e.textContent.trim()}]` : ''; }"
    )


def test_the_hosted_pages_pass_axe_core_wcag_a_and_aa(
    live: services.LiveServer, third_party_client: str, page: Page
) -> None:
    base_url = live.base_url
    with httpx.Client(base_url=base_url, timeout=30) as api:
        email, access_token = register(api)
        recovery_code = with_authenticator_app(api, access_token)
        passkeys_user, _ = register(api)

    # ---- sign-in, empty; then with the keyboard alone ------------------------------------------
    page.goto(authorize_url(base_url, third_party_client))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect_accessible(page, "sign-in")
    assert focused(page) == "input#email[]", "the page opens on the email field"
    # From the top of the page (a click on nothing there), as someone who tabs through it.
    page.mouse.click(1, 1)
    order = []
    for text in (email, "not the password at all", None):
        page.keyboard.press("Tab")
        order.append(focused(page))
        if text is not None:
            page.keyboard.type(text)
    assert order == ["input#email[]", "input#password[]", "button#[Sign in]"], order
    page.keyboard.press("Enter")

    # ---- sign-in with the error of a wrong password --------------------------------------------
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    expect_accessible(page, "sign-in with an error")

    # ---- the second factor: an authenticator app (or a recovery code) --------------------------
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Verify it's you")).to_be_visible()
    expect_accessible(page, "second factor")

    # ---- consent for a third-party client ------------------------------------------------------
    page.get_by_label("Recovery code").check()
    page.get_by_label("Verification code").fill(recovery_code)
    page.get_by_role("button", name="Verify").click()
    consent = page.get_by_role("heading", name="Acme Notes wants to access your account")
    expect(consent).to_be_visible()
    expect_accessible(page, "consent")

    # ---- sign-out confirmation (signed in on this browser) -------------------------------------
    page.goto(f"{base_url}/oauth/sign-out")
    expect(page.get_by_role("heading", name="Sign out of Janua?")).to_be_visible()
    expect_accessible(page, "sign-out")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    expect_accessible(page, "signed out")

    # ---- the error page: a redirect URI the client did not register ---------------------------
    page.goto(authorize_url(base_url, third_party_client, "http://localhost:9/elsewhere"))
    expect(page.get_by_role("heading", name="This request cannot continue")).to_be_visible()
    expect_accessible(page, "error page")

    # ---- /account/passkeys, signed out, then signed in -----------------------------------------
    page.goto(f"{base_url}/account/passkeys")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect_accessible(page, "/account/passkeys")
    page.get_by_label("Email").fill(passkeys_user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#profile-email")).to_have_text(passkeys_user)
    expect_accessible(page, "/account/passkeys signed in")
