"""The OAuth provider's hosted sign-in page with passkeys, in a real browser: Debian's headless
Chromium with a virtual WebAuthn authenticator (CDP `WebAuthn` domain), against a live
`janua serve` at http://localhost (a secure context; the RP ID is `localhost`).

A relying party is registered through the admin API as a public, first-party client (PKCE, no
consent page) whose redirect URI is a loopback address the test serves itself: it records the
browser's navigation there, reads `code`, `state` and `iss`, and redeems the code with the PKCE
verifier at the token endpoint, as the relying party would, verifying the ID token's signature.

1. A user signs up through the API, signs in on `/account/passkeys` and adds a passkey there.
2. Passwordless: a fresh browser (its authenticator holding a copy of that credential) opens
   `/oauth/authorize`, clicks "Sign in with a passkey" on the hosted page and nothing else; the
   ID token says `amr` hwk + mfa and carries `auth_time`.
3. Second factor: another fresh browser signs in on the hosted page with email and password, is
   asked for the second factor, confirms with the passkey; the ID token says pwd, hwk, mfa."""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import jwt as pyjwt
import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect, sync_playwright
from support import services
from support.oauth_browser import query_of
from support.users import PASSWORD, unique_email

CHROMIUM = shutil.which("chromium")
# The relying party's redirect URI: a loopback server of this test, which records what arrives.
# (Playwright's `page.route` never sees the request a redirect leads to, so it cannot stand in.)
CALLBACK_PORT = services.free_port()
CALLBACK = f"http://localhost:{CALLBACK_PORT}/callback"


class _RelyingParty(http.server.BaseHTTPRequestHandler):
    arrived: list[str] = []

    def do_GET(self) -> None:
        if self.path.startswith("/callback"):  # not the browser's /favicon.ico
            _RelyingParty.arrived.append(f"http://localhost:{CALLBACK_PORT}{self.path}")
        body = b"back at the client"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def relying_party() -> Iterator[list[str]]:
    """The URLs the browser brought back to the redirect URI, in order."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", CALLBACK_PORT), _RelyingParty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _RelyingParty.arrived
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def client_id(live: services.LiveServer, admin_headers: dict[str, str]) -> str:
    """A public first-party client, registered through the admin API as an operator would
    (the live server and its admin: conftest.py)."""
    with httpx.Client(base_url=live.base_url, timeout=30) as api:
        created = api.post(
            "/api/v1/oauth/clients",
            json={
                "name": "Passkey Test App",
                "redirect_uris": [CALLBACK],
                "scopes": ["openid", "profile", "email"],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"],
                "first_party": True,
            },
            headers=admin_headers,
        )
        assert created.status_code == 201, created.text
        return created.json()["client_id"]


@pytest.fixture
def playwright_browser() -> Iterator[Browser]:
    assert CHROMIUM, "install Debian's chromium package (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A fresh browser context (no cookies) with one page and its virtual authenticator."""

    page: Page
    cdp: CDPSession
    authenticator: str

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})[
            "credentials"
        ]


def open_tab(browser: Browser, credentials: Sequence[dict] = ()) -> Tab:
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]
    for credential in credentials:
        # The same passkey on this device: its private key, id, RP, user handle and counter.
        cdp.send(
            "WebAuthn.addCredential",
            {
                "authenticatorId": authenticator,
                "credential": {
                    name: credential[name]
                    for name in (
                        "credentialId",
                        "isResidentCredential",
                        "rpId",
                        "privateKey",
                        "userHandle",
                        "signCount",
                    )
                },
            },
        )
    return Tab(page, cdp, authenticator)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Request:
    url: str
    state: str
    nonce: str
    verifier: str


def authorization_request(base_url: str, client_id: str) -> Request:
    verifier, challenge = pkce()
    state, nonce = "st-" + secrets.token_hex(8), "n-" + secrets.token_hex(8)
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return Request(f"{base_url}/oauth/authorize?{query}", state, nonce, verifier)


def back_at_the_client(tab: Tab, arrived: list[str], base_url: str, request: Request) -> str:
    """Wait until the browser navigated to the redirect URI; check it; return the code."""
    tab.page.wait_for_url(f"{CALLBACK}?**")
    expect(tab.page.locator("body")).to_have_text("back at the client")
    assert arrived[-1] == tab.page.url
    answer = query_of(arrived[-1])
    assert "error" not in answer, answer
    assert answer["state"] == request.state
    assert answer["iss"] == base_url
    assert answer["code"]
    return answer["code"]


