// The SDK end-to-end scenario, tests/e2e/scenario.md, through @janua/react in Debian's headless
// Chromium, against the live server of `nox -s react` (JANUA_BASE_URL; mails spooled to
// JANUA_MAIL_DIR; a bootstrapped admin in JANUA_ADMIN_EMAIL / JANUA_ADMIN_PASSWORD). Its twins:
// sdks/typescript/test/scenario.e2e.test.ts, sdks/go/e2e/scenario_test.go,
// sdks/python/tests/test_scenario.py.
//
// Each user has a browser of their own (a Playwright context: its own cookie jar) on the example
// app's `/scenario` page (src/Scenario.tsx). What a user does goes through the components:
// <SignUp/>, <SignIn/> and its <MfaChallenge/>, <OrganizationSwitcher/>, <UserButton/>, and the
// app's pages for the mailed links. What the scenario asserts about the SDK's state, and the
// steps no component covers, go through the page's `window.__scenario`: the hooks' state and the
// provider's `@janua/sdk` client (`useJanua()`).
//
// The provider's default token transport is the HttpOnly cookie, so "the client holds the
// refresh token X" reads here: the browser's `__Host-janua_refresh` cookie is X (Playwright reads
// the cookie jar; no script on the page can), the client's storage holds the access token with
// `cookie: true` and no refresh token. "The answer's tokens" are the answer's `access_token` and
// the refresh token its `Set-Cookie` carries.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";

import { mailedLink } from "@janua/e2e-support/mail";
import { timeStep, totp } from "@janua/e2e-support/totp";

import { appInChromium, BASE_URL, expectAccessible, refreshCookie, refreshCookieSetBy, requireEnv, SHOTS } from "./support/app.mjs";

const mailDir = process.env.JANUA_MAIL_DIR;
const adminEmail = process.env.JANUA_ADMIN_EMAIL;
const adminPassword = process.env.JANUA_ADMIN_PASSWORD;

requireEnv("JANUA_MAIL_DIR", "JANUA_ADMIN_EMAIL", "JANUA_ADMIN_PASSWORD");

/** A later step needs what an earlier one produced. */
function need(value, what) {
  assert.ok(value !== undefined && value !== null, `${what} is missing: an earlier step failed`);
  return value;
}

/** Calls `window.__scenario[name](...args)` in the page (src/Scenario.tsx). */
function scenario(page, name, ...args) {
  return page.evaluate(({ name, args }) => window.__scenario[name](...args), { name, args });
}

