// The example app in Debian's headless Chromium (/usr/bin/chromium, driven by Playwright; no
// browser is downloaded), against a live Janua server at JANUA_BASE_URL (`nox -s react` starts
// one). The built app is served by `vite preview` (support/app.mjs), which proxies `/api` to the
// server, so the API is same-origin and the refresh cookie first-party. The walk-through: sign
// up, sign out, sign in, see the profile, survive a reload (cookie sign-in), create an
// organization through the API and switch to it in <OrganizationSwitcher/>, see <Protect/>
// follow the new role, sign out. On the way, axe-core checks each component's states against
// WCAG 2.0/2.1 A and AA (`expectAccessible`), and <SignIn/> is used with the keyboard alone.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";

import { appInChromium, BASE_URL, expectAccessible, requireEnv, SHOTS } from "./support/app.mjs";

/** The API as another client of the same user would use it (here: to create an organization). */
async function api(method, path, body, token) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

requireEnv();

describe("example app in Chromium", () => {
  const app = appInChromium();

  it("signs up, signs in, shows the profile, switches organization and signs out", async () => {
    // The wrong password, on purpose (below).
    const { context, page, problems } = await app.newPage((status, method, path) => status === 401 && method === "POST" && path === "/api/v1/auth/login");
    const appUrl = app.url;

    const email = `react-${randomUUID()}@example.com`;
    const password = `correct horse battery ${randomUUID()}`;
    const name = "Ada Lovelace";

    // Sign up.
    await page.goto(`${appUrl}/`);
    await page.getByRole("link", { name: "Sign up" }).first().click();
    await page.getByRole("heading", { name: "Create your account" }).waitFor();
    await expectAccessible(page, "<SignUp/>");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${appUrl}/profile`);
    await page.getByRole("heading", { name }).waitFor();
    assert.equal(await page.getByTestId("profile-email").textContent(), email);
    await page.screenshot({ path: join(SHOTS, "1-profile.png"), fullPage: true });

    // Sign out from the user button.
    await page.getByRole("button", { name: `Account menu for ${name}` }).click();
    await page.getByRole("menu", { name: "Account" }).waitFor();
    await expectAccessible(page, "profile, <UserButton/> open");
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();

    // Sign in (a wrong password first: the error is announced), with the keyboard alone: from
    // the card's title, Tab reaches the email, the password and the button, and Enter submits.
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" }).click();
    const signInTitle = page.getByRole("heading", { name: "Sign in" });
    await signInTitle.waitFor();
    await expectAccessible(page, "<SignIn/>");
    await signInTitle.click();
    const reached = [];
    for (const text of [email, "not the password at all", null]) {
      await page.keyboard.press("Tab");
      reached.push(await page.evaluate(() => `${document.activeElement?.tagName.toLowerCase()} ${document.activeElement?.getAttribute("autocomplete") ?? document.activeElement?.textContent}`));
      if (text !== null) await page.keyboard.type(text);
    }
    assert.deepEqual(reached, ["input username webauthn", "input current-password", "button Continue"]);
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: "The email or password is incorrect." }).waitFor();
    await expectAccessible(page, "<SignIn/> with an error");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("autocomplete")), "current-password");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${appUrl}/profile`);
    assert.equal(await page.getByTestId("profile-email").textContent(), email);
    assert.equal(await page.getByTestId("active-organization").textContent(), "Personal account");
    assert.equal(await page.getByTestId("members").textContent(), "You cannot manage members here.");

    // The refresh token is an HttpOnly cookie: a reload signs back in from it, and no script
    // (nor storage) ever sees it.
    const cookies = await context.cookies(appUrl);
    const refresh = cookies.find((c) => c.name === "__Host-janua_refresh");
    assert.ok(refresh?.httpOnly, "the refresh token is an HttpOnly cookie");
    assert.equal(await page.evaluate(() => document.cookie.includes("janua_refresh")), false);
    await page.reload();
    await page.getByRole("heading", { name }).waitFor();

    // An organization created elsewhere (through the API, by the same user), then chosen in the
    // switcher: the session's token now carries it, and <Protect/> shows the owner's content.
    const signedIn = await api("POST", "/api/v1/auth/login", { email, password });
    const orgName = `Acme ${randomUUID().slice(0, 8)}`;
    const org = await api("POST", "/api/v1/organizations", { name: orgName, slug: `acme-${randomUUID().slice(0, 8)}` }, signedIn.tokens.access_token);
    await page.getByRole("button", { name: "Active organization: Personal account" }).click();
    const menu = page.getByRole("menu", { name: "Switch organization" });
    await menu.getByRole("menuitemradio", { name: orgName }).waitFor();
    await expectAccessible(page, "profile, <OrganizationSwitcher/> open");
    await menu.getByRole("menuitemradio", { name: orgName }).click();
    await page.getByRole("button", { name: `Active organization: ${orgName}` }).waitFor();
    await page.getByTestId("active-organization").filter({ hasText: orgName }).waitFor();
    assert.equal(await page.getByTestId("organization-role").textContent(), "owner");
    assert.equal(await page.getByTestId("members").textContent(), `You can manage the members of ${orgName}.`);
    await page.getByRole("button", { name: `Active organization: ${orgName}` }).click();
    assert.equal(await menu.getByRole("menuitemradio", { name: orgName }).getAttribute("aria-checked"), "true");
    await page.keyboard.press("Escape");
    await page.screenshot({ path: join(SHOTS, "2-organization.png"), fullPage: true });
    // The choice is the session's: it survives a reload.
    await page.reload();
    await page.getByRole("button", { name: `Active organization: ${orgName}` }).waitFor();
    assert.ok(org.id);

    // Sign out with the keyboard: the menu opens on the first item, End goes to the last one.
    await page.getByRole("button", { name: `Account menu for ${name}` }).focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("End");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Sign out");
    await page.keyboard.press("Enter");
    await page.getByText("You are signed out.").waitFor();
    assert.equal((await context.cookies(appUrl)).some((c) => c.name === "__Host-janua_refresh" && c.value), false);
    await page.reload();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${appUrl}/profile`);
    await page.waitForURL(`${appUrl}/sign-in`);
    await page.screenshot({ path: join(SHOTS, "3-signed-out.png"), fullPage: true });

    assert.deepEqual(problems, []);
    await context.close();
  });
});
