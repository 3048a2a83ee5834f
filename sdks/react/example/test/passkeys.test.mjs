// Passkeys through @janua/react against the real server, in Debian's headless Chromium with a
// virtual WebAuthn authenticator (Chrome DevTools Protocol `WebAuthn` domain: a CTAP2 platform
// authenticator that keeps discoverable credentials and verifies the user; tests/browser does
// the same for the server's own pages). The example app's profile registers a passkey through
// `usePasskeys().register()`; after signing out, <SignIn/>'s "Sign in with a passkey" signs in
// with it alone; then a password sign-in asks for it as the second factor (<MfaChallenge/>).
//
// The app must be served on the server's passkey origin: `nox -s react` makes JANUA_APP_URL
// (http://localhost:<port>) the server's PUBLIC_APP_URL, so the RP ID is `localhost` and that
// origin is allowed.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";

import { appInChromium, expectAccessible, requireEnv, SHOTS } from "./support/app.mjs";

// JANUA_APP_URL: the app's origin, which the server must know for WebAuthn.
requireEnv("JANUA_APP_URL");

describe("passkeys with a virtual authenticator (usePasskeys, <SignIn/>, <MfaChallenge/>)", () => {
  const app = appInChromium();

  it("registers a passkey on the profile, signs in with it alone, then uses it as the second factor", async () => {
    // The wrong password, on purpose, then the second factor asked for (below).
    const { context, page, problems } = await app.newPage((status, method, path) => [401, 403].includes(status) && method === "POST" && path === "/api/v1/auth/login");
    const appUrl = app.url;
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    const held = async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;

    const email = `react-passkey-${randomUUID()}@example.com`;
    const password = `correct horse battery ${randomUUID()}`;
    const name = "Hedy Lamarr";

    // Sign up with a password.
    await page.goto(`${appUrl}/sign-up`);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${appUrl}/profile`);
    assert.equal(await page.getByTestId("profile-amr").textContent(), "pwd");

    // Register a passkey: usePasskeys().register() -> navigator.credentials.create() -> the
    // virtual authenticator -> registerPasskey.
    const passkeys = page.getByRole("region", { name: "Passkeys" });
    await passkeys.getByText("No passkeys yet").waitFor();
    const registered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/auth/passkey/register");
    await passkeys.getByRole("button", { name: "Add a passkey" }).click();
    const response = await registered;
    assert.equal(response.status(), 201, await response.text());
    const passkey = await response.json();
    await passkeys.getByRole("status").filter({ hasText: `Passkey added: ${passkey.name}.` }).waitFor();
    assert.equal(await passkeys.getByRole("listitem").count(), 1);
    assert.match(await passkeys.getByRole("listitem").textContent(), new RegExp(`^${passkey.name}`));
    const credentials = await held();
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].isResidentCredential, true);
    assert.equal(credentials[0].rpId, "localhost");
    // The list comes from the server too (a reload signs back in from the cookie).
    await page.reload();
    await passkeys.getByRole("listitem").filter({ hasText: passkey.name }).waitFor();
    await page.screenshot({ path: join(SHOTS, "passkey-1-registered.png"), fullPage: true });

    // Sign out, then sign in with the passkey alone: no email, no password.
    await page.getByRole("button", { name: `Account menu for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${appUrl}/sign-in`);
    const passkeyLogin = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/auth/passkey/login");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    assert.equal((await passkeyLogin).status(), 200);
    await page.waitForURL(`${appUrl}/profile`);
    assert.equal(await page.getByTestId("profile-email").textContent(), email);
    // A platform authenticator that verified the user: hwk + mfa.
    assert.equal(await page.getByTestId("profile-amr").textContent(), "hwk, mfa");
    // Cookie transport, as for a password sign-in: a reload signs back in.
    await page.reload();
    await page.getByTestId("profile-email").filter({ hasText: email }).waitFor();
    assert.ok((await context.cookies(appUrl)).find((c) => c.name === "__Host-janua_refresh")?.httpOnly);

    // With a passkey, the password is no longer enough: <SignIn/> turns into <MfaChallenge/>,
    // which offers the passkey (the account's only second factor: no code field).
    await page.getByRole("button", { name: `Account menu for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${appUrl}/sign-in`);
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("alert").filter({ hasText: "The email or password is incorrect." }).waitFor();
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Continue" }).click();
    const mfa = page.getByRole("region", { name: "Two-step verification" });
    await mfa.waitFor();
    assert.equal(await mfa.getByLabel("Authentication code").count(), 0, "no code field: the account has no code factor");
    await expectAccessible(page, "<MfaChallenge/> (a passkey)");
    await page.screenshot({ path: join(SHOTS, "passkey-2-second-factor.png"), fullPage: true });
    await mfa.getByRole("button", { name: "Use your passkey" }).click();
    await page.waitForURL(`${appUrl}/profile`);
    assert.equal(await page.getByTestId("profile-amr").textContent(), "pwd, hwk, mfa");

    // The authenticator signed twice, and the server accepted its growing counter each time.
    assert.ok((await held())[0].signCount >= 2);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