def redeem(base_url: str, client_id: str, code: str, request: Request) -> dict:
    """The relying party's back channel: code + PKCE verifier for tokens; the ID token verified
    against the provider's published keys."""
    with httpx.Client(base_url=base_url, timeout=30) as api:
        discovery = api.get("/.well-known/openid-configuration").json()
        answer = api.post(
            discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": client_id,
                "code_verifier": request.verifier,
            },
        )
        assert answer.status_code == 200, answer.text
        id_token = answer.json()["id_token"]
        keys = pyjwt.PyJWKSet.from_dict(api.get(discovery["jwks_uri"]).json())
    kid = pyjwt.get_unverified_header(id_token)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    claims = pyjwt.decode(
        id_token,
        key=key,
        algorithms=[key.algorithm_name],
        audience=client_id,
        issuer=discovery["issuer"],
    )
    assert claims["nonce"] == request.nonce
    return claims


def add_a_passkey_on_the_account_page(base_url: str, browser: Browser) -> tuple[str, list[dict]]:
    """Sign up through the API, sign in on /account/passkeys, add a passkey there; return the
    email and the credential the authenticator now holds."""
    email = unique_email("oauth-passkey")
    with httpx.Client(base_url=base_url, timeout=30) as api:
        created = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
    tab = open_tab(browser)
    page = tab.page
    page.goto(f"{base_url}/account/passkeys")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#profile-email")).to_have_text(email)
    page.get_by_label("Passkey name").fill("Virtual laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_have_text("Passkey added: Virtual laptop.")
    held = tab.credentials()
    assert len(held) == 1 and held[0]["rpId"] == "localhost" and held[0]["isResidentCredential"]
    page.context.close()
    return email, held


def test_hosted_sign_in_with_a_passkey_alone_then_as_the_second_factor(
    live: services.LiveServer,
    client_id: str,
    relying_party: list[str],
    playwright_browser: Browser,
) -> None:
    base_url = live.base_url
    email, held = add_a_passkey_on_the_account_page(base_url, playwright_browser)

    # ---- passwordless: a browser with no Janua cookies, only the passkey -----------------------
    tab = open_tab(playwright_browser, held)
    request = authorization_request(base_url, client_id)
    tab.page.goto(request.url)
    expect(tab.page).to_have_url(re.compile(re.escape(f"{base_url}/oauth/sign-in?interaction=")))
    expect(tab.page.get_by_role("heading", name="Sign in")).to_be_visible()
    started = int(time.time())
    tab.page.get_by_role("button", name="Sign in with a passkey").click()
    code = back_at_the_client(tab, relying_party, base_url, request)
    claims = redeem(base_url, client_id, code, request)
    assert claims["email"] == email
    assert {"hwk", "swk"} & set(claims["amr"]), claims["amr"]
    # The virtual authenticator is bound to this device (not backed up: hwk) and verified the
    # user: possession and verification in one gesture (mfa). No password.
    assert claims["amr"] == ["hwk", "mfa"], claims["amr"]
    assert isinstance(claims["auth_time"], int) and abs(claims["auth_time"] - started) < 60
    # The authenticator signed, and the server accepted its counter (it refuses one that
    # does not grow); the next browser gets the credential as it is now.
    before, held = held[0]["signCount"], tab.credentials()
    assert held[0]["signCount"] > before
    tab.page.context.close()

    # ---- the password, then the passkey as the second factor ------------------------------------
    tab = open_tab(playwright_browser, held)
    request = authorization_request(base_url, client_id)
    tab.page.goto(request.url)
    tab.page.get_by_label("Email address").fill(email)
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.page.get_by_role("button", name="Sign in", exact=True).click()
    expect(tab.page).to_have_url(
        re.compile(re.escape(f"{base_url}/oauth/sign-in/mfa?interaction="))
    )
    expect(tab.page.get_by_role("heading", name="Verify it's you")).to_be_visible()
    # Only a passkey is enrolled: no code to type.
    expect(tab.page.get_by_label("Verification code")).to_have_count(0)
    started = int(time.time())
    tab.page.get_by_role("button", name="Use a passkey").click()
    code = back_at_the_client(tab, relying_party, base_url, request)
    claims = redeem(base_url, client_id, code, request)
    assert claims["email"] == email
    assert "pwd" in claims["amr"] and "mfa" in claims["amr"], claims["amr"]
    assert claims["amr"] == ["pwd", "hwk", "mfa"], claims["amr"]
    assert abs(claims["auth_time"] - started) < 60
    assert tab.credentials()[0]["signCount"] > held[0]["signCount"]
    tab.page.context.close()
