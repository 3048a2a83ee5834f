"""Passkeys in a real browser: Debian's Chromium, headless, with a virtual WebAuthn
authenticator (Chrome DevTools Protocol `WebAuthn` domain: a CTAP2 platform authenticator that
keeps discoverable credentials and verifies the user), driving the account page a live
`janua serve` serves at http://localhost (a secure context; the RP ID is `localhost`).

The page registers a passkey with `navigator.credentials.create()`, signs out, signs in with
`navigator.credentials.get()` and nothing else, and shows the profile from `/auth/me`; then a
password sign-in asks for the passkey as its second factor."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from support import services
from support.users import PASSWORD, unique_email

CHROMIUM = shutil.which("chromium")


@pytest.fixture
def browser_page() -> Iterator[tuple[Page, dict]]:
    assert CHROMIUM, "install Debian's chromium package (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable", {"enableUI": False})
        added = cdp.send(
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
        )
        try:
            yield page, {"cdp": cdp, "authenticator": added["authenticatorId"]}
        finally:
            browser.close()


def test_register_a_passkey_then_sign_in_with_it_alone(
    live: services.LiveServer, browser_page: tuple[Page, dict]
) -> None:
    page, webauthn = browser_page
    email = unique_email("browser")
    opened = page.goto(f"{live.base_url}/account/passkeys")
    assert opened is not None and opened.ok
    csp = opened.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp

    # Sign up with email and password, through the API.
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#profile-email")).to_have_text(email)
    expect(page.locator("#profile-amr")).to_have_text("pwd")

    # Register a passkey: navigator.credentials.create() against the virtual authenticator.
    page.get_by_label("Passkey name").fill("Virtual laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_have_text("Passkey added: Virtual laptop.")
    expect(page.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_role("listitem")).to_contain_text("Virtual laptop")
    held = webauthn["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": webauthn["authenticator"]}
    )["credentials"]
    assert len(held) == 1
    assert held[0]["isResidentCredential"] is True and held[0]["rpId"] == "localhost"
    # The same authenticator is excluded from a second registration.
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_have_text(
        "This device already holds one of your passkeys."
    )

    # Sign out, then sign in with the passkey alone: no email, no password.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("Signed out.")
    expect(page.locator("#signed-in")).to_be_hidden()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("#profile-email")).to_have_text(email)
    # A platform authenticator that is not backed up and verified the user: hwk + mfa.
    expect(page.locator("#profile-amr")).to_have_text("hwk, mfa")
    expect(page.get_by_role("listitem")).to_contain_text(re.compile("last used"))

    # With a passkey, the password is no longer enough: the passkey is the second factor.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Confirm with your passkey").click()
    expect(page.locator("#profile-email")).to_have_text(email)
    expect(page.locator("#profile-amr")).to_have_text("pwd, hwk, mfa")

    # The authenticator signed twice, and the server accepted its growing counter each time.
    assert (
        webauthn["cdp"].send(
            "WebAuthn.getCredentials", {"authenticatorId": webauthn["authenticator"]}
        )["credentials"][0]["signCount"]
        >= 2
    )
