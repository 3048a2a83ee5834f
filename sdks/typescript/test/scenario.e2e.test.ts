// The SDK end-to-end scenario, tests/e2e/scenario.md, step by step through the `Janua` facade,
// against the live server of `nox -s e2e` (JANUA_BASE_URL, mails spooled to JANUA_MAIL_DIR, a
// bootstrapped admin in JANUA_ADMIN_EMAIL / JANUA_ADMIN_PASSWORD). The steps share state and run
// in order; a step whose predecessor failed says so instead of failing obscurely.
// Its twins: sdks/go/e2e/scenario_test.go, sdks/python/tests/test_scenario.py.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";

import { Janua, JanuaError, MfaRequiredError, TokenError, type Tokens } from "@janua/sdk";
import { createTokenVerifier, type JanuaClaims } from "@janua/sdk/server";

import { mailedLinkToken } from "@janua/e2e-support/mail";
import { timeStep, totp } from "@janua/e2e-support/totp";
import { need, requireEnv } from "@janua/e2e-support/env";

const {
  JANUA_BASE_URL: baseUrl,
  JANUA_MAIL_DIR: mailDir,
  JANUA_ADMIN_EMAIL: adminEmail,
  JANUA_ADMIN_PASSWORD: adminPassword,
} = requireEnv("JANUA_MAIL_DIR", "JANUA_ADMIN_EMAIL", "JANUA_ADMIN_PASSWORD");


