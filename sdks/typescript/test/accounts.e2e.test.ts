// End-to-end accounts scenario: the built package against a live server (JANUA_BASE_URL) whose
// mails an SMTP sink spools as <n>.eml into JANUA_MAIL_DIR. Verify the email from the real mail,
// edit the profile, list sessions, change and reset the password, read one's own audit trail.
// The steps share state and run in order, like auth.e2e.test.ts.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { before, describe, it, test } from "node:test";

import { createJanuaClient, type components, type JanuaClient } from "@janua/sdk";

type Problem = components["schemas"]["Problem"];
type TokenPair = components["schemas"]["TokenPair"];
type ErrorCode = components["schemas"]["ErrorCode"];
type AuditAction = components["schemas"]["AuditEvent"]["action"];

function bearer(accessToken: string): { Authorization: string } {
  return { Authorization: `Bearer ${accessToken}` };
}

/** A later step needs what an earlier one produced; say so instead of a TypeError. */
function need<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `${what} is missing: an earlier step failed`);
  return value;
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

// ---------------------------------------------------------------------------------------------
// Reading the spooled mails: a minimal RFC 5322 / MIME reader, enough for the server's
// multipart/alternative mails (text + HTML, quoted-printable or base64 or 7/8bit).

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Split a message or body part into unfolded, lower-cased headers and the raw body. */
function splitPart(raw: string): Part {
  const text = raw.replace(/\r\n/g, "\n");
  const end = text.indexOf("\n\n");
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? "" : text.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The value of a `; name=value` parameter of a header such as Content-Type. */
function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeQuotedPrintable(body: string): Buffer {
  const joined = body.replace(/=\r?\n/g, ""); // soft line breaks
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/** The decoded text of a leaf part, by its Content-Transfer-Encoding (charset assumed UTF-8). */
function decodeBody(part: Part): string {
  const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (encoding === "quoted-printable") return decodeQuotedPrintable(part.body).toString("utf8");
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64").toString("utf8");
  return part.body;
}

/** The decoded text/plain part of a message, descending into multiparts. */
function textPart(part: Part): string | undefined {
  const contentType = part.headers.get("content-type") ?? "text/plain";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "text/plain") return decodeBody(part);
  if (!mediaType?.startsWith("multipart/")) return undefined;
  const boundary = headerParam(contentType, "boundary");
  assert.ok(boundary, `multipart without a boundary: ${contentType}`);
  const delimiter = `\n--${boundary}`;
  const sections = `\n${part.body}`.split(delimiter).slice(1); // drop the preamble
  for (const section of sections) {
    if (section.startsWith("--")) break; // the closing delimiter
    const found = textPart(splitPart(section.replace(/^[ \t]*\n/, "")));
    if (found !== undefined) return found;
  }
  return undefined;
}

interface Mail {
  number: number;
  to: string;
  text: string;
}

async function mailFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.endsWith(".eml")).sort();
}

async function readMail(folder: string, name: string): Promise<Mail> {
  const message = splitPart(await readFile(join(folder, name), "utf8"));
  const text = textPart(message);
  assert.ok(text !== undefined, `${name} has no text/plain part`);
  return { number: Number.parseInt(name, 10), to: message.headers.get("to") ?? "", text };
}

/**
 * The `token` of the newest link to `path` in a mail to `to` numbered above `after`, waiting up
 * to `seconds` for it: the server sends its mails in the background, after it has answered.
 */
async function linkToken(folder: string, to: string, path: string, after = 0, seconds = 10): Promise<string> {
  const deadline = Date.now() + seconds * 1000;
  do {
    for (const name of (await mailFiles(folder)).reverse()) {
      const mail = await readMail(folder, name);
      if (mail.number <= after) break;
      if (!mail.to.toLowerCase().includes(to.toLowerCase())) continue;
      for (const candidate of mail.text.match(/https?:\/\/\S+/g) ?? []) {
        const url = new URL(candidate);
        const token = url.searchParams.get("token");
        if (url.pathname.endsWith(path) && token) return token;
      }
    }
    await sleep(50);
  } while (Date.now() < deadline);
  assert.fail(`no mail to ${to} numbered above ${after} with a ${path} link within ${seconds}s`);
}

async function mailCount(folder: string): Promise<number> {
  return (await mailFiles(folder)).length;
}

// ---------------------------------------------------------------------------------------------

const baseUrl = process.env.JANUA_BASE_URL;
const mailDir = process.env.JANUA_MAIL_DIR;

// Missing either must fail the run, not pass it with the scenario skipped.
test("JANUA_MAIL_DIR names the folder the server's mails are spooled to", () => {
  assert.ok(mailDir, "JANUA_MAIL_DIR is not set; run `nox -s e2e`, which starts an SMTP sink spooling there");
});

describe(
  "accounts flow against a live Janua server",
  { skip: (!baseUrl && "JANUA_BASE_URL is not set") || (!mailDir && "JANUA_MAIL_DIR is not set") },
  () => {
    let client: JanuaClient;
    let folder: string;
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
      client = createJanuaClient({ baseUrl: need(baseUrl, "JANUA_BASE_URL") });
      folder = need(mailDir, "JANUA_MAIL_DIR");
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
      verifyToken = await linkToken(folder, email, "/verify-email");
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
        resetToken = await linkToken(folder, email, "/reset-password", before);
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
