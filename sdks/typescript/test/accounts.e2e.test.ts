// End-to-end accounts scenario: the built package against a live server (JANUA_BASE_URL) whose
// mails an SMTP sink spools as <n>.eml into JANUA_MAIL_DIR. Verify the email from the real mail,
// edit the profile, list sessions, change and reset the password, read one's own audit trail.
// The steps share state and run in order, like auth.e2e.test.ts.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";

import { mailCount, mailedLinkToken } from "@janua/e2e-support/mail";
import { createJanuaClient, type components, type JanuaClient } from "@janua/sdk";
import { need, requireEnv } from "@janua/e2e-support/env";

type Problem = components["schemas"]["Problem"];
type TokenPair = components["schemas"]["TokenPair"];
type ErrorCode = components["schemas"]["ErrorCode"];
type AuditAction = components["schemas"]["AuditEvent"]["action"];

function bearer(accessToken: string): { Authorization: string } {
  return { Authorization: `Bearer ${accessToken}` };
}


function assertProblem(response: Response, error: Problem | undefined, status: number, code: ErrorCode): void {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}`);
  const contentType = response.headers.get("content-type") ?? "";
  assert.match(contentType, /^application\/problem\+json\s*(;|$)/, `content-type was "${contentType}"`);
  assert.ok(error, "no problem body");
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  assert.equal(typeof error.type, "string");
  assert.equal(typeof error.title, "string");
}

function assertNoContent(response: Response, data: unknown, error: unknown, what: string): void {
  assert.equal(response.status, 204, `${what} failed (HTTP ${response.status}): ${JSON.stringify(error)}`);
  assert.equal(data, undefined);
  assert.equal(error, undefined);
}

const { JANUA_BASE_URL: baseUrl, JANUA_MAIL_DIR: folder } = requireEnv("JANUA_MAIL_DIR");

describe(
  "accounts flow against a live Janua server",
  () => {
    let client: JanuaClient;
    const email = `ts-accounts-${randomUUID()}@example.com`;
    const deviceLabel = `ts e2e laptop ${randomUUID().slice(0, 8)}`;
    // Long and random: the server refuses common and breached passwords.
    const password = `violet harbour lantern ${randomUUID()}`;
    const newPassword = `quiet meridian orchard ${randomUUID()}`;
    const resetPassword = `amber tessellation drift ${randomUUID()}`;
    const profile = { name: "Ada TypeScript E2E", locale: "en-GB", timezone: "Europe/London" };

    let userId: string | undefined;
    let signupTokens: TokenPair | undefined;
    let verifyToken: string | undefined;
    let freshTokens: TokenPair | undefined;

    before(() => {
      client = createJanuaClient({ baseUrl });
    });

    it("registers with a device label: 201, email not yet verified", async () => {
      const { data, error, response } = await client.POST("/api/v1/auth/register", {
        body: { email, password, device_label: deviceLabel },
      });
      assert.equal(response.status, 201, `register failed: ${JSON.stringify(error)}`);
      assert.ok(data);
      assert.equal(data.user.email, email);
      assert.equal(data.user.email_verified, false);
      userId = data.user.id;
      signupTokens = data.tokens;
    });

    it("mails a verification link; the token from it verifies the address: 204", async () => {
      need(userId, "the registered user");
      verifyToken = await mailedLinkToken(folder, email, "/verify-email");
      const { data, error, response } = await client.POST("/api/v1/auth/email/verify", {
        body: { token: verifyToken },
      });
      assertNoContent(response, data, error, "verify");
    });

    it("shows the address verified: /me 200 with email_verified true", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
      assert.equal(response.status, 200, `me failed: ${JSON.stringify(error)}`);
      assert.equal(data?.id, userId);
      assert.equal(data?.email_verified, true);
    });

    it("refuses the same verification token again: 401 TOKEN_ERROR", async () => {
      const { data, error, response } = await client.POST("/api/v1/auth/email/verify", {
        body: { token: need(verifyToken, "the verification token") },
      });
      assert.equal(data, undefined);
      assertProblem(response, error, 401, "TOKEN_ERROR");
    });

    it("updates the profile: PATCH /me 200 with the new fields", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.PATCH("/api/v1/auth/me", {
        headers: bearer(tokens.access_token),
        body: profile,
      });
      assert.equal(response.status, 200, `update failed: ${JSON.stringify(error)}`);
      assert.ok(data);
      assert.deepEqual({ name: data.name, locale: data.locale, timezone: data.timezone }, profile);
    });

    it("reflects the profile update: /me 200", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
      assert.equal(response.status, 200);
      assert.ok(data);
      assert.deepEqual({ name: data.name, locale: data.locale, timezone: data.timezone }, profile);
      assert.equal(data.email_verified, true);
    });

    it("refuses to set email_verified through the profile: 422 VALIDATION_ERROR", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { error, response } = await client.PATCH("/api/v1/auth/me", {
        headers: bearer(tokens.access_token),
        // Not in UpdateUserRequest, on purpose: the server must reject it, not ignore it.
        body: { email_verified: false } as components["schemas"]["UpdateUserRequest"],
      });
      assertProblem(response, error, 422, "VALIDATION_ERROR");
      const me = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
      assert.equal(me.data?.email_verified, true, "the refused PATCH changed the user");
    });

    it("lists the current session with its device label: GET /sessions 200", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.GET("/api/v1/sessions", { headers: bearer(tokens.access_token) });
      assert.equal(response.status, 200, `sessions failed: ${JSON.stringify(error)}`);
      assert.ok(data);
      const current = data.data.filter((session) => session.current);
      assert.equal(current.length, 1, `expected one current session, got ${JSON.stringify(data.data)}`);
      assert.equal(current[0]?.device_label, deviceLabel);
    });

    it("refuses a password change with a wrong current password: 403 AUTHORIZATION_ERROR", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.POST("/api/v1/auth/password/change", {
        headers: bearer(tokens.access_token),
        body: { current_password: `${password}-not-it`, new_password: newPassword },
      });
      assert.equal(data, undefined);
      assertProblem(response, error, 403, "AUTHORIZATION_ERROR");
    });

    it("changes the password with the right current one: 204", async () => {
      const tokens = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.POST("/api/v1/auth/password/change", {
        headers: bearer(tokens.access_token),
        body: { current_password: password, new_password: newPassword },
      });
      assertNoContent(response, data, error, "change password");
    });

    it("signs in with the new password: 200", async () => {
      const { data, error, response } = await client.POST("/api/v1/auth/login", {
        body: { email, password: newPassword },
      });
      assert.equal(response.status, 200, `login failed: ${JSON.stringify(error)}`);
      assert.equal(data?.user.id, userId);
    });

    it("refuses the old password after the change: 401 AUTHENTICATION_ERROR", async () => {
      const { error, response } = await client.POST("/api/v1/auth/login", { body: { email, password } });
      assertProblem(response, error, 401, "AUTHENTICATION_ERROR");
    });

    describe("forgot and reset by the mailed link", () => {
      let before = 0;
      let resetToken: string | undefined;

      it("accepts a reset request: 202", async () => {
        need(userId, "the registered user");
        before = await mailCount(folder); // the reset mail is numbered above this
        const { error, response } = await client.POST("/api/v1/auth/password/forgot", { body: { email } });
        assert.equal(response.status, 202, `forgot failed: ${JSON.stringify(error)}`);
      });

      it("resets the password with the token from the new mail: 204", async () => {
        resetToken = await mailedLinkToken(folder, email, "/reset-password", { after: before });
        const { data, error, response } = await client.POST("/api/v1/auth/password/reset", {
          body: { token: resetToken, password: resetPassword },
        });
        assertNoContent(response, data, error, "reset");
      });

      it("has ended every session: the old access token is refused, /me 401 TOKEN_ERROR", async () => {
        const tokens = need(signupTokens, "the sign-up tokens");
        need(resetToken, "the reset token");
        const { error, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
        assertProblem(response, error, 401, "TOKEN_ERROR");
      });

      it("signs in with the reset password: 200", async () => {
        const { data, error, response } = await client.POST("/api/v1/auth/login", {
          body: { email, password: resetPassword },
        });
        assert.equal(response.status, 200, `login failed: ${JSON.stringify(error)}`);
        assert.ok(data);
        assert.equal(data.user.id, userId);
        freshTokens = data.tokens;
      });
    });

    it("lists the account's security events: GET /me/audit-events 200", async () => {
      const tokens = need(freshTokens, "the tokens of the sign-in after the reset");
      const { data, error, response } = await client.GET("/api/v1/auth/me/audit-events", {
        headers: bearer(tokens.access_token),
        params: { query: { limit: 100 } },
      });
      assert.equal(response.status, 200, `audit events failed: ${JSON.stringify(error)}`);
      assert.ok(data);
      const actions = new Set(data.data.map((event) => event.action));
      const expected: AuditAction[] = [
        "user.registered",
        "email.verified",
        "profile.updated",
        "password.changed",
        "password.reset",
        "login.succeeded",
      ];
      const missing = expected.filter((action) => !actions.has(action));
      assert.deepEqual(missing, [], `missing audit events; got ${[...actions].join(", ")}`);
    });
  },
);