/** The typed error `promise` rejects with, checked for its class, status and code. */
async function refused<E extends JanuaError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  status: number,
  code: string,
): Promise<E> {
  const error = await promise.then(
    () => assert.fail(`expected ${type.name} (${status} ${code}), the call succeeded`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.code, code);
  return error;
}

describe(
  "the SDK scenario (tests/e2e/scenario.md) through the TypeScript facade",
  () => {
    const tag = `scn-ts-${randomBytes(6).toString("hex")}`;
    const emailA = `${tag}-a@example.com`;
    const emailB = `${tag}-b@example.com`;
    const passwordA = `violet harbour lantern ${randomBytes(12).toString("hex")}`;
    const passwordB = `amber meridian orchard ${randomBytes(12).toString("hex")}`;

    let a: Janua; // user A's client
    let b: Janua; // user B's client
    let issuer: string; // discovered (step 19)
    let claimsOf: (token: string) => Promise<JanuaClaims>; // the SDK's verifier (step 19)
    let userA: string | undefined;
    let userB: string | undefined;
    let t0: Tokens | undefined;
    let secret: string | undefined;
    let step: number | undefined;
    let organizationId: string | undefined;

    before(async () => {
      const url = baseUrl;
      a = new Janua({ baseUrl: url });
      b = new Janua({ baseUrl: url });
      issuer = (await a.discovery.openidConfiguration()).issuer;
      claimsOf = createTokenVerifier({ issuer, audience: "janua", jwksUrl: `${url}/.well-known/jwks.json` });
    });

    const held = async (client: Janua): Promise<Tokens | null> => client.getTokens();

    it("1. registers A: email not verified yet, tokens held", async () => {
      const created = await a.auth.register({ email: emailA, password: passwordA });
      assert.equal(created.user.email, emailA);
      assert.equal(created.user.email_verified, false);
      const tokens = await held(a);
      assert.equal(tokens?.accessToken, created.tokens.access_token);
      assert.equal(tokens?.refreshToken, created.tokens.refresh_token);
      userA = created.user.id;
    });

    it("2. verifies A's email with the token of the mailed /verify-email link", async () => {
      need(userA, "user A");
      const token = await mailedLinkToken(mailDir, emailA, "/verify-email");
      assert.equal(await a.auth.verifyEmail({ token }), undefined); // 204
    });

    it("3. logs A in: the answer's tokens are held", async () => {
      const session = await a.auth.login({ email: emailA, password: passwordA });
      assert.equal(session.user.id, need(userA, "user A"));
      const tokens = await held(a);
      assert.equal(tokens?.accessToken, session.tokens.access_token);
      assert.equal(tokens?.refreshToken, session.tokens.refresh_token);
    });

    it("4. me: A, email verified", async () => {
      const me = await a.auth.me();
      assert.equal(me.id, need(userA, "user A"));
      assert.equal(me.email, emailA);
      assert.equal(me.email_verified, true);
    });

    it("5. refreshes by itself when the held access token has expired", async () => {
      t0 = need(await held(a), "A's tokens");
      await a.setTokens({ ...t0, expiresAt: Date.now() - 60_000 }); // expired: nothing waits
      assert.equal((await a.auth.me()).email, emailA);
      const now = need(await held(a), "A's refreshed tokens");
      assert.notEqual(now.accessToken, t0.accessToken);
      assert.notEqual(now.refreshToken, t0.refreshToken);
    });

    it("6. refuses the old refresh token; the reuse ends the session", async () => {
      const old = need(t0?.refreshToken, "the refresh token of step 5");
      await refused(a.auth.refresh({ refresh_token: old }), TokenError, 401, "TOKEN_ERROR");
      await refused(a.auth.me(), TokenError, 401, "TOKEN_ERROR");
    });

    it("7. logs A in again", async () => {
      const session = await a.auth.login({ email: emailA, password: passwordA });
      assert.equal(session.user.id, need(userA, "user A"));
    });

    it("8. enrols TOTP with a locally computed code: 10 recovery codes", async () => {
      const setup = await a.mfa.startTotpSetup();
      assert.ok(setup.secret);
      assert.ok(setup.otpauth_uri.startsWith("otpauth://totp/"), setup.otpauth_uri);
      const s = timeStep();
      const codes = await a.mfa.confirmTotpSetup({ code: totp(setup.secret, s) });
      assert.equal(codes.recovery_codes.length, 10);
      assert.equal(new Set(codes.recovery_codes).size, 10);
      secret = setup.secret;
      step = s;
    });

    it("9. logs A out: no tokens held", async () => {
      await a.auth.logout();
      assert.equal(await held(a), null);
    });

    it("10. logs A in: MfaRequiredError, then the next step's code; amr has otp and mfa", async () => {
      const challenge = await refused(a.auth.login({ email: emailA, password: passwordA }), MfaRequiredError, 403, "MFA_REQUIRED");
      assert.ok(challenge.mfaToken);
      assert.ok(challenge.mfaMethods.includes("totp"), JSON.stringify(challenge.mfaMethods));
      assert.equal(await held(a), null);

      const code = totp(need(secret, "the TOTP secret"), need(step, "the TOTP step") + 1);
      const session = await a.mfa.verifyChallenge({ mfa_token: challenge.mfaToken, method: "totp", code });
      assert.equal(session.user.id, need(userA, "user A"));
      const tokens = need(await held(a), "A's tokens");
      assert.equal(tokens.accessToken, session.tokens.access_token);
      const claims = await claimsOf(tokens.accessToken);
      assert.ok(claims.amr?.includes("otp"), JSON.stringify(claims.amr));
      assert.ok(claims.amr?.includes("mfa"), JSON.stringify(claims.amr));
    });

    it("11. A creates an organization and owns it", async () => {
      const organization = await a.organizations.create({ name: `Scenario ${tag}`, slug: tag });
      assert.equal(organization.slug, tag);
      assert.equal(organization.role, "owner");
      organizationId = organization.id;
    });

    it("12. A invites B by email", async () => {
      const organization_id = need(organizationId, "the organization");
      const invitation = await a.organizations.createInvitation({ organization_id, email: emailB, role: "member" });
      assert.equal(invitation.email, emailB);
      assert.equal(invitation.role, "member");
      assert.equal(invitation.status, "pending");
      assert.equal(invitation.organization_id, organization_id);
    });

    it("13. B registers", async () => {
      const created = await b.auth.register({ email: emailB, password: passwordB });
      assert.equal(created.user.email, emailB);
      userB = created.user.id;
    });

    it("14. B accepts with the token of the mailed /accept-invitation link", async () => {
      need(userB, "user B");
      const token = await mailedLinkToken(mailDir, emailB, "/accept-invitation");
      const organization = await b.organizations.acceptInvitation({ token });
      assert.equal(organization.id, need(organizationId, "the organization"));
      assert.equal(organization.role, "member");
    });

    it("15. A lists the members with the iterator at page size 1: A owner, B member", async () => {
      const members = [];
      for await (const member of a.organizations.listMembers({ organization_id: need(organizationId, "the organization"), limit: 1 })) {
        members.push(member);
      }
      assert.equal(members.length, 2);
      const roles = new Map(members.map((m) => [m.user_id, m.role]));
      assert.deepEqual(roles, new Map([[need(userA, "user A"), "owner"], [need(userB, "user B"), "member"]]));
    });

    it("16. B switches to the organization: org_id and org_role in the new access token", async () => {
      const organization_id = need(organizationId, "the organization");
      const pair = await b.organizations.switch({ organization_id });
      const tokens = need(await held(b), "B's tokens");
      assert.equal(tokens.accessToken, pair.access_token);
      const claims = await claimsOf(tokens.accessToken);
      assert.equal(claims.org_id, organization_id);
      assert.equal(claims.org_role, "member");
    });

    it("17. B checks permissions: members:read granted, members:manage refused", async () => {
      const organization_id = need(organizationId, "the organization");
      const read = await b.organizations.checkPermission({ organization_id, permission: "members:read" });
      assert.equal(read.granted, true);
      const manage = await b.organizations.checkPermission({ organization_id, permission: "members:manage" });
      assert.equal(manage.granted, false);
    });

    it("18. the admin lists users with the iterator at page size 1 and finds A and B", async () => {
      need(userB, "user B");
      const admin = new Janua({ baseUrl: baseUrl });
      await admin.auth.login({ email: adminEmail, password: adminPassword });
      const emails = [];
      for await (const user of admin.users.list({ q: tag, limit: 1 })) emails.push(user.email);
      assert.deepEqual(emails.sort(), [emailA, emailB].sort());
    });

    it("19. verifies A's access token locally (JWKS): sub, iss, aud", async () => {
      const tokens = need(await held(a), "A's tokens");
      const claims = await claimsOf(tokens.accessToken);
      assert.equal(claims.sub, need(userA, "user A"));
      assert.equal(claims.iss, issuer);
      assert.ok([claims.aud].flat().includes("janua"), JSON.stringify(claims.aud));
    });

    it("20. logs A out: the old access token is refused", async () => {
      const old = need(await held(a), "A's tokens").accessToken;
      await a.auth.logout();
      assert.equal(await held(a), null);
      const stale = new Janua({ baseUrl: baseUrl, accessToken: old });
      await refused(stale.auth.me(), TokenError, 401, "TOKEN_ERROR");
    });
  },
);