/** The value of a successful `Outcome`. */
function ok(outcome) {
  assert.ok(outcome.ok, `expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}

/** The typed error of a failed `Outcome`, checked for its class, status and code. */
function refused(outcome, type, status, code) {
  assert.equal(outcome.ok, false, `expected ${type} (${status} ${code}), the call succeeded: ${JSON.stringify(outcome.value)}`);
  assert.ok(outcome.error.types.includes(type), `expected ${type}, got ${outcome.error.types.join(", ")}: ${outcome.error.message}`);
  assert.equal(outcome.error.status, status);
  assert.equal(outcome.error.code, code);
  return outcome.error;
}

/** The next answer of the app's proxy for `method path`. */
function answer(page, method, path) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path);
}

describe(
  "the SDK scenario (tests/e2e/scenario.md) through @janua/react in Chromium",
  () => {
    const tag = `scn-react-${randomBytes(6).toString("hex")}`;
    const emailA = `${tag}-a@example.com`;
    const emailB = `${tag}-b@example.com`;
    const passwordA = `violet harbour lantern ${randomBytes(12).toString("hex")}`;
    const passwordB = `amber meridian orchard ${randomBytes(12).toString("hex")}`;
    const nameA = "Scenario A";
    const orgName = `Scenario ${tag}`;

    const app = appInChromium();
    const users = {}; // "a" | "b" | "admin" -> { context, page, problems }
    let userA;
    let userB;
    let t0; // A's held tokens before step 5, and its refresh cookie
    let t0Refresh;
    let secret;
    let step;
    let organizationId;

    /** A browser of its own for `who`, on the /scenario page. */
    async function open(who, expected = () => false) {
      const user = (users[who] = await app.newPage(expected));
      await openScenario(user.page);
      return user.page;
    }

    async function openScenario(page) {
      await page.goto(`${app.url}/scenario`);
      await page.waitForFunction(() => window.__scenario !== undefined && window.__scenario.state().isLoaded);
    }

    /**
     * Opens the app's page of the newest mailed link to `path` for `email` and presses its
     * `button`: the answer to the `POST api` it sends, with the `status` and the link's token.
     */
    async function followMailedLink(page, email, path, button, api, status) {
      const link = await mailedLink(need(mailDir, "JANUA_MAIL_DIR"), email, path);
      // The server links to PUBLIC_APP_URL: this app, when nox -s react sets JANUA_APP_URL.
      if (process.env.JANUA_APP_URL) assert.equal(link.origin, app.url);
      await page.goto(new URL(link.pathname + link.search, app.url).href);
      const answered = answer(page, "POST", api);
      await page.getByRole("button", { name: button }).click();
      const response = await answered;
      assert.equal(response.status(), status);
      assert.equal(JSON.parse(response.request().postData()).token, link.searchParams.get("token"));
      return response;
    }

    function pageOf(who) {
      return need(users[who], `${who}'s browser`).page;
    }

    async function completed(page) {
      return Number(await page.getByTestId("scenario-completed").textContent());
    }

    /** Waits until the page has counted `n` completed sign-ups and sign-ins. */
    function completedReaches(page, n) {
      return page.getByTestId("scenario-completed").filter({ hasText: new RegExp(`^${n}$`) }).waitFor();
    }

    /** Fill and send <SignUp/>; the register answer. */
    async function signUp(page, { name, email, password }) {
      await page.getByRole("button", { name: "Sign-up form" }).click();
      const form = page.getByRole("region", { name: "Create your account" });
      const before = await completed(page);
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Email address").fill(email);
      await form.getByLabel("Password").fill(password);
      const registered = answer(page, "POST", "/api/v1/auth/register");
      await form.getByRole("button", { name: "Create account" }).click();
      const response = await registered;
      // onSignUp has run: the provider has stored the tokens.
      await completedReaches(page, before + 1);
      return response;
    }

    /** Fill and send <SignIn/>'s first step; the login answer. */
    async function submitSignIn(page, email, password) {
      await page.getByRole("button", { name: "Sign-in form" }).click();
      const form = page.getByRole("region", { name: "Sign in" });
      await form.getByLabel("Email address").fill(email);
      await form.getByLabel("Password").fill(password);
      const loggedIn = answer(page, "POST", "/api/v1/auth/login");
      await form.getByRole("button", { name: "Continue" }).click();
      return loggedIn;
    }

    /** <SignIn/> without a second factor: the login answer, once the provider holds its tokens. */
    async function signIn(page, email, password) {
      const before = await completed(page);
      const response = await submitSignIn(page, email, password);
      await completedReaches(page, before + 1);
      return response;
    }

    /** <UserButton/>'s "Sign out"; the logout answer. */
    async function signOut(page, label) {
      await page.getByRole("button", { name: `Account menu for ${label}` }).click();
      const loggedOut = answer(page, "POST", "/api/v1/auth/logout");
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      const response = await loggedOut;
      await page.getByTestId("scenario-state").filter({ hasText: /^signed out$/ }).waitFor();
      return response;
    }

    /**
     * "The client holds the answer's tokens": its storage holds the answer's access token (cookie
     * mode: no refresh token in script's reach) and the browser the refresh cookie it set.
     */
    async function holdsTokensOf(who, response, accessToken) {
      const { page, context } = users[who];
      const held = need(await scenario(page, "tokens"), `${who}'s tokens`);
      assert.equal(held.accessToken, accessToken);
      assert.equal(held.cookie, true);
      assert.equal(held.refreshToken, undefined);
      const set = await refreshCookieSetBy(response);
      assert.ok(set, "the answer sets the refresh cookie");
      assert.equal(await refreshCookie(context, app.url), set);
      return held;
    }

    it("1. registers A through <SignUp/>: email not verified yet, tokens held", async () => {
      // A's expected failures: steps 6 (refresh and me refused), 10 (MFA required) and 20 (me
      // with the old access token, from a client of its own).
      const page = await open("a", (status, method, path) =>
        (status === 401 && method === "POST" && path === "/api/v1/auth/token/refresh") ||
        (status === 401 && method === "GET" && path === "/api/v1/auth/me") ||
        (status === 403 && method === "POST" && path === "/api/v1/auth/login"));
      const response = await signUp(page, { name: nameA, email: emailA, password: passwordA });
      assert.equal(response.status(), 201);
      const created = await response.json();
      assert.equal(created.user.email, emailA);
      assert.equal(created.user.email_verified, false);
      assert.equal(created.tokens.refresh_token, undefined, "cookie transport: the refresh token is only in the cookie");
      await holdsTokensOf("a", response, created.tokens.access_token);
      // The hooks show it.
      const state = await scenario(page, "state");
      assert.equal(state.isSignedIn, true);
      assert.equal(state.userId, created.user.id);
      assert.equal(state.user.email, emailA);
      assert.equal(state.user.email_verified, false);
      userA = created.user.id;
    });

    it("2. verifies A's email with the token of the mailed /verify-email link (the app's page)", async () => {
      need(userA, "user A");
      const page = pageOf("a");
      await followMailedLink(page, emailA, "/verify-email", "Confirm my email address", "/api/v1/auth/email/verify", 204);
      await page.getByRole("status").filter({ hasText: "Your email address is confirmed" }).waitFor();
      await openScenario(page);
    });

    it("3. logs A in through <SignIn/>: the answer's tokens are held", async () => {
      const page = pageOf("a");
      const response = await signIn(page, emailA, passwordA);
      assert.equal(response.status(), 200);
      const session = await response.json();
      assert.equal(session.user.id, need(userA, "user A"));
      await holdsTokensOf("a", response, session.tokens.access_token);
    });

    it("4. me: A, email verified (and useUser() shows it after reload())", async () => {
      const page = pageOf("a");
      const me = ok(await scenario(page, "call", "auth.me"));
      assert.equal(me.id, need(userA, "user A"));
      assert.equal(me.email, emailA);
      assert.equal(me.email_verified, true);
      ok(await scenario(page, "reloadUser"));
      assert.equal((await scenario(page, "state")).user.email_verified, true);
    });

    it("5. refreshes by itself when the held access token has expired", async () => {
      const { page, context } = users.a;
      t0 = need(await scenario(page, "tokens"), "A's tokens");
      t0Refresh = need(await refreshCookie(context, app.url), "A's refresh cookie");
      await scenario(page, "expireTokens"); // expired: nothing waits
      assert.equal(ok(await scenario(page, "call", "auth.me")).email, emailA);
      const now = need(await scenario(page, "tokens"), "A's refreshed tokens");
      assert.notEqual(now.accessToken, t0.accessToken);
      assert.notEqual(await refreshCookie(context, app.url), t0Refresh);
    });

    it("6. refuses the old refresh token; the reuse ends the session (and the provider signs out)", async () => {
      const page = pageOf("a");
      const old = need(t0Refresh, "the refresh token of step 5");
      refused(await scenario(page, "call", "auth.refresh", { refresh_token: old }), "TokenError", 401, "TOKEN_ERROR");
      refused(await scenario(page, "call", "auth.me"), "TokenError", 401, "TOKEN_ERROR");
      // The client forgot the dead sign-in, and the provider followed its storage.
      assert.equal(await scenario(page, "tokens"), null);
      await page.getByTestId("scenario-state").filter({ hasText: /^signed out$/ }).waitFor();
    });

    it("7. logs A in again through <SignIn/>", async () => {
      const response = await signIn(pageOf("a"), emailA, passwordA);
      assert.equal((await response.json()).user.id, need(userA, "user A"));
    });

    it("8. enrols TOTP with a locally computed code: 10 recovery codes", async () => {
      const page = pageOf("a");
      const setup = ok(await scenario(page, "call", "mfa.startTotpSetup"));
      assert.ok(setup.secret);
      assert.ok(setup.otpauth_uri.startsWith("otpauth://totp/"), setup.otpauth_uri);
      const s = timeStep();
      const codes = ok(await scenario(page, "call", "mfa.confirmTotpSetup", { code: totp(setup.secret, s) }));
      assert.equal(codes.recovery_codes.length, 10);
      assert.equal(new Set(codes.recovery_codes).size, 10);
      secret = setup.secret;
      step = s;
    });

    it("9. logs A out through <UserButton/>: no tokens held", async () => {
      const { page, context } = users.a;
      const response = await signOut(page, nameA);
      assert.equal(response.status(), 204);
      assert.equal(await scenario(page, "tokens"), null);
      assert.equal(await refreshCookie(context, app.url), undefined);
    });

    it("10. logs A in: MfaRequiredError, then <MfaChallenge/> with the next step's code; amr has otp and mfa", async () => {
      const page = pageOf("a");
      // The SDK's typed error, from the provider's client.
      const challenge = refused(await scenario(page, "call", "auth.login", { email: emailA, password: passwordA }), "MfaRequiredError", 403, "MFA_REQUIRED");
      assert.ok(challenge.mfaToken);
      assert.ok(challenge.mfaMethods.includes("totp"), JSON.stringify(challenge.mfaMethods));
      assert.equal(await scenario(page, "tokens"), null);

      // The same through <SignIn/>: it turns into <MfaChallenge/>.
      const before = await completed(page);
      const response = await submitSignIn(page, emailA, passwordA);
      assert.equal(response.status(), 403);
      const problem = await response.json();
      assert.equal(problem.code, "MFA_REQUIRED");
      assert.ok(problem.mfa_token);
      assert.ok(problem.mfa_methods.includes("totp"), JSON.stringify(problem.mfa_methods));
      const mfa = page.getByRole("region", { name: "Two-step verification" });
      await mfa.waitFor();
      await expectAccessible(page, "<MfaChallenge/> (authenticator app or recovery code)");
      assert.equal(await scenario(page, "tokens"), null);

      const code = totp(need(secret, "the TOTP secret"), need(step, "the TOTP step") + 1);
      await mfa.getByLabel("Authentication code").fill(code);
      const verified = answer(page, "POST", "/api/v1/auth/mfa/challenge");
      await mfa.getByRole("button", { name: "Verify" }).click();
      const verifiedResponse = await verified;
      assert.equal(verifiedResponse.status(), 200);
      assert.deepEqual(JSON.parse(verifiedResponse.request().postData()), { mfa_token: problem.mfa_token, method: "totp", code });
      await completedReaches(page, before + 1);
      const session = await verifiedResponse.json();
      assert.equal(session.user.id, need(userA, "user A"));
      const held = await holdsTokensOf("a", verifiedResponse, session.tokens.access_token);
      const { claims } = ok(await scenario(page, "verify", held.accessToken));
      assert.ok(claims.amr?.includes("otp"), JSON.stringify(claims.amr));
      assert.ok(claims.amr?.includes("mfa"), JSON.stringify(claims.amr));
      assert.deepEqual((await scenario(page, "state")).amr, claims.amr); // useSession()
    });

    it("11. A creates an organization (useOrganization().create) and owns it", async () => {
      const organization = ok(await scenario(pageOf("a"), "createOrganization", { name: orgName, slug: tag }));
      assert.equal(organization.slug, tag);
      assert.equal(organization.role, "owner");
      organizationId = organization.id;
    });

    it("12. A invites B by email", async () => {
      const organization_id = need(organizationId, "the organization");
      const invitation = ok(await scenario(pageOf("a"), "call", "organizations.createInvitation", { organization_id, email: emailB, role: "member" }));
      assert.equal(invitation.email, emailB);
      assert.equal(invitation.role, "member");
      assert.equal(invitation.status, "pending");
      assert.equal(invitation.organization_id, organization_id);
    });

    it("13. B registers through <SignUp/> in a browser of their own", async () => {
      const page = await open("b");
      const response = await signUp(page, { name: "Scenario B", email: emailB, password: passwordB });
      assert.equal(response.status(), 201);
      const created = await response.json();
      assert.equal(created.user.email, emailB);
      await holdsTokensOf("b", response, created.tokens.access_token);
      userB = created.user.id;
    });

    it("14. B accepts with the token of the mailed /accept-invitation link (the app's page)", async () => {
      need(userB, "user B");
      const page = pageOf("b");
      const response = await followMailedLink(page, emailB, "/accept-invitation", "Accept the invitation", "/api/v1/invitations/accept", 200);
      const organization = await response.json();
      assert.equal(organization.id, need(organizationId, "the organization"));
      assert.equal(organization.role, "member");
      await page.getByRole("status").filter({ hasText: `You joined ${orgName} as member.` }).waitFor();
    });

    it("15. A lists the members with the iterator at page size 1: A owner, B member", async () => {
      const members = ok(await scenario(pageOf("a"), "all", "organizations.listMembers", { organization_id: need(organizationId, "the organization"), limit: 1 }));
      assert.equal(members.length, 2);
      const roles = new Map(members.map((m) => [m.user_id, m.role]));
      assert.deepEqual(roles, new Map([[need(userA, "user A"), "owner"], [need(userB, "user B"), "member"]]));
    });

    it("16. B switches to the organization in <OrganizationSwitcher/>: org_id and org_role in the new access token", async () => {
      const organization_id = need(organizationId, "the organization");
      const page = pageOf("b");
      await openScenario(page); // signed back in from the refresh cookie
      await page.getByRole("button", { name: "Active organization: Personal account" }).click();
      const switched = answer(page, "POST", "/api/v1/auth/organization");
      await page.getByRole("menu", { name: "Switch organization" }).getByRole("menuitemradio", { name: orgName }).click();
      const response = await switched;
      assert.equal(response.status(), 200);
      const pair = await response.json();
      await page.getByRole("button", { name: `Active organization: ${orgName}` }).waitFor();
      const held = need(await scenario(page, "tokens"), "B's tokens");
      assert.equal(held.accessToken, pair.access_token);
      const { claims } = ok(await scenario(page, "verify", held.accessToken));
      assert.equal(claims.org_id, organization_id);
      assert.equal(claims.org_role, "member");
      // The hooks read the same.
      const state = await scenario(page, "state");
      assert.equal(state.orgId, organization_id);
      assert.equal(state.orgRole, "member");
      assert.equal(state.organizationId, organization_id);
    });

    it("17. B checks permissions: members:read granted, members:manage refused (and has() agrees)", async () => {
      const organization_id = need(organizationId, "the organization");
      const page = pageOf("b");
      const read = ok(await scenario(page, "call", "organizations.checkPermission", { organization_id, permission: "members:read" }));
      assert.equal(read.granted, true);
      const manage = ok(await scenario(page, "call", "organizations.checkPermission", { organization_id, permission: "members:manage" }));
      assert.equal(manage.granted, false);
      assert.equal(await scenario(page, "has", { permission: "members:read" }), true);
      assert.equal(await scenario(page, "has", { permission: "members:manage" }), false);
    });

    it("18. the admin signs in through <SignIn/> and lists users with the iterator at page size 1: A and B", async () => {
      need(userB, "user B");
      const page = await open("admin");
      const response = await signIn(page, need(adminEmail, "JANUA_ADMIN_EMAIL"), need(adminPassword, "JANUA_ADMIN_PASSWORD"));
      assert.equal(response.status(), 200);
      const users = ok(await scenario(page, "all", "users.list", { q: tag, limit: 1 }));
      assert.deepEqual(users.map((u) => u.email).sort(), [emailA, emailB].sort());
    });

    it("19. verifies A's access token locally (JWKS): sub, iss, aud", async () => {
      const page = pageOf("a");
      const held = need(await scenario(page, "tokens"), "A's tokens");
      const { issuer, claims } = ok(await scenario(page, "verify", held.accessToken));
      assert.equal(claims.sub, need(userA, "user A"));
      assert.equal(claims.iss, issuer);
      assert.ok([claims.aud].flat().includes("janua"), JSON.stringify(claims.aud));
    });

    it("20. logs A out through <UserButton/>: the old access token is refused", async () => {
      const { page, context } = users.a;
      await page.screenshot({ path: join(SHOTS, "scenario-a.png"), fullPage: true });
      const old = need(await scenario(page, "tokens"), "A's tokens").accessToken;
      await signOut(page, nameA);
      assert.equal(await scenario(page, "tokens"), null);
      assert.equal(await refreshCookie(context, app.url), undefined);
      refused(await scenario(page, "meWith", old), "TokenError", 401, "TOKEN_ERROR");
    });

    it("had no unexpected errors or failed requests in any browser", async () => {
      for (const [who, { problems, context }] of Object.entries(users)) {
        assert.deepEqual(problems, [], `${who}'s browser`);
        await context.close();
      }
    });
  },
);
