// End-to-end: the built package (imported by its own name, so through package.json `exports`)
// against a live server named by JANUA_BASE_URL. The steps share state and run in order.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";

import { createJanuaClient, type components, type JanuaClient } from "@janua/sdk";
import { need, requireEnv } from "@janua/e2e-support/env";

type Problem = components["schemas"]["Problem"];
type TokenPair = components["schemas"]["TokenPair"];
type ErrorCode = components["schemas"]["ErrorCode"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

function assertTokenPair(tokens: TokenPair): void {
  assert.equal(tokens.token_type, "Bearer");
  assert.equal(typeof tokens.access_token, "string");
  assert.ok(tokens.access_token.length > 0, "empty access token");
  assert.equal(tokens.access_token.split(".").length, 3, "access token is not a compact JWS");
  // Body transport (the default): the refresh token is in the answer.
  assert.ok(typeof tokens.refresh_token === "string" && tokens.refresh_token.length > 0, "no refresh token");
  assert.ok(Number.isInteger(tokens.expires_in) && tokens.expires_in > 0, `expires_in ${tokens.expires_in}`);
  assert.ok(
    Number.isInteger(tokens.refresh_token_expires_in) && tokens.refresh_token_expires_in > 0,
    `refresh_token_expires_in ${tokens.refresh_token_expires_in}`,
  );
}

function assertNoStore(response: Response): void {
  assert.equal(response.headers.get("cache-control"), "no-store");
}

const { JANUA_BASE_URL: baseUrl } = requireEnv();


describe("auth flow against a live Janua server", () => {
  let client: JanuaClient;
  const email = `ts-${randomUUID()}@example.com`;
  const password = `correct horse ${randomUUID()}`;
  const name = "TypeScript SDK e2e";

  let userId: string | undefined;
  let signupTokens: TokenPair | undefined;
  let loginTokens: TokenPair | undefined;
  let rotatedTokens: TokenPair | undefined;

  before(() => {
    client = createJanuaClient({ baseUrl: baseUrl });
  });

  it("answers the liveness probe", async () => {
    const { data, response } = await client.GET("/health");
    assert.equal(response.status, 200);
    assert.equal(data?.status, "ok");
  });

  it("registers a new account: 201 with the user and a token pair", async () => {
    const { data, error, response } = await client.POST("/api/v1/auth/register", {
      body: { email, password, name },
    });
    assert.equal(response.status, 201, `register failed: ${JSON.stringify(error)}`);
    assert.ok(data);
    assertNoStore(response);
    assert.match(data.user.id, UUID);
    assert.equal(data.user.email, email);
    assert.equal(data.user.name, name);
    assert.equal(data.user.email_verified, false);
    assertTokenPair(data.tokens);
    userId = data.user.id;
    signupTokens = data.tokens;
  });

  it("refuses the same email again: 409 CONFLICT_ERROR", async () => {
    const { error, response } = await client.POST("/api/v1/auth/register", {
      body: { email, password, name },
    });
    assertProblem(response, error, 409, "CONFLICT_ERROR");
  });

  it("refuses the same email in another case: 409 CONFLICT_ERROR (uniqueness is case-folded)", async () => {
    const { error, response } = await client.POST("/api/v1/auth/register", {
      body: { email: email.toUpperCase(), password },
    });
    assertProblem(response, error, 409, "CONFLICT_ERROR");
  });

  it("refuses a wrong password: 401 AUTHENTICATION_ERROR", async () => {
    const { data, error, response } = await client.POST("/api/v1/auth/login", {
      body: { email, password: `${password}-wrong` },
    });
    assert.equal(data, undefined);
    assertProblem(response, error, 401, "AUTHENTICATION_ERROR");
  });

  it("refuses an unknown email the same way: 401 AUTHENTICATION_ERROR", async () => {
    const { error, response } = await client.POST("/api/v1/auth/login", {
      body: { email: `nobody-${randomUUID()}@example.com`, password },
    });
    assertProblem(response, error, 401, "AUTHENTICATION_ERROR");
  });

  it("signs in: 200 with the same user and a new token pair", async () => {
    const { data, error, response } = await client.POST("/api/v1/auth/login", {
      body: { email, password },
    });
    assert.equal(response.status, 200, `login failed: ${JSON.stringify(error)}`);
    assert.ok(data);
    assertNoStore(response);
    assert.equal(data.user.id, need(userId, "the registered user id"));
    assert.equal(data.user.email, email);
    assertTokenPair(data.tokens);
    assert.notEqual(data.tokens.refresh_token, need(signupTokens, "the sign-up tokens").refresh_token);
    loginTokens = data.tokens;
  });

  it("refuses /me without a token: 401 AUTHENTICATION_ERROR", async () => {
    const { error, response } = await client.GET("/api/v1/auth/me");
    assertProblem(response, error, 401, "AUTHENTICATION_ERROR");
  });

  it("knows who signed in: /me 200 with the registered email", async () => {
    const tokens = need(loginTokens, "the login tokens");
    const { data, error, response } = await client.GET("/api/v1/auth/me", {
      headers: bearer(tokens.access_token),
    });
    assert.equal(response.status, 200, `me failed: ${JSON.stringify(error)}`);
    assert.ok(data);
    assert.equal(data.email, email);
    assert.equal(data.id, userId);
    assert.equal(data.name, name);
  });

  it("rotates the refresh token: 200 with a different refresh token", async () => {
    const old = need(loginTokens, "the login tokens");
    const { data, error, response } = await client.POST("/api/v1/auth/token/refresh", {
      body: { refresh_token: old.refresh_token },
    });
    assert.equal(response.status, 200, `refresh failed: ${JSON.stringify(error)}`);
    assert.ok(data);
    assertNoStore(response);
    assertTokenPair(data);
    assert.notEqual(data.refresh_token, old.refresh_token);
    rotatedTokens = data;
  });

  it("accepts the rotated access token: /me 200", async () => {
    const tokens = need(rotatedTokens, "the rotated tokens");
    const { data, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
    assert.equal(response.status, 200);
    assert.equal(data?.email, email);
  });

  it("signs out with the current access token: 204", async () => {
    const tokens = need(rotatedTokens, "the rotated tokens");
    const { data, error, response } = await client.POST("/api/v1/auth/logout", {
      headers: bearer(tokens.access_token),
    });
    assert.equal(response.status, 204, `logout failed: ${JSON.stringify(error)}`);
    assert.equal(data, undefined);
    assert.equal(error, undefined);
  });

  it("refuses the signed-out access token at once: /me 401 TOKEN_ERROR", async () => {
    const tokens = need(rotatedTokens, "the rotated tokens");
    const { error, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
    assertProblem(response, error, 401, "TOKEN_ERROR");
  });

  it("refuses the signed-out session's refresh token: 401 TOKEN_ERROR", async () => {
    const tokens = need(rotatedTokens, "the rotated tokens");
    const { error, response } = await client.POST("/api/v1/auth/token/refresh", {
      body: { refresh_token: tokens.refresh_token },
    });
    assertProblem(response, error, 401, "TOKEN_ERROR");
  });

  // Reuse detection revokes a whole session, so it runs on the sign-up session, which the
  // steps above never touched.
  describe("refresh token reuse, on the sign-up session", () => {
    let successor: TokenPair | undefined;

    it("rotates the sign-up refresh token: 200", async () => {
      const old = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.POST("/api/v1/auth/token/refresh", {
        body: { refresh_token: old.refresh_token },
      });
      assert.equal(response.status, 200, `refresh failed: ${JSON.stringify(error)}`);
      assert.ok(data);
      assert.notEqual(data.refresh_token, old.refresh_token);
      successor = data;
    });

    it("refuses the retired refresh token: 401 TOKEN_ERROR as problem+json", async () => {
      const old = need(signupTokens, "the sign-up tokens");
      const { data, error, response } = await client.POST("/api/v1/auth/token/refresh", {
        body: { refresh_token: old.refresh_token },
      });
      assert.equal(data, undefined);
      assertProblem(response, error, 401, "TOKEN_ERROR");
    });

    it("has revoked the session: its newest refresh token is refused too", async () => {
      const tokens = need(successor, "the successor tokens");
      const { error, response } = await client.POST("/api/v1/auth/token/refresh", {
        body: { refresh_token: tokens.refresh_token },
      });
      assertProblem(response, error, 401, "TOKEN_ERROR");
    });

    it("has revoked the session: its access token is refused, /me 401 TOKEN_ERROR", async () => {
      const tokens = need(successor, "the successor tokens");
      const { error, response } = await client.GET("/api/v1/auth/me", { headers: bearer(tokens.access_token) });
      assertProblem(response, error, 401, "TOKEN_ERROR");
    });
  });
});
